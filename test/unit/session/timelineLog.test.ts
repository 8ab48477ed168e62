// The run's TimelineLog, filled by the reducer: every message (beyond the channels' bounded
// logs), completed when received, with the waits; incremental reading and the memory bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHANNEL_OPS, JOIN_WAIT, Session } from '../../../src/core/session';
import type { ChannelOpEvent, TracerEvent } from '../../../src/core/protocol/events';

const F = '/home/u/flood.py';
const site = (line: number) => ({ file: F, line });
function op(pid: number, id: string, o: ChannelOpEvent['op'], t: number, digest: number | null, extra: Partial<ChannelOpEvent> = {}): ChannelOpEvent {
  return { kind: 'channel.op', t, pid, ppid: 100, id, op: o, digest, preview: `'m${String(digest)}'`, size: 10, site: site(o === 'put' ? 8 : 15), ...extra };
}
const hello = (pid: number, t: number): TracerEvent => ({
  kind: 'hello', t, pid, ppid: 100, role: 'child', name: `Process-${pid}`, argv: [], python: '3.11.7', executable: '/usr/bin/python3',
});

test('keeps every message of a run though the channel keeps only its newest', () => {
  const s = new Session({ run: { script: F }, maxMessagesPerChannel: 10 });
  s.applyEvent(hello(100, 0));
  for (let i = 0; i < 500; i++) s.applyEvent(op(101, 'q1', 'put', 1 + i, i));
  for (let i = 0; i < 500; i++) s.applyEvent(op(100, 'q1', 'get', 600 + i, i));
  const log = s.timelineLog();
  assert.equal(s.snapshot().channels[0]!.recentMessages.length, 10);
  assert.equal(log.count, 500);
  assert.equal(log.kept, 500);
  assert.equal(log.sentMs[0], 1);
  assert.equal(log.receivedMs[0], 600);
  assert.equal(log.fromPid[499], 101);
  assert.equal(log.toPid[499], 100);
  assert.equal(log.preview[42], "'m42'");
  assert.equal(CHANNEL_OPS[log.op[0]!], 'put');
  assert.deepEqual(log.sites[log.sentSite[0]!], site(8));
  assert.deepEqual(log.sites[log.recvSite[0]!], site(15));
  assert.equal(log.channelIds[log.channel[0]!], 'q1');
});

test('a receive reported before its send completes the message (events of two processes race)', () => {
  const s = new Session({ run: { script: F } });
  s.applyEvent(op(100, 'q1', 'get', 12, 7));
  s.applyEvent(op(101, 'q1', 'put', 10, 7));
  const log = s.timelineLog();
  assert.equal(log.count, 1);
  assert.equal(log.toPid[0], 100);
  assert.equal(log.receivedMs[0], 12);
  assert.deepEqual(log.sites[log.recvSite[0]!], site(15));
  assert.deepEqual([...log.receiptsSince(0)], [0]);
});

test('an incremental reader learns new rows and the rows received since its last look', () => {
  const s = new Session({ run: { script: F } });
  for (let i = 0; i < 3; i++) s.applyEvent(op(101, 'q1', 'put', i, i));
  const log = s.timelineLog();
  const seenRows = log.count;
  const seenReceipts = log.receiptCount;
  assert.ok(Number.isNaN(log.receivedMs[1]!));
  s.applyEvent(op(100, 'q1', 'get', 5, 1));
  s.applyEvent(op(101, 'q1', 'put', 6, 3));
  assert.deepEqual([...log.receiptsSince(seenReceipts)], [1], 'row 1 was received');
  assert.equal(log.count - seenRows, 1, 'one new row');
});

test('waits: a blocking get and a join, with what they waited on; short ones are left out', () => {
  const s = new Session({ run: { script: F } });
  s.applyEvent(hello(100, 0));
  s.applyEvent(op(101, 'q1', 'put', 300, 1));
  s.applyEvent(op(100, 'q1', 'get', 310, 1, { waitedMs: 250 }));
  s.applyEvent(op(100, 'q1', 'get', 320, 2, { waitedMs: 0.2 }));
  s.applyEvent({ kind: 'process.joined', t: 900, pid: 100, ppid: 1, childPid: 101, stillAlive: false, exitCode: 0, waitedMs: 400, site: site(30) });
  const log = s.timelineLog();
  assert.equal(log.waitCount, 2);
  assert.equal(log.waitPid[0], 100);
  assert.equal(log.waitStart[0], 60);
  assert.equal(log.waitEnd[0], 310);
  assert.equal(CHANNEL_OPS[log.waitOp[0]!], 'get');
  assert.equal(log.channelIds[log.waitChannel[0]!], 'q1');
  assert.equal(log.waitOp[1], JOIN_WAIT);
  assert.equal(log.waitOn[1], 101);
  assert.equal(log.waitStart[1], 500);
  assert.deepEqual(log.sites[log.waitSite[1]!], site(30));
});

test('past its bound the log drops its oldest half and says so (epoch), keeping absolute row numbers', () => {
  const s = new Session({ run: { script: F }, maxTimelineMessages: 100 });
  for (let i = 0; i < 100; i++) s.applyEvent(op(101, 'q1', 'put', i, i));
  const log = s.timelineLog();
  assert.equal(log.epoch, 0);
  s.applyEvent(op(101, 'q1', 'put', 100, 100));
  assert.equal(log.epoch, 1);
  assert.equal(log.dropped, 50);
  assert.equal(log.kept, 51);
  assert.equal(log.count, 101);
  assert.equal(log.sentMs[log.at(50)], 50);
  assert.equal(log.at(10), -1);
  // A receipt for a kept row lands on it; one for a dropped row is ignored.
  s.applyEvent(op(100, 'q1', 'get', 200, 60));
  assert.equal(log.receivedMs[log.at(60)], 200);
  s.applyEvent(op(100, 'q1', 'get', 201, 3));
  assert.deepEqual([...log.receiptsSince(0)], [60]);
  assert.ok(Number.isNaN(log.receivedMs[log.kept]!), 'the freed tail is clean');
});
