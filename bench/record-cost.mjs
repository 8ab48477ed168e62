// What `process-view record` costs a program, end to end, as users run it: the whole command
// (supervisor, tracer, receiver, Session, sampler, recording writer, the final tree) against the
// same script run plainly, interleaved, medians. Issue 14's workload: N small messages child →
// parent through a Queue, then through a Pipe (bench/tracer-throughput.py), on Python 3.11 by
// default. Wall time is the whole command's, from spawn to exit, for both; CPU is the sum over
// every process of the command's tree (getrusage of the waited-for children, via /usr/bin/time
// when present, else Node's own resource usage of the child); bytes per event from the recording.
//   node scripts/build.mjs && node bench/record-cost.mjs [--n 100000] [--rounds 3] [--python PATH] [--which queue,pipe,flood,hello,children]
// flood: test/python/programs/zombie_flood.py (40 processes × 1,000 Queue messages, then a Pool of 8
// over 200 tasks: issue 14's VS Code workload); hello: a one-line script (the fixed cost of a run);
// children: 40 processes that do nothing, each started and joined before the next (the tutorials'
// start/join pattern: what the tracer adds to a process's life).
// --work 0,400,1600: queue and pipe again with the producer computing sum(range(WORK)) before each
// message (work of the program's own, untouched by the tracer): how the cost falls as messages
// carry work. The table says how long a message takes in the plain run, work included.
// --baseline-cli OTHER/out/cli.js: another build's `record` too, in the same rounds (before/after).
// The tracer-only figure (no Session, no recording) is bench/tracer-throughput.mjs.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { arg, median } from './lib/cli.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const n = Number(arg('--n', '100000'));
const rounds = Number(arg('--rounds', '3'));
const python = arg('--python', 'python3');
const which = arg('--which', 'queue,pipe').split(',');
const works = arg('--work', '0').split(',').map(Number);
if (works.some((x) => !Number.isInteger(x) || x < 0)) throw new Error('--work: whole numbers >= 0, comma-separated');
const cli = path.join(root, 'out/cli.js');
const baseline = arg('--baseline-cli', null);
const workload = path.join(root, 'bench/tracer-throughput.py');
const dir = mkdtempSync(path.join(tmpdir(), 'pv-record-cost-'));
const hello = path.join(dir, 'hello.py');
writeFileSync(hello, "print('hello')\n");
const children = path.join(dir, 'children.py');
writeFileSync(
  children,
  ['import multiprocessing as mp', 'def f():', '    pass', "if __name__ == '__main__':", '    for _ in range(40):', '        p = mp.Process(target=f)', '        p.start()', '        p.join()', ''].join('\n'),
);
/** The script and its arguments for workload w (its producer's work per message: `work`). */
const command = (w, work = 0) =>
  w === 'hello' ? [hello] : w === 'children' ? [children] : w === 'flood' ? [path.join(root, 'test/python/programs/zombie_flood.py')] : [workload, String(n), 'fork', w, String(work)];
const messaging = (w) => w === 'queue' || w === 'pipe';

/** Runs a command to its end; wall seconds and the CPU seconds of its whole (waited-for) tree. */
function timed(cmd, args) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    // /usr/bin/time -f reports the children's rusage, which includes every descendant reaped below it.
    const child = spawn('/usr/bin/time', ['-f', 'PVCPU %U %S', cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      const m = /PVCPU ([\d.]+) ([\d.]+)/.exec(err);
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.slice(-500)}`));
      resolve({ wall, cpu: m ? Number(m[1]) + Number(m[2]) : NaN });
    });
  });
}

/** Events the recording holds, as its end record counts them. */
function eventsOf(file) {
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  const end = JSON.parse(lines.at(-1));
  if (end.type !== 'end' || !(end.stats?.events > 0)) throw new Error(`${file}: no end record with an event count`);
  return end.stats.events;
}

const rows = [];
console.log(`python ${python}, n=${n}, ${rounds} rounds, plain and recorded interleaved; load average at start ${loadavg()[0].toFixed(1)}`);
for (const [w, work] of which.flatMap((x) => (messaging(x) ? works.map((k) => [x, k]) : [[x, 0]]))) {
  const plain = [];
  const rec = [];
  const base = [];
  let bytesPerEvent = null;
  for (let r = 0; r < rounds; r++) {
    plain.push(await timed(python, command(w, work)));
    const out = path.join(dir, `${w}${r}.jsonl`);
    rec.push(await timed(process.execPath, [cli, 'record', '--quiet', '--python', python, '--out', out, ...command(w, work)]));
    bytesPerEvent = statSync(out).size / eventsOf(out);
    rmSync(out, { force: true });
    if (baseline) {
      base.push(await timed(process.execPath, [baseline, 'record', '--quiet', '--python', python, '--out', out, ...command(w, work)]));
      rmSync(out, { force: true });
    }
    const b = baseline ? `; baseline ${base.at(-1).wall.toFixed(2)} s wall ${base.at(-1).cpu.toFixed(2)} s CPU` : '';
    console.log(`  ${w}${work ? ` work ${work}` : ''} round ${r + 1}: plain ${plain.at(-1).wall.toFixed(2)} s wall ${plain.at(-1).cpu.toFixed(2)} s CPU; recorded ${rec.at(-1).wall.toFixed(2)} s wall ${rec.at(-1).cpu.toFixed(2)} s CPU${b}`);
  }
  const pw = median(plain.map((x) => x.wall));
  const rw = median(rec.map((x) => x.wall));
  const pc = median(plain.map((x) => x.cpu));
  const rc = median(rec.map((x) => x.cpu));
  const bw = baseline ? median(base.map((x) => x.wall)) : NaN;
  const bc = baseline ? median(base.map((x) => x.cpu)) : NaN;
  rows.push({ w, work, pw, rw, pc, rc, bw, bc, bytesPerEvent });
}
const name = (r) =>
  messaging(r.w)
    ? `${r.w} ${n.toLocaleString('en')}${works.length > 1 || r.work ? `, work ${r.work} (${((r.pw * 1e6) / n).toFixed(1)} µs a message plain)` : ''}`
    : r.w;
const extra = baseline ? ' baseline record wall | ×wall | baseline record CPU | ×CPU |' : '';
console.log(`\n| workload | plain wall | record wall | ×wall | plain CPU | record CPU | ×CPU | bytes/event |${extra}`);
console.log(`|---|---|---|---|---|---|---|---|${baseline ? '---|---|---|---|' : ''}`);
for (const r of rows) {
  const b = baseline ? ` ${r.bw.toFixed(2)} s | ×${(r.bw / r.pw).toFixed(2)} | ${r.bc.toFixed(2)} s | ×${(r.bc / r.pc).toFixed(2)} |` : '';
  console.log(`| ${name(r)} | ${r.pw.toFixed(2)} s | ${r.rw.toFixed(2)} s | ×${(r.rw / r.pw).toFixed(2)} | ${r.pc.toFixed(2)} s | ${r.rc.toFixed(2)} s | ×${(r.rc / r.pc).toFixed(2)} | ${r.bytesPerEvent.toFixed(1)} |${b}`);
}
if (baseline) console.log(`baseline: ${baseline}`);
console.log(`load average at end ${loadavg()[0].toFixed(1)}`);
rmSync(dir, { recursive: true, force: true });
