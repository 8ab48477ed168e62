/**
 * Channels and their messages, kept incrementally: counts are exact, logs are bounded, and a
 * get/recv is matched with the put/send it received (same channel and payload CRC first, then
 * FIFO). The complete log lives in the recording; what is kept here is what the views draw.
 */
import type { ChannelCreatedEvent, ChannelKind, ChannelOp, ChannelOpEvent, SourceSite } from '../protocol/events';
import type { Channel, Message, OpRecord } from './model';
import type { TimelineLog } from './timelineLog';

const SENDING: ReadonlySet<ChannelOp> = new Set<ChannelOp>(['put', 'send', 'send_bytes']);
const RECEIVING: ReadonlySet<ChannelOp> = new Set<ChannelOp>(['get', 'recv', 'recv_bytes']);

/** Unmatched sends kept for matching, per direction of a channel; older ones stay unmatched forever. */
const MAX_UNMATCHED = 10_000;

/** Operation codes for the compact per-op history (for snapshotAt). */
const OPS: readonly ChannelOp[] = [
  'put', 'get', 'task_done', 'join', 'full', 'empty',
  'send', 'recv', 'send_bytes', 'recv_bytes', 'close', 'eof',
  'acquire', 'release', 'wait', 'notify', 'notify_all', 'abort',
  'set', 'clear', 'is_set',
  'submit', 'result', 'callback', 'error_callback', 'terminate',
  'call',
];
const OP_CODE = new Map<ChannelOp, number>(OPS.map((op, i) => [op, i]));

export interface MessageRec {
  seq: number;
  channelId: string;
  op: ChannelOp;
  fromPid: number;
  toPid: number | null;
  sentMs: number;
  receivedMs: number | null;
  preview: string | null;
  size: number | null;
  sentAt: SourceSite | null;
  receivedAt: SourceSite | null;
  digest: number | null;
  matched: boolean;
  frozen: Message | null;
  /** Its row in the run's TimelineLog (-1 without one). */
  row: number;
}

interface PendingRecv {
  e: ChannelOpEvent;
  site: number;
  done: boolean;
}

/** A FIFO of unmatched sends (or early receives) with an index by digest; removal is lazy. */
class MatchQueue<T extends { done?: boolean; matched?: boolean }> {
  private all: T[] = [];
  private head = 0;
  private readonly byDigest = new Map<number, T[]>();
  private live = 0;

  push(item: T, digest: number | null): T | null {
    this.all.push(item);
    this.live++;
    if (digest !== null) {
      const q = this.byDigest.get(digest);
      if (q) q.push(item);
      else this.byDigest.set(digest, [item]);
    }
    if (this.live > MAX_UNMATCHED) {
      const dropped = this.shiftAny();
      return dropped;
    }
    return null;
  }

  /** The oldest live item with this digest. */
  takeDigest(digest: number, isDone: (t: T) => boolean): T | null {
    const q = this.byDigest.get(digest);
    if (!q) return null;
    while (q.length > 0) {
      const item = q.shift()!;
      if (!isDone(item)) {
        this.live--;
        if (q.length === 0) this.byDigest.delete(digest);
        return item;
      }
    }
    this.byDigest.delete(digest);
    return null;
  }

  /** The oldest live item accepted by `ok`, scanning from the front. */
  takeFirst(isDone: (t: T) => boolean, ok: (t: T) => boolean): T | null {
    for (let i = this.head; i < this.all.length; i++) {
      const item = this.all[i]!;
      if (isDone(item)) {
        if (i === this.head) this.head++;
        continue;
      }
      if (ok(item)) {
        this.live--;
        return item;
      }
    }
    this.compact();
    return null;
  }

  private shiftAny(): T | null {
    return this.takeFirst(
      (t) => t.done === true || t.matched === true,
      () => true,
    );
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.all.length) {
      this.all = this.all.slice(this.head);
      this.head = 0;
    }
  }
}

/** Direction of a message within a channel: a pipe end's sends go to the other end. */
interface Lane {
  sends: MatchQueue<MessageRec>;
  recvs: MatchQueue<PendingRecv>;
}

/** Growing typed arrays of every op (time, code, line), for counts at a past time. */
class OpHistory {
  t = new Float64Array(64);
  code = new Uint8Array(64);
  site = new Int32Array(64);
  n = 0;
  push(t: number, code: number, site: number): void {
    if (this.n === this.t.length) {
      const grow = <A extends Float64Array | Uint8Array | Int32Array>(a: A, make: (n: number) => A): A => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.t = grow(this.t, (n) => new Float64Array(n));
      this.code = grow(this.code, (n) => new Uint8Array(n));
      this.site = grow(this.site, (n) => new Int32Array(n));
    }
    this.t[this.n] = t;
    this.code[this.n] = code;
    this.site[this.n] = site;
    this.n++;
  }
}

