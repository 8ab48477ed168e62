/**
 * Uncaught exceptions in a live run, through a real DAP client over stdio: the "Uncaught
 * exceptions" filter (on by default) stops where an exception is about to end a child process,
 * a thread or the main process, in the frame that raised it with its locals; exceptionInfo gives
 * VS Code's exception widget the type, the message and the traceback; resumed, each goes on to be
 * printed and to end its process exactly as without the debugger. Turned off, nothing stops.
 * The interpreter: PV_TEST_PYTHON (the `debug` test stage runs this file on every installed Python).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { PYTHON, distinctStops, lineOf, nextStop, plainRun, script, stepAndWait, top, withRun, type Stop } from './harness';

type Client = Parameters<typeof distinctStops>[0];
const distinctStopsCount = (c: Client): number => distinctStops(c).length;

/** The exception filters the run offered (the capabilities event in the launch, before `initialized`), with their defaults. */
function filtersOffered(c: Client): Array<[string, boolean | undefined]> {
  const caps = c.events.filter((e) => e.event === 'capabilities').map((e) => (e.body as { capabilities: DebugProtocol.Capabilities }).capabilities);
  return caps.flatMap((x) => x.exceptionBreakpointFilters ?? []).map((f) => [f.filter, f.default]);
}

const PROGRAM = `import multiprocessing as mp
import threading

def parse(text):
    value = int(text)  # RAISE
    return value

def work(text):
    n = parse(text)
    print("child got", n, flush=True)

def in_thread():
    items = ["only"]
    print(items[3])  # THREAD

if __name__ == "__main__":
    p = mp.Process(target=work, args=("forty-two",))
    p.start()
    p.join()
    print("exit", p.exitcode, flush=True)
    t = threading.Thread(target=in_thread, name="reader")
    t.start()
    t.join()
    limit = 7
    raise RuntimeError("main gives up after %d" % limit)  # MAIN
`;

