/**
 * The timeline webview: one lane per process with its states over time (running, waiting in an
 * operation, zombie; its end), every message of the run as an arrow from sender to receiver when
 * few are in view and as density per lane when many, zoom (Ctrl+wheel, +/-, a range dragged on
 * the axis), pan (drag, arrows), search with next/previous, a selected message's details with its
 * sending and receiving lines, a selected lane shown in the Processes view.
 *
 * Drawn on one canvas, only what is in view, at most once per frame; what to draw is decided by
 * the pure functions of shared/timelineLayout.ts. Text is drawn with fillText or set as
 * textContent, never parsed as markup. The keyboard reaches everything the pointer does; the
 * details line (role status) says what is selected, and the list under the canvas holds the
 * messages in view as buttons.
 */
import { isHostToWebview, type LaneInfo, type TimelineUpdate, type WebviewStringKey, type WebviewToHost } from './shared/messages';
import {
  MessageTable,
  WaitTable,
  centreOn,
  clampViewport,
  laneSegments,
  messagesInView,
  pan,
  rangeViewport,
  searchMessages,
  segmentAt,
  stepMatch,
  zoomAbout,
  type MessagesInView,
  type Segment,
  type Viewport,
} from './shared/timelineLayout';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** What survives the webview being hidden (the data comes again from the host). */
interface SavedState {
  readonly scrollTop: number;
  readonly view: Viewport | null;
  readonly query: string;
}

const vscode = acquireVsCodeApi();
const LaneHeight = 24;
const LabelWidth = 170;
const AxisHeight = 22;
const HitRadius = 6;
const DensityColumnPx = 3;
/** Rows in the keyboard-accessible list of messages in view. */
const MaxListRows = 200;
/** Search marks drawn at most (beyond, the count says how many). */
const MaxMarks = 5000;

const el = <T extends HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`timeline: #${id} missing`);
  return found as T;
};
const scroller = el<HTMLDivElement>('scroller');
const spacer = el<HTMLDivElement>('spacer');
const canvas = el<HTMLCanvasElement>('canvas');
const tooltip = el<HTMLDivElement>('tooltip');
const status = el<HTMLDivElement>('status');
const slider = el<HTMLInputElement>('scrub');
const timeText = el<HTMLSpanElement>('time');
const liveButton = el<HTMLButtonElement>('live');
const scrubLabel = el<HTMLLabelElement>('scrub-label');
const searchBox = el<HTMLInputElement>('search');
const prevButton = el<HTMLButtonElement>('prev');
const nextButton = el<HTMLButtonElement>('next');
const matchText = el<HTMLSpanElement>('matches');
const zoomInButton = el<HTMLButtonElement>('zoom-in');
const zoomOutButton = el<HTMLButtonElement>('zoom-out');
const fitButton = el<HTMLButtonElement>('fit');
const rangeText = el<HTMLSpanElement>('range');
const detailsText = el<HTMLSpanElement>('details-text');
const detailsActions = el<HTMLSpanElement>('details-actions');
const hint = el<HTMLDivElement>('hint');
const eventList = el<HTMLOListElement>('events');
const eventSummary = el<HTMLElement>('events-summary');
const listDetails = el<HTMLDetailsElement>('list');
const stats = el<HTMLDivElement>('stats');
const ctx = canvas.getContext('2d');

let strings: Partial<Record<WebviewStringKey, string>> = {};

// ---- The data, as the host sent it ----
let generation = -1;
let nowMs = 0;
let scrubMs: number | null = null;
let ended = false;
let totalMessages = 0;
let lanes: readonly LaneInfo[] = [];
let laneOf = new Map<number, number>();
let channels: readonly string[] = [];
let sites: string[] = [];
const table = new MessageTable();
const waits = new WaitTable();
let segments: Segment[][] = [];
let hasData = false;

// ---- What the user did ----
const saved = vscode.getState() as SavedState | undefined;
let view: Viewport | null = saved?.view ?? null;
/** The user zoomed or panned: a live run no longer drags the view along to its newest moment. */
let followLive = view === null;
type Selection = { kind: 'message'; row: number } | { kind: 'lane'; lane: number } | null;
let selection: Selection = null;
let matches: Int32Array = new Int32Array(0);
let matchIndex = -1;
let matchesFor = '';
let inView: MessagesInView = { kind: 'arrows', rows: new Int32Array(0) };

// ---- Measurements (read by the e2e and bench through #stats) ----
const frameTimes: number[] = [];
const started = performance.now();
let loadedAt = 0;
let applyMs = 0;
let validateMs = 0;

function str(key: WebviewStringKey, ...args: Array<string | number>): string {
  const s = strings[key] ?? key;
  return args.length ? s.replace(/\{(\d+)\}/g, (w, i: string) => String(args[Number(i)] ?? w)) : s;
}

/** The run's extent on the axis: from shortly before the first process to now. */
function bounds(): { min: number; max: number } {
  const first = lanes.reduce((m, l) => Math.min(m, l.startedMs), Math.max(nowMs, table.maxMs));
  const max = Math.max(nowMs, table.maxMs, first + 1);
  return { min: Math.max(0, first - Math.max(5, (max - first) * 0.02)), max };
}

