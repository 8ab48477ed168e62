// The timeline's pure logic: the webview's message table filled by the host's incremental feed
// from a real Session (rows, then receipts), lane states over time, the viewport (zoom about a
// point, pan, a dragged range), arrows or density by how many messages are in view, and search.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../../../src/core/session';
import type { ChannelOpEvent, TracerEvent } from '../../../src/core/protocol/events';
import { TimelineFeed } from '../../../src/extension/models/timelineFeed';
import { plain as t } from '../../../src/core/localize';
import { isHostToWebview, type LaneInfo, type MessageChunk, type TimelineUpdate } from '../../../src/webview/shared/messages';
import {
  MessageTable,
  WaitTable,
  clampViewport,
  laneSegments,
  messagesInView,
  pan,
  rangeViewport,
  searchMessages,
  segmentAt,
  stepMatch,
  zoomAbout,
} from '../../../src/webview/shared/timelineLayout';

const F = '/home/u/flood.py';
/** A chunk as the host sends it (typed columns), from plain arrays. */
function chunkOf(c: { start: number; sentMs: number[]; receivedMs: (number | null)[]; fromPid: number[]; toPid: number[]; channel: number[]; sentSite: number[]; recvSite: number[]; text: string[] }): MessageChunk {
  return {
    start: c.start, sentMs: Float64Array.from(c.sentMs), receivedMs: Float64Array.from(c.receivedMs, (r) => r ?? Number.NaN), fromPid: Int32Array.from(c.fromPid),
    toPid: Int32Array.from(c.toPid), channel: Int32Array.from(c.channel), sentSite: Int32Array.from(c.sentSite), recvSite: Int32Array.from(c.recvSite),
    text: c.text.join(''), textEnd: Int32Array.from(c.text.reduce<number[]>((ends, x) => [...ends, (ends.at(-1) ?? 0) + x.length], [])),
  };
}
function op(pid: number, id: string, o: ChannelOpEvent['op'], t: number, digest: number | null, extra: Partial<ChannelOpEvent> = {}): ChannelOpEvent {
  return { kind: 'channel.op', t, pid, ppid: 100, id, op: o, digest, preview: `'m${String(digest)}'`, size: 10, site: { file: F, line: o === 'put' ? 8 : 15 }, ...extra };
}
const hello = (pid: number, t: number): TracerEvent => ({
  kind: 'hello', t, pid, ppid: 100, role: pid === 100 ? 'main' : 'child', name: pid === 100 ? 'MainProcess' : `Worker-${pid}`, argv: [], python: '3.11.7', executable: '/usr/bin/python3',
} as TracerEvent);

function apply(table: MessageTable, u: TimelineUpdate, laneOf: Map<number, number>): void {
  if (u.reset) table.reset(u.messages?.start ?? 0);
  if (u.receipts) table.receive(u.receipts, laneOf);
  if (u.messages) assert.ok(table.append(u.messages, laneOf), 'rows follow the rows held');
}

