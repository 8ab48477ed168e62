/**
 * The lesson runner's logic (src/core/lessons/runner.ts) on a scripted backend: which stops it
 * holds and which it lets go, the order of steps, the `then` of each step, the pauses it keeps
 * set, checks and answers read from the run's model, and how a lesson ends. The same runner on
 * the real debugger: test/debug/lessons.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DebugBackend, DebugProcess, ProcessStop, RunEnd } from '../../../src/core/debug/backend';
import type { BreakpointSpec, StopOnKind } from '../../../src/core/protocol/control';
import { LessonRunner, LessonStepError, lessonLaunch, parseLesson, type Lesson } from '../../../src/core/lessons';
import type { ChannelState, ProcessNode, SessionSnapshot } from '../../../src/core/session/model';
import { channel, proc } from '../extension/fixtures/snapshots';

const LESSON_FILE = '/course/lessons/race.lesson.json';
const SCRIPT = '/course/race.py';
const T = { en: 'e', 'zh-cn': 'z' };

type Listener<T> = (v: T) => void;
class Emitter<T> {
  readonly listeners = new Set<Listener<T>>();
  readonly event = (l: Listener<T>) => {
    this.listeners.add(l);
    return { dispose: () => this.listeners.delete(l) };
  };
  fire(v: T): void {
    for (const l of [...this.listeners]) l(v);
  }
}

/** A backend whose stops the test scripts: `onResume` says what a process does when let go. */
class ScriptedBackend {
  readonly stopped = new Emitter<ProcessStop>();
  readonly ended = new Emitter<RunEnd>();
  readonly output = new Emitter<{ category: 'stdout'; text: string }>();
  readonly changed = new Set<() => void>();
  readonly log: string[] = [];
  readonly stops = new Map<number, ProcessStop>();
  processes: ProcessNode[] = [proc({ pid: 1, role: 'main', name: 'MainProcess' }), proc({ pid: 2 }), proc({ pid: 3 }), proc({ pid: 4 })];
  channelStates: ChannelState[] = [];
  values = new Map<string, string>();
  onResume: (pid: number, how: string) => void = () => undefined;
  private n = 0;
  private over = false;

  stop(pid: number, line: number, extra: Partial<ProcessStop> = {}): void {
    const s: ProcessStop = { pid, stop: ++this.n, reason: 'breakpoint', description: `line ${line}`, text: null, thread: 'MainThread', mainThread: true, site: { file: SCRIPT, line }, breakpointIds: [], op: null, ...extra };
    this.stops.set(pid, s);
    this.stopped.fire(s);
  }
  end(): void {
    if (this.over) return;
    this.over = true;
    this.ended.fire({ exitCode: 0, signal: null });
  }
  setModel(processes: ProcessNode[]): void {
    this.processes = processes;
    for (const l of this.changed) l();
  }

  asBackend(): DebugBackend {
    const snapshot = (): SessionSnapshot => ({ processes: this.processes, channels: this.channelStates.map((c) => channel({ id: c.id, kind: c.kind })), nowMs: 1 }) as unknown as SessionSnapshot;
    const none = () => ({ dispose: () => undefined });
    const changed = this.changed;
    const states = (): ChannelState[] => this.channelStates;
    return {
      session: { snapshot, onDidChange: (l: () => void) => (changed.add(l), { dispose: () => changed.delete(l) }), channelStatesAt: states },
      onProcessStarted: none,
      onProcessExited: none,
      onStopped: this.stopped.event,
      onContinued: none,
      onOutput: this.output.event,
      onBreakpointsVerified: none,
      onEnded: this.ended.event,
      processes: (): DebugProcess[] => this.processes.map((p) => ({ pid: p.pid, ppid: p.ppid, name: p.name, role: p.role, debuggable: true })),
      stopOf: (pid: number) => this.stops.get(pid),
      resume: async (pid: number, how: string) => {
        this.log.push(`${how} ${pid}`);
        this.stops.delete(pid);
        setImmediate(() => this.onResume(pid, how));
      },
      evaluate: async (_pid: number, _frame: number, expression: string) => ({ result: this.values.get(expression) ?? `<${expression}?>`, type: null }),
      setBreakpoints: async (path: string, specs: readonly BreakpointSpec[]) => {
        this.log.push(`breakpoints ${path} ${specs.map((s) => s.line).join(',')}`);
        return [];
      },
      setStopOn: async (kinds: readonly StopOnKind[]) => {
        this.log.push(`stopOn ${kinds.join(',')}`);
      },
      terminate: async () => {
        this.log.push('terminate');
        this.end();
      },
      dispose: () => undefined,
    } as unknown as DebugBackend;
  }
}