function currentView(): Viewport {
  const b = bounds();
  if (!view || followLive) return { startMs: b.min, endMs: b.max };
  return clampViewport(view, b.min, b.max);
}

function setView(v: Viewport): void {
  const b = bounds();
  view = clampViewport(v, b.min, b.max);
  followLive = view.startMs <= b.min && view.endMs >= b.max;
  saveState();
  queueDraw();
}

function saveState(): void {
  const state: SavedState = { scrollTop: scroller.scrollTop, view: followLive ? null : view, query: searchBox.value };
  vscode.setState(state);
}

function applyUpdate(u: TimelineUpdate): void {
  if (u.reset || u.generation !== generation) {
    generation = u.generation;
    table.reset(u.messages?.start ?? 0);
    waits.reset();
    sites = [];
    selection = null;
    matches = new Int32Array(0);
    matchesFor = '';
    matchIndex = -1;
    loadedAt = 0;
  }
  nowMs = u.nowMs;
  scrubMs = u.scrubMs;
  ended = u.ended;
  totalMessages = u.totalMessages;
  channels = u.channels;
  if (u.sitesStart === sites.length) sites.push(...u.sites);
  const lanesChanged = u.lanes.length !== lanes.length || u.lanes.some((l, i) => lanes[i]?.pid !== l.pid);
  lanes = u.lanes;
  if (lanesChanged) {
    laneOf = new Map();
    // With a reused pid the newest lane wins for messages, which happen late.
    lanes.forEach((l, i) => laneOf.set(l.pid, i));
    table.assignLanes(laneOf);
  }
  if (u.receipts) table.receive(u.receipts, laneOf);
  if (u.messages && !table.append(u.messages, laneOf)) {
    // A gap: ask for everything again rather than draw a wrong picture.
    vscode.postMessage({ type: 'ready' });
    return;
  }
  if (u.waits) waits.append(u.waits);
  segments = lanes.map((l) => laneSegments(l, waits.byPid.get(l.pid), nowMs));
  hasData = true;
  // The search index (lower-cased texts) is built after the frame: the first draw does not wait for it.
  if (matchesFor) searchAfterFrame();
  sizeSpacer();
  slider.max = String(Math.max(1, Math.ceil(nowMs)));
  slider.value = scrubMs === null ? slider.max : String(Math.round(scrubMs));
  updateTimeText();
  status.textContent = table.length < totalMessages ? str('loading', table.length, totalMessages) : '';
  queueDraw();
}

function sizeSpacer(): void {
  const total = hasData ? AxisHeight + lanes.length * LaneHeight + LaneHeight : 0;
  spacer.style.height = `${Math.max(0, total - scroller.clientHeight)}px`;
}

const seconds = (ms: number, decimals = 3): string => `${(ms / 1000).toFixed(decimals)} s`;

function updateTimeText(): void {
  if (!hasData) {
    timeText.textContent = '';
    return;
  }
  const ms = scrubMs ?? nowMs;
  const newest = ended ? 'end' : 'live';
  timeText.textContent = `${seconds(ms)}${scrubMs === null ? ` (${str(newest)})` : ''}`;
  liveButton.disabled = scrubMs === null;
  liveButton.textContent = str(newest);
  liveButton.title = str(ended ? 'endTitle' : 'liveTitle');
}

// ---- Drawing ----

interface Palette {
  readonly fg: string;
  readonly dim: string;
  readonly green: string;
  readonly yellow: string;
  readonly warning: string;
  readonly error: string;
  readonly blue: string;
  readonly purple: string;
  readonly grid: string;
  readonly focus: string;
  readonly match: string;
  readonly selectedBg: string;
  readonly font: string;
}

let paletteCache: Palette | undefined;
function palette(): Palette {
  if (paletteCache) return paletteCache;
  const style = getComputedStyle(document.body);
  const color = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  const fg = color('--vscode-foreground', '#888');
  paletteCache = {
    fg,
    dim: color('--vscode-disabledForeground', fg),
    green: color('--vscode-charts-green', fg),
    yellow: color('--vscode-charts-yellow', fg),
    warning: color('--vscode-list-warningForeground', fg),
    error: color('--vscode-list-errorForeground', fg),
    blue: color('--vscode-charts-blue', fg),
    purple: color('--vscode-charts-purple', fg),
    grid: color('--vscode-editorWidget-border', fg),
    focus: color('--vscode-focusBorder', fg),
    match: color('--vscode-editor-findMatchHighlightBorder', '') || color('--vscode-charts-orange', fg),
    selectedBg: color('--vscode-list-inactiveSelectionBackground', 'transparent'),
    font: `${color('--vscode-font-size', '12px')} ${style.fontFamily}`,
  };
  return paletteCache;
}
// A theme change restyles the body: colours and font are read again (not per frame: a style read per frame forces a style recalculation).
new MutationObserver(() => {
  paletteCache = undefined;
  queueDraw();
}).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });

