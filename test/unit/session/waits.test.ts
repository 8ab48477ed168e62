// Waits in progress and stalls (issue 18) on hand-written event streams: each kind of stall found
// and explained, and no false alarm while a live process could still end the wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session, STALL_SETTLE_MS, explainStall } from '../../../src/core/session';
import type { ChannelKind, ChannelOpEvent, TracerEvent } from '../../../src/core/protocol/events';

const F = '/home/u/demo.py';
const site = (line: number) => ({ file: F, line });
const MAIN = 100;

function hello(pid: number, ppid: number, t: number, role: 'main' | 'child' = 'child'): TracerEvent {
  return {
    kind: 'hello', t, pid, ppid, tid: 1, role, name: role === 'main' ? 'MainProcess' : `Process-${pid - 100}`,
    argv: ['demo.py'], python: '3.12.1', executable: '/usr/bin/python3',
  };
}
const created = (parent: number, child: number, t: number, line: number): TracerEvent => ({
  kind: 'process.created', t, pid: parent, ppid: 1, tid: 1, childPid: child, name: `Process-${child - 100}`, daemon: false,
  role: 'child', startMethod: 'fork', target: 'work', site: site(line),
});
const channel = (pid: number, id: string, kind: ChannelKind, t: number, line: number, detail?: Record<string, string>): TracerEvent => ({
  kind: 'channel.created', t, pid, ppid: 1, tid: 1, id, channel: kind, site: site(line), ...(detail ? { detail } : {}),
});
const op = (pid: number, id: string, o: ChannelOpEvent['op'], t: number, line: number, size = 10, ok = true): TracerEvent => ({
  kind: 'channel.op', t, pid, ppid: 1, tid: 1, id, op: o, size, site: site(line), ok,
});
const wait = (pid: number, o: string, t: number, line: number | null, extra: { id?: string; childPid?: number; timeout?: number } = {}): TracerEvent => ({
  kind: 'wait.begin', t, pid, ppid: 1, tid: 1, op: o, site: line === null ? null : site(line), ...extra,
});
const exit = (pid: number, t: number): TracerEvent => ({ kind: 'process.exit', t, pid, ppid: MAIN, tid: 1, exitCode: 0, how: 'return' });
const joined = (child: number, t: number): TracerEvent => ({
  kind: 'process.joined', t, pid: MAIN, ppid: 1, tid: 1, childPid: child, stillAlive: false, exitCode: 0, waitedMs: 1,
});
/** Time passes with nothing from the tracer (every process blocked): a sampler tick. */
const tick = (s: Session, t: number) => s.applySnapshot({ t, processes: [], gone: [] });

function run(events: TracerEvent[]): Session {
  const s = new Session({ run: { script: F } });
  s.applyEvent(hello(MAIN, 50, 0, 'main'));
  for (const e of events) s.applyEvent(e);
  return s;
}

test('join before drain: the parent joins a child whose 1 MB message on the queue nobody reads', () => {
  const s = run([
    channel(MAIN, 'q1', 'queue', 1, 9),
    created(MAIN, 101, 2, 10),
    hello(101, MAIN, 3),
    op(101, 'q1', 'put', 4, 5, 1_048_576),
    exit(101, 5),
    wait(101, 'flush', 6, null, { id: 'q1' }),
    wait(MAIN, 'join', 7, 12, { childPid: 101 }),
  ]);
  tick(s, 500);
  const early = s.snapshot();
  assert.deepEqual(early.stalls, [], 'not before the waits have settled');
  assert.equal(early.processes.find((p) => p.pid === MAIN)!.state, 'waiting');
  assert.equal(early.processes.find((p) => p.pid === 101)!.state, 'waiting', 'flushing at exit: still waiting after its exit event');
  tick(s, 7 + STALL_SETTLE_MS + 10);
  const snap = s.snapshot();
  assert.equal(snap.stalls.length, 1);
  const st = snap.stalls[0]!;
  assert.equal(st.kind, 'deadlock');
  assert.deepEqual(st.steps.map((x) => x.pid), [MAIN, 101]);
  assert.deepEqual(st.steps.map((x) => x.waitsOn), [[101], [MAIN]]);
  assert.deepEqual(st.sites.map((x) => x.line).sort((a, b) => a - b), [5, 9, 12]);
  assert.equal(
    explainStall(st, snap),
    'Deadlock: MainProcess waits at line 12 for Process-1 to exit; Process-1 cannot exit until its 1.0 MB message on the Queue created at line 9 is read (put at line 5), and only MainProcess could read it',
  );
  assert.equal(snap.processes.find((p) => p.pid === MAIN)!.wait!.stallId, st.id);
  // Stop ends it: the child is killed and reaped.
  s.applyEvent({ kind: 'process.reaped', t: 2000, pid: 99, ppid: 1, childPid: 101, exitCode: null, signal: 'SIGTERM' } as TracerEvent);
  tick(s, 2100);
  const after = s.snapshot();
  assert.equal(after.stalls[0]!.endedBy, 'exit');
  assert.equal(after.processes.find((p) => p.pid === 101)!.wait, null);
});

