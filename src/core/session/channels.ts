/**
 * Channels and their messages, kept incrementally: counts are exact, logs are bounded, and a
 * get/recv is matched with the put/send it received (same channel and payload CRC first, then
 * FIFO). The complete log lives in the recording; what is kept here is what the views draw.
 */
import { CHANNEL_OPS, type ChannelCreatedEvent, type ChannelKind, type ChannelOp, type ChannelOpEvent, type SourceSite } from '../protocol/events';
import type { Channel, ChannelState, Message, OpRecord } from './model';
import { countAtOrBefore, MaxTree, sortedOrder } from './timeIndex';
import type { TimelineLog } from './timelineLog';

const SENDING: ReadonlySet<ChannelOp> = new Set<ChannelOp>(['put', 'send', 'send_bytes']);
const RECEIVING: ReadonlySet<ChannelOp> = new Set<ChannelOp>(['get', 'recv', 'recv_bytes']);

/** Unmatched sends kept for matching, per direction of a channel; older ones stay unmatched forever. */
const MAX_UNMATCHED = 10_000;

/** Operation codes for the compact per-op history (for snapshotAt): an op's index in the protocol's list. */
const OPS: readonly ChannelOp[] = CHANNEL_OPS;
const OP_CODE = new Map<ChannelOp, number>(OPS.map((op, i) => [op, i]));
const SEND_CODE_SET: ReadonlySet<number> = new Set([...SENDING].map((op) => OP_CODE.get(op)!));

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

/** Growing typed arrays of every op, in arrival order: enough to answer "what was true at time ms". */
class OpHistory {
  t = new Float64Array(64);
  code = new Uint8Array(64);
  site = new Int32Array(64);
  pid = new Int32Array(64);
  /** How long it blocked (NaN: not reported). */
  waited = new Float64Array(64);
  ok = new Uint8Array(64);
  n = 0;
  push(t: number, code: number, site: number, pid: number, waited: number, ok: boolean): void {
    if (this.n === this.t.length) {
      const grow = <A extends Float64Array | Uint8Array | Int32Array>(a: A, make: (n: number) => A): A => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.t = grow(this.t, (n) => new Float64Array(n));
      this.code = grow(this.code, (n) => new Uint8Array(n));
      this.site = grow(this.site, (n) => new Int32Array(n));
      this.pid = grow(this.pid, (n) => new Int32Array(n));
      this.waited = grow(this.waited, (n) => new Float64Array(n));
      this.ok = grow(this.ok, (n) => new Uint8Array(n));
    }
    const i = this.n++;
    this.t[i] = t;
    this.code[i] = code;
    this.site[i] = site;
    this.pid[i] = pid;
    this.waited[i] = waited;
    this.ok[i] = ok ? 1 : 0;
  }
}

/** Sorted ops per checkpoint of the time index: a query replays at most this many. */
const CHECKPOINT = 256;
const LOCKLIKE: ReadonlySet<ChannelKind> = new Set<ChannelKind>(['lock', 'rlock', 'semaphore', 'bounded-semaphore', 'condition', 'value', 'array']);
const ACQUIRE = OP_CODE.get('acquire')!;
const RELEASE = OP_CODE.get('release')!;

/**
 * The time index of one channel, built on the first question about the past after a change:
 * ops and messages sorted by time, op counts and lock holders at every CHECKPOINT-th op, and
 * max-trees for "still in flight" and "still waiting". Every query is O(log n + CHECKPOINT + k).
 */