let drawQueued = false;
function queueDraw(): void {
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(() => {
    drawQueued = false;
    // A finished run arrives in a few posts: draw once it is all here, not once per post.
    if (hasData && table.length < totalMessages && loading()) return;
    loadingSince = 0;
    const t0 = performance.now();
    draw();
    const took = performance.now() - t0;
    frameTimes.push(took);
    if (frameTimes.length > 240) frameTimes.splice(0, frameTimes.length - 240);
    if (hasData && !loadedAt && table.length >= totalMessages) loadedAt = performance.now();
    stats.dataset.frames = frameTimes.map((f) => f.toFixed(2)).join(' ');
    stats.dataset.loaded = loadedAt ? (loadedAt - started).toFixed(1) : '';
    stats.dataset.rows = String(table.length);
    stats.dataset.lod = inView.kind;
  });
}

/** Still receiving a backlog (for at most 2 s: a live run's next post may be slow to come). */
let loadingSince = 0;
function loading(): boolean {
  if (!loadingSince) loadingSince = performance.now();
  if (performance.now() - loadingSince < 2000) return true;
  loadingSince = 0;
  return false;
}

/** Geometry of the frame being drawn, kept for hit tests between frames. */
let geo = { width: 0, height: 0, plotWidth: 1, first: 0, last: -1, top: 0, v: { startMs: 0, endMs: 1 } as Viewport };
const xOf = (ms: number): number => LabelWidth + ((ms - geo.v.startMs) / (geo.v.endMs - geo.v.startMs)) * geo.plotWidth;
const msOf = (x: number): number => geo.v.startMs + ((x - LabelWidth) / geo.plotWidth) * (geo.v.endMs - geo.v.startMs);
const yOf = (lane: number): number => AxisHeight + lane * LaneHeight + LaneHeight / 2 - geo.top;
const clampX = (x: number): number => Math.max(LabelWidth - 2, Math.min(geo.width + 2, x));

function draw(): void {
  if (!ctx) return;
  const width = scroller.clientWidth;
  const height = scroller.clientHeight;
  const ratio = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  }
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const p = palette();
  ctx.font = p.font;
  ctx.textBaseline = 'middle';
  if (!hasData || lanes.length === 0) {
    ctx.fillStyle = p.fg;
    ctx.fillText(str('empty'), 12, 24);
    return;
  }
  const v = currentView();
  const top = scroller.scrollTop;
  const plotWidth = Math.max(40, width - LabelWidth - 12);
  const first = Math.max(0, Math.floor((top - AxisHeight) / LaneHeight) - 1);
  const last = Math.min(lanes.length - 1, Math.ceil((top + height) / LaneHeight) + 1);
  geo = { width: LabelWidth + plotWidth, height, plotWidth, first, last, top, v };
  rangeText.textContent = `${seconds(v.startMs)} – ${seconds(v.endMs)}`;

  // Selected lane's band, under everything.
  if (selection?.kind === 'lane' && selection.lane >= first && selection.lane <= last) {
    ctx.fillStyle = p.selectedBg;
    ctx.fillRect(0, yOf(selection.lane) - LaneHeight / 2, width, LaneHeight);
  }

  drawAxis(ctx, p, v, plotWidth, height);
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, AxisHeight, width, height - AxisHeight);
  ctx.clip();

  for (let i = first; i <= last; i++) drawLane(ctx, p, i);

  inView = messagesInView(table, v, lanes.length, Math.ceil(plotWidth / DensityColumnPx));
  ctx.save();
  ctx.beginPath();
  ctx.rect(LabelWidth - 2, AxisHeight, plotWidth + 4, height - AxisHeight);
  ctx.clip();
  if (inView.kind === 'arrows') {
    ctx.strokeStyle = p.purple;
    ctx.fillStyle = p.purple;
    ctx.lineWidth = 1;
    for (const i of inView.rows) drawArrow(ctx, i);
  } else {
    drawDensity(ctx, p, inView);
  }
  drawMatches(ctx, p, v);
  if (selection?.kind === 'message') {
    ctx.strokeStyle = p.focus;
    ctx.fillStyle = p.focus;
    ctx.lineWidth = 3;
    drawArrow(ctx, selection.row);
  }
  if (scrubMs !== null) {
    ctx.strokeStyle = p.focus;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(xOf(scrubMs), AxisHeight);
    ctx.lineTo(xOf(scrubMs), height);
    ctx.stroke();
  }
  if (drag?.kind === 'range') {
    const a = Math.max(LabelWidth, Math.min(drag.x0, drag.x1));
    const b = Math.min(LabelWidth + plotWidth, Math.max(drag.x0, drag.x1));
    ctx.globalAlpha = 0.2;
    ctx.fillStyle = p.focus;
    ctx.fillRect(a, AxisHeight, b - a, height - AxisHeight);
    ctx.globalAlpha = 1;
  }
  ctx.restore();
  ctx.restore();
  renderList();
}

