/**
 * The wire format of the tracer (docs/protocol.md), decoded and validated into TracerEvents.
 *
 * A connection sends one handshake line (a JSON object with the run token), then batches, either
 * as JSON lines `{"ppid": N, "ev": [event, ...]}` (enc "jsonl") or as length-prefixed frames
 * holding `marshal.dumps((ppid, [event, ...]), 4)` (enc "marshal", what the tracer uses: it is
 * ~20x cheaper to produce inside the traced program). An event is a positional array
 * `[kind, tNs, tid, file, line, ...fields]` because the tracer builds it as a tuple on the
 * program's hot path. Fields are appended, never reordered: a decoder ignores trailing fields it
 * does not know and treats missing trailing optional fields as absent.
 *
 * Nothing here throws on bad input: a bad line or event becomes a counted Rejection.
 * No `vscode` import here, ever.
 */
import { decodeMarshal, MarshalError } from './marshal';
import {
  CHANNEL_KINDS,
  CHANNEL_OPS,
  EXIT_HOWS,
  PROCESS_ROLES,
  PROTOCOL_VERSION,
  SIGNAL_VIAS,
  START_METHODS,
  type SourceSite,
  type TracerEvent,
  type TracerEventKind,
} from './events';

export type ClientKind = 'tracer' | 'supervisor';
export type Encoding = 'jsonl' | 'marshal';

export interface Handshake {
  readonly version: number;
  readonly pid: number;
  readonly client: ClientKind;
  readonly enc: Encoding;
}

/**
 * What a receiver took in, batch by batch, before decoding it (a recording keeps these: decoding
 * them again gives the same events). `conn` numbers the run's authenticated connections from 1.
 */
export type WireUnit =
  | { readonly kind: 'connection'; readonly conn: number; readonly handshake: Handshake }
  /** A marshal batch without its length prefix (a view of the receiver's buffer: copy it to keep it). */
  | { readonly kind: 'frame'; readonly conn: number; readonly payload: Uint8Array }
  | { readonly kind: 'line'; readonly conn: number; readonly line: string }
  /** An event the receiver made itself (a batch cut by its connection's end). */
  | { readonly kind: 'event'; readonly event: TracerEvent };

/**
 * Largest marshal frame accepted; a larger length prefix closes the connection. The tracer's
 * frames hold at most 4096 events and are split above 4 MiB.
 */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** Longest JSON line (enc "jsonl") accepted after the handshake. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** Longest handshake line: a connection that sends more before its first newline is refused. */
export const MAX_HANDSHAKE_BYTES = 4096;
/** Deepest nesting of JSON arrays and objects accepted (an event needs 4); checked before parsing. */
export const MAX_JSON_DEPTH = 32;
/**
 * Bytes of a marshal frame, length prefix included, from which the number of events in its
 * batch can be read: a connection cut inside a frame after these lost exactly that many
 * (cutBatchCount). The tracer counts a frame cut before them itself (docs/protocol.md).
 */
export const CUT_HEADER_BYTES = 16;

export interface Rejection {
  readonly reason: string;
  /** The start of the offending text, for the log. */
  readonly sample: string;
}

/** `ack`: the client asked to be answered "ok" once accepted (the tracer sends no batch before). */
export type HandshakeResult = { ok: true; handshake: Handshake; ack: boolean } | { ok: false; reason: string };

const MAX_SAMPLE = 120;
const sample = (s: string): string => (s.length > MAX_SAMPLE ? `${s.slice(0, MAX_SAMPLE)}…` : s);

/** Compare tokens in constant time (the length is not secret). */
function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * True when the JSON text nests arrays/objects deeper than `limit` (strings skipped). Run before
 * JSON.parse, so no hostile text reaches a recursive parser or stringifier.
 */
