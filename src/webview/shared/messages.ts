/**
 * Messages between the extension host (src/extension/views/timelinePanel.ts) and the timeline webview
 * (src/webview/timeline.ts), declared once. One discriminant (`type`); each side validates what it
 * receives with the guards below, since a webview is a separate, untrusted-by-default world.
 * No `vscode` and no DOM import: both sides load it.
 */

/** One process lane. Times are ms since the run started; `site` indexes TimelineData.sites. */
export interface Lane {
  readonly pid: number;
  readonly label: string; // "4313 Process-1"
  readonly state: string; // ProcessState
  readonly startedMs: number;
  readonly exitedMs: number | null;
  readonly reapedMs: number | null;
  readonly zombieSinceMs: number | null;
  readonly site: number; // -1 when unknown
}

export interface Arrow {
  readonly from: number; // pid
  readonly to: number | null;
  readonly sentMs: number;
  readonly receivedMs: number | null;
  readonly text: string; // "Queue put 'hello'": shown as text, never as markup
  readonly site: number;
}

export interface Wait {
  readonly pid: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly text: string;
  readonly site: number;
}

export interface TimelineData {
  /** Increases with every post, so a reveal request names the data it was made against. */
  readonly generation: number;
  readonly nowMs: number;
  /** The moment the views show, or null when live. */
  readonly scrubMs: number | null;
  /** The run is over (or this is a recording): the newest moment is its end, not "live". */
  readonly ended: boolean;
  readonly lanes: readonly Lane[];
  readonly arrows: readonly Arrow[];
  readonly waits: readonly Wait[];
  /** "producer.py:14" per site index. */
  readonly sites: readonly string[];
  /** Arrows left out to stay responsive (the oldest ones). */
  readonly omittedArrows: number;
}

export type HostToWebview =
  | { readonly type: 'strings'; readonly strings: Readonly<Record<string, string>> }
  | { readonly type: 'data'; readonly data: TimelineData }
  | { readonly type: 'clear' };

export type WebviewToHost =
  | { readonly type: 'ready' }
  | { readonly type: 'reveal'; readonly generation: number; readonly site: number }
  | { readonly type: 'scrub'; readonly ms: number | null };

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
    default:
      return false;
  }
}

const isNullableTime = (v: unknown): boolean => v === null || isTime(v);

function isLane(v: unknown): v is Lane {
  return (
    isObject(v) && isInt(v.pid) && typeof v.label === 'string' && typeof v.state === 'string' && isTime(v.startedMs) &&
    isNullableTime(v.exitedMs) && isNullableTime(v.reapedMs) && isNullableTime(v.zombieSinceMs) && isInt(v.site)
  );
}
function isArrow(v: unknown): v is Arrow {
  return (
    isObject(v) && isInt(v.from) && (v.to === null || isInt(v.to)) && isTime(v.sentMs) && isNullableTime(v.receivedMs) &&
    typeof v.text === 'string' && isInt(v.site)
  );
}
function isWait(v: unknown): v is Wait {
  return isObject(v) && isInt(v.pid) && isTime(v.startMs) && isTime(v.endMs) && typeof v.text === 'string' && isInt(v.site);
}

export function isHostToWebview(v: unknown): v is HostToWebview {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'clear':
      return true;
    case 'strings':
      return isObject(v.strings) && Object.values(v.strings).every((s) => typeof s === 'string');
    case 'data': {
      const d = v.data;
      return (
        isObject(d) && isInt(d.generation) && isTime(d.nowMs) && isNullableTime(d.scrubMs) && typeof d.ended === 'boolean' && isInt(d.omittedArrows) &&
        Array.isArray(d.lanes) && d.lanes.every(isLane) && Array.isArray(d.arrows) && d.arrows.every(isArrow) &&
        Array.isArray(d.waits) && d.waits.every(isWait) && Array.isArray(d.sites) && d.sites.every((s) => typeof s === 'string')
      );
    }
    default:
      return false;
  }
}

/** Strings the webview shows; the host sends them localized. */
export const WebviewStringKeys = ['live', 'liveTitle', 'end', 'endTitle', 'scrubLabel', 'empty', 'omitted', 'zombie', 'waited', 'at', 'messages'] as const;
export type WebviewStringKey = (typeof WebviewStringKeys)[number];