function drawAxis(c: CanvasRenderingContext2D, p: Palette, v: Viewport, plotWidth: number, height: number): void {
  const span = v.endMs - v.startMs;
  const step = niceStep(span / Math.max(1, Math.floor(plotWidth / 110)));
  const decimals = Math.max(0, Math.min(6, Math.ceil(-Math.log10(step / 1000) - 1e-9)));
  c.strokeStyle = p.grid;
  c.fillStyle = p.dim;
  c.lineWidth = 1;
  c.textAlign = 'center';
  for (let ms = Math.ceil(v.startMs / step) * step; ms <= v.endMs + step * 1e-9; ms += step) {
    const tx = xOf(ms);
    c.globalAlpha = 0.25;
    c.beginPath();
    c.moveTo(tx, AxisHeight);
    c.lineTo(tx, height);
    c.stroke();
    c.globalAlpha = 1;
    if (tx + 34 < LabelWidth + plotWidth && tx - 34 > LabelWidth) c.fillText(seconds(ms, decimals), tx, AxisHeight / 2);
  }
  c.textAlign = 'left';
  c.globalAlpha = 0.5;
  c.beginPath();
  c.moveTo(LabelWidth, AxisHeight - 0.5);
  c.lineTo(LabelWidth + plotWidth, AxisHeight - 0.5);
  c.stroke();
  c.globalAlpha = 1;
}

function drawLane(c: CanvasRenderingContext2D, p: Palette, i: number): void {
  const lane = lanes[i]!;
  const ly = yOf(i);
  const gone = lane.state === 'exited' || lane.state === 'killed';
  c.fillStyle = gone ? p.dim : p.fg;
  c.fillText(fit(c, lane.label, LabelWidth - 8), 4, ly);
  for (const s of segments[i] ?? []) {
    if (s.toMs < geo.v.startMs || s.fromMs > geo.v.endMs) continue;
    const x1 = clampX(xOf(s.fromMs));
    const x2 = Math.max(x1 + 1, clampX(xOf(s.toMs)));
    if (s.state === 'running') {
      c.fillStyle = p.green;
      c.fillRect(x1, ly - 2, x2 - x1, 4);
    } else if (s.state === 'waiting') {
      c.fillStyle = p.yellow;
      c.globalAlpha = 0.55;
      c.fillRect(x1, ly - 7, x2 - x1, 14);
      c.globalAlpha = 1;
      c.strokeStyle = p.yellow;
      c.lineWidth = 1;
      c.strokeRect(x1 + 0.5, ly - 6.5, Math.max(0, x2 - x1 - 1), 13);
    } else {
      c.strokeStyle = p.warning;
      c.setLineDash([4, 3]);
      c.lineWidth = 2;
      c.beginPath();
      c.moveTo(x1, ly);
      c.lineTo(x2, ly);
      c.stroke();
      c.setLineDash([]);
    }
  }
  if (lane.startedMs >= geo.v.startMs && lane.startedMs <= geo.v.endMs) mark(c, xOf(lane.startedMs), ly, 'created', p.blue);
  if (lane.exitedMs !== null && lane.exitedMs >= geo.v.startMs && lane.exitedMs <= geo.v.endMs) {
    mark(c, xOf(lane.exitedMs), ly, 'exited', lane.state === 'killed' ? p.error : p.fg);
  }
  if (lane.reapedMs !== null && lane.reapedMs >= geo.v.startMs && lane.reapedMs <= geo.v.endMs) mark(c, xOf(lane.reapedMs), ly, 'reaped', p.dim);
}

/** Sender lane → receiver lane (a short stub up when not received yet). */
function arrowEnds(i: number): { x1: number; y1: number; x2: number; y2: number } | null {
  const from = table.fromLane[i]!;
  if (from < 0) return null;
  const to = table.toLane[i]!;
  const y1 = yOf(from);
  const y2 = to < 0 ? y1 - LaneHeight / 3 : yOf(to);
  const x1 = xOf(table.sentMs[i]!);
  const r = table.receivedMs[i]!;
  const x2 = Number.isNaN(r) ? x1 + 6 : xOf(r);
  return { x1, y1, x2, y2 };
}

function drawArrow(c: CanvasRenderingContext2D, i: number): void {
  const a = arrowEnds(i);
  if (!a) return;
  if (Math.max(a.y1, a.y2) < AxisHeight || Math.min(a.y1, a.y2) > geo.height) return;
  c.beginPath();
  c.moveTo(a.x1, a.y1);
  c.lineTo(a.x2, a.y2);
  c.stroke();
  const angle = Math.atan2(a.y2 - a.y1, a.x2 - a.x1);
  c.beginPath();
  c.moveTo(a.x2, a.y2);
  c.lineTo(a.x2 - 6 * Math.cos(angle - 0.4), a.y2 - 6 * Math.sin(angle - 0.4));
  c.lineTo(a.x2 - 6 * Math.cos(angle + 0.4), a.y2 - 6 * Math.sin(angle + 0.4));
  c.closePath();
  c.fill();
}

function drawDensity(c: CanvasRenderingContext2D, p: Palette, d: Extract<MessagesInView, { kind: 'density' }>): void {
  c.fillStyle = p.purple;
  const w = geo.plotWidth / d.columns;
  const logMax = Math.log(d.max + 1);
  for (let lane = geo.first; lane <= geo.last; lane++) {
    const y = yOf(lane);
    const base = lane * d.columns;
    for (let col = 0; col < d.columns; col++) {
      const n = d.counts[base + col]!;
      if (n === 0) continue;
      // Log scale: one message stays visible next to a column of a thousand.
      c.globalAlpha = 0.25 + 0.75 * (Math.log(n + 1) / logMax);
      c.fillRect(LabelWidth + col * w, y - 9, Math.max(1, w - 0.5), 18);
    }
  }
  c.globalAlpha = 1;
}

