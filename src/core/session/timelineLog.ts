/**
 * Every message and every blocking wait of a run, for the timeline: columns of typed arrays
 * (about 40 bytes a message, plus its payload preview), appended as the Session folds events and
 * completed when a message is received. The channels' own logs keep only their newest messages
 * for the trees; this one keeps the whole run up to `maxMessages` (then drops its oldest half and
 * bumps `epoch`, so readers that copy it incrementally know to start again).
 *
 * Readers copy rows incrementally: rows [cursor, count) are new, and `receiptsSince(n)` lists the
 * rows received after a reader's previous look (a message is appended when sent and changes once,
 * when it is received). Indices are absolute: row i lives at storage i - dropped.
 *
 * No `vscode` import here, ever.
 */
import type { SourceSite } from '../protocol/events';

/** What a wait waited in: a channel operation's code (CHANNEL_OPS index) or a join. */
export const JOIN_WAIT = 255;

/** Waits shorter than this are not kept (every uncontended acquire would be noise). */
export const MIN_WAIT_MS = 1;

/** Default bound on messages kept (about 40 MB of columns plus previews). */
export const MAX_TIMELINE_MESSAGES = 1_000_000;

function grow<A extends Float64Array | Int32Array | Uint8Array>(a: A, need: number, make: (n: number) => A, fill?: number): A {
  if (need <= a.length) return a;
  const b = make(Math.max(need, a.length * 2));
  b.set(a);
  if (fill !== undefined) b.fill(fill, a.length);
  return b;
}

export class TimelineLog {
  /** Bumped whenever rows are dropped: an incremental reader must start again. */
  epoch = 0;
  /** Rows dropped from the front (absolute index of the first row kept). */
  dropped = 0;
  /** Rows ever appended (absolute index of the next row). */
  count = 0;

  sentMs = new Float64Array(256);
  /** NaN until received. */
  receivedMs = new Float64Array(256).fill(Number.NaN);
  fromPid = new Int32Array(256);
  /** -1 until received. */
  toPid = new Int32Array(256).fill(-1);
  /** Index into `channelIds`. */
  channel = new Int32Array(256);
  /** CHANNEL_OPS index of the sending op. */
  op = new Uint8Array(256);
  /** Index into the Session's interned sites; -1 when unknown. */
  sentSite = new Int32Array(256).fill(-1);
  recvSite = new Int32Array(256).fill(-1);
  preview: Array<string | null> = [];

  /** Absolute row indices in the order they were received (since the last drop). */
  private receipts = new Int32Array(256);
  receiptCount = 0;

  /** Waits: a process blocked from start to end in an operation. */
  waitCount = 0;
  waitPid = new Int32Array(64);
  waitStart = new Float64Array(64);
  waitEnd = new Float64Array(64);
  /** CHANNEL_OPS index, or JOIN_WAIT. */
  waitOp = new Uint8Array(64);
  /** Index into `channelIds`, -1 for a join. */
  waitChannel = new Int32Array(64);
  /** The joined child's pid, -1 otherwise. */
  waitOn = new Int32Array(64);
  waitSite = new Int32Array(64);

  readonly channelIds: string[] = [];
  private readonly channelIndex = new Map<string, number>();

  constructor(
    /** The Session's interned sites (shared, append-only), which the site columns index. */
    readonly sites: readonly SourceSite[],
    private readonly maxMessages = MAX_TIMELINE_MESSAGES,
  ) {}

  /** Rows kept: absolute indices [dropped, count). */
  get kept(): number {
    return this.count - this.dropped;
  }

  channelOf(id: string): number {
    let i = this.channelIndex.get(id);
    if (i === undefined) {
      i = this.channelIds.length;
      this.channelIds.push(id);
      this.channelIndex.set(id, i);
    }
    return i;
  }

