/**
 * What the timeline draws, decided without a DOM: every message of the run kept as columns
 * (appended in chunks as the host sends them), lanes with their states over time, the viewport
 * (the time range shown, zoomed about a point, panned), the messages in view as single arrows
 * when few enough and as density bins per lane when too many, and search. The webview
 * (src/webview/timeline.ts) only paints what these functions return; unit tests run them in Node.
 *
 * Cost at 500 lanes and 100,000 messages (bench/timeline-layout.mjs): one pass over typed
 * columns per frame, no allocation per message.
 * No `vscode` and no DOM import.
 */
import type { LaneInfo, MessageChunk, ReceiptChunk, WaitChunk } from './messages';

function grow<A extends Float64Array | Int32Array>(a: A, need: number, make: (n: number) => A, fill?: number): A {
  if (need <= a.length) return a;
  const b = make(Math.max(need, a.length * 2));
  b.set(a);
  if (fill !== undefined) b.fill(fill, a.length);
  return b;
}

/** Every message the webview knows, by absolute row (the host's TimelineLog rows). */
export class MessageTable {
  /** Absolute row of storage index 0 (rows the host dropped are gone here too). */
  base = 0;
  length = 0;
  sentMs = new Float64Array(1024);
  /** NaN until received. */
  receivedMs = new Float64Array(1024).fill(Number.NaN);
  fromPid = new Int32Array(1024);
  /** -1 until received. */
  toPid = new Int32Array(1024).fill(-1);
  channel = new Int32Array(1024);
  sentSite = new Int32Array(1024).fill(-1);
  recvSite = new Int32Array(1024).fill(-1);
  /** "put 'hello'" (op and payload preview), shown as text, never as markup. */
  text: string[] = [];
  /** `text` lower-cased, filled by the first search that needs it. */
  lower: string[] = [];
  /** Lane index of sender and receiver (-1: no lane), refreshed by `assignLanes`. */
  fromLane = new Int32Array(1024).fill(-1);
  toLane = new Int32Array(1024).fill(-1);
  /** Latest sending or receiving time seen (the run's extent). */
  maxMs = 0;
  /** Whether rows are in sending order (the host appends nearly in order; search sorts if not). */
  sorted = true;

  reset(base: number): void {
    this.base = base;
    this.length = 0;
    this.text = [];
    this.lower = [];
    this.maxMs = 0;
    this.sorted = true;
    this.receivedMs.fill(Number.NaN);
    this.toPid.fill(-1);
  }

  private ensure(n: number): void {
    if (n <= this.sentMs.length) return;
    this.sentMs = grow(this.sentMs, n, (k) => new Float64Array(k));
    this.receivedMs = grow(this.receivedMs, n, (k) => new Float64Array(k), Number.NaN);
    this.fromPid = grow(this.fromPid, n, (k) => new Int32Array(k));
    this.toPid = grow(this.toPid, n, (k) => new Int32Array(k), -1);
    this.channel = grow(this.channel, n, (k) => new Int32Array(k));
    this.sentSite = grow(this.sentSite, n, (k) => new Int32Array(k), -1);
    this.recvSite = grow(this.recvSite, n, (k) => new Int32Array(k), -1);
    this.fromLane = grow(this.fromLane, n, (k) => new Int32Array(k), -1);
    this.toLane = grow(this.toLane, n, (k) => new Int32Array(k), -1);
  }

  /** Appends the chunk's rows; returns false when they do not follow the rows held (start again). */
  append(c: MessageChunk, laneOf?: ReadonlyMap<number, number>): boolean {
    if (c.start !== this.base + this.length) return false;
    const n = c.textEnd.length;
    const at = this.length;
    this.ensure(at + n);
    this.sentMs.set(c.sentMs, at);
    this.receivedMs.set(c.receivedMs, at);
    this.fromPid.set(c.fromPid, at);
    this.toPid.set(c.toPid, at);
    this.channel.set(c.channel, at);
    this.sentSite.set(c.sentSite, at);
    this.recvSite.set(c.recvSite, at);
    let prev = at > 0 ? this.sentMs[at - 1]! : -Infinity;
    let textAt = 0;
    let max = this.maxMs;
    for (let k = 0; k < n; k++) {
      const i = at + k;
      const s = c.sentMs[k]!;
      if (s < prev) this.sorted = false;
      prev = s;
      const r = c.receivedMs[k]!;
      if (s > max) max = s;
      if (r > max) max = r;
      const textEnd = c.textEnd[k]!;
      this.text.push(c.text.slice(textAt, textEnd));
      textAt = textEnd;
      this.fromLane[i] = laneOf?.get(c.fromPid[k]!) ?? -1;
      const to = c.toPid[k]!;
      this.toLane[i] = to < 0 ? -1 : (laneOf?.get(to) ?? -1);
    }
    this.maxMs = max;
    this.length += n;
    return true;
  }