function drawMatches(c: CanvasRenderingContext2D, p: Palette, v: Viewport): void {
  if (matches.length === 0) return;
  c.strokeStyle = p.match;
  c.lineWidth = 2;
  let drawn = 0;
  for (const i of matches) {
    const s = table.sentMs[i]!;
    if (s < v.startMs || s > v.endMs) continue;
    const lane = table.fromLane[i]!;
    if (lane < geo.first || lane > geo.last) continue;
    const x = xOf(s);
    const y = yOf(lane);
    c.beginPath();
    c.moveTo(x, y - 10);
    c.lineTo(x + 5, y);
    c.lineTo(x, y + 10);
    c.lineTo(x - 5, y);
    c.closePath();
    c.stroke();
    if (++drawn >= MaxMarks) break;
  }
}

/** The smallest of 1, 2, 5 × 10^k that is at least `raw`. */
function niceStep(raw: number): number {
  const base = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-6)));
  for (const m of [1, 2, 5, 10]) if (m * base >= raw) return m * base;
  return 10 * base;
}

function fit(c: CanvasRenderingContext2D, text: string, max: number): string {
  if (c.measureText(text).width <= max) return text;
  let s = text;
  while (s.length > 1 && c.measureText(`${s}…`).width > max) s = s.slice(0, -1);
  return `${s}…`;
}

function mark(c: CanvasRenderingContext2D, mx: number, my: number, kind: 'created' | 'exited' | 'reaped', fill: string): void {
  c.fillStyle = fill;
  c.strokeStyle = fill;
  c.lineWidth = 2;
  c.beginPath();
  if (kind === 'created') {
    c.arc(mx, my, 4, 0, Math.PI * 2);
    c.fill();
  } else if (kind === 'exited') {
    c.moveTo(mx - 4, my - 4);
    c.lineTo(mx + 4, my + 4);
    c.moveTo(mx + 4, my - 4);
    c.lineTo(mx - 4, my + 4);
    c.stroke();
  } else {
    c.rect(mx - 3, my - 3, 6, 6);
    c.stroke();
  }
}

// ---- Text: details, the list in view, tooltips ----

const siteText = (k: number): string => (k >= 0 && k < sites.length ? sites[k]! : '');
const laneLabel = (pid: number): string => {
  const k = laneOf.get(pid);
  return k === undefined ? String(pid) : lanes[k]!.label;
};

function messageText(i: number): string {
  const ch = channels[table.channel[i]!] ?? '';
  const to = table.toPid[i]!;
  const r = table.receivedMs[i]!;
  const sent = `${str('sentBy', laneLabel(table.fromPid[i]!))} ${seconds(table.sentMs[i]!, 6)}${siteText(table.sentSite[i]!) ? ` ${str('at')} ${siteText(table.sentSite[i]!)}` : ''}`;
  const received = to < 0 || Number.isNaN(r)
    ? str('notReceived')
    : `${str('receivedBy', laneLabel(to))} ${seconds(r, 6)}${siteText(table.recvSite[i]!) ? ` ${str('at')} ${siteText(table.recvSite[i]!)}` : ''}`;
  return `${ch}: ${table.text[i]!} — ${sent}; ${received}`;
}

function laneText(k: number, atMs?: number): string {
  const l = lanes[k]!;
  const seg = atMs === undefined ? undefined : segmentAt(segments[k] ?? [], atMs);
  if (seg?.state === 'waiting') {
    // What it waits on, the line that waits and for how long (an open wait: so far).
    const at = siteText(seg.site);
    return `${str('lane', l.label, str('waiting', seg.text))}${at ? ` ${str('at')} ${at}` : ''} (${seconds(seg.toMs - seg.fromMs)})`;
  }
  const now = seg ? str(seg.state) : str((l.state as WebviewStringKey) in strings ? (l.state as WebviewStringKey) : 'running');
  const site = siteText(l.site);
  return `${str('lane', l.label, now)}${site ? ` ${str('at')} ${site}` : ''}`;
}

function actionButton(label: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.addEventListener('click', onClick);
  return b;
}

const reveal = (site: number): void => {
  if (site >= 0) vscode.postMessage({ type: 'reveal', generation, site });
};

function showDetails(): void {
  detailsActions.replaceChildren();
  if (!selection) {
    detailsText.textContent = '';
    return;
  }
  if (selection.kind === 'message') {
    const i = selection.row;
    detailsText.textContent = messageText(i);
    const buttons: HTMLButtonElement[] = [];
    if (table.sentSite[i]! >= 0) buttons.push(actionButton(str('goSent'), () => reveal(table.sentSite[i]!)));
    if (table.recvSite[i]! >= 0) buttons.push(actionButton(str('goReceived'), () => reveal(table.recvSite[i]!)));
    detailsActions.replaceChildren(...buttons);
  } else {
    const k = selection.lane;
    detailsText.textContent = laneText(k, currentView().endMs);
    const pid = lanes[k]!.pid;
    detailsActions.replaceChildren(actionButton(str('showInTree'), () => vscode.postMessage({ type: 'focusProcess', generation, pid })));
  }
}

