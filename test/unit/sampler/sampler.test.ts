// The sampler on real processes: a zombie, an orphan, a SIGKILLed child, a stopped child.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ProcessSampler, type Snapshot } from '../../../src/core/sampler';
import { parseStat, parseStatBytes } from '../../../src/core/sampler/procfs';
import { readFileSync } from 'node:fs';

const PY = process.env.PYTHON ?? 'python3';

/**
 * A Python root that makes the situation under test and prints `{"name": pid}` lines; it waits
 * for stdin to close before exiting so the test decides when it ends.
 */
function startRoot(code: string): { proc: ChildProcess; pids: Promise<Record<string, number>> } {
  const prelude = 'import os, sys, time, json, signal\ndef tell(**kw):\n    print(json.dumps(kw), flush=True)\n';
  const proc = spawn(PY, ['-c', prelude + code], { stdio: ['pipe', 'pipe', 'inherit'] });
  const pids = new Promise<Record<string, number>>((resolve, reject) => {
    const rl = createInterface({ input: proc.stdout! });
    rl.once('line', (line) => resolve(JSON.parse(line) as Record<string, number>));
    proc.once('exit', (code) => reject(new Error(`root exited early with ${code}`)));
  });
  return { proc, pids };
}

async function pollSampler(
  sampler: ProcessSampler,
  what: string,
  pred: (s: Snapshot) => boolean,
  timeoutMs = 5000,
): Promise<Snapshot> {
  const deadline = Date.now() + timeoutMs;
  let last: Snapshot | null = null;
  while (Date.now() < deadline) {
    last = await sampler.tick();
    if (pred(last)) return last;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}; last snapshot: ${JSON.stringify(last)}`);
}

function endRoot(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.stdin!.end();
  });
}

for (const backend of ['procfs', 'portable'] as const) {
  test(`${backend}: a child that exited while its parent never waits is a zombie`, async () => {
    const { proc, pids } = startRoot(
      'pid = os.fork()\nif pid == 0:\n    os._exit(7)\ntell(child=pid)\nsys.stdin.read()\n',
    );
    const sampler = new ProcessSampler({ backend });
    try {
      const { child } = await pids;
      sampler.start(proc.pid!, 0);
      const snap = await pollSampler(sampler, 'zombie state', (s) => s.processes.some((p) => p.pid === child && p.state === 'zombie'));
      const z = snap.processes.find((p) => p.pid === child)!;
      assert.equal(z.ppid, proc.pid);
      // Once the parent is gone, init reaps the zombie: it must be reported gone.
      await endRoot(proc);
      await pollSampler(sampler, 'zombie reaped', () => !sampler.known().some((k) => k.pid === child && k.alive));
    } finally {
      sampler.dispose();
      proc.kill('SIGKILL');
    }
  });

  test(`${backend}: an os.fork() orphan stays watched after re-parenting`, async () => {
    // The middle process forks a grandchild and exits: the grandchild is re-parented.
    const { proc, pids } = startRoot(
      [
        'r, w = os.pipe()', // mid tells the grandchild's pid
        'hold_r, hold_w = os.pipe()', // the grandchild lives until the root closes hold_w
        'mid = os.fork()',
        'if mid == 0:',
        '    g = os.fork()',
        '    if g == 0:',
        '        os.close(hold_w); os.read(hold_r, 1); os._exit(0)',
        '    os.write(w, str(g).encode().ljust(8)); os._exit(0)',
        'os.waitpid(mid, 0)',
        'g = int(os.read(r, 8))',
        'tell(mid=mid, grandchild=g)',
        'sys.stdin.read()',
        'os.close(hold_w)',
      ].join('\n'),
    );
    const sampler = new ProcessSampler({ backend });
    try {
      sampler.start(proc.pid!, 0);
      await sampler.tick();
      const { grandchild } = await pids;
      sampler.track(grandchild); // as the tracer would announce it
      const snap = await pollSampler(sampler, 'grandchild present', (s) => s.processes.some((p) => p.pid === grandchild));
      const g = snap.processes.find((p) => p.pid === grandchild)!;
      assert.notEqual(g.ppid, proc.pid, 'the orphan was re-parented away from the root');
      // Still watched on the next ticks although it is outside the root's subtree.
      const again = await sampler.tick();
      assert.ok(again.processes.some((p) => p.pid === grandchild));
      await endRoot(proc);
      await pollSampler(sampler, 'orphan ends', (s) => !s.processes.some((p) => p.pid === grandchild));
    } finally {
      sampler.dispose();
      proc.kill('SIGKILL');
    }
  });

  test(`${backend}: a stopped child is reported stopped, a SIGKILLed one goes`, async () => {
    const { proc, pids } = startRoot(
      [
        'import subprocess',
        'a = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])',
        'b = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])',
        'tell(a=a.pid, b=b.pid)',
        'os.kill(a.pid, signal.SIGSTOP)',
        'sys.stdin.read()',
        'for p in (a, b):',
        '    p.kill(); p.wait()',
      ].join('\n'),
    );
    const sampler = new ProcessSampler({ backend });
    try {
      const { a, b } = await pids;
      sampler.start(proc.pid!, 0);
      await pollSampler(sampler, 'a stopped', (s) => s.processes.some((p) => p.pid === a && p.state === 'stopped'));
      await pollSampler(sampler, 'b sleeping', (s) => s.processes.some((p) => p.pid === b && p.state === 'sleeping'));
      const seen: number[] = [];
      sampler.onSnapshot((s) => seen.push(...s.gone));
      process.kill(b, 'SIGKILL');
      await pollSampler(sampler, 'b gone or zombie', (s) => !s.processes.some((p) => p.pid === b && p.state !== 'zombie'));
      await endRoot(proc);
      await pollSampler(sampler, 'everything gone', (s) => s.processes.length === 0);
      assert.ok(seen.includes(b), 'the killed child is reported gone');
      assert.ok(seen.includes(proc.pid!), 'the root is reported gone');
    } finally {
      sampler.dispose();
      proc.kill('SIGKILL');
    }
  });
}

test('procfs: a process discovered without announcement (non-Python grandchild) is found', async () => {
  const { proc, pids } = startRoot(
    'import subprocess\np = subprocess.Popen(["sh", "-c", "sleep 30 & wait"], start_new_session=True)\ntell(sh=p.pid)\nsys.stdin.read()\nos.killpg(p.pid, signal.SIGKILL); p.wait()\n',
  );
  const sampler = new ProcessSampler({ backend: 'procfs' });
  try {
    const { sh } = await pids;
    sampler.start(proc.pid!, 0);
    const snap = await pollSampler(sampler, 'sleep under sh', (s) =>
      s.processes.some((p) => p.ppid === sh && p.command.startsWith('sleep')),
    );
    assert.ok(snap.processes.some((p) => p.pid === sh));
  } finally {
    await endRoot(proc);
    sampler.dispose();
    proc.kill('SIGKILL');
  }
});

test('parseStat copes with spaces and parentheses in the command name', () => {
  const s = parseStat('123 (a (b) c) S 1 123 123 0 -1 4194560 0 0 0 0 7 3 0 0 20 0 1 0 4242 1000 25 18446744073709551615');
  assert.ok(s);
  assert.equal(s.comm, 'a (b) c');
  assert.equal(s.state, 'S');
  assert.equal(s.ppid, 1);
  assert.equal(s.cpuTicks, 10);
  assert.equal(s.startTicks, 4242);
  assert.equal(s.rssPages, 25);
});

test('parseStatBytes agrees with parseStat on real stat lines', () => {
  for (const pid of [process.pid, process.ppid, 1]) {
    const buf = readFileSync(`/proc/${pid}/stat`);
    assert.deepEqual(parseStatBytes(buf, buf.length), parseStat(buf.toString('latin1')));
  }
  const odd = Buffer.from('7 (x) y) Z 1 -3 7 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 99 0 0 0');
  assert.deepEqual(parseStatBytes(odd, odd.length), parseStat(odd.toString('latin1')));
});

test('procfs: threads created between ticks are not taken for processes', async () => {
  const { proc, pids } = startRoot(
    'import threading\ntell(ready=1)\nsys.stdin.readline()\nfor i in range(5):\n    threading.Thread(target=time.sleep, args=(30,), daemon=True).start()\ntell(threads=5)\nsys.stdin.read()\n',
  );
  const sampler = new ProcessSampler({ backend: 'procfs' });
  try {
    await pids;
    sampler.start(proc.pid!, 0);
    await sampler.tick();
    const started = new Promise<void>((resolve) => createInterface({ input: proc.stdout! }).once('line', () => resolve()));
    proc.stdin!.write('go\n');
    await started;
    for (let i = 0; i < 3; i++) {
      const snap = await sampler.tick();
      assert.deepEqual(snap.processes.map((p) => p.pid), [proc.pid], 'only the process, none of its threads');
    }
  } finally {
    sampler.dispose();
    await endRoot(proc);
  }
});

test('procfs: track() with a start time that does not match (a reused pid) adopts nothing', async () => {
  const other = spawn('sleep', ['30']);
  const root = spawn('sleep', ['30']); // a run that has nothing to do with `other`
  const spawned = Promise.all([other, root].map((c) => new Promise((r) => c.once('spawn', r))));
  const sampler = new ProcessSampler({ backend: 'procfs' });
  try {
    await spawned;
    const real = parseStat(readFileSync(`/proc/${other.pid}/stat`, 'latin1'))!.startTicks;
    sampler.start(root.pid!, 0);
    await sampler.tick();
    sampler.track(other.pid!, real + 1);
    assert.ok(!(await sampler.tick()).processes.some((p) => p.pid === other.pid), 'another process behind the pid');
    sampler.track(other.pid!, real);
    assert.ok((await sampler.tick()).processes.some((p) => p.pid === other.pid), 'the announced process');
  } finally {
    sampler.dispose();
    other.kill('SIGKILL');
    root.kill('SIGKILL');
  }
});
