/**
 * Breakpoints in every kind of process of a run, through a real DAP client over stdio:
 * the main process, multiprocessing children (fork, spawn, forkserver), os.fork() children,
 * Pool and ProcessPoolExecutor workers, and Python started through subprocess.
 * The interpreter: PV_TEST_PYTHON (the `debug` test stage runs this file on every installed Python).
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { loadSession } from '../../src/core/recording';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { distinctStops, lineOf, nextStop, plainRun, PYTHON, script, top, withRun, type Stop } from './harness';

const CHILD = `import multiprocessing as mp
import sys

def work(x):
    y = x * 2  # BP
    return y

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    p = mp.Process(target=work, args=(21,))
    p.start()
    p.join()
    print("child exit code", p.exitcode)
    print("main", work(1))
`;

async function childBreakpoint(method: string): Promise<void> {
  const file = script('child.py', CHILD);
  const bp = lineOf(file, '# BP', CHILD);
  await withRun(async ({ client: c, env }) => {
    await c.launch({ program: file, args: [method], env }, { [file]: [bp] });
    const child = await nextStop(c, 0);
    assert.equal(child.reason, 'breakpoint');
    const frame = await top(c, child.threadId);
    assert.equal(frame.name, 'work');
    assert.equal(frame.line, bp);
    assert.equal(frame.source?.path, file);
    const threads = await c.threads();
    const main = threads.find((t) => t.name.startsWith('MainProcess'));
    assert.ok(main, `no main thread in ${JSON.stringify(threads)}`);
    const me = threads.find((t) => t.id === child.threadId);
    // Its OS parent: the main process, or the forkserver that forked it.
    const parent = method === 'forkserver' ? threads.find((t) => t.name.startsWith('ForkServer')) : main;
    assert.ok(parent, `no parent thread in ${JSON.stringify(threads)}`);
    assert.equal(me?.name, `Process-1 · pid ${child.threadId} · child of ${parent.id}`);
    assert.deepEqual(await c.scope(child.threadId, 'Locals'), { x: '21' });
    const proc = await c.scope(child.threadId, 'Process');
    assert.equal(proc.pid, String(child.threadId));
    assert.equal(proc['start method'], method);
    assert.equal(proc.role, 'child');
    assert.equal(proc.debugger, 'paused in thread MainThread');
    // Evaluate in the child's frame, in the child.
    const f = await top(c, child.threadId);
    const r = await c.request<import('@vscode/debugprotocol').DebugProtocol.EvaluateResponse>('evaluate', { expression: '(x + 100, __import__("os").getpid())', frameId: f.id, context: 'repl' });
    assert.equal(r.body.result, `(121, ${child.threadId})`);
    await c.request('continue', { threadId: child.threadId });

    const again = await nextStop(c, 1);
    assert.equal(again.threadId, main.id, 'the main process stops at the same breakpoint after the child');
    assert.deepEqual(await c.scope(main.id, 'Locals'), { x: '1' });
    await c.request('continue', { threadId: main.id });
    assert.equal(await c.ended(), 0);
    assert.equal(c.output('stdout'), 'child exit code 0\nmain 2\n');
  });
}

const FUNCTIONS = `import multiprocessing as mp
import sys


class Counter:
    def increment(self, n):
        return n + 1  # INC


def worker(n, q):
    """The docstring is not where it stops."""
    total = n * 10  # WORKER
    q.put(Counter().increment(total))


def gen():
    yield "a"  # GEN
    yield "b"


if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    q = mp.Queue()
    ps = [mp.Process(target=worker, args=(i, q)) for i in range(3)]
    for p in ps:
        p.start()
    print(sorted(q.get() for _ in ps))
    for p in ps:
        p.join()
    print(list(gen()))
    print([Counter().increment(k) for k in (100, 200, 300)])
`;

async function functionBreakpoints(method: string): Promise<void> {
  const file = script('fbps.py', FUNCTIONS);
  const plain = plainRun(file, [method]);
  await withRun(async ({ client: c, env }) => {
    await c.launch({ program: file, args: [method], env }, {}, {}, undefined, [
      { name: 'worker', condition: 'n == 1' },
      { name: 'fbps.gen' },
      { name: 'Counter.increment', hitCondition: '2' },
      { name: 'no_such_function' },
      { name: 'worker(1)' },
    ]);
    const [worker, gen, inc, none, bad] = c.functionBreakpoints;
    assert.deepEqual([worker?.verified, gen?.verified, inc?.verified, none?.verified, bad?.verified], [true, true, true, true, false]);
    assert.match(bad?.message ?? '', /^"worker\(1\)" is not a function's name/);

    // The child whose n is 1 (the condition is evaluated with the arguments bound), at the first
    // line of the body, not its def or its docstring.
    const s1 = await nextStop(c, 0);
    assert.equal(s1.reason, 'breakpoint');
    assert.deepEqual(s1.hitBreakpointIds, [worker!.id]);
    assert.equal(s1.description, 'Paused on entering worker (function breakpoint)');
    let f = await top(c, s1.threadId);
    assert.equal(f.name, 'worker');
    assert.equal(f.line, lineOf(file, '# WORKER', FUNCTIONS));
    assert.equal((await c.scope(s1.threadId, 'Locals')).n, '1');
    assert.notEqual(s1.threadId, (await c.threads()).find((t) => t.name.startsWith('MainProcess'))?.id);
    await c.request('continue', { threadId: s1.threadId });

    // The main module's generator by its file's name: once as it starts, not again as it resumes.
    const s2 = await nextStop(c, 1);
    assert.deepEqual(s2.hitBreakpointIds, [gen!.id]);
    f = await top(c, s2.threadId);
    assert.equal(f.name, 'gen');
    assert.equal(f.line, lineOf(file, '# GEN', FUNCTIONS));
    await c.request('continue', { threadId: s2.threadId });

    // A method by its class: the second call only (hit count 2).
    const s3 = await nextStop(c, 2);
    assert.deepEqual(s3.hitBreakpointIds, [inc!.id]);
    assert.equal(s3.description, 'Paused on entering Counter.increment (function breakpoint)');
    assert.equal((await top(c, s3.threadId)).line, lineOf(file, '# INC', FUNCTIONS));
    assert.equal((await c.scope(s3.threadId, 'Locals')).n, '200');
    await c.request('continue', { threadId: s3.threadId });

    assert.equal(await c.ended(), 0);
    assert.equal(distinctStops(c).length, 3, `stops: ${JSON.stringify(distinctStops(c).map((s) => s.description))}`);
    assert.equal(c.output('stdout'), plain.stdout);
  });
}

describe('breakpoints', { timeout: 600_000 }, () => {
  test('in the main process: stop, variables, Process scope, output and exit code as a plain run', async () => {
    const text = `import sys
total = 0
for i in range(3):
    total += i  # BP
print("total", total)
print("err", file=sys.stderr)
sys.exit(3)
`;
    const file = script('main.py', text);
    const bp = lineOf(file, '# BP', text);
    const plain = plainRun(file);
    const recording = path.join(path.dirname(file), 'main.pv.jsonl');
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env, recording }, { [file]: [bp] });
      for (const i of [0, 1, 2]) {
        const s = await nextStop(c, i);
        assert.equal(s.reason, 'breakpoint');
        assert.equal(s.allThreadsStopped, false);
        const locals = await c.scope(s.threadId, 'Globals');
        assert.equal(locals.i, String(i));
        await c.request('continue', { threadId: s.threadId });
      }
      const code = await c.ended();
      assert.equal(code, plain.status);
      assert.equal(c.output('stdout'), plain.stdout);
      assert.equal(c.output('stderr'), plain.stderr);
      // Recorded like every run: the main process and how the run ended.
      const { session, recording: rec } = await loadSession(recording);
      assert.equal(rec.end?.exitCode, 3);
      const main = session.snapshot().processes.find((p) => p.role === 'main');
      assert.equal(main?.exitCode, 3);
    });
  });

  test('in a multiprocessing child started by fork', () => childBreakpoint('fork'));
  test('in a multiprocessing child started by spawn', () => childBreakpoint('spawn'));
  test('in a multiprocessing child started by forkserver', () => childBreakpoint('forkserver'));

  test('in an os.fork() child', async () => {
    const text = `import os

def child_work(n):
    total = n + 1  # BP
    return total

if __name__ == "__main__":
    pid = os.fork()
    if pid == 0:
        child_work(41)
        os._exit(7)
    _, status = os.waitpid(pid, 0)
    print("child exit", os.waitstatus_to_exitcode(status))
`;
    const file = script('osfork.py', text);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env }, { [file]: [lineOf(file, '# BP', text)] });
      const s = await nextStop(c, 0);
      const threads = await c.threads();
      const main = threads.find((t) => t.id !== s.threadId);
      assert.ok(main);
      assert.ok(threads.find((t) => t.id === s.threadId)?.name.endsWith(` · pid ${s.threadId} · child of ${main.id}`));
      assert.deepEqual(await c.scope(s.threadId, 'Locals'), { n: '41' });
      assert.equal((await c.scope(s.threadId, 'Process'))['start method'], 'os.fork');
      await c.request('continue', { threadId: s.threadId });
      assert.equal(await c.ended(), 0);
      assert.equal(c.output('stdout'), 'child exit 7\n');
    });
  });

  test('in Python started through subprocess', async () => {
    const childText = `def hello(name):
    greeting = "hi " + name  # BP
    print(greeting, flush=True)

hello("sub")
`;
    const text = `import subprocess, sys, os
r = subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "sub.py")])
print("sub exit", r.returncode)
`;
    const file = script('parent.py', text);
    const child = path.join(path.dirname(file), 'sub.py');
    writeFileSync(child, childText);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env }, { [child]: [lineOf(child, '# BP', childText)] });
      const s = await nextStop(c, 0);
      const frame = await top(c, s.threadId);
      assert.equal(frame.source?.path, child);
      assert.deepEqual(await c.scope(s.threadId, 'Locals'), { name: "'sub'" });
      assert.equal((await c.scope(s.threadId, 'Process'))['start method'], 'subprocess');
      await c.request('continue', { threadId: s.threadId });
      assert.equal(await c.ended(), 0);
      assert.equal(c.output('stdout'), 'hi sub\nsub exit 0\n');
    });
  });

  // A file the main module imports. On 3.9-3.11 its code carries the entry hook, and a thread traces
  // only while it runs that code: the program prints sys.gettrace() after leaving it, as a plain run does.
  const LIB = `"""A module with breakpoints."""
from __future__ import annotations

LOADED = 1  # BP top

def work(x):
    """Work."""
    y = x * 2  # BP work
    return y

def one(x): return x + 1  # BP one
`;
  const USES_LIB = `import multiprocessing as mp
import sys
import lib

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    p = mp.Process(target=lib.work, args=(21,))
    p.start()
    p.join()
    print("main", lib.work(1), lib.one(1))
    print("tracing after", sys.gettrace())
`;

  for (const method of ['spawn', 'fork']) {
    test(`in a module the program imports (${method}): its top level, a function, a one-line function; no tracing left after`, async () => {
      const file = script('uses_lib.py', USES_LIB);
      const lib = path.join(path.dirname(file), 'lib.py');
      writeFileSync(lib, LIB);
      const [topLine, workLine, oneLine] = ['# BP top', '# BP work', '# BP one'].map((m) => lineOf(lib, m, LIB)) as [number, number, number];
      const plain = plainRun(file, [method]);
      await withRun(async ({ client: c, env }) => {
        await c.launch({ program: file, args: [method], env }, { [lib]: [topLine, workLine, oneLine] });
        const seen: string[] = [];
        let n = 0;
        const expect = async (line: number, locals?: Record<string, string>): Promise<Stop> => {
          const s = await nextStop(c, n++);
          const f = await top(c, s.threadId);
          seen.push(`${s.threadId}:${f.line}`);
          assert.equal(f.source?.path, lib);
          assert.equal(f.line, line, `stops so far: ${seen.join(' ')}`);
          if (locals) assert.deepEqual(await c.scope(s.threadId, 'Locals'), locals);
          await c.request('continue', { threadId: s.threadId });
          return s;
        };
        // The import, in the main process: its top level, then the one-line function's def statement.
        const main = await expect(topLine);
        assert.equal((await expect(oneLine)).threadId, main.threadId);
        if (method === 'spawn') {
          const again = await expect(topLine); // the child imports lib again
          assert.notEqual(again.threadId, main.threadId);
          assert.equal((await expect(oneLine)).threadId, again.threadId);
        }
        const child = await expect(workLine, { x: '21' });
        assert.notEqual(child.threadId, main.threadId);
        assert.equal((await expect(workLine, { x: '1' })).threadId, main.threadId);
        assert.equal((await expect(oneLine, { x: '1' })).threadId, main.threadId);
        assert.equal(await c.ended(), 0);
        assert.equal(distinctStops(c).length, n, 'no other stop');
        assert.equal(c.output('stdout'), plain.stdout);
      });
    });
  }

  test('function breakpoints in fork children and the main process: conditions, hit counts, methods, generators', () => functionBreakpoints('fork'));
  test('function breakpoints in spawn children (the main module as __mp_main__)', () => functionBreakpoints('spawn'));

  test('a function breakpoint set while the program runs, and taken away', async () => {
    const text = `import os, time

def tick(i):
    return i + 1  # TICK

here = os.path.dirname(os.path.abspath(__file__))
i = 0
print("ready", flush=True)
deadline = time.monotonic() + 120
while not os.path.exists(os.path.join(here, "go")) and time.monotonic() < deadline:
    i = tick(i)
    time.sleep(0.01)
print("done", i > 0)
`;
    const file = script('late_fbp.py', text);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env });
      await c.until('the program to be ready', () => (c.output('stdout').includes('ready') ? true : undefined));
      const set = await c.request<DebugProtocol.SetFunctionBreakpointsResponse>('setFunctionBreakpoints', { breakpoints: [{ name: 'tick' }] });
      assert.equal(set.body.breakpoints[0]?.verified, true);
      const s = await nextStop(c, 0);
      assert.deepEqual(s.hitBreakpointIds, [set.body.breakpoints[0]!.id]);
      assert.equal((await top(c, s.threadId)).line, lineOf(file, '# TICK', text));
      await c.request('setFunctionBreakpoints', { breakpoints: [] });
      writeFileSync(path.join(path.dirname(file), 'go'), '');
      await c.request('continue', { threadId: s.threadId });
      assert.equal(await c.ended(), 0);
      assert.equal(distinctStops(c).length, 1);
      assert.equal(c.output('stdout'), 'ready\ndone True\n');
    });
  });

  test('set while the program runs, in a module it imported before', async () => {
    const text = `import os, sys, time
import lib

print("ready", flush=True)
here = os.path.dirname(os.path.abspath(__file__))
while not os.path.exists(os.path.join(here, "go")):
    time.sleep(0.02)
print("main", lib.work(5))
`;
    const file = script('late_bp.py', text);
    const lib = path.join(path.dirname(file), 'lib.py');
    writeFileSync(lib, LIB);
    const workLine = lineOf(lib, '# BP work', LIB);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env });
      await c.until('the program to be ready', () => (c.output('stdout').includes('ready') ? true : undefined));
      const set = await c.request<DebugProtocol.SetBreakpointsResponse>('setBreakpoints', { source: { path: lib }, breakpoints: [{ line: workLine }] });
      assert.equal(set.body.breakpoints[0]?.verified, true);
      writeFileSync(path.join(path.dirname(file), 'go'), '');
      const s = await nextStop(c, 0);
      assert.equal((await top(c, s.threadId)).line, workLine);
      assert.deepEqual(await c.scope(s.threadId, 'Locals'), { x: '5' });
      await c.request('continue', { threadId: s.threadId });
      assert.equal(await c.ended(), 0);
      assert.equal(c.output('stdout'), 'ready\nmain 10\n');
    });
  });

  test('hit by 8 Pool workers at once: each stops on its own, the others stay stopped', async () => {
    const text = `import multiprocessing as mp

def square(x):
    y = x * x  # BP
    return y

if __name__ == "__main__":
    mp.set_start_method("fork")
    with mp.Pool(8) as pool:
        print(pool.map(square, range(8), chunksize=1))
`;
    const file = script('pool8.py', text);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env }, { [file]: [lineOf(file, '# BP', text)] });
      const stops = await c.until('8 workers stopped', () => {
        const s = distinctStops(c);
        return new Set(s.map((x) => x.threadId)).size >= 8 ? s : undefined;
      }, 120_000);
      const pids = [...new Set(stops.map((s) => s.threadId))];
      assert.equal(pids.length, 8);
      const threads = await c.threads();
      for (const pid of pids) assert.match(threads.find((t) => t.id === pid)?.name ?? '', /^ForkPoolWorker-\d+ · pid \d+ · child of \d+$/);
      const xs = [];
      for (const pid of pids) xs.push(Number((await c.scope(pid, 'Locals')).x));
      assert.deepEqual(xs.sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7]);
      // Letting one go leaves the other seven stopped.
      await c.request('continue', { threadId: pids[0] });
      for (const pid of pids.slice(1)) assert.equal((await top(c, pid)).name, 'square');
      for (const pid of pids.slice(1)) await c.request('continue', { threadId: pid });
      assert.equal(await c.ended(), 0);
      assert.equal(c.output('stdout'), '[0, 1, 4, 9, 16, 25, 36, 49]\n');
      assert.equal(distinctStops(c).length, 8);
    });
  });

  test('in ProcessPoolExecutor workers', async () => {
    const text = `from concurrent.futures import ProcessPoolExecutor
import multiprocessing as mp

def cube(x):
    return x ** 3  # BP

if __name__ == "__main__":
    with ProcessPoolExecutor(2, mp_context=mp.get_context("fork")) as ex:
        print(list(ex.map(cube, [2, 3])))
`;
    const file = script('ppe.py', text);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env }, { [file]: [lineOf(file, '# BP', text)] });
      const seen: number[] = [];
      for (let i = 0; i < 2; i++) {
        const s = await nextStop(c, i);
        assert.equal((await top(c, s.threadId)).name, 'cube');
        seen.push(Number((await c.scope(s.threadId, 'Locals')).x));
        assert.equal((await c.scope(s.threadId, 'Process')).role, 'pool-worker');
        await c.request('continue', { threadId: s.threadId });
      }
      assert.deepEqual(seen.sort(), [2, 3]);
      assert.equal(await c.ended(), 0);
      assert.equal(c.output('stdout'), '[8, 27]\n');
    });
  });

  test('conditions, hit counts and logpoints; a breakpoint on a blank line moves to the next line with code', async () => {
    const text = `for i in range(10):

    j = i * 10  # BP
    k = j  # LOG
print("end")
`;
    const file = script('cond.py', text);
    await withRun(async ({ client: c, env }) => {
      await c.request('initialize', { adapterID: 'processview', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
      const launched = c.request('launch', { program: file, env, python: PYTHON, console: 'internalConsole' });
      await c.event('initialized');
      const set = await c.request<import('@vscode/debugprotocol').DebugProtocol.SetBreakpointsResponse>('setBreakpoints', {
        source: { path: file },
        breakpoints: [
          { line: 2, condition: 'i == 7' },
          { line: lineOf(file, '# LOG', text), logMessage: 'i={i} j={j} {{braces}}' },
          { line: lineOf(file, '# LOG', text) - 1, hitCondition: '2' },
        ],
      });
      assert.equal(set.body.breakpoints.length, 3);
      await c.request('configurationDone');
      await launched;
      // Verified once the main process has the file.
      await c.until('breakpoints verified', () => {
        const changed = c.events.filter((e) => e.event === 'breakpoint').map((e) => (e.body as { breakpoint: { id: number; verified: boolean; line: number } }).breakpoint);
        return changed.length >= 3 ? changed : undefined;
      });
      const changed = c.events.filter((e) => e.event === 'breakpoint').map((e) => (e.body as { breakpoint: { id: number; line: number; verified: boolean } }).breakpoint);
      assert.deepEqual(changed.map((b) => [b.verified, b.line]), [[true, 3], [true, 4], [true, 3]]);
      // Line 3 holds two breakpoints (the moved one with `i == 7`, and hit count 2): the first one set wins.
      const s = await nextStop(c, 0);
      assert.equal((await c.scope(s.threadId, 'Globals')).i, '7');
      await c.request('continue', { threadId: s.threadId });
      assert.equal(await c.ended(), 0);
      const logs = c.output('console').split('\n').filter((l) => l.startsWith('i='));
      assert.deepEqual(logs, Array.from({ length: 10 }, (_, i) => `i=${i} j=${i * 10} {braces}`));
      assert.equal(c.output('stdout'), 'end\n');
      assert.equal(distinctStops(c).length, 1);
    });
  });
});