  /** Messages received since the host's last chunk (rows already held). */
  receive(c: ReceiptChunk, laneOf?: ReadonlyMap<number, number>): void {
    for (let k = 0; k < c.rows.length; k++) {
      const i = c.rows[k]! - this.base;
      if (i < 0 || i >= this.length) continue;
      this.receivedMs[i] = c.receivedMs[k]!;
      this.toPid[i] = c.toPid[k]!;
      this.recvSite[i] = c.recvSite[k]!;
      this.toLane[i] = laneOf?.get(c.toPid[k]!) ?? -1;
      this.maxMs = Math.max(this.maxMs, c.receivedMs[k]!);
    }
  }

  /** Recomputes every row's lanes (after lanes were added or reordered). */
  assignLanes(laneOf: ReadonlyMap<number, number>): void {
    for (let i = 0; i < this.length; i++) {
      this.fromLane[i] = laneOf.get(this.fromPid[i]!) ?? -1;
      const to = this.toPid[i]!;
      this.toLane[i] = to < 0 ? -1 : (laneOf.get(to) ?? -1);
    }
  }
}

/** Completed waits (a process blocked from start to end), kept per process. */
export class WaitTable {
  readonly byPid = new Map<number, Array<{ startMs: number; endMs: number; text: string; site: number }>>();
  count = 0;

  reset(): void {
    this.byPid.clear();
    this.count = 0;
  }

  append(c: WaitChunk): boolean {
    if (c.start !== this.count) return false;
    for (let k = 0; k < c.pid.length; k++) {
      const pid = c.pid[k]!;
      let list = this.byPid.get(pid);
      if (!list) this.byPid.set(pid, (list = []));
      list.push({ startMs: c.startMs[k]!, endMs: c.endMs[k]!, text: c.text[k] ?? '', site: c.site[k]! });
    }
    this.count += c.pid.length;
    return true;
  }
}

/** A lane's state over an interval. */
export type LaneState = 'running' | 'waiting' | 'zombie';
export interface Segment {
  readonly fromMs: number;
  readonly toMs: number;
  readonly state: LaneState;
  /** For 'waiting': what it waited in, on what ("Queue get", "join 4312"). */
  readonly text: string;
  readonly site: number;
}

/**
 * A process's states over time: running from its start, waiting while blocked (its completed
 * waits, then the one still open), zombie from its death until reaped; the lane ends at its
 * reaping (or its death when nobody reaps it, or now). Segments are in time order and do not overlap.
 */
export function laneSegments(lane: LaneInfo, waits: readonly { startMs: number; endMs: number; text: string; site: number }[] | undefined, nowMs: number): Segment[] {
  const alive = lane.zombieSinceMs ?? lane.exitedMs ?? nowMs;
  const out: Segment[] = [];
  let t = lane.startedMs;
  const all = [...(waits ?? [])];
  if (lane.wait) all.push({ startMs: lane.wait.sinceMs, endMs: alive, text: lane.wait.text, site: lane.wait.site });
  all.sort((a, b) => a.startMs - b.startMs);
  for (const w of all) {
    const from = Math.max(t, w.startMs);
    const to = Math.min(alive, w.endMs);
    if (to <= from) continue;
    if (from > t) out.push({ fromMs: t, toMs: from, state: 'running', text: '', site: -1 });
    out.push({ fromMs: from, toMs: to, state: 'waiting', text: w.text, site: w.site });
    t = to;
  }
  if (alive > t || out.length === 0) out.push({ fromMs: t, toMs: Math.max(t, alive), state: 'running', text: '', site: -1 });
  if (lane.zombieSinceMs !== null) {
    const end = lane.reapedMs ?? nowMs;
    if (end > lane.zombieSinceMs) out.push({ fromMs: lane.zombieSinceMs, toMs: end, state: 'zombie', text: '', site: -1 });
  }
  return out;
}

/** The segment covering `ms`, if any (binary search: segments are in time order). */
export function segmentAt(segments: readonly Segment[], ms: number): Segment | undefined {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = segments[mid]!;
    if (ms < s.fromMs) hi = mid - 1;
    else if (ms > s.toMs) lo = mid + 1;
    else return s;
  }
  return undefined;
}

// ---- Viewport ----

/** The time range shown, in ms since the run started. */
export interface Viewport {
  readonly startMs: number;
  readonly endMs: number;
}

/** The narrowest range shown: one microsecond. */
export const MinSpanMs = 0.001;

