// The model at a past moment (issue 15): snapshotAt and channelStatesAt answer from time indexes
// built on the complete logs, so an early moment of a long run shows what was true then, and
// they agree with a Session that was only ever fed what had happened by then.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Session } from '../../../src/core/session';
import type { ChannelKind, ChannelOpEvent, TracerEvent } from '../../../src/core/protocol/events';
import { readRecording, runInfoFromHeader } from '../../../src/core/recording';

const F = '/home/u/demo.py';
const site = (line: number) => ({ file: F, line });

function op(pid: number, id: string, o: ChannelOpEvent['op'], t: number, extra: Partial<ChannelOpEvent> = {}): ChannelOpEvent {
  return { kind: 'channel.op', t, pid, ppid: 100, id, op: o, site: site(20), ...extra };
}
function createdChannel(id: string, channel: ChannelKind, t = 1): TracerEvent {
  return { kind: 'channel.created', t, pid: 100, ppid: 1, id, channel, site: site(5) };
}
function session(max = 1000): Session {
  const s = new Session({ run: { script: F }, maxMessagesPerChannel: max });
  s.applyEvent({ kind: 'hello', t: 0, pid: 100, ppid: 50, role: 'main', name: 'MainProcess', argv: [F], python: '3.11.7', executable: 'python3' });
  return s;
}

