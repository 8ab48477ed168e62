/**
 * Messages between the extension host (src/extension/views/timelinePanel.ts) and the timeline webview
 * (src/webview/timeline.ts), declared once. One discriminant (`type`); each side validates what it
 * receives with the guards below, since a webview is a separate, untrusted-by-default world.
 * No `vscode` and no DOM import: both sides load it.
 */

/** A process's open wait (what it is blocked in now). `site` indexes the sites sent so far. */
export interface LaneWait {
  readonly sinceMs: number;
  readonly text: string; // "Queue get", "join 4312"
  readonly site: number;
}

/** One process lane. Times are ms since the run started; `site` indexes the sites sent so far (-1: unknown). */
export interface LaneInfo {
  readonly pid: number;
  readonly label: string; // "4313 Process-1"
  readonly state: string; // ProcessState
  readonly startedMs: number;
  readonly exitedMs: number | null;
  readonly reapedMs: number | null;
  readonly zombieSinceMs: number | null;
  readonly site: number;
  readonly wait: LaneWait | null;
}

/**
 * Messages appended to the run's log since the previous chunk: rows [start, start + length), as
 * columns. Typed arrays: VS Code hands them to a webview as buffers (a copy, not 100,000 numbers
 * to serialize and check one by one).
 */
export interface MessageChunk {
  readonly start: number;
  readonly sentMs: Float64Array;
  readonly receivedMs: Float64Array; // NaN until received
  readonly fromPid: Int32Array;
  readonly toPid: Int32Array; // -1 until received
  readonly channel: Int32Array; // index into TimelineUpdate.channels
  readonly sentSite: Int32Array; // -1: unknown
  readonly recvSite: Int32Array;
  /**
   * Every row's text ("put 'hello'": shown as text, never as markup), one after another: row k's is
   * text.slice(textEnd[k - 1] ?? 0, textEnd[k]). One string to pass, not 100,000 to clone one by one.
   */
  readonly text: string;
  readonly textEnd: Int32Array;
}

/** Messages already sent to the webview that have been received since. */
export interface ReceiptChunk {
  readonly rows: readonly number[];
  readonly toPid: readonly number[];
  readonly receivedMs: readonly number[];
  readonly recvSite: readonly number[];
}

/** Completed waits appended since the previous chunk: waits [start, start + length). */
export interface WaitChunk {
  readonly start: number;
  readonly pid: readonly number[];
  readonly startMs: readonly number[];
  readonly endMs: readonly number[];
  readonly text: readonly string[];
  readonly site: readonly number[];
}

/**
 * What changed since the previous update. Sent incrementally: rows, receipts, waits and sites are
 * only the new ones; lanes and channel labels (a few hundred) are whole. `reset`: forget
 * everything held (another session, or the host's log dropped its oldest rows).
 */
export interface TimelineUpdate {
  /** Names the session shown: reveal and focus requests carry it back. */
  readonly generation: number;
  readonly reset: boolean;
  readonly nowMs: number;
  /** The moment the views show, or null when live. */
  readonly scrubMs: number | null;
  /** The run is over (or this is a recording): the newest moment is its end, not "live". */
  readonly ended: boolean;
  readonly lanes: readonly LaneInfo[];
  /** Label of each channel, by the index messages use ("Queue results"). */
  readonly channels: readonly string[];
  /** "producer.py:14" for sites [sitesStart, sitesStart + sites.length). */
  readonly sitesStart: number;
  readonly sites: readonly string[];
  readonly messages: MessageChunk | null;
  readonly receipts: ReceiptChunk | null;
  readonly waits: WaitChunk | null;
  /** Messages the host holds (so the webview can say how many are still coming). */
  readonly totalMessages: number;
}

export type HostToWebview =
  | { readonly type: 'strings'; readonly strings: Readonly<Record<string, string>> }
  | { readonly type: 'update'; readonly update: TimelineUpdate }
  | { readonly type: 'clear' };

export type WebviewToHost =
  | { readonly type: 'ready' }
  /** Show a source line (a site index of that generation). */
  | { readonly type: 'reveal'; readonly generation: number; readonly site: number }
  | { readonly type: 'scrub'; readonly ms: number | null }
  /** Select a process in the Processes view. */
  | { readonly type: 'focusProcess'; readonly generation: number; readonly pid: number };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

