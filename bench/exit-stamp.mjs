// How long after its exit stamp does a child really end? A piece of the zombie verdict
// (docs/states.md): a child's process.exit is the lower bound of its death, so a stamp taken long
// before the death makes a zombie of a child its parent reaped at once (CI, stop 34: "reaped 19
// ms after exiting" flagged a zombie). Measured on a copy of the CLI and the tracer whose os._exit
// wrapper also writes the time it calls the real os._exit (the last thing a fork child's Python
// does) to a file; the gap is that time minus the recorded process.exit's.
// examples/23_file_write_many.py (ten short children) is recorded with that copy, two at a time,
// next to two busy loops (a busy machine is where the gap grows).
//   node scripts/build.mjs && node bench/exit-stamp.mjs [--runs 20] [--python PATH] [--tracer-from COMMIT]
// --tracer-from: the tracer as it was at that commit (e.g. 3058c70, before the exit moved to os._exit).
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { arg, exportedRecords, startBusyLoops, stopBusyLoops } from './lib/cli.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(arg('--runs', '20'));
const python = arg('--python', 'python3');
const from = arg('--tracer-from', undefined);
const script = path.join(root, 'examples/23_file_write_many.py');
const dir = mkdtempSync(path.join(tmpdir(), 'pv-exit-stamp-'));
const log = path.join(dir, 'os-exit.log');

// The copy: out/cli.js finds its tracer in ../tracer.
mkdirSync(path.join(dir, 'out'));
cpSync(path.join(root, 'out/cli.js'), path.join(dir, 'out/cli.js'));
cpSync(path.join(root, 'tracer'), path.join(dir, 'tracer'), { recursive: true });
if (from) {
  for (const f of ['_core.py', '_processes.py']) {
    const text = execFileSync('git', ['show', `${from}:tracer/processview_tracer/${f}`], { cwd: root, encoding: 'utf8' });
    writeFileSync(path.join(dir, 'tracer/processview_tracer', f), text);
  }
}
const core = path.join(dir, 'tracer/processview_tracer/_core.py');
const call = '    _real_os_exit(code)\n';
const source = readFileSync(core, 'utf8');
if (source.split(call).length !== 2) throw new Error(`expected one "${call.trim()}" in ${core}`);
writeFileSync(core, source.replace(call, `    _t = monotonic_ns()\n    with open(${JSON.stringify(log)}, "a") as _f:\n        _f.write("%d %d\\n" % (os.getpid(), _t))\n${call}`));
const cli = path.join(dir, 'out/cli.js');

function record(out) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'record', '--quiet', '--out', out, '--python', python, script], { cwd: dir, stdio: 'ignore' });
    child.on('close', () => resolve(out));
  });
}

/** ms from each process's exit stamp to its call of the real os._exit. */
function gaps(file, calledAt) {
  const out = [];
  let startNs = 0n;
  for (const rec of exportedRecords(cli, file)) {
    if (rec.type === 'header') startNs = BigInt(rec.startNs);
    else if (rec.type === 'event' && rec.event.kind === 'process.exit' && calledAt.has(rec.event.pid)) {
      out.push(Number(calledAt.get(rec.event.pid) - startNs) / 1e6 - rec.event.t);
    }
  }
  return out;
}

startBusyLoops();
const files = [];
try {
  for (let i = 0; i < runs; i += 2) files.push(...(await Promise.all([record(path.join(dir, `a${i}.jsonl`)), record(path.join(dir, `b${i}.jsonl`))])));
} finally {
  stopBusyLoops();
}
const calledAt = new Map();
for (const line of readFileSync(log, 'utf8').split('\n')) {
  const [pid, ns] = line.split(' ');
  if (ns) calledAt.set(Number(pid), BigInt(ns));
}
const all = files.flatMap((f) => gaps(f, calledAt)).sort((a, b) => a - b);
rmSync(dir, { recursive: true, force: true });
const over = (ms) => all.filter((g) => g > ms).length;
const version = execFileSync(python, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { encoding: 'utf8' }).trim();
console.log('| Python | tracer | children | median | > 5 ms | > 30 ms | longest |');
console.log('|---|---|---|---|---|---|---|');
console.log(`| ${version} | ${from ?? 'this tree'} | ${all.length} | ${all[all.length >> 1].toFixed(2)} ms | ${over(5)} | ${over(30)} | ${all[all.length - 1].toFixed(1)} ms |`);