test('an early moment of a channel with more messages than the views keep shows the messages of then', () => {
  const s = session(10);
  s.applyEvent(createdChannel('q', 'queue'));
  for (let i = 0; i < 100; i++) {
    s.applyEvent(op(101, 'q', 'put', 10 + i, { digest: i, preview: String(i) }));
    s.applyEvent(op(100, 'q', 'get', 10.5 + i, { digest: i, preview: String(i) }));
  }
  assert.deepEqual(s.snapshot().channels[0]!.recentMessages.map((m) => m.seq), [90, 91, 92, 93, 94, 95, 96, 97, 98, 99]);
  const q = s.snapshotAt(59.2).channels[0]!; // the 50th put (seq 49) is sent at 59, received at 59.5
  assert.equal(q.messageCount, 50);
  assert.deepEqual(q.ops, { put: 50, get: 49 });
  assert.deepEqual(q.recentMessages.map((m) => m.seq), [40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
  assert.deepEqual(q.recentMessages.map((m) => m.preview), ['40', '41', '42', '43', '44', '45', '46', '47', '48', '49']);
  assert.equal(q.recentMessages[8]!.receivedMs, 58.5);
  assert.equal(q.recentMessages[9]!.receivedMs, null, 'not received yet at 59.2');
  assert.equal(q.recentMessages[9]!.toPid, null);
  assert.equal(q.recentOps.length, 10);
  assert.equal(q.recentOps[9]!.t, 59);
  const line20 = s.snapshotAt(59.2).lines.find((l) => l.site.line === 20)!;
  assert.equal(line20.sent, 50);
  assert.equal(line20.received, 49);
});

test('channelStatesAt: what a queue held, in order, and who was blocked on it', () => {
  const s = session(5);
  s.applyEvent(createdChannel('q', 'queue'));
  // Arrival order is not time order (processes race): the answers must not depend on it.
  const events = [
    op(101, 'q', 'put', 10, { digest: 1, preview: "'a'" }),
    op(101, 'q', 'put', 11, { digest: 2, preview: "'b'" }),
    op(102, 'q', 'get', 30, { digest: 1, preview: "'a'", waitedMs: 25 }), // blocked from 5 to 30
    op(101, 'q', 'put', 12, { digest: 3, preview: "'c'" }),
    op(103, 'q', 'get', 40, { digest: 2, preview: "'b'", waitedMs: 12 }), // blocked from 28 to 40
  ];
  for (const e of events) s.applyEvent(e);
  const at = (ms: number) => s.channelStatesAt(ms).find((c) => c.id === 'q')!;
  assert.deepEqual(at(11.5).inFlight.map((m) => m.preview), ["'a'", "'b'"]);
  assert.equal(at(11.5).inFlightCount, 2);
  assert.deepEqual(at(20).inFlight.map((m) => m.preview), ["'a'", "'b'", "'c'"]);
  assert.deepEqual(at(20).waiters.map((w) => [w.pid, w.op, w.sinceMs]), [[102, 'get', 5]]);
  assert.deepEqual(at(29).waiters.map((w) => w.pid).sort(), [102, 103]);
  assert.deepEqual(at(35).inFlight.map((m) => m.preview), ["'b'", "'c'"]);
  assert.deepEqual(at(35).waiters.map((w) => [w.pid, w.sinceMs]), [[103, 28]]);
  assert.deepEqual(at(45).inFlight.map((m) => m.preview), ["'c'"]);
  assert.deepEqual(at(45).waiters, []);
  assert.equal(s.channelStatesAt(45, 1).find((c) => c.id === 'q')!.inFlight.length, 1);
  assert.equal(at(45).complete, true);
  assert.equal(at(45).unfinishedTasks, null);
});

test('channelStatesAt: more in flight than the limit counts them all and lists the oldest', () => {
  const s = session(10);
  s.applyEvent(createdChannel('q', 'queue'));
  for (let i = 0; i < 300; i++) s.applyEvent(op(101, 'q', 'put', 10 + i, { digest: i, preview: String(i) }));
  for (let i = 0; i < 100; i++) s.applyEvent(op(100, 'q', 'get', 400 + i, { digest: i, preview: String(i) }));
  const q = s.channelStatesAt(449.5, 20).find((c) => c.id === 'q')!;
  assert.equal(q.inFlightCount, 250, '300 put, 50 got by 449.5 ms');
  assert.equal(q.inFlight.length, 20);
  assert.equal(q.inFlight[0]!.preview, '50');
  assert.equal(q.inFlight[19]!.preview, '69');
});

test("channelStatesAt: a lock's holder and waiters, an RLock's depth, a JoinableQueue's unfinished tasks, an Event", () => {
  const s = session();
  s.applyEvent(createdChannel('l', 'lock'));
  s.applyEvent(createdChannel('r', 'rlock'));
  s.applyEvent(createdChannel('j', 'joinable-queue'));
  s.applyEvent(createdChannel('e', 'event'));
  s.applyEvent(op(101, 'l', 'acquire', 10, { waitedMs: 0 }));
  s.applyEvent(op(102, 'l', 'acquire', 30, { waitedMs: 15 })); // waited from 15 until 101 released
  s.applyEvent(op(101, 'l', 'release', 29.9));
  s.applyEvent(op(102, 'l', 'acquire', 31, { ok: false, waitedMs: 0 })); // a failed non-blocking try changes nothing
  s.applyEvent(op(101, 'r', 'acquire', 10));
  s.applyEvent(op(101, 'r', 'acquire', 11));
  s.applyEvent(op(101, 'r', 'release', 12));
  s.applyEvent(op(100, 'j', 'put', 10, { digest: 1 }));
  s.applyEvent(op(100, 'j', 'put', 11, { digest: 2 }));
  s.applyEvent(op(101, 'j', 'get', 12, { digest: 1 }));
  s.applyEvent(op(101, 'j', 'task_done', 13));
  s.applyEvent(op(100, 'e', 'set', 20));
  s.applyEvent(op(100, 'e', 'clear', 25));
  const at = (id: string, ms: number) => s.channelStatesAt(ms).find((c) => c.id === id)!;
  assert.deepEqual(at('l', 20).holders, [{ pid: 101, count: 1 }]);
  assert.deepEqual(at('l', 20).waiters.map((w) => [w.pid, w.op, w.sinceMs]), [[102, 'acquire', 15]]);
  assert.deepEqual(at('l', 29.95).holders, [], 'released, not yet taken');
  assert.deepEqual(at('l', 35).holders, [{ pid: 102, count: 1 }]);
  assert.deepEqual(at('l', 35).waiters, []);
  assert.deepEqual(at('r', 11.5).holders, [{ pid: 101, count: 2 }]);
  assert.deepEqual(at('r', 12.5).holders, [{ pid: 101, count: 1 }]);
  assert.equal(at('j', 11.5).unfinishedTasks, 2);
  assert.equal(at('j', 12.5).unfinishedTasks, 2, 'got but not yet task_done');
  assert.equal(at('j', 13.5).unfinishedTasks, 1);
  assert.equal(at('e', 19).isSet, false);
  assert.equal(at('e', 22).isSet, true);
  assert.equal(at('e', 26).isSet, false);
  assert.equal(at('l', 26).isSet, null);
});

/** The repository root, found from this (bundled, under out/) file upwards. */
function repoRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'package.json')) && dirname(d) !== d) d = dirname(d);
  return d;
}

