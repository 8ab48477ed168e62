// The reducer on event streams recorded from real runs of examples (test/fixtures/recordings,
// made with `process-view record`): what each example teaches must be in the model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadSession } from '../../../src/core/recording';
import { summarize } from '../../../src/core/session';

/** The repository root, found from this (bundled, under out/) file upwards. */
function repoRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'package.json')) && dirname(d) !== d) d = dirname(d);
  return d;
}
const dir = join(repoRoot(), 'test', 'fixtures', 'recordings');
const load = async (name: string) => (await loadSession(join(dir, `${name}.jsonl`))).session.snapshot();

test('18_zombie: the child is a zombie until the parent joins it, with the line that started it', async () => {
  const snap = await load('18_zombie');
  assert.equal(snap.processes.length, 2, 'the main process and its child, once each');
  const child = snap.processes.find((p) => p.role === 'child')!;
  assert.equal(child.zombie, true);
  assert.equal(child.state, 'exited');
  assert.equal(child.createdAt?.line, 46);
  assert.ok(child.reapedMs! - child.zombieSinceMs! > 1500, 'a zombie for about 2 s');
  assert.ok(child.createdAt?.file.endsWith('18_zombie.py'));
});

test('19_orphan: the os.fork() child outlives its parent and is adopted by the supervisor', async () => {
  const snap = await load('19_orphan');
  const main = snap.processes.find((p) => p.role === 'main')!;
  const child = snap.processes.find((p) => p.pid !== main.pid)!;
  assert.equal(child.orphaned, true);
  assert.equal(child.parentPid, main.pid);
  assert.equal(child.adoptedBy, child.reapedBy, 'adopted and reaped by the supervisor (a subreaper)');
  assert.equal(child.adoptedBySupervisor, true);
  assert.notEqual(child.adoptedBy, main.pid);
  assert.equal(child.exitCode, 0);
});

test('14_terminate_is_alive: terminate() ends the child by SIGTERM', async () => {
  const snap = await load('14_terminate_is_alive');
  const child = snap.processes.find((p) => p.role === 'child')!;
  assert.equal(child.state, 'killed');
  assert.equal(child.signal, 'SIGTERM');
  assert.equal(child.zombie, false);
});

test('41_pipe_producer_consumer: ten messages through one pipe, every one matched with its recv', async () => {
  const snap = await load('41_pipe_producer_consumer');
  const pipe = snap.channels.find((c) => c.kind === 'pipe')!;
  assert.equal(pipe.messageCount, 10);
  assert.equal(pipe.recentMessages.length, 10);
  const [main, child] = [snap.processes[0]!, snap.processes[1]!];
  for (const m of pipe.recentMessages) {
    assert.notEqual(m.receivedMs, null, `message ${m.seq} received`);
    assert.ok(m.receivedMs! >= m.sentMs - 1);
    assert.ok([main.pid, child.pid].includes(m.fromPid) && m.toPid !== m.fromPid);
  }
  const json = summarize(snap);
  assert.deepEqual(json.channels[0]!.ops, pipe.ops);
  assert.equal(json.channels[0]!.messages, 10);
});

test('35_joinable_queue: workers, daemons ended by SIGTERM, every task done', async () => {
  const snap = await load('35_joinable_queue');
  assert.equal(snap.processes.length, 6);
  const daemons = snap.processes.filter((p) => p.daemon);
  assert.equal(daemons.length, 2);
  for (const d of daemons) assert.equal(d.signal, 'SIGTERM');
  const q = snap.channels.find((c) => c.kind === 'joinable-queue')!;
  assert.equal(q.ops.get, 30);
  assert.equal(q.ops.task_done, 30);
  assert.equal(q.messageCount, 30);
  const workers = new Set(snap.processes.filter((p) => p.role === 'child').map((p) => p.pid));
  for (const m of q.recentMessages) {
    assert.notEqual(m.toPid, null, `message ${m.seq} (${m.preview}) was received`);
    assert.ok(workers.has(m.toPid!) || workers.has(m.fromPid), 'between the main process and a worker');
  }
});
