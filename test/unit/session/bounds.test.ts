// A long run's memory follows its channels, not its length: each channel keeps at most
// maxHistoryOps ops for questions about the past, and what it drops is counted, so the moments
// after the dropped ops read exactly what a Session that kept everything reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../../../src/core/session';
import type { ChannelKind, ChannelOpEvent, TracerEvent } from '../../../src/core/protocol/events';

const F = '/home/u/long.py';

function op(pid: number, id: string, o: ChannelOpEvent['op'], t: number, line: number, extra: Partial<ChannelOpEvent> = {}): ChannelOpEvent {
  return { kind: 'channel.op', t, pid, ppid: 100, id, op: o, site: { file: F, line }, ...extra };
}
function created(id: string, channel: ChannelKind): TracerEvent {
  return { kind: 'channel.created', t: 1, pid: 100, ppid: 1, id, channel, site: { file: F, line: 5 } };
}
function session(opts: { maxHistoryOps?: number; maxTimelineMessages?: number } = {}): Session {
  const s = new Session({ run: { script: F }, maxMessagesPerChannel: 10, ...opts });
  s.applyEvent({ kind: 'hello', t: 0, pid: 100, ppid: 50, role: 'main', name: 'MainProcess', argv: [F], python: '3.11.7', executable: 'python3' });
  return s;
}

/** A queue and a lock, busy for `n` rounds; events of two processes arrive a little out of time order. */
function longRun(n: number): TracerEvent[] {
  const events: TracerEvent[] = [created('q', 'queue'), created('l', 'lock')];
  for (let i = 0; i < n; i++) {
    const t = 10 + i;
    events.push(op(101, 'l', 'acquire', t, 20, { waitedMs: i % 7 === 0 ? 0.5 : undefined }));
    events.push(op(101, 'q', 'put', t + 0.1, 21, { digest: i, preview: String(i) }));
    events.push(op(101, 'l', 'release', t + 0.2, 22));
    // The get of the previous round's message, stamped before this round's put arrived.
    if (i > 0) events.push(op(102, 'q', 'get', t + 0.05, 30, { digest: i - 1, preview: String(i - 1), waitedMs: i % 5 === 0 ? 2 : undefined }));
  }
  return events;
}

const history = (s: Session) => (s as unknown as { channelOrder: Array<{ id: string; history: { n: number; dropped: number } }> }).channelOrder;

test('a channel keeps at most maxHistoryOps ops, and the moments after the dropped ones read as if it kept all', () => {
  const all = session();
  const bounded = session({ maxHistoryOps: 256 });
  for (const e of longRun(3000)) {
    all.applyEvent(e);
    bounded.applyEvent(e);
  }
  for (const c of history(bounded)) {
    assert.ok(c.history.n <= 256, `${c.id} keeps ${c.history.n} ops`);
    assert.ok(c.history.dropped > 0, `${c.id} dropped its oldest ops`);
  }
  for (const c of history(all)) assert.equal(c.history.dropped, 0);
  // Now: every count, and the newest messages and ops, as the views show them.
  assert.deepEqual(bounded.snapshot().channels, all.snapshot().channels);
  // Moments among the ops still kept (the last 100 rounds are well inside the newest 128 ops of each channel).
  for (const ms of [2950.15, 2980.07, 2999.3, 3010]) {
    const a = all.snapshotAt(ms);
    const b = bounded.snapshotAt(ms);
    assert.deepEqual(b.channels, a.channels, `channels at ${ms}`);
    assert.deepEqual(b.lines, a.lines, `lines at ${ms}`);
    const sa = all.channelStatesAt(ms);
    const sb = bounded.channelStatesAt(ms);
    for (const [i, state] of sb.entries()) {
      const want = sa[i]!;
      assert.equal(state.id, want.id);
      assert.deepEqual(state.ops, want.ops, `${state.id} ops at ${ms}`);
      assert.equal(state.messageCount, want.messageCount);
      assert.deepEqual(state.holders, want.holders, `${state.id} holders at ${ms}`);
      assert.deepEqual(state.waiters, want.waiters, `${state.id} waiters at ${ms}`);
      assert.deepEqual(state.inFlight, want.inFlight, `${state.id} in flight at ${ms}`);
      // What was dropped is not there to list: the state says so.
      assert.equal(state.complete, false);
      assert.equal(want.complete, true);
    }
  }
  const line = (s: Session, ms: number, n: number) => s.snapshotAt(ms).lines.find((l) => l.site.line === n);
  assert.equal(line(bounded, 2999.3, 21)?.sent, 2990, 'the put line counts every put up to then');
  assert.equal(line(bounded, 2999.3, 30)?.received, 2989);
});

test('a channel\'s rank-to-row table forgets the messages the timeline log has dropped', () => {
  const s = session({ maxTimelineMessages: 1000 });
  s.applyEvent(created('q', 'queue'));
  for (let i = 0; i < 50_000; i++) {
    s.applyEvent(op(101, 'q', 'put', 10 + i, 21, { digest: i, preview: String(i) }));
    s.applyEvent(op(102, 'q', 'get', 10.5 + i, 30, { digest: i, preview: String(i) }));
  }
  const rec = history(s)[0] as unknown as { rows: Int32Array };
  assert.ok(rec.rows.length <= 4096, `the table holds ${rec.rows.length} ranks for a log of 1000 messages`);
  const q = s.snapshot().channels[0]!;
  assert.equal(q.messageCount, 50_000);
  assert.deepEqual(
    q.recentMessages.map((m) => [m.seq, m.receivedMs]),
    Array.from({ length: 10 }, (_, k) => [49_990 + k, 10.5 + 49_990 + k]),
    'the newest messages, received',
  );
  // A moment the log still holds lists what was in flight then.
  const state = s.channelStatesAt(10 + 49_995 + 0.2).find((c) => c.id === 'q')!;
  assert.deepEqual(state.inFlight.map((m) => m.seq), [49_995]);
  // The timeline's rows of the newest messages were completed by their gets.
  const log = s.timelineLog();
  const last = log.at(log.count - 1);
  assert.equal(log.receivedMs[last], 10.5 + 49_999);
});