test('draining before the join: no stall, however long the join lasts', () => {
  const s = run([
    channel(MAIN, 'q1', 'queue', 1, 9),
    created(MAIN, 101, 2, 10),
    created(MAIN, 102, 2, 10),
    hello(101, MAIN, 3),
    op(101, 'q1', 'put', 4, 5, 1_048_576),
    wait(101, 'flush', 6, null, { id: 'q1' }),
    wait(MAIN, 'join', 7, 12, { childPid: 102 }), // another child, still running
  ]);
  tick(s, 5000);
  assert.deepEqual(s.snapshot().stalls, [], 'process 102 is alive and not waiting: it could read');
});

test('consumer without a sentinel: its producers have exited, the queue is empty: can never end', () => {
  const s = run([
    channel(MAIN, 'q1', 'queue', 1, 5),
    created(MAIN, 101, 2, 10),
    created(MAIN, 102, 2, 11),
    hello(101, MAIN, 3),
    hello(102, MAIN, 3),
    op(101, 'q1', 'put', 4, 20),
    op(102, 'q1', 'get', 5, 30),
    exit(101, 6),
    joined(101, 7),
    wait(102, 'get', 8, 30, { id: 'q1' }),
    wait(MAIN, 'join', 9, 13, { childPid: 102 }),
  ]);
  tick(s, 9 + STALL_SETTLE_MS);
  const snap = s.snapshot();
  assert.equal(snap.stalls.length, 1);
  const st = snap.stalls[0]!;
  assert.equal(st.kind, 'never');
  assert.match(explainStall(st, snap), /^A wait that can never end: MainProcess waits at line 13 for Process-2 to exit; Process-2 waits at line 30 for a message on the Queue created at line 5, which is empty; everyone who sent on it \(Process-1\) has exited/);
});

test('a consumer whose producer still runs is not stuck', () => {
  const s = run([
    channel(MAIN, 'q1', 'queue', 1, 5),
    created(MAIN, 101, 2, 10),
    created(MAIN, 102, 2, 11),
    hello(101, MAIN, 3),
    hello(102, MAIN, 3),
    wait(102, 'get', 8, 30, { id: 'q1' }),
    wait(MAIN, 'join', 9, 13, { childPid: 102 }),
  ]);
  tick(s, 5000);
  assert.deepEqual(s.snapshot().stalls, []);
});

test('recv with the write end kept by the reader itself: EOFError can never come', () => {
  const s = run([
    channel(MAIN, 'p1', 'pipe', 1, 5, { end0: 'p1:0', end1: 'p1:1' }),
    created(MAIN, 101, 2, 10),
    hello(101, MAIN, 3),
    op(101, 'p1:1', 'send', 4, 20),
    op(101, 'p1:1', 'close', 5, 21),
    exit(101, 6),
    op(MAIN, 'p1:0', 'recv', 7, 14),
    joined(101, 8),
    wait(MAIN, 'recv', 9, 14, { id: 'p1:0' }),
  ]);
  tick(s, 9 + STALL_SETTLE_MS);
  const snap = s.snapshot();
  assert.equal(snap.stalls.length, 1);
  assert.equal(snap.stalls[0]!.kind, 'never');
  assert.equal(
    explainStall(snap.stalls[0]!, snap),
    'A wait that can never end: MainProcess waits at line 14 to receive on the Pipe created at line 5; it still holds the other end itself, so EOFError can never come; everyone who sent on it (Process-1) has exited, and nobody alive could end that',
  );
  const main = snap.processes.find((p) => p.pid === MAIN)!;
  assert.equal(main.wait!.channelId, 'p1');
  assert.equal(main.wait!.pipeEnd, 0);
});

test('recv while the child that holds the write end runs: no stall; a message in flight: no stall', () => {
  const s = run([
    channel(MAIN, 'p1', 'pipe', 1, 5, { end0: 'p1:0', end1: 'p1:1' }),
    created(MAIN, 101, 2, 10),
    hello(101, MAIN, 3),
    wait(MAIN, 'recv', 9, 14, { id: 'p1:0' }),
  ]);
  tick(s, 5000);
  assert.deepEqual(s.snapshot().stalls, []);
});

test('two locks taken in opposite orders by two processes: a deadlock naming both holders', () => {
  const s = run([
    channel(MAIN, 'a', 'lock', 1, 3),
    channel(MAIN, 'b', 'lock', 1, 4),
    created(MAIN, 101, 2, 20),
    created(MAIN, 102, 2, 21),
    hello(101, MAIN, 3),
    hello(102, MAIN, 3),
    op(101, 'a', 'acquire', 5, 8),
    op(102, 'b', 'acquire', 5, 14),
    wait(101, 'acquire', 6, 9, { id: 'b' }),
    wait(102, 'acquire', 6, 15, { id: 'a' }),
    wait(MAIN, 'join', 7, 22, { childPid: 101 }),
  ]);
  tick(s, 7 + STALL_SETTLE_MS);
  const snap = s.snapshot();
  assert.equal(snap.stalls.length, 1);
  const st = snap.stalls[0]!;
  assert.equal(st.kind, 'deadlock');
  assert.deepEqual(st.steps.map((x) => x.pid), [MAIN, 101, 102]);
  assert.equal(
    explainStall(st, snap),
    'Deadlock: MainProcess waits at line 22 for Process-1 to exit; Process-1 waits at line 9 to acquire the Lock created at line 4, held since line 14 by Process-2; Process-2 waits at line 15 to acquire the Lock created at line 3, held since line 8 by Process-1',
  );
});