function lesson(steps: unknown[], end?: unknown): Lesson {
  return parseLesson(JSON.stringify({ id: 'race', title: T, topic: 'lock', script: '../race.py', steps, ...(end ? { end } : {}) }), LESSON_FILE);
}

describe('lesson runner', () => {
  test('the launch: the script next to the lesson, every line and operation kind the steps pause at', () => {
    const l = lesson([
      { pause: { line: 12 }, text: T },
      { pause: { operation: 'queue', op: 'put' }, text: T },
      { pause: { line: 10 }, text: T },
      { pause: { event: 'zombie' }, text: T },
      { pause: { line: 12 }, text: T },
    ]);
    const launch = lessonLaunch(l, LESSON_FILE);
    assert.equal(launch.program, SCRIPT);
    assert.equal(launch.cwd, '/course');
    assert.deepEqual(launch.stopOn, ['queue']);
    assert.deepEqual(launch.breakpoints.get(SCRIPT)?.map((b) => b.line), [10, 12]);
  });

  test('the learner\'s interleaving: both buyers held before either writes, then A steps on alone', async () => {
    const fake = new ScriptedBackend();
    const l = lesson([
      { pause: { line: 10, process: { role: 'child' }, as: 'a' }, text: T, then: [] },
      { pause: { line: 10, process: { role: 'child', isNot: 'a' }, as: 'b' }, text: T, then: [{ process: { is: 'a' }, do: 'next' }] },
      { pause: { line: 11, process: { is: 'a' } }, text: T, expect: { evaluate: [{ expression: 'count', equals: '1' }] } },
    ]);
    fake.values.set('count', '1');
    // Buyer 4 passes line 99, which no step wants; A (2) and B (3) reach line 10.
    fake.onResume = (pid, how) => {
      if (pid === 2 && how === 'next') fake.stop(2, 11, { reason: 'step' });
      else if (fake.stops.size === 0) fake.end();
    };
    const runner = new LessonRunner(l, LESSON_FILE, fake.asBackend(), { endTimeoutMs: 2000 });
    fake.stop(4, 99);
    fake.stop(2, 10);
    fake.stop(3, 10);
    assert.deepEqual(fake.log, ['continue 4'], 'a stop no step wants is let go at once; the others are held');

    const s1 = await runner.nextStep();
    assert.deepEqual([s1?.index, s1?.pid, s1?.site?.line], [0, 2, 10]);
    assert.deepEqual([...(s1?.paused ?? [])].sort(), [2, 3]);
    const s2 = await runner.nextStep();
    assert.deepEqual([s2?.index, s2?.pid], [1, 3], 'step 2 is the other buyer');
    assert.deepEqual(fake.log, ['continue 4'], 'step 1 let nobody go');
    const s3 = await runner.nextStep();
    assert.deepEqual(fake.log.slice(1), [`breakpoints ${SCRIPT} 11`, 'next 2'], 'line 10 is no longer needed; A steps over its line, B stays paused');
    assert.deepEqual([s3?.index, s3?.pid, s3?.site?.line, s3?.ok], [2, 2, 11, true]);
    assert.deepEqual(s3?.checks, [{ what: 'evaluate: count == 1', ok: true, actual: '1' }]);
    assert.equal(await runner.nextStep(), undefined, 'no step after the last');

    const end = await runner.finish();
    assert.deepEqual(fake.log.slice(3).sort(), [`breakpoints ${SCRIPT} `, 'continue 2', 'continue 3'].sort(), 'no pause left, everyone let go');
    assert.deepEqual([end.stopped, end.ok], [false, true]);
    runner.dispose();
  });

  test('stops a step held and did not take are let go when the lesson moves on (pool workers at one line)', async () => {
    const fake = new ScriptedBackend();
    const l = lesson([
      { pause: { line: 32, process: { role: 'child' }, as: 'w' }, text: T },
      { pause: { line: 41, process: { role: 'main' } }, text: T },
    ]);
    // The main process reaches line 41 only once all three workers have finished their tasks.
    const resumed = new Set<number>();
    fake.onResume = (pid) => {
      resumed.add(pid);
      if (resumed.size === 3) fake.stop(1, 41);
    };
    const runner = new LessonRunner(l, LESSON_FILE, fake.asBackend(), { stepTimeoutMs: 2000 });
    fake.stop(2, 32);
    fake.stop(3, 32);
    fake.stop(4, 32);
    assert.equal(fake.log.length, 0, 'all three are held while step 1 waits');
    const s1 = await runner.nextStep();
    assert.deepEqual([s1?.pid, [...(s1?.paused ?? [])].sort()], [2, [2, 3, 4]]);
    const s2 = await runner.nextStep();
    assert.deepEqual([s2?.index, s2?.pid, s2?.site?.line], [1, 1, 41], 'the main process got there: nobody was left held at line 32');
    assert.deepEqual(fake.log.filter((x) => x.startsWith('continue')).sort(), ['continue 2', 'continue 3', 'continue 4']);
    runner.dispose();
  });

  test('checks read the run\'s model (waiting for it, bounded) and a question\'s answer is found in the run', async () => {
    const fake = new ScriptedBackend();
    const l = lesson([
      {
        pause: { event: 'zombie', process: { role: 'child' } },
        text: T,
        expect: { processes: [{ process: { role: 'child' }, state: 'zombie', count: 1 }], output: ['bye'] },
        question: { text: T, answer: { process: { role: 'child', name: 'Process-2' } } },
      },
      {
        pause: { operation: 'lock', op: 'acquire' },
        text: T,
        expect: { channels: [{ kind: 'lock', heldBy: { role: 'main' } }], operation: { kind: 'lock', op: 'acquire' } },
        question: { text: T, answer: { holderOf: 'lock' } },
      },
    ]);
    const runner = new LessonRunner(l, LESSON_FILE, fake.asBackend(), { expectTimeoutMs: 2000, endTimeoutMs: 500 });
    const first = runner.nextStep();
    setTimeout(() => fake.setModel([proc({ pid: 1, role: 'main', name: 'MainProcess' }), proc({ pid: 2, state: 'zombie' })]), 20);
    setTimeout(() => fake.output.fire({ category: 'stdout', text: 'bye\n' }), 60);
    const s1 = await first;
    assert.equal(s1?.pid, 2);
    assert.equal(s1?.site, null, 'an event pauses nobody');
    assert.ok(s1?.ok, JSON.stringify(s1?.checks));
    assert.deepEqual(s1?.answer, { kind: 'process', pids: [2] });
    assert.equal(LessonRunner.isRight(s1!.answer!, 2), true);
    assert.equal(LessonRunner.isRight(s1!.answer!, 1), false);

    fake.channelStates = [{ id: 'L', kind: 'lock', messageCount: 0, ops: {}, inFlight: [], inFlightCount: 0, complete: true, holders: [{ pid: 3, count: 1 }], waiters: [], unfinishedTasks: null, isSet: null }];
    fake.stop(2, 20, { reason: 'operation', op: { kind: 'lock', op: 'acquire', type: 'Lock', id: 'L' } });
    const s2 = await runner.nextStep();
    assert.equal(fake.log.length, 0, 'the pauses set at launch are the ones still needed');
    assert.equal(s2?.ok, false, 'the lock is held by a child, not by the main process');
    assert.deepEqual(s2?.checks.map((c) => c.ok), [true, false, true]);
    assert.match(s2!.checks[1]!.actual, /holders \[3\]/);
    assert.deepEqual(s2?.answer, { kind: 'process', pids: [3] });

    const end = await runner.finish();
    assert.equal(end.stopped, true, 'the run did not end by itself: Stop ended it');
    assert.ok(fake.log.includes('terminate'));
    runner.dispose();
  });

  test('a step that never comes fails naming the step, and says what is paused', async () => {
    const fake = new ScriptedBackend();
    const l = lesson([
      { pause: { line: 10 }, text: T },
      { pause: { line: 30, process: { role: 'main' } }, text: T },
    ]);
    const runner = new LessonRunner(l, LESSON_FILE, fake.asBackend(), { stepTimeoutMs: 300 });
    fake.stop(2, 10);
    assert.equal((await runner.nextStep())?.pid, 2);
    fake.onResume = () => fake.end();
    await assert.rejects(runner.nextStep(), (e: unknown) => e instanceof LessonStepError && e.index === 1 && /^step 2: the run ended before this step's pause \(pause at line 30 by role main\)/.test(e.message));
    runner.dispose();

    const slow = new ScriptedBackend();
    const r2 = new LessonRunner(lesson([{ pause: { line: 10 }, text: T }]), LESSON_FILE, slow.asBackend(), { stepTimeoutMs: 200 });
    await assert.rejects(r2.nextStep(), /step 1: no pause at line 10 within 0.2 s; paused now: none/);
    await r2.stop();
    assert.deepEqual(slow.log, ['terminate'], 'leaving the lesson ends the run');
    r2.dispose();
  });

  test('a stop that came before the runner listened is not lost', async () => {
    const fake = new ScriptedBackend();
    fake.stop(1, 5, { reason: 'entry' });
    const runner = new LessonRunner(lesson([{ pause: { line: 5 }, text: T }]), LESSON_FILE, fake.asBackend());
    assert.equal((await runner.nextStep())?.pid, 1);
    runner.dispose();
  });
});