/** Selects a message: shows its details, brings it into view, reveals its sending line. */
function selectMessage(i: number, revealLine: boolean): void {
  selection = { kind: 'message', row: i };
  const v = currentView();
  const b = bounds();
  if (!followLive || table.sentMs[i]! < v.startMs || table.sentMs[i]! > v.endMs) setView(centreOn(v, table.sentMs[i]!, b.min, b.max));
  scrollToLane(table.fromLane[i]!);
  showDetails();
  if (revealLine) reveal(table.sentSite[i]! >= 0 ? table.sentSite[i]! : table.recvSite[i]!);
  queueDraw();
}

function selectLane(k: number, focusInTree: boolean): void {
  if (k < 0 || k >= lanes.length) return;
  selection = { kind: 'lane', lane: k };
  scrollToLane(k);
  showDetails();
  if (focusInTree) vscode.postMessage({ type: 'focusProcess', generation, pid: lanes[k]!.pid });
  queueDraw();
}

function scrollToLane(k: number): void {
  if (k < 0) return;
  const y = AxisHeight + k * LaneHeight;
  if (y < scroller.scrollTop + AxisHeight || y + LaneHeight > scroller.scrollTop + scroller.clientHeight) {
    scroller.scrollTop = Math.max(0, y - scroller.clientHeight / 2);
  }
}

let listKey = '';
/** The messages in view as buttons (reachable by keyboard and screen readers), only while the list is open. */
function renderList(): void {
  const rows = inView.kind === 'arrows' ? inView.rows : new Int32Array(0);
  const n = inView.kind === 'arrows' ? rows.length : inView.count;
  eventSummary.textContent = `${str('messages')} (${n})`;
  if (!listDetails.open) return;
  const shown = rows.length > MaxListRows ? rows.subarray(0, MaxListRows) : rows;
  const key = `${generation}:${shown.length}:${shown[0] ?? -1}:${shown[shown.length - 1] ?? -1}:${strings.at ?? ''}`;
  if (key === listKey) return;
  listKey = key;
  const items = [...shown].map((i) => {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'event';
    button.textContent = `${seconds(table.sentMs[i]!)}  ${table.fromPid[i]} → ${table.toPid[i]! < 0 ? '?' : table.toPid[i]}  ${channels[table.channel[i]!] ?? ''} ${table.text[i]}`;
    button.addEventListener('click', () => selectMessage(i, true));
    li.appendChild(button);
    return li;
  });
  eventList.replaceChildren(...items);
}
listDetails.addEventListener('toggle', () => {
  listKey = '';
  renderList();
});

// ---- Search ----

let searchTimer: ReturnType<typeof setTimeout> | undefined;

function runSearch(keepPosition = false): void {
  const q = searchBox.value;
  const before = matchIndex >= 0 ? matches[matchIndex] : undefined;
  matches = searchMessages(table, q, { lanes, channels });
  matchesFor = q.trim();
  matchIndex = keepPosition && before !== undefined ? matches.indexOf(before) : -1;
  updateMatchText();
  queueDraw();
}

let searchQueued = false;
function searchAfterFrame(): void {
  if (searchQueued) return;
  searchQueued = true;
  requestAnimationFrame(() =>
    setTimeout(() => {
      searchQueued = false;
      if (matchesFor) runSearch(true);
    }, 0),
  );
}

function updateMatchText(): void {
  if (!matchesFor) matchText.textContent = '';
  else if (matches.length === 0) matchText.textContent = str('noMatch');
  else matchText.textContent = str('matches', matchIndex + 1, matches.length);
}

function step(dir: 1 | -1): void {
  if (searchTimer) clearTimeout(searchTimer);
  if (searchBox.value.trim() !== matchesFor) runSearch();
  matchIndex = stepMatch(matches, matchIndex, dir);
  updateMatchText();
  if (matchIndex >= 0) selectMessage(matches[matchIndex]!, true);
}

searchBox.addEventListener('input', () => {
  if (searchTimer) clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    // Enter may have searched already: stepping keeps its place then.
    if (searchBox.value.trim() !== matchesFor) runSearch();
    saveState();
  }, 150);
});
searchBox.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    e.preventDefault();
    step(e.shiftKey ? -1 : 1);
  } else if (e.key === 'Escape') {
    searchBox.value = '';
    runSearch();
  }
});
prevButton.addEventListener('click', () => step(-1));
nextButton.addEventListener('click', () => step(1));

// ---- Zoom, pan, select: pointer ----

function zoom(factor: number, atMs?: number): void {
  const v = currentView();
  const b = bounds();
  followLive = false;
  setView(zoomAbout(v, factor, atMs ?? (v.startMs + v.endMs) / 2, b.min, b.max));
}
function panBy(fraction: number): void {
  const v = currentView();
  const b = bounds();
  followLive = false;
  setView(pan(v, (v.endMs - v.startMs) * fraction, b.min, b.max));
}
zoomInButton.addEventListener('click', () => zoom(0.5));
zoomOutButton.addEventListener('click', () => zoom(2));
fitButton.addEventListener('click', () => {
  followLive = true;
  view = null;
  saveState();
  queueDraw();
});

function pointer(e: MouseEvent): { x: number; y: number } {
  const r = canvas.getBoundingClientRect();
  return { x: e.clientX - r.left, y: e.clientY - r.top };
}

