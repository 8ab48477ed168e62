/**
 * The timeline webview: one lane per process over time, lifecycle marks (created, exited, reaped),
 * zombie stretches, arrows from sender to receiver for messages, bars for blocking waits.
 * Clicking a mark, arrow or bar reveals its source line; the slider scrubs the whole extension to
 * a moment. Drawn on a canvas (text drawn with fillText is never parsed as markup) and redrawn
 * once per frame at most; only the lanes in view are drawn, so 500 lanes stay cheap.
 */
import {
  isHostToWebview,
  type Arrow,
  type Lane,
  type TimelineData,
  type WebviewStringKey,
  type WebviewToHost,
} from './shared/messages';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface SavedState {
  readonly scrollTop: number;
  readonly data: TimelineData | null;
}

const vscode = acquireVsCodeApi();
const LaneHeight = 24;
const LabelWidth = 170;
const AxisHeight = 20;
const HitRadius = 6;

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
const eventList = el<HTMLOListElement>('events');
const eventSummary = el<HTMLElement>('events-summary');
/** Rows in the keyboard-accessible message list under the canvas. */
const MaxListRows = 200;
const ctx = canvas.getContext('2d');

let strings: Partial<Record<WebviewStringKey, string>> = {};
let data: TimelineData | null = null;
let laneIndex = new Map<number, number>();
let drawQueued = false;

/** What can be clicked or hovered, rebuilt on each draw (only what is on screen). */
interface Hit {
  readonly x: number;
  readonly y: number;
  readonly x2?: number; // for bars: hit anywhere between x and x2
  readonly text: string;
  readonly site: number;
}
let hits: Hit[] = [];

const restored = vscode.getState() as SavedState | undefined;
if (restored && restored.data) setData(restored.data);

function str(key: WebviewStringKey): string {
  return strings[key] ?? key;
}

function setData(next: TimelineData): void {
  data = next;
  laneIndex = new Map();
  next.lanes.forEach((lane, i) => {
    // With a reused pid the newest lane wins for messages, which happen late.
    laneIndex.set(lane.pid, i);
  });
  sizeSpacer();
  slider.max = String(Math.max(1, Math.ceil(next.nowMs)));
  if (next.scrubMs === null) slider.value = slider.max;
  else slider.value = String(Math.round(next.scrubMs));
  updateTimeText();
  renderList(next);
  status.textContent = next.omittedArrows > 0 ? str('omitted').replace('{0}', String(next.omittedArrows)) : '';
  queueDraw();
}

/**
 * The newest messages as a list of buttons: reachable with the keyboard and by screen readers,
 * and built with textContent only, so a payload like `<img src=x onerror=...>` stays text.
 */
function renderList(d: TimelineData): void {
  const rows = d.arrows.slice(Math.max(0, d.arrows.length - MaxListRows)).reverse();
  const items = rows.map((a) => {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'event';
    button.textContent = `${(a.sentMs / 1000).toFixed(3)} s  ${arrowText(a)}`;
    button.disabled = a.site < 0;
    button.addEventListener('click', () => vscode.postMessage({ type: 'reveal', generation: d.generation, site: a.site }));
    li.appendChild(button);
    return li;
  });
  eventList.replaceChildren(...items);
  eventSummary.textContent = `${str('messages')} (${rows.length})`;
}

/** The canvas (sticky, one screen high) comes first; the spacer makes up the rest of the scroll height. */
function sizeSpacer(): void {
  const total = data ? AxisHeight + data.lanes.length * LaneHeight + LaneHeight : 0;
  spacer.style.height = `${Math.max(0, total - scroller.clientHeight)}px`;
}

function updateTimeText(): void {
  if (!data) {
    timeText.textContent = '';
    return;
  }
  const ms = data.scrubMs ?? data.nowMs;
  const newest = data.ended ? 'end' : 'live';
  timeText.textContent = `${(ms / 1000).toFixed(3)} s${data.scrubMs === null ? ` (${str(newest)})` : ''}`;
  liveButton.disabled = data.scrubMs === null;
  liveButton.textContent = str(newest);
  liveButton.title = str(data.ended ? 'endTitle' : 'liveTitle');
}

function saveState(): void {
  const state: SavedState = { scrollTop: scroller.scrollTop, data };
  vscode.setState(state);
}

function color(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

function queueDraw(): void {
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(() => {
    drawQueued = false;
    draw();
  });
}

function laneColor(lane: Lane, palette: Palette): string {
  switch (lane.state) {
    case 'zombie':
      return palette.warning;
    case 'killed':
      return palette.error;
    case 'exited':
      return palette.dim;
    case 'stopped':
      return palette.yellow;
    default:
      return palette.green;
  }
}

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
  readonly cursor: string;
}