test('the feed sends every message in bounded chunks, then only receipts and new rows', () => {
  const s = new Session({ run: { script: F }, maxMessagesPerChannel: 10 });
  s.applyEvent(hello(100, 0));
  s.applyEvent(hello(101, 1));
  for (let i = 0; i < 2500; i++) s.applyEvent(op(101, 'q1', 'put', 2 + i, i));
  const feed = new TimelineFeed(1000);
  const log = s.timelineLog();
  const table = new MessageTable();
  const laneOf = new Map([[100, 0], [101, 1]]);
  const first = feed.next(log, s.snapshot(), null, 80, t);
  assert.ok(first.reset);
  assert.ok(isHostToWebview({ type: 'update', update: first }), 'the update passes the webview guard');
  assert.equal(first.messages?.sentMs.length, 1000);
  assert.equal(first.lanes.length, 2);
  assert.deepEqual(first.sites, ['flood.py:8']);
  apply(table, first, laneOf);
  assert.ok(feed.pending(log));
  while (feed.pending(log)) apply(table, feed.next(log, s.snapshot(), null, 80, t), laneOf);
  assert.equal(table.length, 2500);
  assert.equal(table.text[42], "put 'm42'");
  // Receipts of rows already sent arrive as receipts; new rows carry theirs.
  for (let i = 0; i < 5; i++) s.applyEvent(op(100, 'q1', 'get', 3000 + i, i));
  s.applyEvent(op(101, 'q1', 'put', 3010, 9999));
  const u = feed.next(log, s.snapshot(), null, 80, t);
  assert.equal(u.reset, false);
  assert.deepEqual(u.receipts?.rows, [0, 1, 2, 3, 4]);
  assert.equal(u.messages?.start, 2500);
  assert.deepEqual(u.sites, ['flood.py:15'], 'only the new site');
  apply(table, u, laneOf);
  assert.equal(table.receivedMs[3], 3003);
  assert.equal(table.toPid[3], 100);
  assert.equal(table.toLane[3], 0);
  assert.equal(table.length, 2501);
  const nothing = feed.next(log, s.snapshot(), null, 80, t);
  assert.equal(nothing.messages, null);
  assert.equal(nothing.receipts, null);
  assert.equal(feed.pending(log), false);
});

test('a finished run goes in one post, its texts as one string with their ends', () => {
  const s = new Session({ run: { script: F } });
  s.applyEvent(hello(100, 0));
  for (let i = 0; i < 2500; i++) s.applyEvent(op(100, 'q1', 'put', 2 + i, i));
  s.endRun(3000, 0);
  const feed = new TimelineFeed(1000);
  const log = s.timelineLog();
  const u = feed.next(log, s.snapshot(), null, 80, t);
  assert.equal(u.messages?.textEnd.length, 2500, 'every row at once, not chunks of 1000');
  assert.equal(feed.pending(log), false);
  assert.ok(isHostToWebview({ type: 'update', update: u }));
  const table = new MessageTable();
  apply(table, u, new Map([[100, 0]]));
  assert.equal(table.text[0], "put 'm0'");
  assert.equal(table.text[2499], "put 'm2499'");
  // A text that overruns the string is refused by the guard.
  assert.equal(isHostToWebview({ type: 'update', update: { ...u, messages: { ...u.messages!, text: 'short' } } }), false);
});

test('another session starts the webview again under a new generation', () => {
  const a = new Session({ run: { script: F } });
  a.applyEvent(op(101, 'q1', 'put', 1, 1));
  const b = new Session({ run: { script: F } });
  b.applyEvent(op(102, 'q1', 'put', 1, 1));
  const feed = new TimelineFeed();
  const ua = feed.next(a.timelineLog(), a.snapshot(), null, 80, t);
  const ub = feed.next(b.timelineLog(), b.snapshot(), null, 80, t);
  assert.ok(ub.reset);
  assert.ok(ub.generation > ua.generation);
  assert.equal(feed.site(ua.generation, 0), undefined, 'a stale generation reveals nothing');
  assert.deepEqual(feed.site(ub.generation, 0), { file: F, line: 8 });
});

const lane = (over: Partial<LaneInfo> = {}): LaneInfo => ({
  pid: 1, label: '1 P', state: 'running', startedMs: 10, exitedMs: null, reapedMs: null, zombieSinceMs: null, site: -1, wait: null, ...over,
});

