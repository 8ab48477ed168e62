// Timeline layout cost at 500 processes and 100,000 messages (issue 16): the webview's per-frame
// work (messages in view as arrows or density, every lane's states) and its per-input work
// (appending the host's chunks, a search), on synthetic columns shaped like the flood run.
//   node bench/timeline-layout.mjs [--messages 100000] [--lanes 500] [--rounds 31]
// Bundles src/webview/shared/timelineLayout.ts with esbuild on the fly and prints medians (ms).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '100000' }, lanes: { type: 'string', default: '500' }, rounds: { type: 'string', default: '31' } } });
const N = Number(values.messages);
const L = Number(values.lanes);
const R = Number(values.rounds);
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dir = mkdtempSync(path.join(tmpdir(), 'pv-bench-timeline-'));
const out = path.join(dir, 'layout.mjs');
await esbuild.build({ entryPoints: [path.join(root, 'src/webview/shared/timelineLayout.ts')], bundle: true, format: 'esm', platform: 'node', outfile: out, logLevel: 'error' });
const T = await import(pathToFileURL(out).href);
rmSync(dir, { recursive: true, force: true });

const runMs = 60_000;
function chunk(start, n) {
  const c = { start, sentMs: [], receivedMs: [], fromPid: [], toPid: [], channel: [], sentSite: [], recvSite: [], text: [] };
  for (let k = 0; k < n; k++) {
    const i = start + k;
    const s = (i / N) * runMs;
    c.sentMs.push(s);
    c.receivedMs.push(i % 50 === 0 ? null : s + 3 + (i % 7));
    c.fromPid.push(1000 + 1 + (i % (L - 1)));
    c.toPid.push(i % 50 === 0 ? -1 : 1000);
    c.channel.push(i % 40);
    c.sentSite.push(0);
    c.recvSite.push(1);
    c.text.push(`put ('worker', ${i % (L - 1)}, ${i}, 'x' * 16)`);
  }
  // Typed columns, as the host sends them.
  return {
    ...c, sentMs: Float64Array.from(c.sentMs), receivedMs: Float64Array.from(c.receivedMs, (r) => r ?? Number.NaN), fromPid: Int32Array.from(c.fromPid),
    toPid: Int32Array.from(c.toPid), channel: Int32Array.from(c.channel), sentSite: Int32Array.from(c.sentSite), recvSite: Int32Array.from(c.recvSite),
  };
}
const lanes = Array.from({ length: L }, (_, l) => ({ pid: 1000 + l, label: `${1000 + l} Process-${l}`, state: 'exited', startedMs: l * 10, exitedMs: runMs - 100 + l, reapedMs: runMs, zombieSinceMs: null, site: 0, wait: null }));
const laneOf = new Map(lanes.map((l, k) => [l.pid, k]));
const waits = new T.WaitTable();
const wc = { start: 0, pid: [], startMs: [], endMs: [], text: [], site: [] };
for (let k = 0; k < 20 * L; k++) { wc.pid.push(1000 + (k % L)); wc.startMs.push((k / (20 * L)) * runMs); wc.endMs.push((k / (20 * L)) * runMs + 5); wc.text.push('Queue get'); wc.site.push(0); }
waits.append(wc);
const chunks = [];
for (let s = 0; s < N; s += 20_000) chunks.push(chunk(s, Math.min(20_000, N - s)));

const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
function time(fn) {
  const xs = [];
  for (let r = 0; r < R; r++) {
    const t0 = process.hrtime.bigint();
    fn(r);
    xs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(xs);
}

let table;
const rows = [];
rows.push(['append every chunk (' + N + ' rows)', time(() => { table = new T.MessageTable(); for (const c of chunks) table.append(c, laneOf); })]);
rows.push(['assignLanes (all rows)', time(() => table.assignLanes(laneOf))]);
const views = [
  ['whole run in view (density)', { startMs: 0, endMs: runMs }],
  ['1 s in view', { startMs: 30_000, endMs: 31_000 }],
  ['50 ms in view', { startMs: 30_000, endMs: 30_050 }],
];
for (const [name, v] of views) {
  let kind = '';
  const ms = time(() => { kind = T.messagesInView(table, v, L, 400).kind; });
  rows.push([`messagesInView, ${name} -> ${kind}`, ms]);
}
let v = { startMs: 0, endMs: runMs };
rows.push(['zoom step + messagesInView', time((r) => { v = T.zoomAbout(v, r % 2 ? 1.25 : 0.8, 20_000, 0, runMs); T.messagesInView(table, v, L, 400); })]);
rows.push(['laneSegments, all ' + L + ' lanes', time(() => { for (const l of lanes) T.laneSegments(l, waits.byPid.get(l.pid), runMs); })]);
const ctx = { lanes, channels: Array.from({ length: 40 }, (_, k) => `Queue at flood.py:${k}`) };
let hits = 0;
rows.push(['search payload text ("12345")', time(() => { hits = T.searchMessages(table, '12345', ctx).length; })]);
rows.push(['search process name ("process-7")', time(() => T.searchMessages(table, 'process-7', ctx))]);

console.log(`timeline layout, ${L} lanes, ${N} messages, median of ${R}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}, node ${process.version}`);
for (const [name, ms] of rows) console.log(`  ${name.padEnd(62)} ${ms.toFixed(2).padStart(8)} ms`);
console.log(`  (search "12345" found ${hits})`);
