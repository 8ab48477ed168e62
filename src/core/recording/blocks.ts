/**
 * The body of a version 2 session file: blocks of records, each block one JSON line
 * `{"type":"wire","z":"br","n":N,"raw":B,"data":"<base64>"}` whose data is the Brotli-compressed
 * concatenation of N records (docs/session-format.md). A record is `kind (1 byte), length (varint),
 * body`; the kinds:
 *
 * - CONNECTION: a tracer connection's handshake (conn id, pid, client, encoding, protocol version),
 *   restated in every block that holds one of its batches, so each block decodes on its own;
 * - FRAME: one marshal batch exactly as the connection sent it (without its length prefix);
 * - LINE: one JSON-lines batch exactly as sent;
 * - RECORD: any other body record as JSON (a sample, an event the receiver made, an event of a run
 *   that offers no wire batches).
 *
 * Keeping the batches as they arrived costs the recorder a copy instead of a JSON.stringify per
 * event, and replaying them through the receiver's own decoder gives the same events the live
 * Session got. No `vscode` import here, ever.
 */
import { brotliCompressSync, brotliDecompressSync, constants as zlib } from 'node:zlib';
import type { Handshake } from '../protocol/wire';

export const RECORD_CONNECTION = 1;
export const RECORD_FRAME = 2;
export const RECORD_LINE = 3;
export const RECORD_JSON = 4;

/** A block is closed once its records reach this many bytes (uncompressed). */
export const BLOCK_BYTES = 256 * 1024;
/** Largest uncompressed block a reader accepts: a block of one maximal frame (16 MiB) plus its records. */
export const MAX_BLOCK_BYTES = 17 * 1024 * 1024;

/**
 * Brotli at quality 1 with a window the size of a block: ~13 bytes a small message's event (raw
 * marshal ~78) for ~0.2 µs of CPU an event; quality 0 is ~30% cheaper and ~30% larger, zlib's
 * deflate at level 1 ~3x dearer for a larger result (measured when format 2 was chosen;
 * docs/session-format.md says the format, bench/record-node-cpu.mjs times the writer as a piece).
 */
const COMPRESS = {
  params: { [zlib.BROTLI_PARAM_QUALITY]: 1, [zlib.BROTLI_PARAM_LGWIN]: 18, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_GENERIC },
};

const CLIENTS = ['tracer', 'supervisor'] as const;
const ENCODINGS = ['jsonl', 'marshal'] as const;

/** Accumulates the records of one block. */
export class BlockBuilder {
  private buf = Buffer.allocUnsafe(BLOCK_BYTES + 64 * 1024);
  private used = 0;
  /** Records in the block. */
  count = 0;
  private readonly connsInBlock = new Set<number>();

  get bytes(): number {
    return this.used;
  }

  connection(conn: number, hs: Handshake): void {
    if (this.connsInBlock.has(conn)) return;
    this.connsInBlock.add(conn);
    this.ensure(32);
    const start = this.header(RECORD_CONNECTION, 0); // body length patched below (it is < 128)
    this.varint(conn);
    this.varint(hs.pid);
    this.buf[this.used++] = CLIENTS.indexOf(hs.client);
    this.buf[this.used++] = ENCODINGS.indexOf(hs.enc);
    this.varint(hs.version);
    this.buf[start] = this.used - start - 1;
    this.count++;
  }

  frame(conn: number, payload: Uint8Array): void {
    this.bytesRecord(RECORD_FRAME, conn, payload);
  }

  line(conn: number, text: string): void {
    this.bytesRecord(RECORD_LINE, conn, Buffer.from(text, 'utf8'));
  }

  json(record: object): void {
    const body = Buffer.from(JSON.stringify(record), 'utf8');
    this.ensure(body.length + 8);
    this.header(RECORD_JSON, body.length);
    this.used += body.copy(this.buf, this.used);
    this.count++;
  }

  /** The block as one line (with its newline), and a fresh builder state. */
  take(): string {
    const raw = this.buf.subarray(0, this.used);
    const data = brotliCompressSync(raw, { ...COMPRESS, params: { ...COMPRESS.params, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length } });
    const line = `{"type":"wire","z":"br","n":${this.count},"raw":${this.used},"data":"${data.toString('base64')}"}\n`;
    this.used = 0;
    this.count = 0;
    this.connsInBlock.clear();
    return line;
  }