test('lane states: running, waiting in its completed waits and its open one, zombie until reaped', () => {
  const waits = [
    { startMs: 50, endMs: 60, text: 'Queue get', site: 2 },
    { startMs: 20, endMs: 30, text: 'join 7', site: 3 },
  ];
  const done = laneSegments(lane({ exitedMs: 100, zombieSinceMs: 100, reapedMs: 150, state: 'exited' }), waits, 200);
  assert.deepEqual(done.map((s) => [s.state, s.fromMs, s.toMs]), [
    ['running', 10, 20], ['waiting', 20, 30], ['running', 30, 50], ['waiting', 50, 60], ['running', 60, 100], ['zombie', 100, 150],
  ]);
  assert.equal(segmentAt(done, 25)?.text, 'join 7');
  assert.equal(segmentAt(done, 120)?.state, 'zombie');
  assert.equal(segmentAt(done, 5), undefined);
  const live = laneSegments(lane({ wait: { sinceMs: 70, text: 'Lock acquire', site: 1 } }), [], 90);
  assert.deepEqual(live.map((s) => [s.state, s.fromMs, s.toMs]), [['running', 10, 70], ['waiting', 70, 90]]);
  // A wait overlapping another (threads) never makes segments overlap or run past the death.
  const odd = laneSegments(lane({ exitedMs: 40 }), [{ startMs: 15, endMs: 35, text: 'a', site: -1 }, { startMs: 30, endMs: 80, text: 'b', site: -1 }], 90);
  for (let k = 1; k < odd.length; k++) assert.ok(odd[k]!.fromMs >= odd[k - 1]!.toMs);
  assert.equal(odd.at(-1)!.toMs, 40);
});

test('waits on lanes from a real Session: an open join is drawn waiting until now, then kept as a completed wait (issue 18)', () => {
  const s = new Session({ run: { script: F } });
  s.applyEvent(hello(100, 0));
  s.applyEvent(hello(101, 1));
  s.applyEvent({ kind: 'wait.begin', t: 100, pid: 100, ppid: 1, tid: 1, op: 'join', childPid: 101, site: { file: F, line: 12 } } as TracerEvent);
  s.applyEvent(op(101, 'q1', 'put', 150, 1));
  const feed = new TimelineFeed();
  const log = s.timelineLog();
  const waits = new WaitTable();
  const u1 = feed.next(log, s.snapshot(), null, 80, t);
  assert.ok(isHostToWebview({ type: 'update', update: u1 }));
  const main1 = u1.lanes.find((l) => l.pid === 100)!;
  assert.equal(main1.wait?.text, 'join 101', 'what it waits on');
  assert.equal(u1.sites[main1.wait!.site], 'flood.py:12', 'and the line');
  const open = laneSegments(main1, undefined, u1.nowMs).at(-1)!;
  assert.deepEqual([open.state, open.fromMs, open.text], ['waiting', 100, 'join 101']);
  // The child ends, the join returns: the wait is a completed one, still drawn.
  s.applyEvent({ kind: 'process.exit', t: 290, pid: 101, ppid: 100, tid: 1, exitCode: 0, how: 'return' } as TracerEvent);
  s.applyEvent({ kind: 'process.joined', t: 300, pid: 100, ppid: 1, tid: 1, childPid: 101, stillAlive: false, exitCode: 0, waitedMs: 200, site: { file: F, line: 12 } } as TracerEvent);
  const u2 = feed.next(log, s.snapshot(), null, 80, t);
  if (u1.waits) assert.ok(waits.append(u1.waits));
  assert.ok(u2.waits && waits.append(u2.waits));
  const main2 = u2.lanes.find((l) => l.pid === 100)!;
  assert.equal(main2.wait, null);
  const segs = laneSegments(main2, waits.byPid.get(100), 400);
  const w = segs.find((x) => x.state === 'waiting')!;
  assert.deepEqual([w.fromMs, w.toMs, w.text], [100, 300, 'join 101']);
  assert.equal(segmentAt(segs, 350)?.state, 'running');
});

test('viewport: zoom keeps the point under the pointer, pan and ranges stay inside the run', () => {
  const v = { startMs: 0, endMs: 1000 };
  const z = zoomAbout(v, 0.5, 250, 0, 1000);
  assert.deepEqual(z, { startMs: 125, endMs: 625 });
  assert.deepEqual(zoomAbout(z, 4, 125, 0, 1000), { startMs: 0, endMs: 1000 }, 'no wider than the run');
  let tiny = v;
  for (let k = 0; k < 100; k++) tiny = zoomAbout(tiny, 0.5, 500, 0, 1000);
  assert.ok(Math.abs(tiny.endMs - tiny.startMs - 0.001) < 1e-9, 'one microsecond at most zoomed in');
  assert.deepEqual(pan(z, 1000, 0, 1000), { startMs: 500, endMs: 1000 });
  assert.deepEqual(pan(z, -1000, 0, 1000), { startMs: 0, endMs: 500 });
  assert.deepEqual(rangeViewport(700, 300, 0, 1000), { startMs: 300, endMs: 700 });
  assert.deepEqual(clampViewport({ startMs: Number.NaN, endMs: Number.NaN }, 0, 10), { startMs: 0, endMs: 10 });
});

