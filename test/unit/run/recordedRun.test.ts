// The recorded run every front end uses, on real Python processes: the Session, the recording and
// the observer see the same events; Stop ends the whole run; samples are written when they matter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readRecording, loadSession } from '../../../src/core/recording';
import { spawn } from 'node:child_process';
import { recordRun, SampleFilter, startRecordedRun, type RecordedRun } from '../../../src/core/run';
import { prepareTracedRun } from '../../../src/core/tracer';
import type { TracerEvent } from '../../../src/core/protocol/events';
import type { Snapshot } from '../../../src/core/sampler';

const dir = mkdtempSync(path.join(tmpdir(), 'pv-run-'));
function script(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

function alive(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]![0];
    return state !== 'Z';
  } catch {
    return false;
  }
}

test('a recorded run: the observer, the Session and the recording get every event, in order, from the first', async () => {
  const s = script(
    'child.py',
    [
      'import multiprocessing as mp, sys',
      'def work(q):',
      '    q.put("hi")',
      'if __name__ == "__main__":',
      '    q = mp.Queue()',
      '    p = mp.Process(target=work, args=(q,))',
      '    p.start()',
      '    print(q.get())',
      '    p.join()',
      '    sys.exit(3)',
      '',
    ].join('\n'),
  );
  const seen: TracerEvent[] = [];
  const folded: boolean[] = [];
  const holder: { run?: RecordedRun } = {};
  const recordingPath = path.join(dir, 'child.jsonl');
  const recorded = await startRecordedRun({
    script: s,
    stdio: 'pipe',
    recordingPath,
    samplingIntervalMs: 50,
    onEvent: (e) => {
      seen.push(e);
      // The Session has folded the event already when the observer hears of it.
      if (holder.run && e.kind === 'channel.op') folded.push(holder.run.session.snapshot().channels.some((c) => c.id === e.id && (c.ops[e.op] ?? 0) > 0));
    },
  });
  holder.run = recorded;
  let out = '';
  recorded.run.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const end = await recorded.ended;
  assert.deepEqual(end, { exitCode: 3, signal: null, recordingError: null });
  assert.equal(out.trim(), 'hi');
  assert.equal(seen[0]?.kind, 'hello', 'the observer gets the events that arrived before it was wired');
  assert.equal(seen.length, recorded.run.stats.events, 'every event the receiver delivered');
  assert.ok(folded.every(Boolean), `the Session had each op before the observer: ${JSON.stringify(folded)}`);

  const rec = await readRecording(recordingPath);
  assert.equal(rec.header.script, s);
  assert.equal(rec.header.supervisorPid, recorded.run.supervisorPid);
  assert.equal(rec.header.samplingIntervalMs, 50);
  assert.deepEqual(
    rec.records.filter((r) => r.type === 'event').map((r) => (r.type === 'event' ? r.event : null)),
    seen,
    'the file holds the same events in the same order',
  );
  assert.ok(rec.records.some((r) => r.type === 'sample'), 'samples are written');
  assert.equal(rec.end?.exitCode, 3);

  const live = recorded.session.snapshot();
  assert.equal(live.run.endedMs !== null, true);
  assert.ok(!live.processes.some((p) => p.pid === recorded.run.supervisorPid), 'the supervisor is not part of the run');
  const reopened = (await loadSession(recordingPath)).session.snapshot();
  const shape = (snap: typeof live) => snap.processes.map((p) => [p.pid, p.parentPid, p.role, p.state, p.exitCode]);
  assert.deepEqual(shape(reopened), shape(live), 'the recording reopens as the run was seen');
  assert.equal(live.processes.length, 2);
});

