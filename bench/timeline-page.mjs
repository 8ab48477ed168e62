// The timeline webview measured in a real browser (issue 16): the webview's own script and CSS
// (out of src/webview, bundled on the fly) in a page with a stand-in for the VS Code webview API,
// fed 500 lanes and 100,000 messages as the host sends a finished run (one post; --rows-per-post
// for a live run's chunks of 20,000), then zoomed and panned with real wheel and mouse events.
// Prints the first draw of the finished run (from the first post to the frame that drew every
// row) on --first fresh pages (median, min, max), each frame's drawing time (median, p95, max),
// and saves screenshots in test-results/bench/.
//   node bench/timeline-page.mjs [--messages 100000] [--lanes 500] [--first 5] [--rows-per-post N] [--chromium /usr/bin/chromium]
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';

const { values } = parseArgs({
  options: { messages: { type: 'string', default: '100000' }, lanes: { type: 'string', default: '500' }, first: { type: 'string', default: '5' }, 'rows-per-post': { type: 'string', default: '0' }, chromium: { type: 'string', default: process.env.CHROMIUM_PATH || '/usr/bin/chromium' } },
});
const N = Number(values.messages);
const L = Number(values.lanes);
const perPost = Number(values['rows-per-post']) || N;
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const shots = path.join(root, 'test-results', 'bench');
mkdirSync(shots, { recursive: true });
const dir = mkdtempSync(path.join(tmpdir(), 'pv-bench-page-'));

await esbuild.build({ entryPoints: [path.join(root, 'src/webview/timeline.ts')], bundle: true, format: 'iife', target: 'es2022', outfile: path.join(dir, 'timeline.js'), logLevel: 'error' });
const bodyJs = path.join(dir, 'body.mjs');
await esbuild.build({ entryPoints: [path.join(root, 'src/webview/shared/timelineBody.ts')], bundle: true, format: 'esm', platform: 'node', outfile: bodyJs, logLevel: 'error' });
const { timelineBody } = await import(pathToFileURL(bodyJs).href);
// Dark Modern's colours, as VS Code sets them on a webview's body.
const theme = {
  '--vscode-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f', '--vscode-font-family': 'sans-serif', '--vscode-font-size': '13px',
  '--vscode-charts-green': '#89d185', '--vscode-charts-yellow': '#cca700', '--vscode-charts-purple': '#b180d7', '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-orange': '#d18616', '--vscode-focusBorder': '#0078d4', '--vscode-editorWidget-border': '#454545', '--vscode-disabledForeground': '#8c8c8c',
  '--vscode-list-warningForeground': '#cca700', '--vscode-list-errorForeground': '#f88070', '--vscode-button-background': '#0078d4',
  '--vscode-button-foreground': '#ffffff', '--vscode-input-background': '#313131', '--vscode-input-foreground': '#cccccc', '--vscode-descriptionForeground': '#9d9d9d',
};
writeFileSync(path.join(dir, 'timeline.css'), readFileSync(path.join(root, 'media/timeline.css')));
writeFileSync(
  path.join(dir, 'index.html'),
  `<!DOCTYPE html><html><head><meta charset="UTF-8"><link rel="stylesheet" href="timeline.css">
<script>window.posted=[];window.acquireVsCodeApi=()=>({postMessage:(m)=>window.posted.push(m),getState:()=>undefined,setState:()=>{}});</script>
</head><body style="${Object.entries(theme).map(([k, v]) => `${k}:${v}`).join(';')}">${timelineBody}<script src="timeline.js"></script></body></html>`,
);