interface TimeIndex {
  readonly version: number;
  /** Op indices (into OpHistory) by time, and their times. */
  readonly opOrder: Int32Array;
  readonly opT: Float64Array;
  /** counts[c * OPS.length + code]: ops of each code among the first c * CHECKPOINT sorted ops. */
  readonly counts: Int32Array;
  /** Lock holders (pid → depth) before the first c * CHECKPOINT sorted ops; lock-like kinds only. */
  readonly holders: ReadonlyArray<ReadonlyMap<number, number>> | null;
  /** Over sorted ops: minus the time the op started waiting, so "still waiting at ms" is "> -ms". */
  readonly waits: MaxTree;
  /** This channel's messages still known (ranks: its n-th message ever is rank n), by send time. */
  readonly msgOrder: Int32Array;
  readonly sentT: Float64Array;
  readonly received: MaxTree;
  /** Receive times of received messages, sorted; and how much earlier than its send a receive was stamped, at most. */
  readonly receivedSorted: Float64Array;
  readonly maxSkew: number;
  /** Every message of the channel is still known (none dropped from memory). */
  readonly complete: boolean;
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
  /** The TimelineLog row of each message of this channel, by rank (its seq). */
  private rows = new Int32Array(16);
  /** Bumped by every op (a receive changes an older message too); the time index is rebuilt when it moved. */
  private version = 0;
  private timeIndex: TimeIndex | null = null;
  /** Messages and ops rebuilt from columns for snapshotAt, kept while nothing changes (steps nearby reuse them). */
  private readonly messageCache = new Map<number, Message>();
  private readonly opCache = new Map<number, OpRecord>();

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
    this.version++;
  }

  /**
   * Fold one op. `end` is the pipe end it happened on (null for channels without ends).
   * Returns the message it completed or started, if any, for per-line counts.
   */
  applyOp(e: ChannelOpEvent, end: number | null, siteIndex: number): { sent: boolean; received: boolean } {
    this.ops[e.op] = (this.ops[e.op] ?? 0) + 1;
    const code = OP_CODE.get(e.op) ?? 255;
    this.history.push(e.t, code, siteIndex, e.pid, e.waitedMs ?? NaN, e.ok !== false);
    this.version++;
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
    // Trimmed in bulk: a splice per op moved the whole window each time (O(maxRecent) per event).
    if (this.recentOps.length >= 2 * this.maxRecent) this.recentOps.splice(0, this.recentOps.length - this.maxRecent);
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
      recentMessages: this.recent.slice(-this.maxRecent).map(freeze),
      recentOps: this.recentOps.slice(-this.maxRecent),
    };
    this.dirty = false;
    return this.cached;
  }

  /** The channel as it was at time ms: counts, and the newest messages and ops of then, as they were then. */
  snapshotAt(ms: number): Channel | null {
    const idx = this.index();
    const j = countAtOrBefore(idx.opT, idx.opT.length, ms);
    if (this.createdMs > ms && j === 0) return null;
    const { ops, messages } = this.countsAt(idx, j);
    const jm = countAtOrBefore(idx.sentT, idx.sentT.length, ms);
    const recentMessages: Message[] = [];
    for (let i = Math.max(0, jm - this.maxRecent); i < jm; i++) recentMessages.push(this.messageAt(idx.msgOrder[i]!, ms)!);
    const recentOps: OpRecord[] = [];
    for (let i = Math.max(0, j - this.maxRecent); i < j; i++) recentOps.push(this.opRecord(idx.opOrder[i]!));
    return { ...this.identity(), messageCount: messages, ops, recentMessages, recentOps };
  }

  /**
   * What the channel held at time ms: messages put and not yet got (oldest first, at most
   * `limit`), a lock's holders, who was blocked on it, a JoinableQueue's unfinished tasks.
   */
  stateAt(ms: number, limit = 100): ChannelState {
    const idx = this.index();
    const h = this.history;
    const n = idx.opT.length;
    const j = countAtOrBefore(idx.opT, n, ms);
    const { ops, messages } = this.countsAt(idx, j);
    const m = idx.sentT.length;
    const jm = countAtOrBefore(idx.sentT, m, ms);
    const flying = idx.received.above(0, jm, ms, limit);
    let inFlightCount = flying.length;
    if (flying.length >= limit) {
      // Sent by ms, minus received by ms (a receive can be stamped a hair before its send).
      let late = 0;
      for (let i = jm; i < m && idx.sentT[i]! <= ms + idx.maxSkew; i++) if (idx.received.value(i) <= ms) late++;
      inFlightCount = jm - (countAtOrBefore(idx.receivedSorted, idx.receivedSorted.length, ms) - late);
    }
    let holders: { pid: number; count: number }[] = [];
    if (idx.holders !== null) {
      const c = (j / CHECKPOINT) | 0;
      const held = new Map(idx.holders[c]!);
      for (let i = c * CHECKPOINT; i < j; i++) {
        const k = idx.opOrder[i]!;
        hold(held, h.code[k]!, h.pid[k]!, h.ok[k] === 1);
      }
      holders = [...held].map(([pid, count]) => ({ pid, count }));
    }
    const waiters = idx.waits.above(j, n, -ms, limit).map((i) => {
      const k = idx.opOrder[i]!;
      return { pid: h.pid[k]!, op: OPS[h.code[k]!]!, sinceMs: h.t[k]! - h.waited[k]!, site: this.site(h.site[k]!) };
    });
    let isSet: boolean | null = null;
    if (this.kind === 'event') {
      isSet = false;
      for (let i = j - 1; i >= 0; i--) {
        const op = OPS[h.code[idx.opOrder[i]!]!];
        if (op === 'set' || op === 'clear') {
          isSet = op === 'set';
          break;
        }
      }
    }
    return {
      id: this.id,
      kind: this.kind,
      messageCount: messages,
      ops,
      inFlight: flying.map((i) => this.messageAt(idx.msgOrder[i]!, ms)!),
      inFlightCount,
      complete: idx.complete,
      holders,
      waiters,
      unfinishedTasks: this.kind === 'joinable-queue' ? messages - (ops.task_done ?? 0) : null,
      isSet,
    };
  }

  /** The fields that do not change with time: what snapshot() and snapshotAt() share. */
  private identity(): Pick<Channel, 'id' | 'kind' | 'createdAt' | 'createdBy' | 'createdMs' | 'detail'> {
    return { id: this.id, kind: this.kind, createdAt: this.createdAt, createdBy: this.createdBy, createdMs: this.createdMs, detail: this.detail };
  }

  private site(i: number): SourceSite | null {
    return i >= 0 ? (this.log?.sites[i] ?? null) : null;
  }

  /** Rank of the oldest message still in `recent`. */
  private get firstRecent(): number {
    return this.messageCount - this.recent.length;
  }

  /** Rank of the oldest message still known (in the TimelineLog, or else in `recent`). */
  private firstKnown(): number {
    if (!this.log) return this.firstRecent;
    let r = 0;
    // Rows the log dropped are a prefix (it drops its oldest half at a time).
    while (r < this.messageCount && this.log.at(this.rows[r]!) < 0) r++;
    return Math.min(r, this.firstRecent);
  }

  /** The sent and received times of the message of rank r (NaN: not received). */
  private times(r: number): [number, number] {
    if (r >= this.firstRecent) {
      const m = this.recent[r - this.firstRecent]!;
      return [m.sentMs, m.receivedMs ?? NaN];
    }
    const s = this.log!.at(this.rows[r]!);
    return [this.log!.sentMs[s]!, this.log!.receivedMs[s]!];
  }

  /** The message of rank r as it was at ms (not yet received then, if it was received later). */
  private messageAt(r: number, ms: number): Message | null {
    let f: Message | undefined;
    if (r >= this.firstRecent) f = freeze(this.recent[r - this.firstRecent]!);
    else if ((f = this.messageCache.get(r)) === undefined) {
      const log = this.log!;
      const s = log.at(this.rows[r]!);
      if (s < 0) return null;
      const received = log.receivedMs[s]!;
      f = {
        seq: r,
        channelId: this.id,
        op: OPS[log.op[s]!]!,
        fromPid: log.fromPid[s]!,
        toPid: log.toPid[s]! >= 0 ? log.toPid[s]! : null,
        sentMs: log.sentMs[s]!,
        receivedMs: Number.isNaN(received) ? null : received,
        preview: log.preview[s] ?? null,
        size: null,
        sentAt: this.site(log.sentSite[s]!),
        receivedAt: this.site(log.recvSite[s]!),
      };
      cache(this.messageCache, r, f, this.maxRecent);
    }
    return f.receivedMs !== null && f.receivedMs > ms ? { ...f, toPid: null, receivedMs: null, receivedAt: null } : f;
  }

  private opRecord(k: number): OpRecord {
    const cached = this.opCache.get(k);
    if (cached) return cached;
    const h = this.history;
    const waited = h.waited[k]!;
    const o: OpRecord = {
      channelId: this.id,
      op: OPS[h.code[k]!]!,
      pid: h.pid[k]!,
      t: h.t[k]!,
      site: this.site(h.site[k]!),
      waitedMs: Number.isNaN(waited) ? null : waited,
      ok: h.ok[k] === 1,
      preview: null,
    };
    cache(this.opCache, k, o, this.maxRecent);
    return o;
  }

  /** Op counts and messages sent among the first j ops by time. */
  private countsAt(idx: TimeIndex, j: number): { ops: Partial<Record<ChannelOp, number>>; messages: number } {
    const W = OPS.length + 1;
    const c = (j / CHECKPOINT) | 0;
    const counts = idx.counts.slice(c * W, c * W + W);
    const h = this.history;
    for (let i = c * CHECKPOINT; i < j; i++) count(counts, h, idx.opOrder[i]!);
    const ops: Partial<Record<ChannelOp, number>> = {};
    for (let code = 0; code < OPS.length; code++) if (counts[code]! > 0) ops[OPS[code]!] = counts[code]!;
    return { ops, messages: counts[OPS.length]! };
  }

  private index(): TimeIndex {
    if (this.timeIndex !== null && this.timeIndex.version === this.version) return this.timeIndex;
    this.messageCache.clear();
    this.opCache.clear();
    const h = this.history;
    const n = h.n;
    const W = OPS.length + 1;
    const opOrder = sortedOrder(h.t, n);
    const opT = new Float64Array(n);
    const counts = new Int32Array((((n / CHECKPOINT) | 0) + 1) * W);
    const running = new Int32Array(W);
    const lockLike = LOCKLIKE.has(this.kind);
    const holders: Map<number, number>[] | null = lockLike ? [] : null;
    const held = new Map<number, number>();
    const waitKey = new Float64Array(n);
    for (let i = 0; i <= n; i++) {
      if (i % CHECKPOINT === 0) {
        counts.set(running, (i / CHECKPOINT) * W);
        holders?.push(new Map(held));
      }
      if (i === n) break;
      const k = opOrder[i]!;
      opT[i] = h.t[k]!;
      count(running, h, k);
      if (lockLike) hold(held, h.code[k]!, h.pid[k]!, h.ok[k] === 1);
      const w = h.waited[k]!;
      waitKey[i] = w > 0 ? -(h.t[k]! - w) : -Infinity;
    }
    // Messages by rank; sorted by send time (ranks below `first` are no longer known).
    const first = this.firstKnown();
    const m = this.messageCount - first;
    const sentRaw = new Float64Array(m);
    const recvRaw = new Float64Array(m);
    for (let i = 0; i < m; i++) [sentRaw[i], recvRaw[i]] = this.times(first + i);
    const local = sortedOrder(sentRaw, m);
    const msgOrder = new Int32Array(m);
    const sentT = new Float64Array(m);
    const recv = new Float64Array(m);
    const receivedTimes: number[] = [];
    let maxSkew = 0;
    for (let i = 0; i < m; i++) {
      const k = local[i]!;
      msgOrder[i] = first + k;
      sentT[i] = sentRaw[k]!;
      const r = recvRaw[k]!;
      recv[i] = Number.isNaN(r) ? Infinity : r;
      if (!Number.isNaN(r)) {
        receivedTimes.push(r);
        maxSkew = Math.max(maxSkew, sentRaw[k]! - r);
      }
    }
    this.timeIndex = {
      version: this.version,
      opOrder,
      opT,
      counts,
      holders,
      waits: new MaxTree(waitKey, n),
      msgOrder,
      sentT,
      received: new MaxTree(recv, m),
      receivedSorted: Float64Array.from(receivedTimes).sort(),
      maxSkew,
      complete: first === 0,
    };
    return this.timeIndex;
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
    if (this.rows.length <= m.seq) {
      const rows = new Int32Array(this.rows.length * 2);
      rows.set(this.rows);
      this.rows = rows;
    }
    this.rows[m.seq] = m.row;
    this.recent.push(m);
    if (this.recent.length >= 2 * this.maxRecent) this.recent.splice(0, this.recent.length - this.maxRecent);
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

/** Remember a rebuilt record; forget them all once there are many more than a snapshot shows. */
function cache<T>(map: Map<number, T>, key: number, value: T, shown: number): void {
  if (map.size >= 8 * shown + 64) map.clear();
  map.set(key, value);
}

/** Count op k into per-code counts (the last slot: messages, i.e. sends that succeeded). */
function count(counts: Int32Array, h: OpHistory, k: number): void {
  const code = h.code[k]!;
  if (code < OPS.length) counts[code]!++;
  if (h.ok[k] === 1 && SEND_CODE_SET.has(code)) counts[OPS.length]!++;
}

/** Fold an acquire or release into a lock's holders (pid → depth or count). */
function hold(held: Map<number, number>, code: number, pid: number, ok: boolean): void {
  if (!ok) return;
  if (code === ACQUIRE) held.set(pid, (held.get(pid) ?? 0) + 1);
  else if (code === RELEASE) {
    // A plain Lock or a Semaphore may be released by another process than the one that took it.
    const who = held.has(pid) ? pid : held.keys().next().value;
    if (who === undefined) return;
    const d = held.get(who)! - 1;
    if (d > 0) held.set(who, d);
    else held.delete(who);
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


/** Code of each sending / receiving op in the compact op history. */
export const SEND_CODES: ReadonlySet<number> = new Set([...SENDING].map((op) => OP_CODE.get(op)!));
export const RECEIVE_CODES: ReadonlySet<number> = new Set([...RECEIVING].map((op) => OP_CODE.get(op)!));