test('stop() ends the script and everything it started, and the run ends by the signal', { skip: process.platform !== 'linux' }, async () => {
  const pidFile = path.join(dir, 'pids');
  const s = script(
    'stubborn.py',
    [
      'import os, signal, subprocess, sys, time',
      // A grandchild that ignores SIGTERM, and a double-forked one in a session of its own.
      'a = subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"])',
      'r, w = os.pipe()',
      'mid = os.fork()',
      'if mid == 0:',
      '    os.setsid()',
      '    d = os.fork()',
      '    if d == 0:',
      '        time.sleep(60); os._exit(0)',
      '    os.write(w, str(d).encode().ljust(10)); os._exit(0)',
      'os.waitpid(mid, 0)',
      'd = int(os.read(r, 10))',
      `open(${JSON.stringify(pidFile)}, "w").write("%d %d" % (a.pid, d))`,
      'time.sleep(60)',
      '',
    ].join('\n'),
  );
  const recorded = await startRecordedRun({ script: s, stdio: 'pipe', recordingPath: path.join(dir, 'stubborn.jsonl'), stopGraceMs: 300 });
  const deadline = Date.now() + 20_000;
  while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8').split(' ').length < 2) {
    assert.ok(Date.now() < deadline, 'the script wrote its pids');
    await new Promise((r) => setTimeout(r, 20));
  }
  const pids = readFileSync(pidFile, 'utf8').split(' ').map(Number);
  const result = await recorded.stop();
  const end = await recorded.ended;
  assert.deepEqual(result.leftovers, []);
  for (const pid of [...pids, recorded.run.supervisorPid]) assert.equal(alive(pid), false, `${pid} is still alive`);
  assert.equal(end.signal, 'SIGTERM');
  assert.strictEqual(recorded.stop(), recorded.stop(), 'a second Stop is the same Stop');
});

test('a run started elsewhere (as a terminal would, from prepareTracedRun) is recorded and stopped the same way', { skip: process.platform !== 'linux' }, async () => {
  const s = script('elsewhere.py', 'import multiprocessing as mp, sys, time\nif __name__ == "__main__":\n    p = mp.Process(target=time.sleep, args=(0.05,)); p.start(); p.join()\n    sys.exit(5)\n');
  const prepared = await prepareTracedRun({ script: s });
  assert.equal(prepared.address.kind, 'unix');
  assert.equal(prepared.command.env.PROCESS_VIEW_SOCKET, prepared.address.kind === 'unix' ? prepared.address.path : undefined);
  assert.equal(prepared.command.env.PROCESS_VIEW_PORT, undefined);
  assert.ok(prepared.command.args.includes(s));
  const attached = prepared.attach(20_000);
  // The "terminal": not a child the run knows of, and its output is not ours.
  const terminal = spawn(prepared.command.file, [...prepared.command.args], { cwd: prepared.command.cwd, env: prepared.command.env, stdio: 'ignore' });
  const source = await attached;
  assert.equal(source.supervisorPid, terminal.pid, 'the supervisor named itself');
  const recorded = recordRun(source, { script: s, recordingPath: path.join(dir, 'elsewhere.jsonl') });
  const end = await recorded.ended;
  assert.deepEqual(end, { exitCode: 5, signal: null, recordingError: null }, 'the status the supervisor reported');
  const snap = recorded.session.snapshot();
  // Sorted: each process reports on its own connection, so the child's hello can be read before
  // the main's (a busy machine, the main's sender thread not yet run); the list is in order of sight.
  const roles = snap.processes.map((p) => [p.role, p.state]).sort((a, b) => a[0]!.localeCompare(b[0]!));
  assert.deepEqual(roles, [['child', 'exited'], ['main', 'exited']]);
  const main = snap.processes.find((p) => p.role === 'main')!;
  assert.equal(snap.processes.find((p) => p.role === 'child')!.parentPid, main.pid, 'the child is the main\'s, whichever was seen first');

  const forever = script('forever.py', 'import time\nwhile True: time.sleep(0.05)\n');
  const second = await prepareTracedRun({ script: forever });
  const attaching = second.attach(20_000);
  spawn(second.command.file, [...second.command.args], { cwd: second.command.cwd, env: second.command.env, stdio: 'ignore' });
  const running = recordRun(await attaching, { script: forever, recordingPath: path.join(dir, 'forever.jsonl') });
  const deadline = Date.now() + 20_000;
  while (!running.session.snapshot().processes.some((p) => p.role === 'main')) {
    assert.ok(Date.now() < deadline, 'the script said hello');
    await new Promise((r) => setTimeout(r, 20));
  }
  const result = await running.stop();
  assert.deepEqual(result.leftovers, []);
  assert.equal((await running.ended).signal, 'SIGTERM');
  assert.equal(alive(running.run.supervisorPid), false);

  const never = await prepareTracedRun({ script: forever });
  await assert.rejects(never.attach(200), /did not connect within 200 ms/);
  await never.cancel();
});