export class ChannelRec {
  kind: ChannelKind;
  createdAt: SourceSite | null = null;
  createdBy: number;
  createdMs: number;
  detail: Readonly<Record<string, string | number | boolean | null>> = {};
  messageCount = 0;
  readonly ops: Partial<Record<ChannelOp, number>> = {};
  readonly recent: MessageRec[] = [];
  readonly recentOps: OpRecord[] = [];
  readonly history = new OpHistory();
  private readonly lanes = new Map<string, Lane>();
  private seq = 0;
  dirty = true;
  private cached: Channel | null = null;
  /** This channel's index in the timeline log. */
  private readonly logIndex: number;

  constructor(
    readonly id: string,
    kind: ChannelKind,
    createdBy: number,
    createdMs: number,
    private readonly maxRecent: number,
    /** Where every message and wait of the run goes (the recent logs above are bounded). */
    private readonly log: TimelineLog | null = null,
  ) {
    this.kind = kind;
    this.createdBy = createdBy;
    this.createdMs = createdMs;
    this.logIndex = log ? log.channelOf(id) : -1;
  }

  applyCreated(e: ChannelCreatedEvent): void {
    this.kind = e.channel;
    this.createdAt = e.site ?? null;
    this.createdBy = e.pid;
    this.createdMs = e.t;
    this.detail = e.detail ?? {};
    this.dirty = true;
  }

  /**
   * Fold one op. `end` is the pipe end it happened on (null for channels without ends).
   * Returns the message it completed or started, if any, for per-line counts.
   */
  applyOp(e: ChannelOpEvent, end: number | null, siteIndex: number): { sent: boolean; received: boolean } {
    this.ops[e.op] = (this.ops[e.op] ?? 0) + 1;
    const code = OP_CODE.get(e.op) ?? 255;
    this.history.push(e.t, code, siteIndex);
    if (this.log && e.waitedMs !== undefined && e.waitedMs !== null) {
      this.log.wait(e.pid, e.t - e.waitedMs, e.t, code, this.logIndex, -1, siteIndex);
    }
    const rec: OpRecord = {
      channelId: this.id,
      op: e.op,
      pid: e.pid,
      t: e.t,
      site: e.site ?? null,
      waitedMs: e.waitedMs ?? null,
      ok: e.ok !== false,
      preview: e.preview ?? null,
    };
    this.recentOps.push(rec);
    if (this.recentOps.length > this.maxRecent) this.recentOps.splice(0, this.recentOps.length - this.maxRecent);
    this.dirty = true;
    if (e.ok === false) return { sent: false, received: false };
    if (SENDING.has(e.op)) {
      this.send(e, end, code, siteIndex);
      return { sent: true, received: false };
    }
    if (RECEIVING.has(e.op)) {
      this.receive(e, end, siteIndex);
      return { sent: false, received: true };
    }
    return { sent: false, received: false };
  }

  snapshot(): Channel {
    if (!this.dirty && this.cached) return this.cached;
    this.cached = {
      ...this.identity(),
      messageCount: this.messageCount,
      ops: { ...this.ops },
      recentMessages: this.recent.map(freeze),
      recentOps: this.recentOps.slice(),
    };
    this.dirty = false;
    return this.cached;
  }

  /** The channel as it was at time ms (counts from the op history, logs filtered). */
  snapshotAt(ms: number): Channel | null {
    if (this.createdMs > ms && this.history.n === 0) return null;
    const counts = new Int32Array(OPS.length);
    const h = this.history;
    for (let i = 0; i < h.n; i++) if (h.t[i]! <= ms && h.code[i]! < OPS.length) counts[h.code[i]!]!++;
    const ops: Partial<Record<ChannelOp, number>> = {};
    let messages = 0;
    for (let c = 0; c < OPS.length; c++) {
      if (counts[c] === 0) continue;
      ops[OPS[c]!] = counts[c]!;
      if (SENDING.has(OPS[c]!)) messages += counts[c]!;
    }
    if (this.createdMs > ms && messages === 0 && Object.keys(ops).length === 0) return null;
    const recentMessages: Message[] = [];
    for (const m of this.recent) {
      if (m.sentMs > ms) continue;
      const f = freeze(m);
      recentMessages.push(m.receivedMs !== null && m.receivedMs > ms ? { ...f, toPid: null, receivedMs: null, receivedAt: null } : f);
    }
    return {
      ...this.identity(),
      messageCount: messages,
      ops,
      recentMessages,
      recentOps: this.recentOps.filter((o) => o.t <= ms),
    };
  }