function palette(): Palette {
  const fg = color('--vscode-foreground', '#888');
  return {
    fg,
    dim: color('--vscode-disabledForeground', fg),
    green: color('--vscode-charts-green', fg),
    yellow: color('--vscode-charts-yellow', fg),
    warning: color('--vscode-list-warningForeground', fg),
    error: color('--vscode-list-errorForeground', fg),
    blue: color('--vscode-charts-blue', fg),
    purple: color('--vscode-charts-purple', fg),
    grid: color('--vscode-editorWidget-border', fg),
    cursor: color('--vscode-focusBorder', fg),
  };
}

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
  hits = [];
  const p = palette();
  ctx.font = `${getComputedStyle(document.body).getPropertyValue('--vscode-font-size') || '12px'} ${getComputedStyle(document.body).fontFamily}`;
  ctx.textBaseline = 'middle';
  if (!data || data.lanes.length === 0) {
    ctx.fillStyle = p.fg;
    ctx.fillText(str('empty'), 12, 24);
    return;
  }
  const d = data;
  // The axis starts where the first process does: the interpreter's start-up before it is empty.
  const firstStart = d.lanes.reduce((min, l) => Math.min(min, l.startedMs), d.nowMs);
  const t0 = Math.max(0, firstStart - Math.max(5, (d.nowMs - firstStart) * 0.02));
  const end = Math.max(t0 + 1, d.nowMs);
  const plotWidth = Math.max(40, width - LabelWidth - 12);
  const x = (ms: number): number => LabelWidth + ((Math.min(Math.max(ms, t0), end) - t0) / (end - t0)) * plotWidth;
  const top = scroller.scrollTop;
  const first = Math.max(0, Math.floor((top - AxisHeight) / LaneHeight) - 1);
  const last = Math.min(d.lanes.length - 1, Math.ceil((top + height) / LaneHeight) + 1);
  const y = (i: number): number => AxisHeight + i * LaneHeight + LaneHeight / 2 - top;

  // Axis: a tick every 1, 2 or 5 × 10^k ms, about every 100 px, so labels never collide.
  ctx.strokeStyle = p.grid;
  ctx.fillStyle = p.dim;
  ctx.lineWidth = 1;
  const step = niceStep((end - t0) / Math.max(1, Math.floor(plotWidth / 100)));
  const decimals = step >= 1000 ? 0 : step >= 100 ? 1 : step >= 10 ? 2 : 3;
  for (let ms = Math.ceil(t0 / step) * step; ms <= end + 1e-9; ms += step) {
    const tx = x(ms);
    ctx.globalAlpha = 0.25;
    ctx.beginPath();
    ctx.moveTo(tx, AxisHeight);
    ctx.lineTo(tx, height);
    ctx.stroke();
    ctx.globalAlpha = 1;
    ctx.textAlign = 'center';
    if (tx + 30 < LabelWidth + plotWidth && tx - 30 > LabelWidth) ctx.fillText(`${(ms / 1000).toFixed(decimals)} s`, tx, AxisHeight / 2);
  }
  ctx.textAlign = 'left';

  // Lanes.
  for (let i = first; i <= last; i++) {
    const lane = d.lanes[i]!;
    const ly = y(i);
    if (ly < AxisHeight - LaneHeight) continue;
    ctx.fillStyle = lane.state === 'exited' || lane.state === 'killed' ? p.dim : p.fg;
    ctx.fillText(fit(ctx, lane.label, LabelWidth - 8), 4, ly);
    const start = x(lane.startedMs);
    const alive = lane.zombieSinceMs ?? lane.exitedMs ?? d.nowMs;
    ctx.strokeStyle = laneColor(lane, p);
    ctx.lineWidth = 4;
    ctx.beginPath();
    ctx.moveTo(start, ly);
    ctx.lineTo(Math.max(start + 1, x(alive)), ly);
    ctx.stroke();
    // Zombie stretch: exited, not yet reaped.
    if (lane.zombieSinceMs !== null) {
      ctx.strokeStyle = p.warning;
      ctx.setLineDash([4, 3]);
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(x(lane.zombieSinceMs), ly);
      ctx.lineTo(x(lane.reapedMs ?? d.nowMs), ly);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    mark(ctx, start, ly, 'created', p.blue);
    hits.push({ x: start, y: ly, text: `${lane.label} ${site(lane.site)}`, site: lane.site });
    if (lane.exitedMs !== null) {
      mark(ctx, x(lane.exitedMs), ly, 'exited', lane.state === 'killed' ? p.error : p.fg);
      hits.push({ x: x(lane.exitedMs), y: ly, text: `${lane.label} ${lane.state}`, site: lane.site });
    }
    if (lane.reapedMs !== null) mark(ctx, x(lane.reapedMs), ly, 'reaped', p.dim);
  }

  // Lock and queue waits: translucent bars on the waiting lane.
  ctx.globalAlpha = 0.35;
  ctx.fillStyle = p.yellow;
  for (const w of d.waits) {
    const i = laneIndex.get(w.pid);
    if (i === undefined || i < first || i > last) continue;
    const x1 = x(w.startMs);
    const x2 = Math.max(x1 + 2, x(w.endMs));
    ctx.fillRect(x1, y(i) - 7, x2 - x1, 14);
    hits.push({ x: x1, x2, y: y(i), text: w.text, site: w.site });
  }
  ctx.globalAlpha = 1;

  // Messages: sender lane → receiver lane.
  ctx.strokeStyle = p.purple;
  ctx.fillStyle = p.purple;
  ctx.lineWidth = 1;
  for (const a of d.arrows) {
    const from = laneIndex.get(a.from);
    if (from === undefined) continue;
    const to = a.to === null ? undefined : laneIndex.get(a.to);
    const y1 = y(from);
    const y2 = to === undefined ? y1 - LaneHeight / 3 : y(to);
    if (Math.max(y1, y2) < AxisHeight || Math.min(y1, y2) > height) continue;
    const x1 = x(a.sentMs);
    const x2 = a.receivedMs === null ? x1 + 6 : x(a.receivedMs);
    arrow(ctx, x1, y1, x2, y2);
    hits.push({ x: (x1 + x2) / 2, y: (y1 + y2) / 2, text: arrowText(a), site: a.site });
  }

  // The moment shown by the rest of the extension.
  if (d.scrubMs !== null) {
    ctx.strokeStyle = p.cursor;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x(d.scrubMs), AxisHeight);
    ctx.lineTo(x(d.scrubMs), height);
    ctx.stroke();
  }
}

