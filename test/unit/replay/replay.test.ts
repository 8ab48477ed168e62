// Time travel over recordings of real runs (test/fixtures/recordings, made with `process-view
// record`): steps in time order, forwards and backwards landing on the same steps, line
// breakpoints with conditions and hit counts, stop filters, and the run's state at each stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Breakpoints, CONDITION_FIELDS, Cursor, describeChannelState, describeStep, openReplay, parseCondition, stepField, type Replay } from '../../../src/core/replay';

function repoRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'package.json')) && dirname(d) !== d) d = dirname(d);
  return d;
}
const fixture = (name: string) => join(repoRoot(), 'test', 'fixtures', 'recordings', `${name}.jsonl`);
const open = (name: string) => openReplay(fixture(name));
const FIXTURES = ['14_terminate_is_alive', '18_zombie', '19_orphan', '25_ticket_with_lock', '35_joinable_queue', '41_pipe_producer_consumer', '48_event_basics'];

/** The recorded events of a fixture, in time order (file order among equal times), as the replay should step them. */
function recordedEvents(name: string): Array<{ kind: string; t: number; pid: number }> {
  const lines = readFileSync(fixture(name), 'utf8').split('\n').filter((l) => l.trim() !== '');
  return lines
    .map((l) => JSON.parse(l) as { type: string; event?: { kind: string; t: number; pid: number } })
    .filter((r) => r.type === 'event' && !r.event!.kind.startsWith('tracer.'))
    .map((r, i) => ({ e: r.event!, i }))
    .sort((a, b) => a.e.t - b.e.t || a.i - b.i)
    .map((x) => x.e);
}

for (const name of FIXTURES) {
  test(`${name}: every recorded event is a step, in time order; Step Into and Step Back visit the same steps`, async () => {
    const replay = await open(name);
    const events = replay.steps.filter((s) => s.event !== null).map((s) => s.event!);
    assert.deepEqual(
      events.map((e) => [e.kind, e.t, e.pid]),
      recordedEvents(name).map((e) => [e.kind, e.t, e.pid]),
    );
    for (let i = 1; i < replay.length; i++) assert.ok(replay.steps[i]!.t >= replay.steps[i - 1]!.t, `step ${i} in time order`);
    const cursor = new Cursor(replay, new Breakpoints(replay));
    const forwards = [cursor.index];
    for (;;) {
      const stop = cursor.stepInto();
      if (stop.note !== null) break;
      forwards.push(stop.index);
    }
    assert.equal(forwards.length, replay.length);
    const backwards = [cursor.index];
    for (;;) {
      const stop = cursor.stepBackInto();
      if (stop.note !== null) break;
      backwards.push(stop.index);
    }
    assert.deepEqual(backwards.reverse(), forwards);
    // Step Over / Step Back of each process: its own steps, both ways.
    for (const key of new Set(replay.steps.map((s) => s.key).filter((k): k is string => k !== null))) {
      const own = replay.stepsOf(key);
      const c = new Cursor(replay, new Breakpoints(replay), own[0]!);
      const seen = [c.index];
      while (c.stepOver(key).note === null) seen.push(c.index);
      assert.deepEqual(seen, own, `Step Over ${key}`);
      const back = [c.index];
      while (c.stepBack(key).note === null) back.push(c.index);
      assert.deepEqual(back.reverse(), own, `Step Back ${key}`);
      for (const i of own) assert.equal(replay.steps[i]!.key, key);
    }
  });
}

test('18_zombie: Reverse Continue from the end stops where the child became a zombie (the process table saw it), with its state then', async () => {
  const replay = await open('18_zombie');
  const cursor = new Cursor(replay, new Breakpoints(replay), replay.length - 1);
  const stop = cursor.reverseContinue();
  assert.equal(stop.reason, 'exception');
  assert.equal(stop.filter, 'zombie');
  const step = replay.steps[stop.index]!;
  assert.equal(step.event, null, 'a change only the sampler saw');
  assert.equal(step.t, 1258.457117, 'the first sample in state Z');
  const moment = replay.momentAt(stop.index);
  assert.equal(moment.process!.state, 'zombie');
  assert.equal(moment.process!.createdAt?.line, 46);
  const main = moment.processes.find((p) => p.role === 'main')!;
  assert.equal(main.state, 'sleeping');
  assert.deepEqual(moment.processes.map((p) => p.pid).sort(), [main.pid, step.pid].sort(), 'both processes exist then');
  assert.match(describeStep(replay, step), /^pid \d+ is a zombie: it has exited, and its parent \d+ has not joined \(waited for\) it$/);
  // One step back: the parent's p.start() (its process.created event, stamped after the child ran).
  const before = replay.momentAt(cursor.stepBackInto().index);
  assert.equal(before.step.event?.kind, 'process.created');
  assert.notEqual(before.snapshot.processes.find((p) => p.pid === step.pid)!.state, 'zombie');
  // Forwards again: Continue lands on the same zombie step, then the end (join reaps it).
  assert.equal(cursor.continue().index, stop.index);
  const end = cursor.continue();
  assert.equal(end.reason, 'end');
  assert.equal(end.index, replay.length - 1);
  assert.equal(replay.momentAt(end.index).snapshot.processes.find((p) => p.pid === step.pid)!.state, 'exited');
});