/** Keeps a viewport inside [minMs, maxMs] (the run) and at least MinSpanMs wide, keeping its span when it can. */
export function clampViewport(v: Viewport, minMs: number, maxMs: number): Viewport {
  const full = Math.max(MinSpanMs, maxMs - minMs);
  let span = Math.min(full, Math.max(MinSpanMs, v.endMs - v.startMs));
  if (!Number.isFinite(span)) span = full;
  let start = Number.isFinite(v.startMs) ? v.startMs : minMs;
  if (start < minMs) start = minMs;
  if (start + span > minMs + full) start = minMs + full - span;
  return { startMs: start, endMs: start + span };
}

/** Zooms by `factor` (< 1: in) keeping the moment `atMs` where it is on screen. */
export function zoomAbout(v: Viewport, factor: number, atMs: number, minMs: number, maxMs: number): Viewport {
  const span = v.endMs - v.startMs;
  const next = Math.max(MinSpanMs, span * factor);
  const at = Math.min(v.endMs, Math.max(v.startMs, atMs));
  const left = span > 0 ? (at - v.startMs) / span : 0.5;
  return clampViewport({ startMs: at - left * next, endMs: at - left * next + next }, minMs, maxMs);
}

/** Moves the range by `deltaMs` (positive: later). */
export function pan(v: Viewport, deltaMs: number, minMs: number, maxMs: number): Viewport {
  return clampViewport({ startMs: v.startMs + deltaMs, endMs: v.endMs + deltaMs }, minMs, maxMs);
}

/** The range between two moments (a drag on the axis), whichever order. */
export function rangeViewport(aMs: number, bMs: number, minMs: number, maxMs: number): Viewport {
  const start = Math.min(aMs, bMs);
  const end = Math.max(aMs, bMs);
  const mid = (start + end) / 2;
  const span = Math.max(MinSpanMs, end - start);
  return clampViewport({ startMs: mid - span / 2, endMs: mid + span / 2 }, minMs, maxMs);
}

// ---- Level of detail ----

export interface ArrowsInView {
  readonly kind: 'arrows';
  /** Storage indices of the messages in view, in table order. */
  readonly rows: Int32Array;
}
export interface DensityInView {
  readonly kind: 'density';
  /** Messages in view. */
  readonly count: number;
  readonly columns: number;
  /**
   * counts[lane * columns + column]: messages sent on that lane in that column's time, received
   * on it then, or on their way to it then (sent before the column, received after it: a Queue's
   * backlog), each message once per column and lane (valid until the next call).
   */
  readonly counts: Uint32Array;
  readonly max: number;
}
export type MessagesInView = ArrowsInView | DensityInView;

/** Arrows are drawn one by one up to this many in view; more become density. */
export const MaxArrowsInView = 2000;

let scratch = new Int32Array(4096);
/** Reused between frames: a fresh 200,000-cell array per frame made the garbage collector pause zooming. */
let countsScratch = new Uint32Array(0);
/** Per lane, +1 where messages start being in flight and -1 where they stop (columns + 1 per lane). */
let flightScratch = new Int32Array(0);

/**
 * The messages whose arrow (sent → received, or just sent) overlaps the viewport: their rows when
 * at most `maxArrows`, else per-lane counts in `columns` time columns: a send on the sender's lane,
 * a receipt on the receiver's, and the columns in between (the message on its way) on the
 * receiver's too, so that a second inside a long backlog, where messages were sent before it and
 * are received after it, is as full as it is. The columns in flight are added as a difference
 * array (+1, -1 per message, one prefix sum per lane): one pass, however long the backlog.
 */