/** The smallest of 1, 2, 5 × 10^k that is at least `raw`. */
function niceStep(raw: number): number {
  const base = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-3)));
  for (const m of [1, 2, 5, 10]) if (m * base >= raw) return m * base;
  return 10 * base;
}

function site(i: number): string {
  return data && i >= 0 && i < data.sites.length ? `${str('at')} ${data.sites[i]}` : '';
}

function arrowText(a: Arrow): string {
  return `${a.from} → ${a.to ?? '?'}  ${a.text} ${site(a.site)}`;
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

function arrow(c: CanvasRenderingContext2D, x1: number, y1: number, x2: number, y2: number): void {
  c.beginPath();
  c.moveTo(x1, y1);
  c.lineTo(x2, y2);
  c.stroke();
  const angle = Math.atan2(y2 - y1, x2 - x1);
  c.beginPath();
  c.moveTo(x2, y2);
  c.lineTo(x2 - 6 * Math.cos(angle - 0.4), y2 - 6 * Math.sin(angle - 0.4));
  c.lineTo(x2 - 6 * Math.cos(angle + 0.4), y2 - 6 * Math.sin(angle + 0.4));
  c.closePath();
  c.fill();
}

function hitAt(px: number, py: number): Hit | undefined {
  let best: Hit | undefined;
  let bestDistance = HitRadius;
  for (const h of hits) {
    const dx = h.x2 !== undefined && px >= h.x && px <= h.x2 ? 0 : px - h.x;
    const distance = Math.hypot(dx, py - h.y);
    if (distance <= bestDistance) {
      best = h;
      bestDistance = distance;
    }
  }
  return best;
}

function pointer(e: MouseEvent): { x: number; y: number } {
  const r = canvas.getBoundingClientRect();
  return { x: e.clientX - r.left, y: e.clientY - r.top };
}

canvas.addEventListener('mousemove', (e) => {
  const at = pointer(e);
  const hit = hitAt(at.x, at.y);
  if (!hit) {
    tooltip.hidden = true;
    canvas.style.cursor = 'default';
    return;
  }
  // textContent: payloads are shown as typed, never parsed.
  tooltip.textContent = hit.text;
  tooltip.hidden = false;
  tooltip.style.left = `${Math.min(e.clientX + 12, window.innerWidth - tooltip.offsetWidth - 4)}px`;
  tooltip.style.top = `${e.clientY + 14}px`;
  canvas.style.cursor = hit.site >= 0 ? 'pointer' : 'default';
});
canvas.addEventListener('mouseleave', () => {
  tooltip.hidden = true;
});
canvas.addEventListener('click', (e) => {
  const at = pointer(e);
  const hit = hitAt(at.x, at.y);
  if (hit && hit.site >= 0 && data) {
    vscode.postMessage({ type: 'reveal', generation: data.generation, site: hit.site });
  }
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
    const atEnd = data !== null && ms >= Math.floor(data.nowMs);
    vscode.postMessage({ type: 'scrub', ms: atEnd ? null : ms });
  });
});
liveButton.addEventListener('click', () => vscode.postMessage({ type: 'scrub', ms: null }));

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data;
  if (!isHostToWebview(message)) return; // anything else is not ours
  switch (message.type) {
    case 'strings':
      strings = message.strings;
      liveButton.textContent = str('live');
      liveButton.title = str('liveTitle');
      scrubLabel.textContent = str('scrubLabel');
      if (data) renderList(data);
      updateTimeText();
      queueDraw();
      break;
    case 'data':
      setData(message.data);
      saveState();
      break;
    case 'clear':
      data = null;
      spacer.style.height = '0px';
      eventList.replaceChildren();
      status.textContent = '';
      updateTimeText();
      saveState();
      queueDraw();
      break;
  }
});

if (restored) scroller.scrollTop = restored.scrollTop;
vscode.postMessage({ type: 'ready' });
queueDraw();
