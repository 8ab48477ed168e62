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

/**
 * Unmatched sends kept for matching, per direction of a channel (as many as the run's TimelineLog
 * keeps; about 50 bytes each); older ones stay unmatched forever. A producer can be that far
 * ahead of its consumer: a put is reported when the program calls put(), not when it is sent.
 */
const MAX_UNMATCHED = 1_000_000;
/** Receives reported before their send (events of different processes race), per direction. */
const MAX_EARLY_RECEIVES = 100_000;

/** Operation codes for the compact per-op history (for snapshotAt): an op's index in the protocol's list. */
const OPS: readonly ChannelOp[] = CHANNEL_OPS;
const OP_CODE = new Map<ChannelOp, number>(OPS.map((op, i) => [op, i]));

/** What an op did, for per-line counts (a number, not an object: one of these per event). */
export type OpOutcome = 0 | 1 | 2;
export const OP_OTHER = 0;
export const OP_SENT = 1;
export const OP_RECEIVED = 2;
const SEND_CODE_SET: ReadonlySet<number> = new Set([...SENDING].map((op) => OP_CODE.get(op)!));
/** By op code: 1 for an op that sends a message, 2 for one that receives it (a table, not a Set lookup per event). */
const OUTCOME_BY_CODE = Uint8Array.from(OPS, (op) => (SENDING.has(op) ? OP_SENT : RECEIVING.has(op) ? OP_RECEIVED : OP_OTHER));

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
  frozen: Message | null;
  /** Its row in the run's TimelineLog (-1 without one). */
  row: number;
}

interface PendingRecv {
  readonly e: ChannelOpEvent;
  readonly site: number;
}

interface Entry<T> {
  readonly item: T;
  readonly digest: number | null;
  taken: boolean;
  /** In the digest index (entries are indexed only when a take by digest misses the oldest). */
  indexed: boolean;
}

/**
 * A FIFO of unmatched sends (or early receives), taken by digest or in order, for at most `max`
 * live entries (beyond, the oldest stays unmatched forever).
 *
 * Messages are nearly always received in the order they were sent, so a take by digest first
 * looks at the oldest entry; only when that misses are the entries indexed by digest (from where
 * indexing stopped), so the common case costs no map operation. Taken entries leave the index at
 * once and the FIFO lazily; the FIFO is rebuilt from its live entries whenever taken ones make up
 * most of it (an old entry that is never matched cannot pin the rest), so memory follows what is
 * unmatched, not the run's length.
 */
export class MatchQueue<T> {
  private all: Entry<T>[] = [];
  private head = 0;
  /** Entries of `all` before this position are indexed (or taken). */
  private indexedTo = 0;
  private readonly byDigest = new Map<number, Entry<T>[]>();
  private live = 0;

  constructor(private readonly max: number) {}

  push(item: T, digest: number | null): void {
    if (this.all.length - this.head > 2 * this.live + 1024) this.compact();
    this.all.push({ item, digest, taken: false, indexed: false });
    this.live++;
    if (this.live > this.max) this.takeFirst(true);
  }

  /** The oldest live item with this digest. */
  takeDigest(digest: number): T | null {
    const first = this.oldest();
    if (first !== null && first.digest === digest) return this.take(first);
    for (; this.indexedTo < this.all.length; this.indexedTo++) {
      const entry = this.all[this.indexedTo]!;
      if (entry.taken || entry.digest === null) continue;
      entry.indexed = true;
      const q = this.byDigest.get(entry.digest);
      if (q) q.push(entry);
      else this.byDigest.set(entry.digest, [entry]);
    }
    const q = this.byDigest.get(digest);
    return q ? this.take(q[0]!) : null;
  }

  /** The oldest live item; with `anyDigest` false, the oldest whose digest is unknown. */
  takeFirst(anyDigest: boolean): T | null {
    for (let i = this.head; i < this.all.length; i++) {
      const entry = this.all[i]!;
      if (!entry.taken && (anyDigest || entry.digest === null)) return this.take(entry);
    }
    return null;
  }

  /** Entries held (live, and taken ones not yet swept): for the test that memory follows what is live. */
  get held(): number {
    return this.all.length - this.head;
  }

  private oldest(): Entry<T> | null {
    while (this.head < this.all.length && this.all[this.head]!.taken) this.head++;
    return this.head < this.all.length ? this.all[this.head]! : null;
  }

  private take(entry: Entry<T>): T {
    entry.taken = true;
    this.live--;
    if (entry.indexed) {
      const q = this.byDigest.get(entry.digest!)!;
      q.splice(q.indexOf(entry), 1);
      if (q.length === 0) this.byDigest.delete(entry.digest!);
    }
    if (this.oldest() === null || (this.head > 1024 && this.head * 2 > this.all.length)) {
      this.all = this.all.slice(this.head);
      this.indexedTo = Math.max(0, this.indexedTo - this.head);
      this.head = 0;
    }
    return entry.item;
  }