for (const name of ['35_joinable_queue', '41_pipe_producer_consumer', '18_zombie', '19_orphan', '14_terminate_is_alive']) {
  test(`${name}: at every event's moment, snapshotAt agrees with a session fed only what had happened by then`, async () => {
    const rec = await readRecording(join(repoRoot(), 'test', 'fixtures', 'recordings', `${name}.jsonl`));
    // In time order, as a replay feeds it: arrival order would stamp a late-arriving fact (a
    // creation reported after a sample saw the child) with its arrival, not its time.
    const tOf = (r: (typeof rec.records)[number]) => (r.type === 'event' ? r.event.t : r.sample.t);
    const records = rec.records.map((r, i) => ({ r, i })).sort((a, b) => tOf(a.r) - tOf(b.r) || a.i - b.i).map((x) => x.r);
    const feed = (s: Session, until: number) => {
      for (const r of records) {
        if (r.type === 'event' && r.event.t <= until) s.applyEvent(r.event);
        else if (r.type === 'sample' && r.sample.t <= until) s.applySnapshot(r.sample);
      }
    };
    const opts = { run: runInfoFromHeader(rec.header), maxMessagesPerChannel: 4, ...(rec.header.supervisorPid ? { supervisorPid: rec.header.supervisorPid } : {}) };
    const whole = new Session(opts);
    feed(whole, Infinity);
    const moments = rec.records.flatMap((r) => (r.type === 'event' ? [r.event.t] : []));
    for (const ms of moments) {
      const partial = new Session(opts);
      feed(partial, ms);
      const want = partial.snapshot();
      const got = whole.snapshotAt(ms);
      const where = `at ${ms} ms`;
      assert.deepEqual(got.channels.map((c) => [c.id, c.messageCount, c.ops]), want.channels.map((c) => [c.id, c.messageCount, c.ops]), where);
      const flying = (cs: typeof got.channels) => cs.map((c) => c.recentMessages.filter((m) => m.receivedMs === null).map((m) => m.seq));
      assert.deepEqual(flying(got.channels), flying(want.channels), `messages in flight ${where}`);
      assert.deepEqual(
        whole.channelStatesAt(ms).map((c) => c.inFlightCount),
        partial.channelStatesAt(ms).map((c) => c.inFlightCount),
        `in-flight counts ${where}`,
      );
      // Lines that sent or received (a process's start line can differ: its own hello may come before its creator's word).
      const lines = (l: typeof got.lines) => l.filter((x) => x.sent + x.received > 0).map((x) => `${x.site.line}:${x.sent}/${x.received}`).sort();
      assert.deepEqual(lines(got.lines), lines(want.lines), `line counts ${where}`);
      assert.deepEqual(
        got.processes.map((p) => [p.pid, p.state, p.zombie, p.orphaned, p.exitCode]),
        want.processes.map((p) => [p.pid, p.state, p.zombie, p.orphaned, p.exitCode]),
        `process states ${where}`,
      );
    }
  });
}
