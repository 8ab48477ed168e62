// Reads a CPU profile of the VS Code window's page (bench/vscode-run-cost.mjs --renderer-profile
// DIR writes one per Run with Process View) and says where the renderer's main thread went: busy
// against idle, the functions with the most self time, and every busy stretch (no idle sample in
// between) longer than a threshold, with the call paths it was spent in. A palette open that lands
// in such a stretch waits for its end.
//
//   node bench/renderer-profile.mjs DIR/flood-1.cpuprofile [--stretch 200] [--top 20]
import { readFileSync } from 'node:fs';
import { arg } from './lib/cli.mjs';

const file = process.argv[2];
if (!file || file.startsWith('--')) {
  console.error('usage: node bench/renderer-profile.mjs FILE.cpuprofile [--stretch MS] [--top N]');
  process.exit(2);
}
const stretchMs = Number(arg('--stretch', '200'));
const top = Number(arg('--top', '20'));
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
