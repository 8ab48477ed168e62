// Reads what bench/vscode-run-cost.mjs --renderer-profile DIR wrote for a Run with Process View
// and says where the window's main thread went.
// - A CPU profile (.cpuprofile): busy against idle, the functions with the most self time, and
//   every busy stretch (no idle sample in between) longer than a threshold, with the call paths it
//   was spent in. A palette open that lands in such a stretch waits for its end.
// - A Chromium trace (.trace.json): the main thread's self time by task kind (style, layout,
//   paint, script...), and the longest style recalculations with how many elements each touched:
//   one that touches a handful of elements yet lasts long is a thread waiting for a core.
//
// - With --under REGEX: the time spent in the call trees of the functions whose name matches (each
//   sample counted once, under its outermost match), by function: what one part of the workbench
//   (the terminal: 'xterm|terminal|webgl') cost the thread.
//
//   node bench/renderer-profile.mjs DIR/flood-1.cpuprofile [--stretch 200] [--top 20] [--under REGEX]
//   node bench/renderer-profile.mjs DIR/flood-1.trace.json [--top 20]
import { readFileSync } from 'node:fs';
import { arg } from './lib/cli.mjs';

const file = process.argv[2];
if (!file || file.startsWith('--')) {
  console.error('usage: node bench/renderer-profile.mjs FILE.cpuprofile|FILE.trace.json [--stretch MS] [--top N] [--under REGEX]');
  process.exit(2);
}
const stretchMs = Number(arg('--stretch', '200'));
const top = Number(arg('--top', '20'));
if (file.endsWith('.trace.json')) {
  readTrace(JSON.parse(readFileSync(file, 'utf8')));
  process.exit(0);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));

const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const name = (id) => nodes.get(id).callFrame.functionName || '(anonymous)';
/** The call path of a sample, outermost first, without the root. */
const path = (id) => {
  const out = [];
  for (let x = id; x !== undefined; x = parentOf.get(x)) out.push(name(x));
  return out.reverse().filter((f) => f !== '(root)');
};

// A sample's duration is the gap to the next one (the profiler's deltas are to the previous).
const samples = [];
let t = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i];
  samples.push({ t, id: profile.samples[i], ms: (profile.timeDeltas[i + 1] ?? 0) / 1000 });
}
const isIdle = (s) => name(s.id) === '(idle)';

let total = 0;
let idle = 0;
const self = new Map();
for (const s of samples) {
  total += s.ms;
  if (isIdle(s)) {
    idle += s.ms;
    continue;
  }
  const cf = nodes.get(s.id).callFrame;
  const key = `${name(s.id)} ${cf.url ? `${cf.url.split('/').pop()}:${cf.lineNumber + 1}` : ''}`.trim();
  self.set(key, (self.get(key) ?? 0) + s.ms);
}
console.log(`${file}: ${total.toFixed(0)} ms profiled, busy ${(total - idle).toFixed(0)} ms, idle ${idle.toFixed(0)} ms`);
console.log(`\nself time, top ${top} ("(program)" is the browser's own work: style, layout, paint):`);
for (const [k, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms.toFixed(0).padStart(7)} ms  ${k}`);

console.log(`\nbusy stretches over ${stretchMs} ms (from the profile's start):`);
let start = null;
let inStretch = [];
const report = (end) => {
  const len = (end - start) / 1000;
  if (len <= stretchMs) return;
  const paths = new Map();
  for (const s of inStretch) {
    const k = path(s.id).slice(0, 7).join(' > ');
    paths.set(k, (paths.get(k) ?? 0) + s.ms);
  }
  console.log(`  at ${((start - profile.startTime) / 1000).toFixed(0)} ms, ${len.toFixed(0)} ms:`);
  for (const [k, ms] of [...paths].sort((a, b) => b[1] - a[1]).slice(0, 6)) console.log(`    ${ms.toFixed(0).padStart(5)} ms  ${k}`);
};
for (const s of samples) {
  if (!isIdle(s)) {
    if (start === null) {
      start = s.t;
      inStretch = [];
    }
    inStretch.push(s);
  } else if (start !== null) {
    report(s.t);
    start = null;
  }
}
if (start !== null) report(t);

const under = arg('--under', '');
if (under) {
  const re = new RegExp(under, 'i');
  const by = new Map();
  let sum = 0;
  for (const s of samples) {
    if (isIdle(s)) continue;
    const outer = path(s.id).find((f) => re.test(f));
    if (outer === undefined) continue;
    by.set(outer, (by.get(outer) ?? 0) + s.ms);
    sum += s.ms;
  }
  console.log(`\nunder /${under}/i: ${sum.toFixed(0)} ms`);
  for (const [k, ms] of [...by].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms.toFixed(0).padStart(7)} ms  ${k}`);
}

function readTrace(trace) {
  const events = trace.traceEvents ?? trace;
  const threadName = new Map(events.filter((e) => e.name === 'thread_name').map((e) => [`${e.pid}:${e.tid}`, e.args.name]));
  for (const [thread, tname] of threadName) {
    if (tname !== 'CrRendererMain') continue;
    const tasks = events.filter((e) => `${e.pid}:${e.tid}` === thread && e.ph === 'X' && e.dur).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    if (tasks.length === 0) continue;
    // Self time: a task's duration less the tasks nested in it (trace events nest by time).
    const self = new Map(tasks.map((e) => [e, e.dur]));
    const open = [];
    for (const e of tasks) {
      while (open.length > 0 && open[open.length - 1].ts + open[open.length - 1].dur <= e.ts) open.pop();
      if (open.length > 0) self.set(open[open.length - 1], self.get(open[open.length - 1]) - e.dur);
      open.push(e);
    }
    const byKind = new Map();
    for (const [e, us] of self) byKind.set(e.name, (byKind.get(e.name) ?? 0) + us / 1000);
    const span = (tasks[tasks.length - 1].ts + tasks[tasks.length - 1].dur - tasks[0].ts) / 1000;
    console.log(`${file}: the window's main thread (${thread}), ${tasks.length} tasks over ${span.toFixed(0)} ms; self time by kind, top ${top}:`);
    for (const [k, ms] of [...byKind].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms.toFixed(0).padStart(7)} ms  ${k}`);
    const styles = tasks.filter((e) => e.name === 'UpdateLayoutTree');
    const small = styles.filter((e) => (e.args?.elementCount ?? 0) < 10);
    const ms = (xs) => (xs.reduce((sum, e) => sum + e.dur, 0) / 1000).toFixed(0);
    console.log(`\nstyle recalculations: ${styles.length}, ${ms(styles)} ms; of them touching fewer than 10 elements: ${small.length}, ${ms(small)} ms`);
    console.log('the longest (at ms from the first task, duration, elements):');
    for (const e of [...styles].sort((a, b) => b.dur - a.dur).slice(0, 8)) {
      console.log(`  at ${((e.ts - tasks[0].ts) / 1000).toFixed(0)} ms  ${(e.dur / 1000).toFixed(1)} ms  ${e.args?.elementCount ?? '?'} elements`);
    }
  }
}
