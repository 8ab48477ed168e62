/**
 * Never a hang, never a leftover: processes that end while paused (a pool ending its workers, a
 * child killed from outside), the adapter killed while processes are paused, Stop with an
 * orphan, and the program in the client's terminal (runInTerminal) with its real exit code.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { DapClient, distinctStops, lineOf, nextStop, noneLeft, processesWithEnv, PYTHON, script, stopsOf, waitThread, withRun } from './harness';

/** A child that stops at its breakpoint, and a parent that prints how it ended. */
const CHILD_AT_BREAKPOINT = `import multiprocessing as mp

def work():
    x = 1  # BP

if __name__ == "__main__":
    mp.set_start_method("fork")
    p = mp.Process(target=work)
    p.start()
    p.join()
    print("exit code", p.exitcode)
`;

const POOL_ENDS = (ending: string): string => `import multiprocessing as mp

def slow(x):
    return x + 1  # WORKER

if __name__ == "__main__":
    mp.set_start_method("fork")
    with mp.Pool(2) as pool:
        r = pool.apply_async(slow, (1,))
        marker = 1  # MAIN
${ending}
    print("pool closed", flush=True)
`;

describe('processes that end while paused, and Stop', { timeout: 600_000 }, () => {
  for (const [name, ending] of [
    ['`with Pool()` exiting', ''],
    ['terminate()', '        pool.terminate()'],
  ] as const) {
    test(`a pool ends its workers while one is paused: ${name}`, async () => {
      const text = POOL_ENDS(ending);
      const file = script('poolends.py', text);
      await withRun(async ({ client: c, env }) => {
        await c.launch({ program: file, env }, { [file]: [lineOf(file, '# WORKER', text), lineOf(file, '# MAIN', text)] });
        const both = await c.until('the worker and the main process stopped', () => {
          const s = distinctStops(c);
          return new Set(s.map((x) => x.threadId)).size >= 2 ? s : undefined;
        });
        const threads = await c.threads();
        const main = threads.find((t) => t.name.startsWith('MainProcess'))!.id;
        const worker = both.find((s) => s.threadId !== main)!.threadId;
        assert.match(threads.find((t) => t.id === worker)?.name ?? '', /^ForkPoolWorker-/);
        await c.request('continue', { threadId: main });
        // The pool's terminate() ends the paused worker: its thread goes away, the run ends normally.
        await c.event('thread', (b) => b.reason === 'exited' && b.threadId === worker);
        assert.equal(await c.ended(), 0);
        assert.equal(c.output('stdout'), 'pool closed\n');
      });
    });
  }

  test('a child killed while paused: its thread goes, its parent sees it killed', async () => {
    const text = CHILD_AT_BREAKPOINT;
    const file = script('killed.py', text);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env }, { [file]: [lineOf(file, '# BP', text)] });
      const s = await nextStop(c, 0);
      process.kill(s.threadId, 'SIGKILL');
      await c.event('thread', (b) => b.reason === 'exited' && b.threadId === s.threadId);
      assert.equal(await c.ended(), 0);
      assert.equal(c.output('stdout'), 'exit code -9\n');
    });
  });

  test('Terminate Thread on a paused child ends that process as terminate() does; its parent sees SIGTERM; a pid not of the run is refused', async () => {
    const text = CHILD_AT_BREAKPOINT;
    const file = script('terminated.py', text);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env }, { [file]: [lineOf(file, '# BP', text)] });
      const caps = c.events.filter((e) => e.event === 'capabilities').map((e) => (e.body as { capabilities: { supportsTerminateThreadsRequest?: boolean } }).capabilities);
      assert.ok(caps.some((x) => x.supportsTerminateThreadsRequest === true), 'a live run offers Terminate Thread');
      const s = await nextStop(c, 0);
      const outsider = spawn('sleep', ['30']);
      try {
        const refused = await c.raw('terminateThreads', { threadIds: [outsider.pid] });
        assert.equal(refused.success, false);
        assert.match(refused.message ?? '', /not a running process of this run/);
        assert.equal(outsider.exitCode, null, 'the other program was left alone');
      } finally {
        outsider.kill('SIGKILL');
      }
      await c.request('terminateThreads', { threadIds: [s.threadId] });
      await c.event('thread', (b) => b.reason === 'exited' && b.threadId === s.threadId);
      assert.equal(await c.ended(), 0);
      assert.equal(c.output('stdout'), 'exit code -15\n');
    });
  });

  test('the adapter killed while processes are paused: the run ends, nothing is left', async () => {
    const text = `import multiprocessing as mp
import time

def work():
    x = 1  # CHILD

if __name__ == "__main__":
    mp.set_start_method("fork")
    p = mp.Process(target=work)
    p.start()
    y = 2  # MAIN
    p.join()
    time.sleep(600)
`;
    const file = script('adapterdies.py', text);
    await withRun(async ({ client: c, env, marker }) => {
      await c.launch({ program: file, env }, { [file]: [lineOf(file, '# CHILD', text), lineOf(file, '# MAIN', text)] });
      await c.until('both stopped', () => new Set(distinctStops(c).map((s) => s.threadId)).size >= 2);
      assert.ok(processesWithEnv(marker).length >= 3, 'supervisor, main and child are running');
      c.proc.kill('SIGKILL');
      await c.exited;
      // Every paused process resumes or ends; with the default onDisconnect the run is stopped.
      await noneLeft(marker, 30_000);
    });
  });

  test('the adapter killed with onDisconnect "runOn": the paused process resumes and the run ends by itself', async () => {
    const text = `import sys
x = 1  # BP
with open(sys.argv[1], "w") as f:
    f.write("ran on")
`;
    const file = script('runon.py', text);
    const out = path.join(path.dirname(file), 'ran-on.txt');
    await withRun(async ({ client: c, env, marker }) => {
      await c.launch({ program: file, args: [out], env, onDisconnect: 'runOn' }, { [file]: [lineOf(file, '# BP', text)] });
      await nextStop(c, 0);
      assert.equal(existsSync(out), false);
      c.proc.kill('SIGKILL');
      await c.exited;
      await noneLeft(marker, 30_000);
      assert.equal(readFileSync(out, 'utf8'), 'ran on');
    });
  });

  test('Stop ends every process of the run, the orphan too', async () => {
    const text = `import os
import time

if __name__ == "__main__":
    pid = os.fork()
    if pid == 0:
        if os.fork() == 0:
            time.sleep(600)  # the orphan
            os._exit(0)
        os._exit(0)
    os.waitpid(pid, 0)
    x = 1  # BP
    time.sleep(600)
`;
    const file = script('orphan.py', text);
    await withRun(async ({ client: c, env, marker }) => {
      await c.launch({ program: file, env }, { [file]: [lineOf(file, '# BP', text)] });
      const s = await nextStop(c, 0);
      await c.until('the orphan is re-parented and listed', () => {
        const left = processesWithEnv(marker);
        return left.length >= 3 ? left : undefined; // supervisor, main, orphan
      });
      const threads = await c.threads();
      assert.ok(threads.some((t) => t.id !== s.threadId && !t.name.startsWith('MainProcess ·')) || threads.length >= 2, JSON.stringify(threads));
      await c.request('terminate');
      await c.event('terminated');
      await noneLeft(marker, 15_000);
    });
  });

  test('the program runs in the client\'s terminal (runInTerminal): stdin works, exit code and breakpoints as usual', async () => {
    const text = `import multiprocessing as mp
import sys

def child(n):
    twice = n * 2  # BP
    return twice

if __name__ == "__main__":
    mp.set_start_method("fork")
    name = sys.stdin.readline().strip()
    p = mp.Process(target=child, args=(len(name),))
    p.start()
    p.join()
    print("hello", name)
    sys.exit(5)
`;
    const file = script('terminal.py', text);
    await withRun(async ({ client: c, env, marker }) => {
      await c.request('initialize', { adapterID: 'processview', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsRunInTerminalRequest: true });
      const launched = c.request('launch', { program: file, env, python: PYTHON });
      await c.event('initialized');
      await c.request('setBreakpoints', { source: { path: file }, breakpoints: [{ line: lineOf(file, '# BP', text) }] });
      await c.request('configurationDone');
      // Act as the client's terminal: run what the adapter asks, with its environment.
      const req = await c.until('a runInTerminal request', () => c.reverse.find((r) => r.command === 'runInTerminal'));
      const a = req.arguments as { args: string[]; cwd: string; env: Record<string, string | null>; kind: string };
      assert.equal(a.kind, 'integrated');
      const termEnv: NodeJS.ProcessEnv = { ...process.env };
      for (const [k, v] of Object.entries(a.env)) {
        if (v === null) delete termEnv[k];
        else termEnv[k] = v;
      }
      assert.equal(termEnv.PV_TEST_RUN, marker, 'the launch env reaches the terminal');
      const term = spawn(a.args[0]!, a.args.slice(1), { cwd: a.cwd, env: termEnv, stdio: 'pipe' });
      let out = '';
      term.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
      c.respond(req, { processId: term.pid });
      term.stdin.write('terminal\n');
      await launched;
      const s = await nextStop(c, 0);
      assert.deepEqual(await c.scope(s.threadId, 'Locals'), { n: '8' });
      await c.request('continue', { threadId: s.threadId });
      assert.equal(await c.ended(), 5);
      const termCode = await new Promise<number | null>((resolve) => (term.exitCode !== null ? resolve(term.exitCode) : term.once('exit', (code) => resolve(code))));
      assert.equal(termCode, 5);
      assert.equal(out, 'hello terminal\n');
      assert.equal(c.output('stdout'), '', 'the output went to the terminal, not to output events');
      assert.equal(stopsOf(c, s.threadId).length, 1);
    });
  });

  test('a terminal slow to answer: the run starts when its supervisor connects, before the client answers runInTerminal', async () => {
    // A loaded client may answer runInTerminal long after the terminal started the program: the
    // supervisor's connection is what says the program started. This client answers only after
    // the program has stopped at its breakpoint.
    const text = `import multiprocessing as mp

def child(n):
    twice = n * 2  # BP
    return twice

if __name__ == "__main__":
    mp.set_start_method("fork")
    p = mp.Process(target=child, args=(4,))
    p.start()
    p.join()
`;
    const file = script('slow_terminal.py', text);
    await withRun(async ({ client: c, env }) => {
      await c.request('initialize', { adapterID: 'processview', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsRunInTerminalRequest: true });
      const launched = c.request('launch', { program: file, env, python: PYTHON });
      await c.event('initialized');
      await c.request('setBreakpoints', { source: { path: file }, breakpoints: [{ line: lineOf(file, '# BP', text) }] });
      await c.request('configurationDone');
      const req = await c.until('a runInTerminal request', () => c.reverse.find((r) => r.command === 'runInTerminal'));
      const a = req.arguments as { args: string[]; cwd: string; env: Record<string, string | null> };
      const termEnv: NodeJS.ProcessEnv = { ...process.env };
      for (const [k, v] of Object.entries(a.env)) {
        if (v === null) delete termEnv[k];
        else termEnv[k] = v;
      }
      const term = spawn(a.args[0]!, a.args.slice(1), { cwd: a.cwd, env: termEnv, stdio: 'ignore' });
      // No answer yet: the launch completes and the child stops at its breakpoint all the same.
      await launched;
      const s = await nextStop(c, 0);
      assert.deepEqual(await c.scope(s.threadId, 'Locals'), { n: '4' });
      c.respond(req, { processId: term.pid });
      await c.request('continue', { threadId: s.threadId });
      assert.equal(await c.ended(), 0);
    });
  });
});

void DapClient;
void waitThread;