test('a timed wait that only its timeout can end is reported as such and ends', () => {
  const s = run([
    channel(MAIN, 'q1', 'queue', 1, 9),
    created(MAIN, 101, 2, 10),
    hello(101, MAIN, 3),
    op(101, 'q1', 'put', 4, 5, 2_000_000),
    exit(101, 5),
    wait(101, 'flush', 6, null, { id: 'q1' }),
    wait(MAIN, 'join', 7, 12, { childPid: 101, timeout: 3 }),
  ]);
  tick(s, 7 + STALL_SETTLE_MS);
  let snap = s.snapshot();
  assert.equal(snap.stalls.length, 1);
  assert.equal(snap.stalls[0]!.kind, 'timeout');
  assert.match(explainStall(snap.stalls[0]!, snap), /^Would deadlock without its timeout: MainProcess waits at line 12 for Process-1 to exit \(timeout 3 s\)/);
  // The join times out (its event), the parent drains the queue, the child ends.
  s.applyEvent({ kind: 'process.joined', t: 3007, pid: MAIN, ppid: 1, tid: 1, childPid: 101, stillAlive: true, exitCode: null, waitedMs: 3000, timeout: 3 } as TracerEvent);
  tick(s, 3010);
  snap = s.snapshot();
  assert.equal(snap.stalls[0]!.endedBy, 'timeout');
  assert.equal(snap.stalls[0]!.endedMs, 3007);
  assert.equal(snap.processes.find((p) => p.pid === MAIN)!.wait, null);
  assert.equal(s.snapshotAt(2000).stalls[0]!.endedMs, null, 'scrubbing back: it lasted then');
  assert.deepEqual(s.snapshotAt(500).stalls, []);
});

test('a wait whose own event arrived first never opens; waits of other threads do not hide the main one', () => {
  const s = run([
    channel(MAIN, 'e', 'event', 1, 3),
    op(MAIN, 'e', 'wait', 300, 7),
    wait(MAIN, 'wait', 10, 7, { id: 'e' }),
  ]);
  tick(s, 5000);
  const snap = s.snapshot();
  assert.equal(snap.processes.find((p) => p.pid === MAIN)!.wait, null);
  assert.deepEqual(snap.stalls, []);
});

test('an Event waited for by the only process left can never be set', () => {
  const s = run([channel(MAIN, 'e', 'event', 1, 3), wait(MAIN, 'wait', 10, 7, { id: 'e' })]);
  tick(s, 10 + STALL_SETTLE_MS);
  const snap = s.snapshot();
  assert.equal(snap.stalls.length, 1);
  assert.equal(snap.stalls[0]!.kind, 'never');
  assert.equal(explainStall(snap.stalls[0]!, snap), 'A wait that can never end: MainProcess waits at line 7 in wait on the Event created at line 3, and nobody alive could end that');
});

test('a reader whose events arrive before its writer\'s: messages are counted by the difference, in any order', () => {
  // As seen on a real run: the parent's recv events came before the child's sends.
  const s = run([
    channel(MAIN, 'p1', 'pipe', 1, 5, { end0: 'p1:0', end1: 'p1:1' }),
    created(MAIN, 101, 2, 10),
    hello(101, MAIN, 3),
    op(MAIN, 'p1:0', 'recv', 7, 14),
    op(MAIN, 'p1:0', 'recv', 8, 14),
    wait(MAIN, 'recv', 9, 14, { id: 'p1:0' }),
    op(101, 'p1:1', 'send', 4, 20),
    op(101, 'p1:1', 'send', 5, 20),
    op(101, 'p1:1', 'close', 6, 21),
    exit(101, 6),
    joined(101, 8),
  ]);
  tick(s, 9 + STALL_SETTLE_MS);
  assert.equal(s.snapshot().stalls.length, 1, 'both messages were read: nothing in flight');
  const q = run([
    channel(MAIN, 'q1', 'queue', 1, 5),
    created(MAIN, 101, 2, 10),
    hello(101, MAIN, 3),
    op(MAIN, 'q1', 'get', 7, 14),
    wait(MAIN, 'get', 9, 14, { id: 'q1' }),
    op(101, 'q1', 'put', 4, 20),
    exit(101, 6),
    joined(101, 8),
  ]);
  tick(q, 9 + STALL_SETTLE_MS);
  const snap = q.snapshot();
  assert.equal(snap.stalls.length, 1);
  assert.equal(snap.stalls[0]!.kind, 'never');
});