function flood(n: number, lanes: number): MessageTable {
  const table = new MessageTable();
  const laneOf = new Map<number, number>();
  for (let l = 0; l < lanes; l++) laneOf.set(1000 + l, l);
  const c = { start: 0, sentMs: [] as number[], receivedMs: [] as (number | null)[], fromPid: [] as number[], toPid: [] as number[], channel: [] as number[], sentSite: [] as number[], recvSite: [] as number[], text: [] as string[] };
  for (let i = 0; i < n; i++) {
    c.sentMs.push(i);
    c.receivedMs.push(i % 10 === 9 ? null : i + 5);
    c.fromPid.push(1000 + (i % (lanes - 1)) + 1);
    c.toPid.push(i % 10 === 9 ? -1 : 1000);
    c.channel.push(i % 3);
    c.sentSite.push(0);
    c.recvSite.push(1);
    c.text.push(`put 'payload ${i}'`);
  }
  assert.ok(table.append(chunkOf(c), laneOf));
  return table;
}

test('level of detail: arrows when few are in view, per-lane density when many', () => {
  const table = flood(10_000, 11);
  const few = messagesInView(table, { startMs: 100, endMs: 199 }, 11, 50, 2000);
  assert.equal(few.kind, 'arrows');
  if (few.kind === 'arrows') {
    // Sent 95..199 reach into the view (received 5 ms later), except unreceived ones sent before it.
    assert.ok([...few.rows].every((i) => table.sentMs[i]! <= 199 && Math.max(table.sentMs[i]!, table.receivedMs[i]! || 0) >= 100));
    assert.equal(few.rows.length, 105 - 1);
  }
  const many = messagesInView(table, { startMs: 0, endMs: 9999 }, 11, 100, 2000);
  assert.equal(many.kind, 'density');
  if (many.kind === 'density') {
    assert.equal(many.count, 10_000);
    const sum = many.counts.reduce((a, b) => a + b, 0);
    // Receipts in view: received at i + 5 <= 9999, less the unreceived tenth (999 of 9995).
    assert.equal(sum, 10_000 + 8996, 'each send on its sender, each receipt in view on its receiver');
    assert.ok(many.max > 0);
    // Lane 0 (the receiver) gets every receipt.
    let lane0 = 0;
    for (let c = 0; c < many.columns; c++) lane0 += many.counts[c]!;
    assert.equal(lane0, 8996);
  }
});

test('search by payload, channel, pid or process name, in time order, stepping wraps', () => {
  const table = flood(1000, 5);
  const ctx = { lanes: [lane({ pid: 1000, label: '1000 MainProcess' }), lane({ pid: 1002, label: '1002 Consumer' })], channels: ['Queue at a.py:3', 'Pipe at a.py:4', 'Queue at a.py:9'] };
  assert.deepEqual([...searchMessages(table, "'payload 42'", ctx)], [42]);
  assert.equal(searchMessages(table, 'PIPE', ctx).length, 333, 'channel label, any case');
  assert.equal(searchMessages(table, '1002', ctx).length, 250, 'pid 1002 as sender');
  assert.equal(searchMessages(table, '1000', ctx).length, 900, 'pid 1000 as receiver');
  assert.equal(searchMessages(table, 'consumer', ctx).length, 250, 'process name');
  assert.equal(searchMessages(table, '   ', ctx).length, 0);
  const m = searchMessages(table, 'payload 99', ctx);
  for (let k = 1; k < m.length; k++) assert.ok(table.sentMs[m[k]!]! >= table.sentMs[m[k - 1]!]!);
  assert.equal(stepMatch(m, -1, 1), 0);
  assert.equal(stepMatch(m, -1, -1), m.length - 1);
  assert.equal(stepMatch(m, m.length - 1, 1), 0);
  assert.equal(stepMatch([], 3, 1), -1);
});