export function jsonTooDeep(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string: to the next quote that no backslash escapes.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * The number of events in the batch of a marshal frame cut short, read from its first
 * CUT_HEADER_BYTES (length prefix included): `(ppid, [n events...` is, in marshal 4, a small
 * tuple of 2, an int, then a list's type byte and its int32 length. Null when `partial` is too
 * short or is not laid out so.
 */
export function cutBatchCount(partial: Uint8Array): number | null {
  if (partial.length < CUT_HEADER_BYTES) return null;
  const b = partial;
  const ref = 0x80;
  if ((b[4]! & ~ref) !== 0x29 || b[5] !== 2 || (b[6]! & ~ref) !== 0x69 || (b[11]! & ~ref) !== 0x5b) return null;
  const n = (b[12]! | (b[13]! << 8) | (b[14]! << 16) | (b[15]! << 24)) >>> 0;
  const frameLength = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  return n <= frameLength ? n : null; // every event takes at least a byte
}

/** Validate the first line of a connection. */
export function parseHandshake(line: string, expectedToken: string): HandshakeResult {
  if (line.length > MAX_HANDSHAKE_BYTES) return { ok: false, reason: 'handshake too long' };
  if (jsonTooDeep(line, 4)) return { ok: false, reason: 'handshake nested too deeply' };
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'handshake is not JSON' };
  }
  if (!isRecord(v)) return { ok: false, reason: 'handshake is not an object' };
  if (typeof v.token !== 'string' || !sameToken(v.token, expectedToken)) return { ok: false, reason: 'wrong or missing token' };
  if (v.pv !== PROTOCOL_VERSION) return { ok: false, reason: `unsupported protocol version ${JSON.stringify(v.pv)} (expected ${PROTOCOL_VERSION})` };
  if (!isInt(v.pid) || v.pid <= 0) return { ok: false, reason: 'handshake without a valid pid' };
  const client = v.client === 'supervisor' ? 'supervisor' : v.client === 'tracer' || v.client === undefined ? 'tracer' : null;
  if (client === null) return { ok: false, reason: `unknown client ${JSON.stringify(v.client)}` };
  const enc = v.enc === undefined || v.enc === 'jsonl' ? 'jsonl' : v.enc === 'marshal' ? 'marshal' : null;
  if (enc === null) return { ok: false, reason: `unknown encoding ${JSON.stringify(v.enc)}` };
  return { ok: true, handshake: { version: v.pv, pid: v.pid, client, enc }, ack: v.ack === true };
}

// ---------------------------------------------------------------------------------------------
// Field specifications, one list per kind, in wire order after the common prefix.

export type FieldType = 'int' | 'num' | 'str' | 'bool' | 'strs' | 'detail' | 'role' | 'method' | 'channel' | 'op' | 'how' | 'via';
export interface Field {
  readonly name: string;
  readonly type: FieldType;
  /** Required fields must be present and non-null. */
  readonly required?: boolean;
}

const f = (name: string, type: FieldType, required = false): Field => ({ name, type, required });

/** Exported for the test that compares it with tracer/processview_tracer/_protocol.py. */
export const WIRE_FIELDS: Readonly<Record<TracerEventKind, readonly Field[]>> = {
  hello: [f('role', 'role', true), f('name', 'str', true), f('argv', 'strs', true), f('python', 'str', true), f('executable', 'str', true), f('startTicks', 'int'), f('startMethod', 'method')],
  'process.created': [f('childPid', 'int', true), f('name', 'str', true), f('daemon', 'bool', true), f('role', 'role', true), f('startMethod', 'method', true), f('target', 'str'), f('argv', 'strs'), f('objectId', 'str')],
  'process.running': [f('name', 'str', true), f('daemon', 'bool', true), f('role', 'role', true)],
  'process.exit': [f('exitCode', 'int'), f('how', 'how', true), f('signal', 'str'), f('error', 'str')],
  'process.joined': [f('childPid', 'int', true), f('timeout', 'num'), f('stillAlive', 'bool', true), f('exitCode', 'int'), f('waitedMs', 'num', true), f('aliveMs', 'num'), f('deadMs', 'num')],
  'process.died': [f('childPid', 'int', true), f('windowMs', 'num', true), f('deadMs', 'num')],
  'process.signal': [f('targetPid', 'int', true), f('signal', 'str', true), f('via', 'via', true)],
  'process.adopted': [f('childPid', 'int', true)],
  'process.reaped': [f('childPid', 'int', true), f('exitCode', 'int'), f('signal', 'str'), f('adopted', 'bool', true), f('waitedMs', 'num')],
  'channel.created': [f('id', 'str', true), f('channel', 'channel', true), f('detail', 'detail')],
  'channel.op': [f('id', 'str', true), f('op', 'op', true), f('preview', 'str'), f('size', 'int'), f('digest', 'int'), f('waitedMs', 'num'), f('ok', 'bool'), f('detail', 'detail')],
  'wait.begin': [f('op', 'str', true), f('id', 'str'), f('childPid', 'int'), f('timeout', 'num')],
  'wait.end': [f('op', 'str', true)],
  'tracer.dropped': [f('count', 'int', true), f('reason', 'str')],
  'tracer.error': [f('message', 'str', true), f('where', 'str')],
};