scroller.addEventListener(
  'wheel',
  (e) => {
    const at = pointer(e);
    const onAxis = at.y < AxisHeight;
    if (e.ctrlKey || e.metaKey || onAxis) {
      e.preventDefault();
      if (at.x >= LabelWidth) zoom(Math.exp(Math.max(-1, Math.min(1, e.deltaY / 300))), msOf(at.x));
    } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      e.preventDefault();
      panBy((e.shiftKey ? e.deltaY : e.deltaX) / geo.plotWidth);
    }
  },
  { passive: false },
);

type Drag = { kind: 'pan'; x0: number; x1: number; view: Viewport; moved: boolean } | { kind: 'range'; x0: number; x1: number; onAxis: boolean };
let drag: Drag | undefined;

canvas.addEventListener('mousedown', (e) => {
  if (e.button !== 0 || !hasData) return;
  const at = pointer(e);
  scroller.focus({ preventScroll: true });
  if (at.x < LabelWidth) return;
  drag = at.y < AxisHeight || e.shiftKey ? { kind: 'range', x0: at.x, x1: at.x, onAxis: at.y < AxisHeight } : { kind: 'pan', x0: at.x, x1: at.x, view: currentView(), moved: false };
});
window.addEventListener('mousemove', (e) => {
  if (!drag) return;
  const at = pointer(e);
  drag.x1 = at.x;
  if (drag.kind === 'pan') {
    if (Math.abs(drag.x1 - drag.x0) > 3) drag.moved = true;
    if (drag.moved) {
      const b = bounds();
      const dms = ((drag.x0 - drag.x1) / geo.plotWidth) * (drag.view.endMs - drag.view.startMs);
      followLive = false;
      setView(pan(drag.view, dms, b.min, b.max));
    }
  } else queueDraw();
});
window.addEventListener('mouseup', (e) => {
  const d = drag;
  drag = undefined;
  if (!d) return;
  if (d.kind === 'range') {
    if (Math.abs(d.x1 - d.x0) > 3) {
      const b = bounds();
      followLive = false;
      setView(rangeViewport(msOf(d.x0), msOf(d.x1), b.min, b.max));
    } else {
      // A click on the time axis goes to that moment (as the scrubber does; a recording's debugger follows).
      const ms = msOf(d.x0);
      if (d.onAxis && ms >= 0) vscode.postMessage({ type: 'scrub', ms: ms >= nowMs ? null : ms });
      queueDraw();
    }
    return;
  }
  if (!d.moved) clickAt(pointer(e));
});

type Hit = { kind: 'message'; row: number } | { kind: 'lane'; lane: number; atMs?: number } | { kind: 'density'; lane: number; count: number };

function hitAt(x: number, y: number): Hit | undefined {
  if (!hasData || y < AxisHeight) return undefined;
  const lane = Math.floor((y + geo.top - AxisHeight) / LaneHeight);
  const laneHit = lane >= 0 && lane < lanes.length ? lane : -1;
  if (x < LabelWidth) return laneHit >= 0 ? { kind: 'lane', lane: laneHit } : undefined;
  if (inView.kind === 'arrows') {
    let best = -1;
    let bestD = HitRadius;
    for (const i of inView.rows) {
      const a = arrowEnds(i);
      if (!a) continue;
      const d = distanceToSegment(x, y, a.x1, a.y1, a.x2, a.y2);
      if (d <= bestD) {
        best = i;
        bestD = d;
      }
    }
    if (best >= 0) return { kind: 'message', row: best };
  } else if (laneHit >= 0) {
    const col = Math.floor(((x - LabelWidth) / geo.plotWidth) * inView.columns);
    const n = col >= 0 && col < inView.columns ? inView.counts[laneHit * inView.columns + col]! : 0;
    if (n > 0) return { kind: 'density', lane: laneHit, count: n };
  }
  return laneHit >= 0 ? { kind: 'lane', lane: laneHit, atMs: msOf(x) } : undefined;
}

function distanceToSegment(px: number, py: number, x1: number, y1: number, x2: number, y2: number): number {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len = dx * dx + dy * dy;
  const u = len === 0 ? 0 : Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / len));
  return Math.hypot(px - (x1 + u * dx), py - (y1 + u * dy));
}

function clickAt(at: { x: number; y: number }): void {
  const hit = hitAt(at.x, at.y);
  if (!hit) return;
  if (hit.kind === 'message') selectMessage(hit.row, true);
  else if (hit.kind === 'density') {
    // Many messages under the pointer: zoom in on them.
    zoom(0.2, msOf(at.x));
  } else selectLane(hit.lane, true);
}

canvas.addEventListener('mousemove', (e) => {
  if (drag) return;
  const at = pointer(e);
  const hit = hitAt(at.x, at.y);
  if (!hit) {
    tooltip.hidden = true;
    canvas.style.cursor = 'default';
    return;
  }
  // textContent: payloads are shown as typed, never parsed.
  tooltip.textContent = hit.kind === 'message' ? messageText(hit.row) : hit.kind === 'density' ? str('density', hit.count) : laneText(hit.lane, hit.atMs);
  tooltip.hidden = false;
  tooltip.style.left = `${Math.max(4, Math.min(e.clientX + 12, window.innerWidth - tooltip.offsetWidth - 4))}px`;
  tooltip.style.top = `${e.clientY + 14}px`;
  canvas.style.cursor = hit.kind === 'lane' && hit.atMs !== undefined ? 'grab' : 'pointer';
});
canvas.addEventListener('mouseleave', () => {
  tooltip.hidden = true;
});

