// Stop on a real run: a plain child, one that ignores SIGTERM, a stopped one, a zombie, and a
// double-forked daemon in its own session re-parented to init. None may be left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, readFileSync } from 'node:fs';
import { stopRun } from '../../../src/core/stop';

const ROOT = `
import os, sys, time, signal, json, subprocess
pids = {}
plain = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
pids["plain"] = plain.pid
stubborn = subprocess.Popen([sys.executable, "-c", "import signal, time, sys; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(60)"], stdout=subprocess.PIPE)
stubborn.stdout.readline()
pids["stubborn"] = stubborn.pid
stopped = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
os.kill(stopped.pid, signal.SIGSTOP)
pids["stopped"] = stopped.pid
z = os.fork()
if z == 0:
    os._exit(0)
pids["zombie"] = z
r, w = os.pipe()
mid = os.fork()
if mid == 0:
    os.setsid()
    d = os.fork()
    if d == 0:
        time.sleep(60); os._exit(0)
    os.write(w, str(d).encode().ljust(10)); os._exit(0)
os.waitpid(mid, 0)
pids["mid"] = mid
pids["daemon"] = int(os.read(r, 10))
print(json.dumps(pids), flush=True)
time.sleep(60)
`;

/** The one-letter state of /proc/<pid>/stat, or null once the pid is gone (reaped). */
function osState(pid: number): string | null {
  if (!existsSync(`/proc/${pid}/stat`)) return null;
  try {
    return readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]![0]!;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  const state = osState(pid);
  return state !== null && state !== 'Z';
}

/** Polls until `ok()` holds; fails after `ms` with `what` (a deadline, not a sleep standing in for it). */
async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('stopRun ends descendants, a SIGTERM-proof child, a stopped child and a setsid daemon; none is left', { skip: process.platform !== 'linux' }, async () => {
  const root = spawn(process.env.PYTHON ?? 'python3', ['-c', ROOT], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pids = await new Promise<Record<string, number>>((resolve, reject) => {
    createInterface({ input: root.stdout! }).once('line', (l) => resolve(JSON.parse(l) as Record<string, number>));
    root.once('exit', (c) => reject(new Error(`root exited ${c}`)));
  });
  const exited = new Promise<void>((r) => root.once('exit', () => r()));
  try {
    assert.ok(alive(pids.daemon!), 'the daemon runs');
    // The forked child called os._exit(0) before the root printed, but on a busy machine it may
    // not have finished dying yet: the claim below is about a zombie, so wait until it is one.
    await until(`pid ${pids.zombie} to be a zombie`, () => osState(pids.zombie!) === 'Z');
    // What the tracer would have announced: the root and the processes it created (not the daemon itself).
    const known = [root.pid!, pids.plain!, pids.stubborn!, pids.stopped!, pids.zombie!, pids.mid!].map((pid) => ({ pid }));
    const t0 = Date.now();
    const result = await stopRun({ processes: known, graceMs: 500 });
    const took = Date.now() - t0;
    for (const [name, pid] of Object.entries(pids)) assert.equal(alive(pid), false, `${name} (${pid}) is still alive`);
    assert.equal(alive(root.pid!), false);
    assert.deepEqual(result.leftovers, []);
    assert.ok(result.killed.includes(pids.stubborn!), `the SIGTERM-proof child needed SIGKILL: ${JSON.stringify(result)}`);
    assert.ok(result.terminated.includes(pids.daemon!), 'the daemon was found through its session');
    assert.ok(result.terminated.includes(pids.stopped!), 'the stopped child got SIGCONT and ended');
    assert.ok(!result.terminated.includes(pids.zombie!) && !result.killed.includes(pids.zombie!), 'a zombie is not signalled');
    assert.ok(took < 4000, `took ${took} ms`);
    await exited;
  } finally {
    root.kill('SIGKILL');
  }
});