const KIND_FIELDS: ReadonlyMap<string, readonly Field[]> = new Map(Object.entries(WIRE_FIELDS));

/**
 * WireDecoder.decodeChannelOp writes out the checks of exactly these channel.op fields. Should
 * WIRE_FIELDS change, the fast path turns itself off (every event then takes the generic path,
 * and the test that the fast path is taken fails) until it is written for the new list.
 */
const CHANNEL_OP_FAST =
  WIRE_FIELDS['channel.op'].map((x) => `${x.name}:${x.type}:${x.required === true}`).join() ===
  'id:str:true,op:op:true,preview:str:false,size:int:false,digest:int:false,waitedMs:num:false,ok:bool:false,detail:detail:false';

/** Kinds only the supervisor may send, and kinds it may not. */
const SUPERVISOR_KINDS: ReadonlySet<string> = new Set(['process.adopted', 'process.reaped', 'tracer.error', 'tracer.dropped']);

const ROLES: ReadonlySet<string> = new Set(PROCESS_ROLES);
const METHODS: ReadonlySet<string> = new Set(START_METHODS);
const CHANNELS: ReadonlySet<string> = new Set(CHANNEL_KINDS);
const OPS: ReadonlySet<string> = new Set(CHANNEL_OPS);
const HOWS: ReadonlySet<string> = new Set(EXIT_HOWS);
const VIAS: ReadonlySet<string> = new Set(SIGNAL_VIAS);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