test('samples are written when the process table changed, otherwise once a second', () => {
  const f = new SampleFilter();
  const proc = (pid: number, state: 'running' | 'sleeping' | 'zombie' = 'sleeping', ppid = 1) => ({
    pid, ppid, state, startTicks: pid * 10, command: 'python3', cpuPercent: 0, rssBytes: 1,
  });
  const snap = (t: number, processes: Snapshot['processes'], gone: number[] = []): Snapshot => ({ t, processes, gone });
  assert.equal(f.worthWriting(snap(0, [proc(1)])), true, 'the first');
  assert.equal(f.worthWriting(snap(100, [proc(1)])), false, 'nothing changed');
  assert.equal(f.worthWriting(snap(200, [proc(1), proc(2)])), true, 'a process appeared');
  assert.equal(f.worthWriting(snap(300, [proc(1), proc(2, 'zombie')])), true, 'a state changed');
  assert.equal(f.worthWriting(snap(400, [proc(1), proc(2, 'zombie', 7)])), true, 'a parent changed');
  assert.equal(f.worthWriting(snap(500, [proc(1)], [2])), true, 'a process went');
  assert.equal(f.worthWriting(snap(1400, [proc(1)])), false, 'CPU and memory only: not yet');
  assert.equal(f.worthWriting(snap(1500, [proc(1)])), true, 'a second since the last one written');
});

test('a stall found between events is found again in the recording, even when the run is stopped at once', { skip: process.platform !== 'linux' }, async () => {
  // Nothing happens after the recv begins, so only a sample can find the stall; most samples are
  // not written (SampleFilter), so the one that found it must be, or a replay never looks then.
  const s = script(
    'kept.py',
    // The sleep puts the stall's moment half a second from the once-a-second samples.
    ['import multiprocessing as mp, time', 'if __name__ == "__main__":', '    a, b = mp.Pipe()', '    time.sleep(0.5)', '    a.recv()', ''].join('\n'),
  );
  const recordingPath = path.join(dir, 'kept.jsonl');
  const recorded = await startRecordedRun({ script: s, stdio: 'pipe', recordingPath, samplingIntervalMs: 50 });
  const found = new Promise<void>((resolve) => {
    const sub = recorded.session.onDidChange(() => {
      if (recorded.session.snapshot().stalls.length === 0) return;
      sub.dispose();
      resolve();
    });
  });
  const timeout = setTimeout(() => void recorded.stop(), 60_000);
  await found;
  const live = recorded.session.snapshot().stalls.map((st) => ({ kind: st.kind, foundMs: st.foundMs, pids: st.steps.map((x) => x.pid) }));
  await recorded.stop();
  await recorded.ended;
  clearTimeout(timeout);
  assert.equal(live.length, 1, 'the run is stuck at its recv');
  const replayed = (await loadSession(recordingPath)).session.snapshot().stalls;
  assert.deepEqual(
    replayed.map((st) => ({ kind: st.kind, foundMs: st.foundMs, pids: st.steps.map((x) => x.pid) })),
    live,
    'the recording finds the same stall at the same moment',
  );
});