  /** Appends a sent message; returns its absolute row index. */
  send(channel: number, op: number, pid: number, t: number, site: number, preview: string | null): number {
    if (this.kept >= this.maxMessages) this.dropOldestHalf();
    const i = this.kept;
    if (i >= this.sentMs.length) {
      const n = i + 1;
      this.sentMs = grow(this.sentMs, n, (k) => new Float64Array(k));
      this.receivedMs = grow(this.receivedMs, n, (k) => new Float64Array(k), Number.NaN);
      this.fromPid = grow(this.fromPid, n, (k) => new Int32Array(k));
      this.toPid = grow(this.toPid, n, (k) => new Int32Array(k), -1);
      this.channel = grow(this.channel, n, (k) => new Int32Array(k));
      this.op = grow(this.op, n, (k) => new Uint8Array(k));
      this.sentSite = grow(this.sentSite, n, (k) => new Int32Array(k), -1);
      this.recvSite = grow(this.recvSite, n, (k) => new Int32Array(k), -1);
    }
    this.sentMs[i] = t;
    this.fromPid[i] = pid;
    this.channel[i] = channel;
    this.op[i] = op;
    this.sentSite[i] = site;
    this.preview.push(preview);
    return this.count++;
  }

  /** The message at absolute row `row` was received (no-op if that row was dropped). */
  receive(row: number, pid: number, t: number, site: number): void {
    const i = row - this.dropped;
    if (i < 0 || i >= this.kept) return;
    this.receivedMs[i] = t;
    this.toPid[i] = pid;
    this.recvSite[i] = site;
    this.receipts = grow(this.receipts, this.receiptCount + 1, (k) => new Int32Array(k));
    this.receipts[this.receiptCount++] = row;
  }

  /** Absolute rows received since a reader had seen `seen` receipts (pass the receiptCount it saw). */
  receiptsSince(seen: number): Int32Array {
    return this.receipts.subarray(Math.min(seen, this.receiptCount), this.receiptCount);
  }

  /** Storage index of an absolute row, or -1 when it was dropped or not appended yet. */
  at(row: number): number {
    const i = row - this.dropped;
    return i >= 0 && i < this.kept ? i : -1;
  }

  wait(pid: number, startMs: number, endMs: number, op: number, channel: number, on: number, site: number): void {
    if (endMs - startMs < MIN_WAIT_MS) return;
    const i = this.waitCount;
    if (i >= this.waitPid.length) {
      const n = i + 1;
      this.waitPid = grow(this.waitPid, n, (k) => new Int32Array(k));
      this.waitStart = grow(this.waitStart, n, (k) => new Float64Array(k));
      this.waitEnd = grow(this.waitEnd, n, (k) => new Float64Array(k));
      this.waitOp = grow(this.waitOp, n, (k) => new Uint8Array(k));
      this.waitChannel = grow(this.waitChannel, n, (k) => new Int32Array(k));
      this.waitOn = grow(this.waitOn, n, (k) => new Int32Array(k));
      this.waitSite = grow(this.waitSite, n, (k) => new Int32Array(k));
    }
    this.waitPid[i] = pid;
    this.waitStart[i] = Math.max(0, startMs);
    this.waitEnd[i] = endMs;
    this.waitOp[i] = op;
    this.waitChannel[i] = channel;
    this.waitOn[i] = on;
    this.waitSite[i] = site;
    this.waitCount++;
  }

  /** Keeps memory bounded on endless runs: the newest half stays (the recording has every row). */
  private dropOldestHalf(): void {
    const drop = Math.floor(this.kept / 2);
    const keep = this.kept - drop;
    for (const a of [this.sentMs, this.receivedMs, this.fromPid, this.toPid, this.channel, this.op, this.sentSite, this.recvSite]) {
      a.copyWithin(0, drop, drop + keep);
    }
    this.receivedMs.fill(Number.NaN, keep);
    this.toPid.fill(-1, keep);
    this.sentSite.fill(-1, keep);
    this.recvSite.fill(-1, keep);
    this.preview = this.preview.slice(drop);
    this.dropped += drop;
    this.receiptCount = 0;
    this.epoch++;
  }
}