  /** The fields that do not change with time: what snapshot() and snapshotAt() share. */
  private identity(): Pick<Channel, 'id' | 'kind' | 'createdAt' | 'createdBy' | 'createdMs' | 'detail'> {
    return { id: this.id, kind: this.kind, createdAt: this.createdAt, createdBy: this.createdBy, createdMs: this.createdMs, detail: this.detail };
  }

  private lane(key: string): Lane {
    let l = this.lanes.get(key);
    if (!l) {
      l = { sends: new MatchQueue<MessageRec>(), recvs: new MatchQueue<PendingRecv>() };
      this.lanes.set(key, l);
    }
    return l;
  }

  private send(e: ChannelOpEvent, end: number | null, code: number, siteIndex: number): void {
    this.messageCount++;
    const m: MessageRec = {
      seq: this.seq++,
      channelId: this.id,
      op: e.op,
      fromPid: e.pid,
      toPid: null,
      sentMs: e.t,
      receivedMs: null,
      preview: e.preview ?? null,
      size: e.size ?? null,
      sentAt: e.site ?? null,
      receivedAt: null,
      digest: e.digest ?? null,
      matched: false,
      frozen: null,
      row: this.log ? this.log.send(this.logIndex, code, e.pid, e.t, siteIndex, e.preview ?? null) : -1,
    };
    this.recent.push(m);
    if (this.recent.length > this.maxRecent) this.recent.splice(0, this.recent.length - this.maxRecent);
    // A pipe end's message is received at the other end.
    const lane = this.lane(end === null ? '' : String(1 - end));
    // The receiving side may have reported first (events of different processes race).
    const early =
      m.digest !== null
        ? lane.recvs.takeDigest(m.digest, (p) => p.done) ??
          lane.recvs.takeFirst((p) => p.done, (p) => p.e.digest === null || p.e.digest === undefined)
        : lane.recvs.takeFirst((p) => p.done, () => true);
    if (early) {
      early.done = true;
      this.deliver(m, early.e, early.site);
      return;
    }
    lane.sends.push(m, m.digest);
  }

  private receive(e: ChannelOpEvent, end: number | null, siteIndex: number): void {
    const lane = this.lane(end === null ? '' : String(end));
    const digest = e.digest ?? null;
    const isDone = (m: MessageRec): boolean => m.matched;
    let m: MessageRec | null = null;
    if (digest !== null) m = lane.sends.takeDigest(digest, isDone);
    if (m === null) m = lane.sends.takeFirst(isDone, (s) => digest === null || s.digest === null);
    if (m === null) {
      lane.recvs.push({ e, site: siteIndex, done: false }, digest);
      return;
    }
    this.deliver(m, e, siteIndex);
  }

  private deliver(m: MessageRec, e: ChannelOpEvent, siteIndex: number): void {
    m.matched = true;
    m.toPid = e.pid;
    m.receivedMs = e.t;
    m.receivedAt = e.site ?? null;
    m.frozen = null;
    if (this.log && m.row >= 0) this.log.receive(m.row, e.pid, e.t, siteIndex);
  }
}

function freeze(m: MessageRec): Message {
  if (m.frozen === null) {
    m.frozen = {
      seq: m.seq,
      channelId: m.channelId,
      op: m.op,
      fromPid: m.fromPid,
      toPid: m.toPid,
      sentMs: m.sentMs,
      receivedMs: m.receivedMs,
      preview: m.preview,
      size: m.size,
      sentAt: m.sentAt,
      receivedAt: m.receivedAt,
    };
  }
  return m.frozen;
}

/** A channel first seen through an op (its creation was missed): guess its kind from the op. */
export function kindFromOp(op: ChannelOp): ChannelKind {
  switch (op) {
    case 'put':
    case 'get':
    case 'full':
    case 'empty':
      return 'queue';
    case 'task_done':
    case 'join':
      return 'joinable-queue';
    case 'send':
    case 'recv':
    case 'send_bytes':
    case 'recv_bytes':
    case 'close':
    case 'eof':
      return 'connection';
    case 'acquire':
    case 'release':
      return 'lock';
    case 'wait':
    case 'notify':
    case 'notify_all':
      return 'condition';
    case 'set':
    case 'clear':
    case 'is_set':
      return 'event';
    case 'abort':
      return 'barrier';
    case 'submit':
    case 'result':
    case 'callback':
    case 'error_callback':
    case 'terminate':
      return 'pool';
    case 'call':
      return 'proxy';
  }
}

/** Every channel operation in a fixed order (for display and the compact op history). */
export { OPS as CHANNEL_OPS };

/** Code of each sending / receiving op in the compact op history. */
export const SEND_CODES: ReadonlySet<number> = new Set([...SENDING].map((op) => OP_CODE.get(op)!));
export const RECEIVE_CODES: ReadonlySet<number> = new Set([...RECEIVING].map((op) => OP_CODE.get(op)!));