test('rows appended out of order are searched in time order', () => {
  const table = new MessageTable();
  table.append(chunkOf({ start: 0, sentMs: [5, 3, 4], receivedMs: [null, null, null], fromPid: [1, 1, 1], toPid: [-1, -1, -1], channel: [0, 0, 0], sentSite: [-1, -1, -1], recvSite: [-1, -1, -1], text: ['x', 'x', 'x'] }));
  assert.equal(table.sorted, false);
  assert.deepEqual([...searchMessages(table, 'x', { lanes: [], channels: ['q'] })], [1, 2, 0]);
  assert.equal(table.append(chunkOf({ start: 7, sentMs: [], receivedMs: [], fromPid: [], toPid: [], channel: [], sentSite: [], recvSite: [], text: [] })), false, 'a gap is refused');
});

test('waits are kept per process and chunks must follow each other', () => {
  const w = new WaitTable();
  assert.ok(w.append({ start: 0, pid: [1, 2, 1], startMs: [1, 2, 3], endMs: [2, 3, 4], text: ['a', 'b', 'c'], site: [-1, -1, -1] }));
  assert.equal(w.byPid.get(1)?.length, 2);
  assert.equal(w.append({ start: 5, pid: [], startMs: [], endMs: [], text: [], site: [] }), false);
});

test('density counts a message in flight where it is in flight: a second inside a long backlog is not empty (issue 16)', () => {
  // Lane 0 receives; lane 1 sends. Each message waits in the Queue for 10 s.
  const table = new MessageTable();
  const laneOf = new Map([[1000, 0], [1001, 1]]);
  const n = 3000;
  const c = { start: 0, sentMs: [] as number[], receivedMs: [] as (number | null)[], fromPid: [] as number[], toPid: [] as number[], channel: [] as number[], sentSite: [] as number[], recvSite: [] as number[], text: [] as string[] };
  for (let i = 0; i < n; i++) {
    c.sentMs.push(i);
    c.receivedMs.push(i + 10_000);
    c.fromPid.push(1001);
    c.toPid.push(1000);
    c.channel.push(0);
    c.sentSite.push(0);
    c.recvSite.push(1);
    c.text.push('put x');
  }
  assert.ok(table.append(chunkOf(c), laneOf));
  // One second in the middle of the backlog: every message was sent before it and is received after it.
  const d = messagesInView(table, { startMs: 5000, endMs: 6000 }, 2, 10, 100);
  assert.equal(d.kind, 'density');
  if (d.kind !== 'density') return;
  assert.equal(d.count, n);
  for (let col = 0; col < 10; col++) assert.equal(d.counts[col], n, `receiver lane, column ${col}: every message is on its way there`);
  for (let col = 0; col < 10; col++) assert.equal(d.counts[10 + col], 0, 'nothing is sent in that second');
  assert.equal(d.max, n);
  // A message spanning several columns inside the view counts in each column it crosses, once.
  const one = new MessageTable();
  assert.ok(one.append(chunkOf({ start: 0, sentMs: [15], receivedMs: [75], fromPid: [1001], toPid: [1000], channel: [0], sentSite: [0], recvSite: [1], text: ['put y'] }), laneOf));
  const e = messagesInView(one, { startMs: 0, endMs: 100 }, 2, 10, 0);
  assert.equal(e.kind, 'density');
  if (e.kind !== 'density') return;
  // Sent in column 1 (sender's lane), in flight in columns 2–6, received in column 7 (receiver's lane).
  assert.deepEqual([...e.counts.subarray(0, 10)], [0, 0, 1, 1, 1, 1, 1, 1, 0, 0]);
  assert.deepEqual([...e.counts.subarray(10, 20)], [0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
});