// ---- Keyboard ----

/** The messages of the selected lane (sent or received), in time order, for [ and ]. */
function stepOnLane(dir: 1 | -1): void {
  const lane = selection?.kind === 'lane' ? selection.lane : selection?.kind === 'message' ? table.fromLane[selection.row]! : -1;
  const from = selection?.kind === 'message' ? table.sentMs[selection.row]! : dir === 1 ? -Infinity : Infinity;
  const fromRow = selection?.kind === 'message' ? selection.row : -1;
  let best = -1;
  for (let i = 0; i < table.length; i++) {
    if (lane >= 0 && table.fromLane[i] !== lane && table.toLane[i] !== lane) continue;
    const s = table.sentMs[i]!;
    const after = dir === 1 ? s > from || (s === from && i > fromRow) : s < from || (s === from && i < fromRow);
    if (!after) continue;
    if (best < 0 || (dir === 1 ? s < table.sentMs[best]! : s > table.sentMs[best]!)) best = i;
  }
  if (best >= 0) selectMessage(best, false);
}

scroller.addEventListener('keydown', (e) => {
  if (!hasData) return;
  const lane = selection?.kind === 'lane' ? selection.lane : selection?.kind === 'message' ? table.fromLane[selection.row]! : -1;
  let handled = true;
  switch (e.key) {
    case '+':
    case '=':
      zoom(0.5, selection?.kind === 'message' ? table.sentMs[selection.row] : undefined);
      break;
    case '-':
    case '_':
      zoom(2);
      break;
    case '0':
      fitButton.click();
      break;
    case 'ArrowLeft':
      panBy(-0.1);
      break;
    case 'ArrowRight':
      panBy(0.1);
      break;
    case 'ArrowUp':
      selectLane(Math.max(0, lane - 1), false);
      break;
    case 'ArrowDown':
      selectLane(Math.min(lanes.length - 1, lane + 1), false);
      break;
    case ']':
      stepOnLane(1);
      break;
    case '[':
      stepOnLane(-1);
      break;
    case 'Enter':
      if (selection?.kind === 'message') reveal(table.sentSite[selection.row]! >= 0 ? table.sentSite[selection.row]! : table.recvSite[selection.row]!);
      else if (selection?.kind === 'lane') vscode.postMessage({ type: 'focusProcess', generation, pid: lanes[selection.lane]!.pid });
      break;
    case 'Escape':
      selection = null;
      showDetails();
      queueDraw();
      break;
    case 'f':
    case '/':
      searchBox.focus();
      break;
    default:
      handled = false;
  }
  if (handled) e.preventDefault();
});

scroller.addEventListener('scroll', () => {
  queueDraw();
  saveState();
});
window.addEventListener('resize', () => {
  sizeSpacer();
  queueDraw();
});

let scrubQueued = false;
slider.addEventListener('input', () => {
  if (scrubQueued) return;
  scrubQueued = true;
  requestAnimationFrame(() => {
    scrubQueued = false;
    const ms = Number(slider.value);
    vscode.postMessage({ type: 'scrub', ms: ms >= Math.floor(nowMs) ? null : ms });
  });
});
liveButton.addEventListener('click', () => vscode.postMessage({ type: 'scrub', ms: null }));

function applyStrings(): void {
  liveButton.textContent = str('live');
  liveButton.title = str('liveTitle');
  scrubLabel.textContent = str('scrubLabel');
  searchBox.placeholder = str('search');
  searchBox.setAttribute('aria-label', str('search'));
  for (const [b, key] of [[prevButton, 'previous'], [nextButton, 'next'], [zoomInButton, 'zoomIn'], [zoomOutButton, 'zoomOut'], [fitButton, 'fitTitle']] as const) {
    b.title = str(key);
    b.setAttribute('aria-label', str(key));
  }
  fitButton.textContent = str('fit');
  hint.textContent = str('hint');
  scroller.setAttribute('aria-label', str('hint'));
  listKey = '';
  updateTimeText();
  updateMatchText();
  showDetails();
  queueDraw();
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data;
  const v0 = performance.now();
  if (!isHostToWebview(message)) return; // anything else is not ours
  validateMs += performance.now() - v0;
  stats.dataset.validate = validateMs.toFixed(1);
  switch (message.type) {
    case 'strings':
      strings = message.strings;
      applyStrings();
      break;
    case 'update': {
      const t0 = performance.now();
      applyUpdate(message.update);
      applyMs += performance.now() - t0;
      stats.dataset.apply = applyMs.toFixed(1);
      break;
    }
    case 'clear':
      hasData = false;
      lanes = [];
      segments = [];
      table.reset(0);
      waits.reset();
      selection = null;
      spacer.style.height = '0px';
      eventList.replaceChildren();
      status.textContent = '';
      showDetails();
      updateTimeText();
      queueDraw();
      break;
  }
});

if (saved) {
  searchBox.value = saved.query;
  scroller.scrollTop = saved.scrollTop;
}
vscode.postMessage({ type: 'ready' });
queueDraw();
