// Sampler benchmark (issue 4): the cost of one sampling tick with N live processes, and what an
// idle run costs the host (CPU of this Node process while the sampler runs at its interval).
//   node bench/sampler.mjs [--procs 500] [--ticks 60] [--idle-seconds 10] [--portable]
// Prints one JSON object. Wall times suffer from whatever else the machine runs (see hostLoadAvg);
// the CPU time of a tick (process.cpuUsage, µs resolution) is the steadier figure.
import * as esbuild from 'esbuild';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('procs', 500);
const TICKS = arg('ticks', 60);
const IDLE_S = arg('idle-seconds', 10);

const out = join(mkdtempSync(join(tmpdir(), 'pv-bench-')), 'sampler.cjs');
await esbuild.build({ entryPoints: [join(root, 'src/core/sampler/index.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'error' });
const { ProcessSampler } = createRequire(import.meta.url)(out);

/** A Python root with n idle children (forked, blocked reading a pipe); resolves once all exist. */
function startTree(n) {
  const code = `
import os, sys
r, w = os.pipe()
for i in range(${n}):
    if os.fork() == 0:
        os.close(w); os.read(r, 1); os._exit(0)
print("ready", flush=True)
sys.stdin.read()
os.close(w)
for i in range(${n}):
    os.wait()
`;
  const p = spawn('python3', ['-c', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve) => p.stdout.once('data', () => resolve(p)));
}
const stop = (p) => new Promise((r) => { p.once('exit', r); p.stdin.end(); });

const pct = (arr, q) => {
  const s = [...arr].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))] * 1000) / 1000;
};

async function tickCost(n, backend) {
  const tree = await startTree(n);
  const sampler = new ProcessSampler({ backend });
  sampler.start(tree.pid, 0);
  let t0 = performance.now();
  const first = await sampler.tick();
  const firstMs = performance.now() - t0;
  const times = [];
  const cpus = [];
  for (let i = 0; i < TICKS; i++) {
    const c0 = process.cpuUsage();
    t0 = performance.now();
    const s = await sampler.tick();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
    if (s.processes.length !== n + 1) throw new Error(`saw ${s.processes.length} processes, expected ${n + 1}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  sampler.dispose();
  await stop(tree);
  return { backend, processes: first.processes.length, firstTickMs: Math.round(firstMs * 10) / 10, tickMedianMs: pct(times, 0.5), tickP90Ms: pct(times, 0.9), tickCpuMedianMs: pct(cpus, 0.5), hostLoadAvg: (await import('node:os')).loadavg()[0] };
}

async function idleCost(n, intervalMs) {
  const tree = await startTree(n);
  const sampler = new ProcessSampler();
  let ticks = 0;
  sampler.onSnapshot(() => ticks++);
  sampler.start(tree.pid, intervalMs);
  await new Promise((r) => setTimeout(r, 500)); // past the first full scan
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, IDLE_S * 1000));
  const cpu = process.cpuUsage(c0);
  const wall = performance.now() - w0;
  sampler.dispose();
  await stop(tree);
  return { processes: n + 1, intervalMs, ticks, percentOfOneCore: Math.round(((cpu.user + cpu.system) / 1000 / wall) * 10000) / 100 };
}

const result = { node: process.version, host: `${process.platform} ${process.arch}` };
result.tick = [await tickCost(N, 'procfs')];
if (process.argv.includes('--portable')) result.tick.push(await tickCost(N, 'portable'));
result.idle = [await idleCost(3, 100), await idleCost(N, 100)];
console.log(JSON.stringify(result, null, 2));