const runMs = 60_000;
const lanes = Array.from({ length: L }, (_, l) => ({
  pid: 1000 + l, label: `${1000 + l} ${l === 0 ? 'MainProcess' : `Process-${l}`}`, state: 'exited', startedMs: 50 + l * 2, exitedMs: runMs - 200 + (l % 100),
  reapedMs: runMs - 100 + (l % 100), zombieSinceMs: l % 50 === 7 ? runMs - 200 + (l % 100) : null, site: 0, wait: null,
}));
function update(start, n, first) {
  const m = { start, sentMs: [], receivedMs: [], fromPid: [], toPid: [], channel: [], sentSite: [], recvSite: [], text: [], textEnd: [] };
  let textLength = 0;
  for (let k = 0; k < n; k++) {
    const i = start + k;
    const s = 100 + (i / N) * (runMs - 400);
    m.sentMs.push(s);
    m.receivedMs.push(i % 50 === 0 ? null : s + 3 + (i % 7));
    m.fromPid.push(1000 + 1 + (i % (L - 1)));
    m.toPid.push(i % 50 === 0 ? -1 : 1000);
    m.channel.push(i % 40);
    m.sentSite.push(0);
    m.recvSite.push(1);
    const text = `put ('worker', ${i % (L - 1)}, ${i}, 'xxxxxxxxxxxxxxxx')`;
    m.text.push(text);
    textLength += text.length;
    m.textEnd.push(textLength);
  }
  const w = { start: 0, pid: [], startMs: [], endMs: [], text: [], site: [] };
  if (first) for (let k = 0; k < 10 * L; k++) { w.pid.push(1000 + (k % L)); w.startMs.push(100 + (k / (10 * L)) * (runMs - 500)); w.endMs.push(100 + (k / (10 * L)) * (runMs - 500) + 40); w.text.push('Queue get'); w.site.push(1); }
  return {
    type: 'update',
    update: {
      generation: 1, reset: first, nowMs: runMs, scrubMs: null, ended: true, lanes, channels: Array.from({ length: 40 }, (_, k) => `Queue at flood.py:${10 + k}`),
      sitesStart: first ? 0 : 2, sites: first ? ['flood.py:12', 'flood.py:20'] : [], messages: { ...m, text: m.text.join('') }, receipts: null, waits: first ? w : null, totalMessages: N,
    },
  };
}
const posts = [];
for (let s = 0; s < N; s += perPost) posts.push(update(s, Math.min(perPost, N - s), s === 0));