  private compact(): void {
    const kept: Entry<T>[] = [];
    let indexedTo = 0;
    for (let i = this.head; i < this.all.length; i++) {
      const entry = this.all[i]!;
      if (entry.taken) continue;
      kept.push(entry);
      if (i < this.indexedTo) indexedTo = kept.length;
    }
    this.all = kept;
    this.head = 0;
    this.indexedTo = indexedTo;
  }
}

/** Direction of a message within a channel: a pipe end's sends go to the other end. */
interface Lane {
  /** The ranks (seq) of unmatched messages. */
  sends: MatchQueue<number>;
  recvs: MatchQueue<PendingRecv>;
}

/**
 * Ops a channel keeps for questions about the past (about 26 bytes each, so at most 27 MB a
 * channel); beyond, its oldest half is folded into counts (see OpHistory).
 */
export const MAX_HISTORY_OPS = 1 << 20;

/**
 * Growing typed arrays of the ops of a channel, in arrival order: enough to answer "what was true
 * at time ms". At most `max` are kept: then the oldest half is dropped, and what it counted (ops
 * by code, messages, lock holders, sends and receives by line) is kept as the starting point of
 * every later count, so counts stay exact for moments after the dropped ops. A run's memory so
 * follows the channels it has, not its length (it grew by ~27 bytes an op, without bound).
 */
class OpHistory {
  t = new Float64Array(64);
  code = new Uint8Array(64);
  site = new Int32Array(64);
  pid = new Int32Array(64);
  /** How long it blocked (NaN: not reported). */
  waited = new Float64Array(64);
  ok = new Uint8Array(64);
  /** Ops kept (storage indices 0..n-1). */
  n = 0;
  /** Ops dropped from the front: op i ever (arrival order) is at storage i - dropped. */
  dropped = 0;
  /** What the dropped ops counted, as `count` counts: by code, then messages sent. */
  readonly droppedCounts = new Int32Array(OPS.length + 1);
  /** Lock holders after the dropped ops (folded in arrival order). */
  readonly droppedHeld = new Map<number, number>();
  /** The dropped ops' successful sends and receives, by site index. */
  readonly droppedSent = new Map<number, number>();
  readonly droppedReceived = new Map<number, number>();

  constructor(private readonly max = MAX_HISTORY_OPS) {}