test('19_orphan: the orphaned filter stops where the child was adopted; without filters Continue runs to the end', async () => {
  const replay = await open('19_orphan');
  const bps = new Breakpoints(replay);
  const cursor = new Cursor(replay, bps);
  const stop = cursor.continue();
  assert.equal(stop.filter, 'orphaned');
  const moment = replay.momentAt(stop.index);
  const child = moment.snapshot.processes.find((p) => p.pid === moment.step.pid)!;
  assert.equal(child.orphaned, true);
  assert.match(describeStep(replay, moment.step), /is orphaned: its parent \d+ ended; adopted by \d+ \(Process View's run supervisor, in place of init\)/);
  bps.setFilters([]);
  const c2 = new Cursor(replay, bps);
  assert.deepEqual([c2.continue().reason, c2.index], ['end', replay.length - 1]);
  assert.deepEqual([c2.reverseContinue().reason, c2.index], ['start', 0]);
});

test('35_joinable_queue: a line breakpoint stops at every put at that line, in any process, both ways', async () => {
  const replay = await open('35_joinable_queue');
  const bps = new Breakpoints(replay);
  bps.setFilters([]);
  const file = replay.files.find((f) => f.endsWith('35_joinable_queue.py'))!;
  const [bp] = bps.set(file, [{ line: 42 }]);
  const puts = replay.steps.filter((s) => s.event?.kind === 'channel.op' && s.event.op === 'put').map((s) => s.index);
  assert.equal(puts.length, 30, 'three producers, ten each');
  assert.equal(bp!.verified, true);
  assert.equal(bp!.hits, 30);
  assert.ok(new Set(puts.map((i) => replay.steps[i]!.pid)).size === 3, 'in every producer');
  const cursor = new Cursor(replay, bps);
  const forwards: number[] = [];
  for (let s = cursor.continue(); s.reason === 'breakpoint'; s = cursor.continue()) {
    assert.deepEqual(s.breakpointIds, [bp!.id]);
    forwards.push(s.index);
  }
  assert.deepEqual(forwards, puts);
  const backwards: number[] = [];
  for (let s = cursor.reverseContinue(); s.reason === 'breakpoint'; s = cursor.reverseContinue()) backwards.push(s.index);
  assert.deepEqual(backwards.reverse(), puts);
});

test('35_joinable_queue: conditions on event fields and hit counts', async () => {
  const replay = await open('35_joinable_queue');
  const file = replay.files.find((f) => f.endsWith('35_joinable_queue.py'))!;
  const gets = replay.steps.filter((s) => s.event?.kind === 'channel.op' && s.event.op === 'get');
  const consumer = gets[0]!.pid;
  const bps = new Breakpoints(replay);
  bps.setFilters([]);
  const hitsOf = (spec: { line: number; condition?: string; hitCondition?: string }) => {
    const [r] = bps.set(file, [spec]);
    const c = new Cursor(replay, bps);
    const out: number[] = [];
    for (let s = c.continue(); s.reason === 'breakpoint'; s = c.continue()) out.push(s.index);
    return { result: r!, steps: out };
  };
  const byPid = hitsOf({ line: 29, condition: `pid == ${consumer}` });
  assert.deepEqual(byPid.steps, gets.filter((s) => s.pid === consumer).map((s) => s.index));
  const baozi = hitsOf({ line: 29, condition: 'op == "get" && preview contains "包子"' });
  assert.deepEqual(baozi.steps, gets.filter((s) => (s.event as { preview?: string }).preview?.includes('包子')).map((s) => s.index));
  assert.equal(baozi.steps.length, 10);
  assert.deepEqual(hitsOf({ line: 29, condition: 'channel == "joinable-queue" and not (pid != ' + consumer + ')' }).steps, byPid.steps);
  assert.deepEqual(hitsOf({ line: 29, hitCondition: '3' }).steps, [gets[2]!.index], 'only the third get');
  assert.deepEqual(hitsOf({ line: 29, hitCondition: '% 5' }).steps, gets.filter((_, i) => (i + 1) % 5 === 0).map((s) => s.index));
  assert.deepEqual(hitsOf({ line: 29, condition: 'pid == ' + consumer, hitCondition: '>= 2' }).steps, byPid.steps.slice(1));
  const never = hitsOf({ line: 29, condition: 'op == "put"' });
  assert.equal(never.result.verified, false);
  assert.match(never.result.message, /No step at this line matches the condition/);
  const nothing = hitsOf({ line: 1 });
  assert.equal(nothing.result.verified, false);
  assert.match(nothing.result.message, /Nothing happened at this line/);
});

test('a bad condition or hit count is refused with the bad part named', async () => {
  const replay = await open('35_joinable_queue');
  const file = replay.files[0]!;
  const bps = new Breakpoints(replay);
  const msg = (condition: string, hitCondition?: string) =>
    bps.set(file, [{ line: 29, condition, ...(hitCondition !== undefined ? { hitCondition } : {}) }])[0]!;
  assert.match(msg('opp == "put"').message, /Unknown field "opp" at column 1; fields: kind, op, pid/);
  assert.match(msg('op == put').message, /Unknown field "put" at column 7 \(a string needs quotes: "put"\)/);
  assert.match(msg('op = "put"').message, /Use == to compare \(a single = at column 4\)/);
  assert.match(msg('op == "put').message, /The string starting at column 7 is not closed/);
  assert.match(msg('(pid == 1').message, /Expected \) at column 10 to close the \( at column 1/);
  assert.match(msg('pid ==').message, /Expected a value after == \(column 5\) at column 7, found the end of the condition/);
  assert.match(msg('pid == 1 pid').message, /Unexpected "pid" at column 10/);
  assert.match(msg('pid $ 1').message, /Unexpected character "\$" at column 5/);
  assert.match(msg('', 'lots').message, /The hit count "lots" is not understood/);
  assert.equal(msg('op == "put"').verified, false, 'a valid condition that matches nothing here');
});

test('25_ticket_with_lock: the lock held by one buyer while two wait, from the model at each step', async () => {
  const replay = await open('25_ticket_with_lock');
  const acquires = replay.steps.filter((s) => s.event?.kind === 'channel.op' && s.event.op === 'acquire');
  assert.equal(acquires.length, 3);
  const [first, second, third] = acquires;
  const lockAt = (i: number) => replay.momentAt(i).channels.find((c) => c.kind === 'lock')!;
  // Before the others reach lock.acquire(): the first buyer holds it, nobody waits.
  const early = lockAt(first!.index + 1);
  assert.deepEqual(early.holders, [{ pid: first!.pid, count: 1 }]);
  assert.deepEqual(early.waiters, []);
  assert.deepEqual(describeChannelState(early), [`held by pid ${first!.pid}`]);
  // At its release: nobody holds it, and the other two have been waiting (112 ms and 115 ms
  // before each got it).
  const release = replay.steps.find((s) => s.event?.kind === 'channel.op' && s.event.op === 'release')!;
  const released = lockAt(release.index);
  assert.deepEqual(released.holders, []);
  assert.deepEqual(released.waiters.map((w) => w.pid).sort(), [second!.pid, third!.pid].sort());
  assert.ok(released.waiters.every((w) => w.op === 'acquire' && w.sinceMs < release.t && w.site?.line === 60));
  assert.equal(describeChannelState(released)[0], 'held by nobody');
  assert.match(describeChannelState(released)[1]!, new RegExp(`^pid ${second!.pid} waiting in acquire since 1\\.9\\d\\d s$`));
  const after = replay.momentAt(second!.index).channels.find((c) => c.kind === 'lock')!;
  assert.deepEqual(after.holders, [{ pid: second!.pid, count: 1 }]);
  assert.deepEqual(after.waiters.map((w) => w.pid), [third!.pid]);
  assert.match(describeStep(replay, second!), new RegExp(`^pid ${second!.pid} Lock\\.acquire, waited 11\\d ms$`));
});

test('35_joinable_queue: at each get, the queue holds exactly the items put and not yet got, oldest first', async () => {
  const replay = await open('35_joinable_queue');
  const steps = replay.steps;
  for (const step of steps) {
    if (step.event?.kind !== 'channel.op' || step.event.op !== 'get') continue;
    const q = replay.momentAt(step.index).channels.find((c) => c.kind === 'joinable-queue')!;
    // Worked out from the events alone: puts up to now whose payload has not been got up to now.
    const upTo = steps.filter((s) => s.t <= step.t && s.event?.kind === 'channel.op');
    const got = upTo.filter((s) => (s.event as { op: string }).op === 'get').map((s) => (s.event as { preview: string }).preview);
    const waiting = upTo
      .filter((s) => (s.event as { op: string }).op === 'put')
      .map((s) => (s.event as { preview: string }).preview)
      .filter((p) => !got.includes(p));
    assert.deepEqual(q.inFlight.map((m) => m.preview).sort(), waiting.sort(), `at ${step.t}`);
    assert.equal(q.inFlightCount, waiting.length);
    const done = upTo.filter((s) => (s.event as { op: string }).op === 'task_done').length;
    assert.equal(q.unfinishedTasks, upTo.filter((s) => (s.event as { op: string }).op === 'put').length - done);
    const m = /^pid (\d+) JoinableQueue\.get → ('.+')(, waited [\d.]+ ms)?$/.exec(describeStep(replay, step));
    assert.ok(m, describeStep(replay, step));
    assert.equal(Number(m[1]), step.pid);
  }
});

test('48_event_basics: an Event set and cleared, and a wait that timed out, as the failed filter sees it', async () => {
  const replay = await open('48_event_basics');
  const ops = replay.steps.filter((s) => s.event?.kind === 'channel.op');
  const set = ops.find((s) => (s.event as { op: string }).op === 'set')!;
  assert.equal(replay.momentAt(set.index).channels.find((c) => c.kind === 'event')!.isSet, true);
  const clear = ops.find((s) => (s.event as { op: string }).op === 'clear')!;
  assert.equal(replay.momentAt(clear.index).channels.find((c) => c.kind === 'event')!.isSet, false);
  const bps = new Breakpoints(replay);
  bps.setFilters(['failed']);
  const stop = new Cursor(replay, bps).continue();
  assert.equal(stop.filter, 'failed');
  assert.match(describeStep(replay, replay.steps[stop.index]!), /^pid \d+ Event\.wait failed \(timed out\), waited 50\d ms$/);
});

test('a recording cut short opens and steps up to its last whole event, with the warning', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pv-replay-'));
  try {
    const lines = readFileSync(fixture('35_joinable_queue'), 'utf8').split('\n').filter((l) => l !== '');
    const keep = lines.slice(0, 60);
    const cut = join(dir, 'cut.jsonl');
    writeFileSync(cut, `${keep.join('\n')}\n${lines[60]!.slice(0, 40)}`); // no end line, half a last line
    const replay: Replay = await openReplay(cut);
    assert.ok(replay.warnings.some((w) => /was cut short/.test(w)), replay.warnings.join('\n'));
    const lastEvent = keep
      .map((l) => JSON.parse(l) as { type: string; event?: { t: number } })
      .filter((r) => r.type === 'event')
      .reduce((m, r) => Math.max(m, r.event!.t), 0);
    const cursor = new Cursor(replay, new Breakpoints(replay));
    assert.equal(cursor.continue().reason, 'end');
    assert.ok(replay.steps[cursor.index]!.t >= lastEvent);
    assert.equal(cursor.stepInto().note, 'This is the last step of the recording.');
    assert.ok(replay.session.snapshot().run.warnings.some((w) => /was cut short/.test(w)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a condition is also a watch expression: its value at a step', async () => {
  const replay = await open('35_joinable_queue');
  const get = replay.steps.find((s) => s.event?.kind === 'channel.op' && s.event.op === 'get')!;
  const read = (source: string) => parseCondition(source, CONDITION_FIELDS).value((f) => stepField(replay, get, f));
  assert.equal(read('preview'), (get.event as { preview: string }).preview);
  assert.equal(read('channel'), 'joinable-queue');
  assert.equal(read('state'), 'running');
  assert.equal(read('pid == ' + get.pid), true);
  assert.equal(read('exitCode'), null, 'a field this event does not have');
});