const browser = await chromium.launch({
  executablePath: values.chromium,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const results = [];
try {
  const errors = [];
  // English, as the host sends them (src/extension/views/timelinePanel.ts).
  const strings = {
    live: 'Live', end: 'End', scrubLabel: 'Time', loading: 'Loading messages: {0} of {1}', zombie: 'zombie', waiting: 'waiting in {0}', running: 'running',
    exited: 'exited', killed: 'killed', at: 'at', messages: 'Messages in view', search: 'Search messages: payload, channel, pid or process name',
    matches: '{0} of {1}', noMatch: 'No match', fit: 'Whole run', sentBy: 'sent by {0}', receivedBy: 'received by {0}', notReceived: 'not received yet',
    goSent: 'Go to sending line', goReceived: 'Go to receiving line', showInTree: 'Show in Processes', lane: 'Process {0}: {1}', density: '{0} messages sent, received or on their way here',
    hint: 'Ctrl+wheel or +/- zooms, drag pans, drag on the time axis zooms to a range and a click on it goes to that moment, arrows move, Up/Down pick a process, [ and ] step through its messages, Enter shows the line.',
  };
  /** A fresh page fed the finished run: the first draw (ms) and its parts. */
  async function openAndLoad() {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(path.join(dir, 'index.html')).href);
    await page.evaluate((s) => window.postMessage({ type: 'strings', strings: s }, '*'), strings);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
    // The host's posts, one per task as the panel sends them; the clock runs until the frame that drew them all.
    const first = await page.evaluate(async (plain) => {
      // Typed columns, as the host sends them (made before the clock starts).
      const all = plain.map((p) => {
        const m = p.update.messages;
        const f = (xs) => Float64Array.from(xs, (x) => x ?? Number.NaN);
        const i = (xs) => Int32Array.from(xs);
        return { ...p, update: { ...p.update, messages: { ...m, sentMs: f(m.sentMs), receivedMs: f(m.receivedMs), fromPid: i(m.fromPid), toPid: i(m.toPid), channel: i(m.channel), sentSite: i(m.sentSite), recvSite: i(m.recvSite), textEnd: i(m.textEnd) } } };
      });
      const t0 = performance.now();
      for (const p of all) {
        window.postMessage(p, '*');
        await new Promise((r) => setTimeout(r, 0));
      }
      const stats = document.getElementById('stats');
      for (;;) {
        await new Promise((r) => requestAnimationFrame(() => r()));
        if (Number(stats.dataset.rows) === all.at(-1).update.totalMessages && stats.dataset.loaded) break;
      }
      return performance.now() - t0;
    }, posts);
    const st = page.locator('#stats');
    const frames = (await st.getAttribute('data-frames')).split(' ').map(Number);
    return { page, first, validate: Number(await st.getAttribute('data-validate')), apply: Number(await st.getAttribute('data-apply')), frames };
  }
  const firsts = [];
  let loaded;
  for (let k = 0; k < Math.max(1, Number(values.first)); k++) {
    if (loaded) await loaded.page.close();
    loaded = await openAndLoad();
    firsts.push(loaded);
  }
  const page = loaded.page;
  const byFirst = [...firsts].sort((a, b) => a.first - b.first);
  results.push([`first draw of the finished run (${posts.length} post${posts.length > 1 ? 's' : ''} → drawn), ${firsts.length} fresh pages: median / min / max`, byFirst[byFirst.length >> 1].first, byFirst[0].first, byFirst.at(-1).first]);
  for (const f of firsts) results.push([`  ${f.first.toFixed(0)} ms: validating / applying / frames drawn (${f.frames.map((x) => x.toFixed(1)).join(' ')})`, f.validate, f.apply, f.frames.reduce((a, b) => a + b, 0)]);
  await page.screenshot({ path: path.join(shots, 'timeline-whole-run.png') });

  const frames = async () => (await page.locator('#stats').getAttribute('data-frames')).split(' ').map(Number);
  const box = await page.locator('#canvas').boundingBox();
  const cx = box.x + box.width * 0.6;
  const cy = box.y + 200;
  const measure = async (name, act) => {
    const before = (await frames()).length;
    await act();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
    const all = await frames();
    const xs = all.slice(Math.max(0, all.length - (all.length - before || 1))).sort((a, b) => a - b);
    results.push([`${name} (${xs.length} frames, ${await page.locator('#stats').getAttribute('data-lod')}): median / p95 / max`, xs[xs.length >> 1], xs[Math.floor(xs.length * 0.95)], xs.at(-1)]);
  };
  await measure('zoom in, Ctrl+wheel x40', async () => {
    await page.mouse.move(cx, cy);
    await page.keyboard.down('Control');
    for (let k = 0; k < 40; k++) {
      await page.mouse.wheel(0, -60);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
    }
    await page.keyboard.up('Control');
  });
  await page.screenshot({ path: path.join(shots, 'timeline-zoomed.png') });
  await measure('pan, drag x40', async () => {
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    for (let k = 0; k < 40; k++) {
      await page.mouse.move(cx - k * 10, cy);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
    }
    await page.mouse.up();
  });
  await measure('zoom out to the whole run, Ctrl+wheel x40', async () => {
    await page.keyboard.down('Control');
    for (let k = 0; k < 40; k++) {
      await page.mouse.wheel(0, 80);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
    }
    await page.keyboard.up('Control');
  });
  await measure('pan the whole run, arrow keys x40', async () => {
    await page.locator('#zoom-in').click();
    await page.locator('#scroller').focus();
    for (let k = 0; k < 40; k++) {
      await page.keyboard.press(k < 20 ? 'ArrowRight' : 'ArrowLeft');
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
    }
  });
  await measure('scroll through 500 lanes x40', async () => {
    for (let k = 0; k < 40; k++) {
      await page.mouse.wheel(0, 200);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
    }
  });
  await page.locator('#search').fill('12345');
  await page.locator('#search').press('Enter');
  await page.locator('#matches', { hasText: '1 of' }).waitFor({ timeout: 10_000 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  await page.screenshot({ path: path.join(shots, 'timeline-search.png') });
  results.push(['search "12345": details', await page.locator('#details-text').innerText()]);
  if (errors.length) results.push(['page errors', errors.join('; ')]);
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`timeline webview in Chromium (${values.chromium}), ${L} lanes, ${N} messages, 1400x900, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
for (const [name, ...v] of results) console.log(`  ${name}: ${v.map((x) => (typeof x === 'number' ? `${x.toFixed(1)} ms` : x)).join(' / ')}`);
console.log(`  screenshots: ${shots}`);