export function messagesInView(
  table: MessageTable,
  v: Viewport,
  laneCount: number,
  columns: number,
  maxArrows = MaxArrowsInView,
): MessagesInView {
  const { startMs, endMs } = v;
  const n = table.length;
  const sent = table.sentMs;
  const recv = table.receivedMs;
  if (scratch.length < Math.min(n, maxArrows + 1)) scratch = new Int32Array(Math.max(scratch.length * 2, maxArrows + 1));
  let count = 0;
  let i = 0;
  for (; i < n; i++) {
    const s = sent[i]!;
    const r = recv[i]!;
    const last = r > s ? r : s; // NaN compares false: unreceived messages end where sent
    if (last < startMs || s > endMs) continue;
    if (count === maxArrows) break;
    scratch[count++] = i;
  }
  if (i === n) return { kind: 'arrows', rows: scratch.slice(0, count) };

  const cols = Math.max(1, columns | 0);
  const cells = Math.max(1, laneCount) * cols;
  if (countsScratch.length < cells) countsScratch = new Uint32Array(Math.max(cells, countsScratch.length * 2));
  const counts = countsScratch.subarray(0, cells);
  counts.fill(0);
  const stride = cols + 1;
  const lanesN = Math.max(1, laneCount);
  if (flightScratch.length < lanesN * stride) flightScratch = new Int32Array(Math.max(lanesN * stride, flightScratch.length * 2));
  const flight = flightScratch.subarray(0, lanesN * stride);
  flight.fill(0);
  let inFlight = false;
  const scale = cols / (endMs - startMs);
  const fromLane = table.fromLane;
  const toLane = table.toLane;
  let total = 0;
  for (i = 0; i < n; i++) {
    const s = sent[i]!;
    const r = recv[i]!;
    const last = r > s ? r : s;
    if (last < startMs || s > endMs) continue;
    total++;
    // Column of the send (-1: before the view) and of the receipt (cols: after the view).
    const sc = s >= startMs ? Math.min(cols - 1, ((s - startMs) * scale) | 0) : -1;
    const fl = fromLane[i]!;
    if (sc >= 0 && fl >= 0 && fl < laneCount) counts[fl * cols + sc]!++;
    const tl = toLane[i]!;
    if (!(r >= s) || tl < 0 || tl >= laneCount) continue; // not received (NaN): no receipt, nothing in flight
    const rc = r <= endMs ? Math.min(cols - 1, ((r - startMs) * scale) | 0) : cols;
    if (rc < cols) counts[tl * cols + rc]!++;
    // On its way in the columns strictly between the send's and the receipt's.
    if (rc > sc + 1) {
      flight[tl * stride + sc + 1]!++;
      flight[tl * stride + rc]!--;
      inFlight = true;
    }
  }
  if (inFlight) {
    for (let l = 0; l < laneCount; l++) {
      let run = 0;
      const fb = l * stride;
      const cb = l * cols;
      for (let col = 0; col < cols; col++) {
        run += flight[fb + col]!;
        if (run) counts[cb + col]! += run;
      }
    }
  }
  let max = 0;
  for (let k = 0; k < cells; k++) if (counts[k]! > max) max = counts[k]!;
  return { kind: 'density', count: total, columns: cols, counts, max };
}

// ---- Search ----

/** What search looks in besides the messages' own text: lanes' labels and channels' labels. */
export interface SearchContext {
  readonly lanes: readonly LaneInfo[];
  /** Channel label by channel index ("Queue results"). */
  readonly channels: readonly string[];
}

/**
 * Messages matching `query` (case-insensitive) in time order (storage indices): by payload text,
 * by channel label, by the sending or receiving process's label (which holds its pid and name),
 * or, for a number, by pid. An empty query matches nothing.
 */
export function searchMessages(table: MessageTable, query: string, ctx: SearchContext): Int32Array {
  const q = query.trim().toLowerCase();
  if (!q) return new Int32Array(0);
  const pids = new Set<number>();
  const asPid = /^\d+$/.test(q) ? Number(q) : -1;
  if (asPid >= 0) pids.add(asPid);
  else for (const l of ctx.lanes) if (l.label.toLowerCase().includes(q)) pids.add(l.pid);
  const channelHit = new Uint8Array(ctx.channels.length);
  ctx.channels.forEach((label, k) => {
    if (label.toLowerCase().includes(q)) channelHit[k] = 1;
  });
  const out: number[] = [];
  const n = table.length;
  const lower = table.lower;
  for (let i = lower.length; i < n; i++) lower.push(table.text[i]!.toLowerCase());
  for (let i = 0; i < n; i++) {
    if (
      channelHit[table.channel[i]!] === 1 ||
      (pids.size > 0 && (pids.has(table.fromPid[i]!) || pids.has(table.toPid[i]!))) ||
      lower[i]!.includes(q)
    ) {
      out.push(i);
    }
  }
  const rows = Int32Array.from(out);
  if (!table.sorted) rows.sort((a, b) => table.sentMs[a]! - table.sentMs[b]! || a - b);
  return rows;
}

/** The match to go to from `current` (an index into `matches`, -1 for none) stepping `dir`, wrapping. */
export function stepMatch(matches: ArrayLike<number>, current: number, dir: 1 | -1): number {
  if (matches.length === 0) return -1;
  if (current < 0) return dir === 1 ? 0 : matches.length - 1;
  return (current + dir + matches.length) % matches.length;
}

/** A viewport centred on `ms` keeping the current span (to show a selected message). */
export function centreOn(v: Viewport, ms: number, minMs: number, maxMs: number): Viewport {
  const span = v.endMs - v.startMs;
  if (ms >= v.startMs + span * 0.05 && ms <= v.endMs - span * 0.05) return v;
  return clampViewport({ startMs: ms - span / 2, endMs: ms + span / 2 }, minMs, maxMs);
}