describe('uncaught exceptions', () => {
  test('a child, a thread and the main process stop where they raised, with their locals; the tracebacks print as without the debugger', async () => {
    const file = script('uncaught.py', PROGRAM);
    const plain = plainRun(file);
    assert.equal(plain.status, 1);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env });
      assert.deepEqual(filtersOffered(c), [['raised', false], ['uncaught', true], ['task', true]], 'a live run offers the filters, on by default');
      const info = async (s: Stop) => (await c.request<DebugProtocol.ExceptionInfoResponse>('exceptionInfo', { threadId: s.threadId })).body;
      const locals = async (frameId: number) => {
        const scopes = await c.request<DebugProtocol.ScopesResponse>('scopes', { frameId });
        const ref = scopes.body.scopes.find((x) => x.name === 'Locals')!.variablesReference;
        return (await c.request<DebugProtocol.VariablesResponse>('variables', { variablesReference: ref })).body.variables;
      };

      // The child: in parse(), where int() raised, text as it was; work() below it.
      const child = await nextStop(c, 0);
      assert.equal(child.reason, 'exception');
      assert.equal(child.processView.reason, 'exception');
      assert.match(child.text ?? '', /^ValueError: invalid literal for int\(\) with base 10: 'forty-two'$/);
      const ci = await info(child);
      assert.equal(ci.exceptionId, 'ValueError');
      assert.equal(ci.breakMode, 'unhandled');
      assert.match(ci.description ?? '', /invalid literal/);
      assert.match(ci.details?.stackTrace ?? '', /^Traceback \(most recent call last\):\n[\s\S]*in work\n[\s\S]*in parse\n[\s\S]*ValueError: invalid literal/);
      assert.doesNotMatch(ci.details?.stackTrace ?? '', /processview_tracer/);
      const cf = await top(c, child.threadId);
      assert.equal(cf.line, lineOf(file, '# RAISE', PROGRAM));
      assert.equal(cf.name, 'parse');
      assert.equal((await locals(cf.id)).find((v) => v.name === 'text')?.value, "'forty-two'");
      const stack = await c.request<DebugProtocol.StackTraceResponse>('stackTrace', { threadId: child.threadId });
      assert.equal(stack.body.stackFrames[1]?.name, 'work', 'the frames the exception went through');
      await c.request('continue', { threadId: child.threadId });

      // A thread of the main process.
      const thread = await nextStop(c, 1, (b) => b.reason === 'exception' && /IndexError/.test(b.text ?? ''));
      assert.match(thread.description ?? '', /reader/, 'the thread is named');
      assert.equal((await info(thread)).exceptionId, 'IndexError');
      const tf = await top(c, thread.threadId);
      assert.equal(tf.line, lineOf(file, '# THREAD', PROGRAM));
      assert.equal((await locals(tf.id)).find((v) => v.name === 'items')?.value, "['only']");
      await c.request('continue', { threadId: thread.threadId });

      // The main module: the frame is the module's, its globals readable.
      const main = await nextStop(c, 2, (b) => b.reason === 'exception' && /RuntimeError/.test(b.text ?? ''));
      assert.notEqual(child.processView.pid, main.processView.pid, 'the first stop was the child\'s');
      assert.equal(thread.processView.pid, main.processView.pid, 'the thread is the main process\'s');
      const mf = await top(c, main.threadId);
      assert.equal(mf.line, lineOf(file, '# MAIN', PROGRAM));
      const limit = await c.request<DebugProtocol.EvaluateResponse>('evaluate', { expression: 'limit * 6', frameId: mf.id, context: 'repl' });
      assert.equal(limit.body.result, '42');
      await c.request('continue', { threadId: main.threadId });

      assert.equal(await c.ended(), 1);
      assert.equal(c.output('stdout'), plain.stdout);
      assert.equal(c.output('stderr'), plain.stderr, 'every traceback prints as without the debugger');
    });
  });

  test('a spawn child (the start method of macOS and Windows) stops the same way', async () => {
    const text = PROGRAM.replace('if __name__ == "__main__":\n', 'if __name__ == "__main__":\n    mp.set_start_method("spawn")\n');
    assert.notEqual(text, PROGRAM);
    const file = script('uncaught-spawn.py', text);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env });
      const child = await nextStop(c, 0);
      assert.equal(child.reason, 'exception');
      assert.match(child.text ?? '', /^ValueError: /);
      const f = await top(c, child.threadId);
      assert.equal(f.line, lineOf(file, '# RAISE', text));
      await c.request('continue', { threadId: child.threadId });
      // The thread's and the main module's exceptions stop too; let them go on.
      for (const n of [1, 2]) {
        const s = await nextStop(c, n);
        assert.equal(s.reason, 'exception');
        await c.request('continue', { threadId: s.threadId });
      }
      assert.equal(await c.ended(), 1);
      assert.match(c.output('stderr'), /ValueError: invalid literal for int\(\) with base 10: 'forty-two'/);
    });
  });

  test('a Pool task, a ThreadPool task, a ProcessPoolExecutor task and a ThreadPoolExecutor task stop in the worker where they raised; the caller still gets the exception', async () => {
    const text = `import multiprocessing as mp
from multiprocessing.pool import ThreadPool
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

def inverse(x):
    share = 10 / x  # TASK
    return share

if __name__ == "__main__":
    with mp.Pool(2) as pool:
        try:
            print(pool.map(inverse, [1, 0, 2]))
        except ZeroDivisionError as e:
            print("pool caught", e, flush=True)
    with ThreadPool(2) as tp:
        try:
            print(tp.map(inverse, [4, 0, 5], chunksize=1))
        except ZeroDivisionError as e:
            print("thread pool caught", e, flush=True)
    with ProcessPoolExecutor(1) as ex:
        try:
            print(ex.submit(inverse, 0).result())
        except ZeroDivisionError as e:
            print("executor caught", e, flush=True)
    with ThreadPoolExecutor(2) as ex:
        try:
            print(list(ex.map(inverse, [3, 0])))
        except ZeroDivisionError as e:
            print("thread executor caught", e, flush=True)
`;
    const file = script('task-raises.py', text);
    const plain = plainRun(file);
    assert.equal(plain.status, 0);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env });
      assert.deepEqual(filtersOffered(c), [['raised', false], ['uncaught', true], ['task', true]]);
      const threads = async () => (await c.request<DebugProtocol.ThreadsResponse>('threads')).body.threads;
      // A ThreadPool's and a ThreadPoolExecutor's workers are threads of the main process: they stop there.
      for (const [n, worker] of [[0, /PoolWorker/], [1, /MainProcess/], [2, /SpawnProcess|ForkProcess|Process-/], [3, /MainProcess/]] as const) {
        const s = await nextStop(c, n);
        assert.equal(s.reason, 'exception');
        assert.match(s.text ?? '', /^ZeroDivisionError: division by zero$/);
        assert.match(s.description ?? '', /pool task raised/);
        const name = (await threads()).find((t) => t.id === s.threadId)?.name ?? '';
        assert.match(name, worker, 'stopped in the worker');
        const f = await top(c, s.threadId);
        assert.equal(f.name, 'inverse');
        assert.equal(f.line, lineOf(file, '# TASK', text));
        const x = await c.request<DebugProtocol.EvaluateResponse>('evaluate', { expression: 'x', frameId: f.id, context: 'watch' });
        assert.equal(x.body.result, '0');
        const info = (await c.request<DebugProtocol.ExceptionInfoResponse>('exceptionInfo', { threadId: s.threadId })).body;
        assert.equal(info.exceptionId, 'ZeroDivisionError');
        assert.match(info.details?.stackTrace ?? '', /in inverse\n/);
        await c.request('continue', { threadId: s.threadId });
      }
      assert.equal(await c.ended(), 0);
      assert.equal(c.output('stdout'), plain.stdout, 'the callers caught the exceptions as without the debugger');
      assert.equal(distinctStopsCount(c), 4, 'nothing else stopped');
    });
  });

  test('"Raised exceptions" stops where the user\'s code raises, or where a library\'s exception first reaches it, caught or not; once a raise; the run prints as without it', async () => {
    const text = `import json
import multiprocessing as mp
import queue

def parse(text):
    try:
        return int(text)  # PARSE
    except ValueError:
        return -1

def child(text):
    print("child", parse(text), flush=True)

def fetch(q):
    return q.get(timeout=0.05)  # EMPTY

if __name__ == "__main__":
    p = mp.Process(target=child, args=("x1",))
    p.start()
    p.join()
    try:
        next(iter([]))
    except StopIteration:
        print("iteration ends: not an error", flush=True)
    q = mp.Queue()
    try:
        fetch(q)
    except queue.Empty:
        print("empty", flush=True)
    try:
        json.loads("{")  # JSON
    except ValueError as e:
        print("bad json", type(e).__name__, flush=True)
    print("exit", p.exitcode, flush=True)
`;
    const file = script('raised.py', text);
    const plain = plainRun(file);
    assert.equal(plain.status, 0);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env }, {}, {}, ['raised', 'uncaught']);
      // The child: where int() raised in parse(), its frame still running.
      const child = await nextStop(c, 0);
      assert.equal(child.reason, 'exception');
      assert.match(child.text ?? '', /^ValueError: invalid literal for int\(\) with base 10: 'x1'$/);
      assert.match(child.description ?? '', /raised exception/);
      const info = (await c.request<DebugProtocol.ExceptionInfoResponse>('exceptionInfo', { threadId: child.threadId })).body;
      assert.equal(info.exceptionId, 'ValueError');
      assert.equal(info.breakMode, 'always', 'it may yet be caught');
      const cf = await top(c, child.threadId);
      assert.equal(cf.name, 'parse');
      assert.equal(cf.line, lineOf(file, '# PARSE', text));
      const t = await c.request<DebugProtocol.EvaluateResponse>('evaluate', { expression: 'text * 2', frameId: cf.id, context: 'watch' });
      assert.equal(t.body.result, "'x1x1'");
      // Step Over from the raise: the next line of the same frame, its except clause.
      const stepped = await stepAndWait(c, child.threadId, 'next');
      assert.equal(stepped.reason, 'step');
      const sf = await top(c, child.threadId);
      assert.deepEqual([sf.name, sf.line], ['parse', lineOf(file, '# PARSE', text) + 1]);
      await c.request('continue', { threadId: child.threadId });

      // The main process: queue.Empty raised inside multiprocessing (through the tracer's own
      // wrapper) stops at the user's line that called get(), in fetch(); not again in the main
      // module, which it goes through to its except clause. StopIteration never stops.
      const empty = await nextStop(c, 2);
      assert.match(empty.text ?? '', /Empty/);
      assert.notEqual(empty.processView.pid, child.processView.pid);
      const ef = await top(c, empty.threadId);
      assert.equal(ef.line, lineOf(file, '# EMPTY', text));
      const et = (await c.request<DebugProtocol.ExceptionInfoResponse>('exceptionInfo', { threadId: empty.threadId })).body;
      assert.doesNotMatch(et.details?.stackTrace ?? '', /processview_tracer/);
      await c.request('continue', { threadId: empty.threadId });

      const bad = await nextStop(c, 3);
      assert.match(bad.text ?? '', /JSONDecodeError: /);
      assert.equal((await top(c, bad.threadId)).line, lineOf(file, '# JSON', text));
      await c.request('continue', { threadId: bad.threadId });

      assert.equal(await c.ended(), 0);
      assert.equal(distinctStopsCount(c), 4, 'one stop a raise, and the step');
      assert.equal(c.output('stdout'), plain.stdout);
      assert.equal(c.output('stderr'), plain.stderr);
    });
  });

  test('a condition on a filter (Edit Condition) names the exception types it stops for, in every process; changed while running; a bad one is said and stops for all', async () => {
    const text = `import multiprocessing as mp
import queue

def attempt(kind):
    try:
        if kind == "value":
            int("x")  # VALUE
        elif kind == "key":
            {}["k"]  # KEY
        else:
            queue.Queue().get(timeout=0.01)  # EMPTY
    except Exception as e:
        print(kind, type(e).__name__, flush=True)

def child():
    for kind in ("value", "key", "empty"):
        attempt(kind)

if __name__ == "__main__":
    p = mp.Process(target=child)
    p.start()
    p.join()
    for kind in ("value", "key", "empty"):
        attempt(kind)
`;
    const file = script('raised-conditions.py', text);
    const plain = plainRun(file);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env }, {}, {}, [{ filterId: 'raised', condition: 'LookupError, queue.Empty' }, { filterId: 'uncaught' }]);
      assert.equal(c.capabilities?.supportsExceptionFilterOptions, true);
      const filters = c.events.flatMap((e) => (e.event === 'capabilities' ? ((e.body as { capabilities: DebugProtocol.Capabilities }).capabilities.exceptionBreakpointFilters ?? []) : []));
      assert.deepEqual(filters.map((f) => [f.filter, f.supportsCondition, /separated by commas/.test(f.conditionDescription ?? '')]), [['raised', true, true], ['uncaught', true, true], ['task', true, true]]);
      const line = (tag: string) => lineOf(file, `# ${tag}`, text);
      // The child: ValueError is not named: no stop; KeyError is a LookupError; queue.Empty is named.
      for (const [n, tag, type] of [[0, 'KEY', 'KeyError'], [1, 'EMPTY', 'Empty']] as const) {
        const s = await nextStop(c, n);
        assert.equal(s.reason, 'exception');
        assert.match(s.text ?? '', new RegExp(`^(_queue\\.|queue\\.)?${type}`), s.text);
        assert.equal((await top(c, s.threadId)).line, line(tag));
        if (n === 1) {
          // Changed while stopped: every type but queue.Empty, and a bad condition on "uncaught".
          const r = await c.request<DebugProtocol.SetExceptionBreakpointsResponse>('setExceptionBreakpoints', {
            filters: [],
            filterOptions: [{ filterId: 'raised', condition: '!queue.Empty' }, { filterId: 'uncaught', condition: 'isinstance(e, ValueError)' }],
          });
          assert.deepEqual(r.body?.breakpoints?.map((b) => b.verified), [true, false]);
          assert.match(r.body?.breakpoints?.[1]?.message ?? '', /"isinstance\(e" is not an exception type's name.*stops for every exception/);
        }
        await c.request('continue', { threadId: s.threadId });
      }
      // The main process, told of the change while it waited in join(): ValueError and KeyError stop, queue.Empty does not.
      for (const [n, tag] of [[2, 'VALUE'], [3, 'KEY']] as const) {
        const s = await nextStop(c, n);
        assert.equal((await top(c, s.threadId)).line, line(tag));
        await c.request('continue', { threadId: s.threadId });
      }
      assert.equal(await c.ended(), 0);
      assert.equal(distinctStopsCount(c), 4, 'nothing else stopped');
      assert.equal(c.output('stdout'), plain.stdout);
    });
  });

  test('with the filter off, nothing stops and the run ends as without the debugger', async () => {
    const file = script('uncaught-off.py', PROGRAM);
    const plain = plainRun(file);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env }, {}, {}, []);  // both filters off, sent as VS Code sends them: at `initialized`
      assert.equal(await c.ended(), 1);
      assert.equal(c.events.filter((e) => e.event === 'stopped').length, 0);
      assert.equal(c.output('stdout'), plain.stdout);
      assert.equal(c.output('stderr'), plain.stderr);
    });
  });

  test('a client that waits for `initialized` before it launches gets it, and its filters set before the launch hold', async () => {
    const file = script('uncaught-waiting-client.py', PROGRAM);
    const plain = plainRun(file);
    await withRun(async ({ client: c, env }) => {
      await c.request('initialize', { adapterID: 'processview', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
      await c.event('initialized', () => true, 0, 60_000);  // sent without a launch, after 10 s
      await c.request('setExceptionBreakpoints', { filters: [] });
      await c.request('configurationDone');
      await c.request('launch', { program: file, env, python: PYTHON, console: 'internalConsole' });
      assert.equal(await c.ended(), 1);
      assert.deepEqual(filtersOffered(c), [['raised', false], ['uncaught', true], ['task', true]], 'the filters come with the launch');
      assert.equal(c.events.filter((e) => e.event === 'initialized').length, 1, 'one `initialized`');
      assert.equal(c.events.filter((e) => e.event === 'stopped').length, 0);
      assert.equal(c.output('stderr'), plain.stderr);
    });
  });
});
