// How late after its own exit stamp was a child still alive? A piece of the zombie verdict
// (docs/states.md): a child's process.exit is the lower bound of its death, so a stamp taken long
// before the death makes a zombie of a child its parent reaped at once. The evidence is the
// parent's own: its tracer thread's last look before its `process.died` (`windowMs`) and its
// reaping call's `aliveMs` say when it last saw the child alive.
// examples/23_file_write_many.py (ten short children) is recorded with the real CLI, two at a
// time, next to two busy loops (a busy machine is where the gap grows).
//   node scripts/build.mjs && node bench/exit-stamp.mjs [--runs 20] [--python PATH] [--script PATH]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { arg } from './lib/cli.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(arg('--runs', '20'));
const python = arg('--python', undefined);
const script = arg('--script', path.join(root, 'examples/23_file_write_many.py'));
const cli = path.join(root, 'out/cli.js');
const dir = mkdtempSync(path.join(tmpdir(), 'pv-exit-stamp-'));

function record(out) {
  return new Promise((resolve) => {
    const args = [cli, 'record', '--quiet', '--out', out, ...(python ? ['--python', python] : []), script];
    const child = spawn(process.execPath, args, { cwd: dir, stdio: 'ignore' });
    child.on('close', () => resolve(out));
  });
}

/** For each child with evidence: ms between its exit stamp and the last time its parent saw it alive. */
function gaps(file) {
  const exported = execFileSync(process.execPath, [cli, 'export', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const exitAt = new Map();
  const aliveAt = new Map();
  const seen = (pid, t) => aliveAt.set(pid, Math.max(aliveAt.get(pid) ?? -Infinity, t));
  for (const line of exported.split('\n')) {
    if (!line) continue;
    const rec = JSON.parse(line);
    if (rec.type !== 'event') continue;
    const e = rec.event;
    if (e.kind === 'process.exit') exitAt.set(e.pid, e.t);
    else if (e.kind === 'process.died' && e.windowMs != null) seen(e.childPid, e.t - e.windowMs);
    else if (e.kind === 'process.joined' && e.aliveMs != null) seen(e.childPid, e.t - e.aliveMs);
  }
  return [...aliveAt].filter(([pid]) => exitAt.has(pid)).map(([pid, t]) => t - exitAt.get(pid));
}

const busy = [0, 1].map(() => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
const all = [];
try {
  for (let i = 0; i < runs; i += 2) {
    const files = await Promise.all([record(path.join(dir, `a${i}.jsonl`)), record(path.join(dir, `b${i}.jsonl`))]);
    for (const f of files) all.push(...gaps(f));
  }
} finally {
  for (const b of busy) b.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
const over = (ms) => all.filter((g) => g > ms).length;
const version = execFileSync(python ?? 'python3', ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { encoding: 'utf8' }).trim();
console.log(`| Python | recordings | children with evidence | alive > 5 ms after the stamp | > 30 ms | longest |`);
console.log(`|---|---|---|---|---|---|`);
console.log(`| ${version} | ${runs} | ${all.length} | ${over(5)} | ${over(30)} | ${Math.max(...all).toFixed(1)} ms |`);
