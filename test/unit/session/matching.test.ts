// Matching a get/recv with its put/send when producers run far ahead, out of order, for a long
// time: every message is matched, and what the matcher holds follows what is unmatched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../../../src/core/session';
import { MatchQueue } from '../../../src/core/session/channels';
import type { ChannelOpEvent } from '../../../src/core/protocol/events';

const site = { file: '/home/u/flood.py', line: 7 };
const op = (pid: number, o: 'put' | 'get', t: number, digest: number | null): ChannelOpEvent => ({
  kind: 'channel.op', t, pid, ppid: 1, id: 'queue:1', op: o, digest, preview: String(digest), size: 8, site,
});

test('a producer 30,000 messages ahead of its consumer: every get finds its put', () => {
  const s = new Session({ run: {} });
  const n = 30_000;
  for (let i = 0; i < n; i++) s.applyEvent(op(2, 'put', i, i));
  for (let i = 0; i < n; i++) s.applyEvent(op(1, 'get', n + i, i));
  const log = s.timelineLog();
  assert.equal(log.receiptCount, n);
  for (let i = 0; i < n; i++) assert.equal(log.toPid[i], 1);
  const ch = s.snapshot().channels[0]!;
  assert.equal(ch.recentMessages.length, 1000);
  assert.ok(ch.recentMessages.every((m) => m.toPid === 1 && m.receivedMs !== null));
});

test('gets reported before their puts, and out of order, are matched by digest', () => {
  const s = new Session({ run: {} });
  // Each get arrives before its put (another process's batch came first); digests pair them.
  for (let i = 0; i < 5000; i++) s.applyEvent(op(1, 'get', 10 + 2 * i, 4999 - i));
  for (let i = 0; i < 5000; i++) s.applyEvent(op(2, 'put', 9 + 2 * i, i));
  const log = s.timelineLog();
  assert.equal(log.receiptCount, 5000);
  for (let row = 0; row < 5000; row++) assert.equal(log.receivedMs[row], 10 + 2 * (4999 - row));
});

test('the matcher holds what is unmatched, not the whole run', () => {
  const q = new MatchQueue<number>(1_000_000);
  // In order (the common case), taken by digest.
  for (let i = 0; i < 200_000; i++) {
    q.push(i, i * 7);
    if (i >= 10) assert.equal(q.takeDigest((i - 10) * 7), i - 10);
  }
  assert.ok(q.held < 2048, `held ${q.held}`);
  // Out of order, with one old entry that is never taken: it does not pin what comes after it.
  const r = new MatchQueue<number>(1_000_000);
  r.push(-1, 999_999_999);
  for (let i = 0; i < 200_000; i++) {
    r.push(i, i);
    if (i % 2 === 1) {
      assert.equal(r.takeDigest(i), i);
      assert.equal(r.takeDigest(i - 1), i - 1);
    }
  }
  assert.ok(r.held < 4096, `held ${r.held}`);
  assert.equal(r.takeFirst(true), -1);
});

test('beyond its bound the oldest unmatched entry is given up, and nothing else', () => {
  const q = new MatchQueue<number>(3);
  for (let i = 0; i < 5; i++) q.push(i, i);
  assert.equal(q.takeDigest(0), null);
  assert.equal(q.takeDigest(1), null);
  assert.equal(q.takeDigest(3), 3);
  assert.equal(q.takeFirst(false), null, 'every entry has a digest');
  assert.equal(q.takeFirst(true), 2);
  assert.equal(q.takeFirst(true), 4);
  assert.equal(q.takeFirst(true), null);
});
