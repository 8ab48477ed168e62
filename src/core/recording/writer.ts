/**
 * Writes a session file as the run goes (format 2, docs/session-format.md): the header line, then
 * blocks of records (the tracer's batches as they arrived, samples, other events) in the order
 * they came, each block one line, then an end line. A block is closed when it holds BLOCK_BYTES,
 * FLUSH_MS after its first record, and at the end, so a file cut short (crash, kill, full disk)
 * holds everything up to its last whole line: at most the last FLUSH_MS of the run is lost.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { TracerEvent } from '../protocol/events';
import type { WireUnit } from '../protocol/wire';
import type { Snapshot } from '../sampler/types';
import { BLOCK_BYTES, BlockBuilder } from './blocks';
import { SESSION_FORMAT, SESSION_FORMAT_VERSION, type EndRecord, type HeaderRecord } from './format';

export type HeaderFields = Omit<HeaderRecord, 'type' | 'format' | 'version'>;

/** A block is written at the latest this long after its first record. */
export const FLUSH_MS = 200;

export class RecordingWriter {
  private readonly out: WriteStream;
  private error: Error | null = null;
  private closed = false;
  private readonly block = new BlockBuilder();
  private readonly connections = new Map<number, Extract<WireUnit, { kind: 'connection' }>['handshake']>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly path: string,
    private readonly header: HeaderFields,
  ) {
    this.out = createWriteStream(path);
    this.out.on('error', (e) => {
      this.error ??= e;
    });
    this.out.write(`${JSON.stringify({ type: 'header', format: SESSION_FORMAT, version: SESSION_FORMAT_VERSION, platform: process.platform, ...header })}\n`);
  }

  /** The first write error (disk full, permissions), if any: later records were lost. */
  get failure(): Error | null {
    return this.error;
  }

  /**
   * A batch as the receiver took it in (or a connection, or an event the receiver made). Batches
   * are decoded again when the file is read, so the header must carry the run's `startNs`.
   */
  writeWire(unit: WireUnit): void {
    if (this.closed || this.error) return;
    switch (unit.kind) {
      case 'connection':
        this.connections.set(unit.conn, unit.handshake);
        return;
      case 'frame':
      case 'line': {
        if (this.header.startNs === undefined) throw new Error('RecordingWriter: batches need the run\'s startNs in the header');
        const hs = this.connections.get(unit.conn);
        if (hs === undefined) return; // never happens: a connection's batches follow its handshake
        this.block.connection(unit.conn, hs);
        if (unit.kind === 'frame') this.block.frame(unit.conn, unit.payload);
        else this.block.line(unit.conn, unit.line);
        break;
      }
      case 'event':
        this.block.json({ type: 'event', event: unit.event });
        break;
    }
    this.added();
  }

  /** An event of a run that offers no batches (or one made outside the receiver). */
  writeEvent(event: TracerEvent): void {
    if (this.closed || this.error) return;
    this.block.json({ type: 'event', event });
    this.added();
  }

  writeSample(sample: Snapshot): void {
    if (this.closed || this.error) return;
    this.block.json({ type: 'sample', sample });
    this.added();
  }

  /** Write what is pending now (the block so far), instead of within FLUSH_MS. */
  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.block.count === 0 || this.error) return;
    try {
      this.out.write(this.block.take());
    } catch (e) {
      this.error ??= e instanceof Error ? e : new Error(String(e));
    }
  }

  /** Write the last block and the end line, and close the file. */
  end(end: Omit<EndRecord, 'type'>): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.flush();
    if (!this.error) this.out.write(`${JSON.stringify({ type: 'end', ...end })}\n`);
    this.closed = true;
    return new Promise((resolve, reject) => {
      this.out.end(() => (this.error ? reject(this.error) : resolve()));
    });
  }

  private added(): void {
    if (this.block.bytes >= BLOCK_BYTES) this.flush();
    else if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, FLUSH_MS);
      this.timer.unref();
    }
  }
}