  private bytesRecord(kind: number, conn: number, payload: Uint8Array): void {
    this.ensure(payload.length + 16);
    let connLen = 1;
    for (let c = conn; c >= 0x80; c = Math.floor(c / 128)) connLen++;
    this.header(kind, connLen + payload.length);
    this.varint(conn);
    this.buf.set(payload, this.used);
    this.used += payload.length;
    this.count++;
  }

  /** Kind and body length; returns where the length starts. */
  private header(kind: number, length: number): number {
    this.buf[this.used++] = kind;
    const at = this.used;
    this.varint(length);
    return at;
  }

  private varint(v: number): void {
    while (v >= 0x80) {
      this.buf[this.used++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.used++] = v;
  }

  private ensure(n: number): void {
    if (this.used + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + n));
    this.buf.copy(bigger, 0, 0, this.used);
    this.buf = bigger;
  }
}

/** One record of a block, as read. */
export type BlockRecord =
  | { readonly kind: 'connection'; readonly conn: number; readonly handshake: Handshake }
  | { readonly kind: 'frame'; readonly conn: number; readonly payload: Uint8Array }
  | { readonly kind: 'line'; readonly conn: number; readonly text: string }
  | { readonly kind: 'json'; readonly value: unknown };

export class BlockError extends Error {}

/** The uncompressed records of a `wire` line's object; throws BlockError when it is not one. */
export function inflateBlock(line: { z?: unknown; raw?: unknown; data?: unknown }): Buffer {
  if (line.z !== 'br') throw new BlockError(`uses an unknown compression ${JSON.stringify(line.z)}`);
  if (typeof line.data !== 'string') throw new BlockError('has no data');
  const packed = Buffer.from(line.data, 'base64');
  let raw: Buffer;
  try {
    raw = brotliDecompressSync(packed, { maxOutputLength: MAX_BLOCK_BYTES });
  } catch (e) {
    throw new BlockError(`does not decompress (${(e as Error).message})`);
  }
  if (typeof line.raw === 'number' && line.raw !== raw.length) throw new BlockError(`holds ${raw.length} bytes, not ${line.raw}`);
  return raw;
}

/**
 * The records of an uncompressed block, in order. Stops with a BlockError (its message completes
 * "a block ...") at the first record that does not fit (what came before it was already yielded); a record of an unknown kind is skipped.
 */
export function* blockRecords(raw: Uint8Array): Generator<BlockRecord> {
  let off = 0;
  const varint = (limit: number): number => {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (off >= limit) throw new BlockError('has a record that runs past its end');
      const b = raw[off++]!;
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 128;
    }
    throw new BlockError('has a record length that is too long');
  };
  while (off < raw.length) {
    const kind = raw[off++]!;
    const length = varint(raw.length);
    const end = off + length;
    if (end > raw.length) throw new BlockError('has a record that runs past its end');
    switch (kind) {
      case RECORD_CONNECTION: {
        const conn = varint(end);
        const pid = varint(end);
        if (off + 2 > end) throw new BlockError('has a connection record that is too short');
        const client = CLIENTS[raw[off++]!];
        const enc = ENCODINGS[raw[off++]!];
        const version = varint(end);
        if (client === undefined || enc === undefined) throw new BlockError('has a connection record with an unknown client or encoding');
        yield { kind: 'connection', conn, handshake: { pid, client, enc, version } };
        break;
      }
      case RECORD_FRAME:
      case RECORD_LINE: {
        const conn = varint(end);
        const body = raw.subarray(off, end);
        if (kind === RECORD_FRAME) yield { kind: 'frame', conn, payload: body };
        else yield { kind: 'line', conn, text: Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8') };
        break;
      }
      case RECORD_JSON: {
        let value: unknown;
        try {
          value = JSON.parse(Buffer.from(raw.buffer, raw.byteOffset + off, length).toString('utf8'));
        } catch {
          throw new BlockError('has a record that is not JSON');
        }
        yield { kind: 'json', value };
        break;
      }
      default:
        // A newer writer's kind: skipped whole, thanks to its length.
        break;
    }
    off = end;
  }
}