export function isWebviewToHost(v: unknown): v is WebviewToHost {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'ready':
      return true;
    case 'reveal':
      return isInt(v.generation) && isInt(v.site) && v.site >= 0;
    case 'scrub':
      return v.ms === null || isTime(v.ms);
    case 'focusProcess':
      return isInt(v.generation) && isInt(v.pid);
    default:
      return false;
  }
}

const isNullableTime = (v: unknown): boolean => v === null || isTime(v);
const isNum = (v: unknown): boolean => typeof v === 'number' && !Number.isNaN(v);
const isStr = (v: unknown): boolean => typeof v === 'string';
/** Columns of one chunk: arrays of the same length whose items pass their check. */
function columns(v: Record<string, unknown>, checks: Record<string, (x: unknown) => boolean>): boolean {
  let n = -1;
  for (const [key, check] of Object.entries(checks)) {
    const col = v[key];
    if (!Array.isArray(col) || (n >= 0 && col.length !== n)) return false;
    n = col.length;
    for (const x of col) if (!check(x)) return false;
  }
  return true;
}

function isLane(v: unknown): v is LaneInfo {
  return (
    isObject(v) && isInt(v.pid) && isStr(v.label) && isStr(v.state) && isTime(v.startedMs) &&
    isNullableTime(v.exitedMs) && isNullableTime(v.reapedMs) && isNullableTime(v.zombieSinceMs) && isInt(v.site) &&
    (v.wait === null || (isObject(v.wait) && isTime(v.wait.sinceMs) && isStr(v.wait.text) && isInt(v.wait.site)))
  );
}
function isMessageChunk(v: unknown): v is MessageChunk {
  // Cheap checks only (types and lengths): a finished run's 100,000 rows come in one post.
  if (!isObject(v) || !isInt(v.start) || typeof v.text !== 'string' || !(v.textEnd instanceof Int32Array)) return false;
  const n = v.textEnd.length;
  const typed = (x: unknown, kind: typeof Float64Array | typeof Int32Array): boolean => x instanceof kind && x.length === n;
  return (
    typed(v.sentMs, Float64Array) && typed(v.receivedMs, Float64Array) && typed(v.fromPid, Int32Array) && typed(v.toPid, Int32Array) &&
    typed(v.channel, Int32Array) && typed(v.sentSite, Int32Array) && typed(v.recvSite, Int32Array) && (n === 0 || v.textEnd[n - 1]! <= v.text.length)
  );
}
function isReceiptChunk(v: unknown): v is ReceiptChunk {
  return isObject(v) && columns(v, { rows: isInt, toPid: isInt, receivedMs: isTime, recvSite: isInt });
}
function isWaitChunk(v: unknown): v is WaitChunk {
  return isObject(v) && isInt(v.start) && columns(v, { pid: isInt, startMs: isNum, endMs: isNum, text: isStr, site: isInt });
}

export function isTimelineUpdate(d: unknown): d is TimelineUpdate {
  return (
    isObject(d) && isInt(d.generation) && typeof d.reset === 'boolean' && isTime(d.nowMs) && isNullableTime(d.scrubMs) &&
    typeof d.ended === 'boolean' && isInt(d.totalMessages) && isInt(d.sitesStart) &&
    Array.isArray(d.lanes) && d.lanes.every(isLane) && Array.isArray(d.channels) && d.channels.every(isStr) &&
    Array.isArray(d.sites) && d.sites.every(isStr) &&
    (d.messages === null || isMessageChunk(d.messages)) && (d.receipts === null || isReceiptChunk(d.receipts)) &&
    (d.waits === null || isWaitChunk(d.waits))
  );
}

export function isHostToWebview(v: unknown): v is HostToWebview {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'clear':
      return true;
    case 'strings':
      return isObject(v.strings) && Object.values(v.strings).every((s) => typeof s === 'string');
    case 'update':
      return isTimelineUpdate(v.update);
    default:
      return false;
  }
}

/** Strings the webview shows; the host sends them localized. */
export const WebviewStringKeys = [
  'live', 'liveTitle', 'end', 'endTitle', 'scrubLabel', 'empty', 'loading', 'zombie', 'waiting', 'running', 'exited', 'killed', 'at',
  'messages', 'search', 'previous', 'next', 'matches', 'noMatch', 'zoomIn', 'zoomOut', 'fit', 'fitTitle', 'hint', 'sentBy',
  'receivedBy', 'notReceived', 'goSent', 'goReceived', 'showInTree', 'lane', 'density',
] as const;
export type WebviewStringKey = (typeof WebviewStringKeys)[number];