/** null when `v` is a valid value of `type`, else why not. (No allocation: this runs for every field of every event.) */
function check(type: FieldType, v: unknown): string | null {
  switch (type) {
    case 'int':
      return isInt(v) ? null : 'not an integer';
    case 'num':
      return typeof v === 'number' && Number.isFinite(v) ? null : 'not a number';
    case 'str':
      return typeof v === 'string' ? null : 'not a string';
    case 'bool':
      return typeof v === 'boolean' ? null : 'not a boolean';
    case 'strs':
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? null : 'not a list of strings';
    case 'detail': {
      if (!isRecord(v)) return 'not an object';
      for (const x of Object.values(v)) {
        if (x !== null && typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') return 'detail values must be scalars';
      }
      return null;
    }
    case 'role':
      return ROLES.has(v as string) ? null : `unknown role ${JSON.stringify(v)}`;
    case 'method':
      return METHODS.has(v as string) ? null : `unknown start method ${JSON.stringify(v)}`;
    case 'channel':
      return CHANNELS.has(v as string) ? null : `unknown channel kind ${JSON.stringify(v)}`;
    case 'op':
      return OPS.has(v as string) ? null : `unknown operation ${JSON.stringify(v)}`;
    case 'how':
      return HOWS.has(v as string) ? null : `unknown exit kind ${JSON.stringify(v)}`;
    case 'via':
      return VIAS.has(v as string) ? null : `unknown signal route ${JSON.stringify(v)}`;
  }
}

/**
 * Why a decoded event (the object form, as a recording holds it) is not one a reader can use, or
 * null when it is. Checks what every event has (kind, t, pid, ppid, tid, site) and, for a kind
 * this build knows, each field of WIRE_FIELDS. A kind it does not know passes (a newer writer's:
 * the session ignores it).
 */
export function checkEventObject(v: unknown): string | null {
  if (!isRecord(v)) return 'the event is not an object';
  const kind = v.kind;
  if (typeof kind !== 'string') return 'the event has no kind';
  if (typeof v.t !== 'number' || !Number.isFinite(v.t)) return `${kind}: t is not a number`;
  if (!isInt(v.pid) || v.pid <= 0) return `${kind}: pid is not a process id`;
  if (!isInt(v.ppid) || v.ppid < 0) return `${kind}: ppid is not a process id`;
  if (v.tid !== undefined && v.tid !== null && !isInt(v.tid)) return `${kind}: tid is not an integer`;
  const site = v.site;
  if (site !== undefined && site !== null && (!isRecord(site) || typeof site.file !== 'string' || !isInt(site.line) || site.line <= 0)) {
    return `${kind}: bad source site`;
  }
  const fields = KIND_FIELDS.get(kind);
  if (fields === undefined) return null;
  for (const spec of fields) {
    const value = v[spec.name];
    if (value === undefined || value === null) {
      if (spec.required) return `${kind}: missing ${spec.name}`;
      continue;
    }
    const why = check(spec.type, value);
    if (why !== null) return `${kind}.${spec.name}: ${why}`;
  }
  return null;
}

export interface DecodeResult {
  readonly events: TracerEvent[];
  readonly rejected: Rejection[];
}

/**
 * Decodes the batch lines of one authenticated connection. `toMs` converts the tracer's
 * monotonic nanoseconds to the run's milliseconds.
 *
 * Every event goes through decodeEvent: channel.op events (nearly all of a run's) through a
 * fixed-shape fast path, everything else (and any channel.op the fast path is not sure of)
 * through the generic, WIRE_FIELDS-driven decodeEventGeneric. Both produce the same objects.
 */
export class WireDecoder {
  private readonly pid: number;
  private readonly supervisor: boolean;
  /**
   * The latest op's site, given again to the next op from the same line (a loop's ops mostly are):
   * one object fewer per event. Sites are never changed after decoding.
   */
  private lastSite: SourceSite = { file: '', line: 0 };

  constructor(
    private readonly handshake: Handshake,
    private readonly toMs: (monotonicNs: number) => number,
  ) {
    this.pid = handshake.pid;
    this.supervisor = handshake.client === 'supervisor';
  }

  /** One JSON line `{"ppid": N, "ev": [...]}`. */
  decodeLine(line: string): DecodeResult {
    if (jsonTooDeep(line)) return { events: [], rejected: [{ reason: `line nested deeper than ${MAX_JSON_DEPTH}`, sample: sample(line) }] };
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      return { events: [], rejected: [{ reason: 'line is not JSON', sample: sample(line) }] };
    }
    if (!isRecord(v) || !Array.isArray(v.ev)) {
      return { events: [], rejected: [{ reason: 'line is not a batch {"ppid", "ev"}', sample: sample(line) }] };
    }
    return this.decodeBatch(isInt(v.ppid) ? v.ppid : 0, v.ev);
  }

  /** One marshal frame payload (without its length prefix): `(ppid, [event, ...])`. */
  decodeFrame(payload: Uint8Array): DecodeResult {
    let v: unknown;
    try {
      v = decodeMarshal(payload);
    } catch (e) {
      const reason = e instanceof MarshalError ? `bad marshal frame: ${e.message}` : 'bad marshal frame';
      return { events: [], rejected: [{ reason, sample: `${payload.length} bytes` }] };
    }
    if (!Array.isArray(v) || v.length < 2 || !Array.isArray(v[1])) {
      return { events: [], rejected: [{ reason: 'frame is not a batch (ppid, [events])', sample: sample(safeStringify(v)) }] };
    }
    return this.decodeBatch(isInt(v[0]) ? v[0] : 0, v[1] as unknown[]);
  }

  private decodeBatch(ppid: number, raw: readonly unknown[]): DecodeResult {
    const events: TracerEvent[] = [];
    const rejected: Rejection[] = [];
    for (let i = 0; i < raw.length; i++) {
      const ev = raw[i];
      const r = this.decodeEvent(ev, ppid);
      if (typeof r === 'string') rejected.push({ reason: r, sample: sample(safeStringify(ev)) });
      else events.push(r);
    }
    return { events, rejected };
  }

  /** One positional event to a TracerEvent, or why it is rejected. */
  decodeEvent(raw: unknown, ppid: number): TracerEvent | string {
    const ev = Array.isArray(raw) ? this.decodeChannelOp(raw, ppid) : null;
    return ev ?? this.decodeEventGeneric(raw, ppid);
  }

  /**
   * The fast path for channel.op: the same checks as the generic path for its WIRE_FIELDS
   * (id, op, preview, size, digest, waitedMs, ok, detail), written out, and the event built as one
   * object literal, so all of them share one hidden class (or two: with and without tid) instead
   * of growing key by key. It only accepts the plain case (a valid event of all 13 positions, from
   * the tracer): anything else returns null and the generic path decides, with its own wording.
   * Measured by bench/decode.mjs; test/unit/tracer/protocol.test.ts checks both paths agree.
   * Public for those tests only.
   */
  decodeChannelOp(raw: readonly unknown[], ppid: number): TracerEvent | null {
    if (raw[0] !== 'channel.op' || raw.length < 13 || this.supervisor || !CHANNEL_OP_FAST) return null;
    const tNs = raw[1];
    const tid = raw[2];
    const file = raw[3];
    const line = raw[4];
    const id = raw[5];
    const op = raw[6];
    const preview = raw[7];
    const size = raw[8];
    const digest = raw[9];
    const waitedMs = raw[10];
    const ok = raw[11];
    const detail = raw[12];
    if (typeof tNs !== 'number' || !Number.isFinite(tNs)) return null;
    let site: SourceSite | null;
    if (file === null) site = null;
    else if (file === this.lastSite.file && line === this.lastSite.line) site = this.lastSite;
    else if (typeof file === 'string' && isInt(line) && line > 0) site = this.lastSite = { file, line };
    else return null;
    if (typeof id !== 'string' || typeof op !== 'string' || !OPS.has(op)) return null;
    if (preview !== null && typeof preview !== 'string') return null;
    if (size !== null && !isInt(size)) return null;
    if (digest !== null && !isInt(digest)) return null;
    if (waitedMs !== null && (typeof waitedMs !== 'number' || !Number.isFinite(waitedMs))) return null;
    if (ok !== null && typeof ok !== 'boolean') return null;
    if (detail !== null && check('detail', detail) !== null) return null;
    const t = this.toMs(tNs);
    const pid = this.pid;
    // Key order as the generic path writes them (recordings are JSON.stringify of these objects).
    // null is kept as null, as on the wire (the declared types say optional; readers accept both).
    const ev = isInt(tid)
      ? { kind: 'channel.op', t, pid, ppid, tid, site, id, op, preview, size, digest, waitedMs, ok, detail }
      : { kind: 'channel.op', t, pid, ppid, site, id, op, preview, size, digest, waitedMs, ok, detail };
    return ev as unknown as TracerEvent;
  }

  /** Any kind, driven by WIRE_FIELDS. Public for the tests that compare it with the fast path. */
  decodeEventGeneric(raw: unknown, ppid: number): TracerEvent | string {
    if (!Array.isArray(raw) || raw.length < 5) return 'event is not an array [kind, t, tid, file, line, ...]';
    const kind: unknown = raw[0];
    const fields = typeof kind === 'string' ? KIND_FIELDS.get(kind) : undefined;
    if (fields === undefined) return `unknown event kind ${JSON.stringify(kind)}`;
    const k = kind as string;
    if (this.supervisor && !SUPERVISOR_KINDS.has(k)) return `the supervisor may not send ${k}`;
    if (this.handshake.client === 'tracer' && (k === 'process.adopted' || k === 'process.reaped')) return `only the supervisor may send ${k}`;
    const tNs: unknown = raw[1];
    if (typeof tNs !== 'number' || !Number.isFinite(tNs)) return `${k}: timestamp is not a number`;
    const tid: unknown = raw[2];
    const file: unknown = raw[3];
    const lineNo: unknown = raw[4];
    let site: SourceSite | null;
    if (file === null || file === undefined) site = null;
    else if (typeof file === 'string' && isInt(lineNo) && lineNo > 0) site = { file, line: lineNo };
    else return `${k}: bad source site`;
    // tid is left out, not set to undefined, when it is not an int (built without it rather than
    // deleted afterwards: `delete` would turn the object into a slow dictionary-mode one).
    const t = this.toMs(tNs);
    const pid = this.pid;
    const out: Record<string, unknown> = isInt(tid) ? { kind: k, t, pid, ppid, tid, site } : { kind: k, t, pid, ppid, site };
    for (let i = 0; i < fields.length; i++) {
      const spec = fields[i]!;
      const value: unknown = raw[5 + i];
      if (value === undefined || value === null) {
        if (spec.required) return `${k}: missing ${spec.name}`;
        if (value === null) out[spec.name] = null;
        continue;
      }
      const why = check(spec.type, value);
      if (why !== null) return `${k}.${spec.name}: ${why}`;
      out[spec.name] = value;
    }
    return out as unknown as TracerEvent;
  }
}

/** For a log sample only. Values reaching here are at most MAX_JSON_DEPTH (or marshal's 32) deep. */
function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? `<${x.length} bytes>` : x)) ?? typeof v;
  } catch {
    return typeof v;
  }
}