  push(t: number, code: number, site: number, pid: number, waited: number, ok: boolean): void {
    if (this.n === this.t.length) {
      if (this.n >= this.max) this.dropOldestHalf();
      else {
        const size = Math.min(this.t.length * 2, Math.max(this.max, 64));
        const grow = <A extends Float64Array | Uint8Array | Int32Array>(a: A, make: (n: number) => A): A => {
          const b = make(size);
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
    }
    const i = this.n++;
    this.t[i] = t;
    this.code[i] = code;
    this.site[i] = site;
    this.pid[i] = pid;
    this.waited[i] = waited;
    this.ok[i] = ok ? 1 : 0;
  }

  private dropOldestHalf(): void {
    const d = Math.max(1, this.n >> 1);
    for (let i = 0; i < d; i++) {
      count(this.droppedCounts, this, i);
      const code = this.code[i]!;
      const ok = this.ok[i] === 1;
      hold(this.droppedHeld, code, this.pid[i]!, ok);
      const site = this.site[i]!;
      if (ok && site >= 0) {
        const outcome = OUTCOME_BY_CODE[code];
        const by = outcome === OP_SENT ? this.droppedSent : outcome === OP_RECEIVED ? this.droppedReceived : null;
        by?.set(site, (by.get(site) ?? 0) + 1);
      }
    }
    for (const a of [this.t, this.code, this.site, this.pid, this.waited, this.ok]) a.copyWithin(0, d, this.n);
    this.n -= d;
    this.dropped += d;
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
  /** Ops counted by code, and the codes in the order first seen (the order `ops` lists them in). */
  private readonly opCounts = new Int32Array(OPS.length);
  private readonly opsSeen: number[] = [];
  readonly recent: MessageRec[] = [];
  readonly history: OpHistory;
  /**
   * The previews of the newest ops, by op index modulo the window: the one thing an op's
   * OpRecord needs that the history has no column for. OpRecords are built when a snapshot asks
   * (at most a window of them), not per op.
   */
  private readonly opPreviews: Array<string | null>;
  private opsWindow: OpRecord[] = [];
  /** History index after the last op of opsWindow. */
  private opsWindowEnd = 0;
  private readonly lanes: Array<Lane | undefined> = [undefined, undefined, undefined];
  private seq = 0;
  dirty = true;
  private cached: Channel | null = null;
  /** This channel's index in the timeline log. */
  private readonly logIndex: number;
  /** The TimelineLog row of each message of this channel, by rank (its seq) less rowsBase. */
  private rows = new Int32Array(16);
  /** Rank of rows[0]: ranks before it have no row in the log any more (it dropped them). */
  private rowsBase = 0;
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
    /** Ops kept for questions about the past (then the oldest half, counted). */
    maxOps = MAX_HISTORY_OPS,
  ) {
    // The newest ops (at most maxRecent) must stay in storage when the oldest half is dropped.
    this.history = new OpHistory(Math.max(maxOps, 4 * maxRecent, 64));
    this.kind = kind;
    this.createdBy = createdBy;
    this.createdMs = createdMs;
    this.logIndex = log ? log.channelOf(id) : -1;
    this.opPreviews = new Array<string | null>(Math.max(1, maxRecent)).fill(null);
  }

  /** Counts by operation (not bounded), as an object in the order ops were first seen. */
  get ops(): Partial<Record<ChannelOp, number>> {
    const ops: Partial<Record<ChannelOp, number>> = {};
    for (const code of this.opsSeen) ops[OPS[code]!] = this.opCounts[code]!;
    return ops;
  }

  /** The newest ops (at most the window), as records; each built once, when first asked for. */
  private recentOps(): OpRecord[] {
    const h = this.history;
    const n = h.dropped + h.n; // ops ever: k below is an op's index in arrival order, k - h.dropped its storage
    const from = Math.max(0, n - this.maxRecent);
    if (this.opsWindowEnd < from) this.opsWindow = [];
    for (let k = Math.max(from, this.opsWindowEnd); k < n; k++) {
      const i = k - h.dropped;
      const waited = h.waited[i]!;
      this.opsWindow.push({
        channelId: this.id,
        op: OPS[h.code[i]!]!,
        pid: h.pid[i]!,
        t: h.t[i]!,
        site: this.site(h.site[i]!),
        waitedMs: Number.isNaN(waited) ? null : waited,
        ok: h.ok[i] === 1,
        preview: this.opPreviews[k % this.opPreviews.length]!,
      });
    }
    this.opsWindowEnd = n;
    if (this.opsWindow.length > this.maxRecent) this.opsWindow = this.opsWindow.slice(this.opsWindow.length - this.maxRecent);
    return this.opsWindow;
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
   * Returns whether it sent a message (OP_SENT), received one (OP_RECEIVED) or neither, for per-line counts.
   */
  applyOp(e: ChannelOpEvent, end: number | null, siteIndex: number): OpOutcome {
    const code = OP_CODE.get(e.op);
    if (code === undefined) return OP_OTHER; // not an op of the protocol (the decoder lets none through)
    if (this.opCounts[code]!++ === 0) this.opsSeen.push(code);
    const k = this.history.dropped + this.history.n;
    this.history.push(e.t, code, siteIndex, e.pid, e.waitedMs ?? NaN, e.ok !== false);
    this.opPreviews[k % this.opPreviews.length] = e.preview ?? null;
    this.version++;
    if (this.log && e.waitedMs !== undefined && e.waitedMs !== null) {
      this.log.wait(e.pid, e.t - e.waitedMs, e.t, code, this.logIndex, -1, siteIndex);
    }
    this.dirty = true;
    if (e.ok === false) return OP_OTHER;
    const outcome = OUTCOME_BY_CODE[code] as OpOutcome;
    if (outcome === OP_SENT) this.send(e, end, code, siteIndex);
    else if (outcome === OP_RECEIVED) this.receive(e, end, siteIndex);
    return outcome;
  }

  snapshot(): Channel {
    if (!this.dirty && this.cached) return this.cached;
    this.cached = {
      ...this.identity(),
      messageCount: this.messageCount,
      ops: this.ops,
      recentMessages: this.recent.slice(Math.max(0, this.recent.length - this.maxRecent)).map(freeze),
      recentOps: this.recentOps().slice(),
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

  /** Rank of the oldest message of `recent` that is shown (it may hold up to twice as many). */
  private get firstRecent(): number {
    return this.messageCount - Math.min(this.recent.length, this.maxRecent);
  }

  /** The message of rank r, which must be at or after firstRecent. */
  private recentRec(r: number): MessageRec {
    return this.recent[r - (this.messageCount - this.recent.length)]!;
  }

  /** Rank of the oldest message still known (in the TimelineLog, or else in `recent`). */
  private firstKnown(): number {
    if (!this.log) return this.firstRecent;
    return Math.min(this.firstLoggedRank(this.messageCount), this.firstRecent);
  }

  /** The oldest rank from rowsBase on (before `end`) whose row the log still holds; `end` without a log. */
  private firstLoggedRank(end: number): number {
    if (!this.log) return end;
    let r = this.rowsBase;
    // Rows the log dropped are a prefix (it drops its oldest half at a time).
    while (r < end && this.log.at(this.rows[r - this.rowsBase]!) < 0) r++;
    return r;
  }

  /** The sent and received times of the message of rank r (NaN: not received). */
  private times(r: number): [number, number] {
    if (r >= this.firstRecent) {
      const m = this.recentRec(r);
      return [m.sentMs, m.receivedMs ?? NaN];
    }
    const s = this.log!.at(this.rows[r - this.rowsBase]!);
    return [this.log!.sentMs[s]!, this.log!.receivedMs[s]!];
  }

  /** The message of rank r as it was at ms (not yet received then, if it was received later). */
  private messageAt(r: number, ms: number): Message | null {
    let f: Message | undefined;
    if (r >= this.firstRecent) f = freeze(this.recentRec(r));
    else if ((f = this.messageCache.get(r)) === undefined) {
      const log = this.log!;
      const s = r >= this.rowsBase ? log.at(this.rows[r - this.rowsBase]!) : -1;
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
    const running = Int32Array.from(h.droppedCounts);
    const lockLike = LOCKLIKE.has(this.kind);
    const holders: Map<number, number>[] | null = lockLike ? [] : null;
    const held = new Map<number, number>(h.droppedHeld);
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
      complete: first === 0 && h.dropped === 0,
    };
    return this.timeIndex;
  }

  /** 0 and 1: a pipe's ends (messages received at that end); 2: a channel without ends. */
  private lane(key: number): Lane {
    let l = this.lanes[key];
    if (!l) {
      l = { sends: new MatchQueue<number>(MAX_UNMATCHED), recvs: new MatchQueue<PendingRecv>(MAX_EARLY_RECEIVES) };
      this.lanes[key] = l;
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
      frozen: null,
      row: this.log ? this.log.send(this.logIndex, code, e.pid, e.t, siteIndex, e.preview ?? null) : -1,
    };
    if (this.rows.length <= m.seq - this.rowsBase) this.makeRoomForRow(m.seq);
    this.rows[m.seq - this.rowsBase] = m.row;
    this.recent.push(m);
    trimFront(this.recent, this.maxRecent);
    // A pipe end's message is received at the other end.
    const lane = this.lane(end === null ? 2 : 1 - end);
    // The receiving side may have reported first (events of different processes race).
    const early = m.digest !== null ? (lane.recvs.takeDigest(m.digest) ?? lane.recvs.takeFirst(false)) : lane.recvs.takeFirst(true);
    if (early) {
      this.deliver(m.seq, early.e, early.site);
      return;
    }
    lane.sends.push(m.seq, m.digest);
  }

  private receive(e: ChannelOpEvent, end: number | null, siteIndex: number): void {
    const lane = this.lane(end === null ? 2 : end);
    const digest = e.digest ?? null;
    let seq: number | null = null;
    if (digest !== null) seq = lane.sends.takeDigest(digest);
    if (seq === null) seq = lane.sends.takeFirst(digest === null);
    if (seq === null) {
      lane.recvs.push({ e, site: siteIndex }, digest);
      return;
    }
    this.deliver(seq, e, siteIndex);
  }

  /** The message of rank `seq` was received by `e`: in `recent` while it is there, and in the log. */
  private deliver(seq: number, e: ChannelOpEvent, siteIndex: number): void {
    const first = this.messageCount - this.recent.length;
    if (seq >= first) {
      const m = this.recent[seq - first]!;
      m.toPid = e.pid;
      m.receivedMs = e.t;
      m.receivedAt = e.site ?? null;
      m.frozen = null;
    }
    const row = seq >= this.rowsBase ? this.rows[seq - this.rowsBase]! : -1;
    if (this.log && row >= 0) this.log.receive(row, e.pid, e.t, siteIndex);
  }

  /** Room in `rows` for rank `seq`: first by forgetting the ranks whose rows the log has dropped. */
  private makeRoomForRow(seq: number): void {
    const first = this.firstLoggedRank(seq);
    const from = first - this.rowsBase;
    const to = seq - this.rowsBase;
    if ((to - from) * 2 <= this.rows.length) this.rows.copyWithin(0, from, to);
    else {
      const rows = new Int32Array(this.rows.length * 2);
      rows.set(this.rows.subarray(from, to));
      this.rows = rows;
    }
    this.rowsBase = first;
  }
}

/**
 * Keeps at least the newest `max` items of a log that grows at its end, in amortized O(1): the
 * front is cut once the log holds twice as many (cutting one item a push moved the whole log
 * each time: most of the reducer's time in a flood). Readers take the newest `max`.
 */
function trimFront(log: unknown[], max: number): void {
  if (log.length > 2 * max + 16) log.splice(0, log.length - max);
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
