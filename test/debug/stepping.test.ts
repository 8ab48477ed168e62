/**
 * Stepping, pausing and entry stops, one process at a time while the others run; breakpoints
 * set while the program runs; restart. Real DAP over stdio, interpreter from PV_TEST_PYTHON.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { distinctStops, lineOf, nextStop, noneLeft, PYTHON, script, stepAndWait, stopsOf, top, waitThread, withRun, type DapClient, type Stop } from './harness';

const STEPPER = `import multiprocessing as mp
import sys

def helper(v):
    w = v + 1  # HELPER1
    return w * 2  # HELPER2

def stepper(q):
    a = 1  # BP
    b = helper(a)  # CALL
    c = b + 1  # AFTER
    q.put(c)  # PUT

def ticker(q):
    for i in range(3):
        q.put(("tick", i))

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    q = mp.Queue()
    s = mp.Process(target=stepper, args=(q,), name="Stepper")
    t = mp.Process(target=ticker, args=(q,), name="Ticker")
    s.start()
    t.start()
    got = [q.get() for _ in range(4)]
    print(sorted(map(str, got)))
    s.join()
    t.join()
`;

/**
 * Pause `id` until the console says what `said` looks for, as a user presses Pause again: the wait
 * is known once the tracer reports it (after 20 ms), and where it is after a second without a
 * stop. A process that printed may not be in its call yet when a Pause comes (a loaded machine
 * can hold it between two lines): it stops on its way (at `callLine` or before), and is continued
 * into the call.
 */
async function pauseUntilSaid(c: DapClient, id: number, said: () => string | undefined, callLine: number): Promise<string> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    const stops = stopsOf(c, id).length;
    await c.request('pause', { threadId: id });
    await c.until(`the console to say where ${id} is, or a stop`, () => said() ?? stopsOf(c, id)[stops], 3_000).catch(() => undefined);
    const note = said();
    if (note !== undefined) return note;
    const early = stopsOf(c, id)[stops];
    if (early) {
      assert.equal(early.reason, 'pause');
      assert.ok((await top(c, id)).line <= callLine, 'stopped on its way to the call');
      await c.request('continue', { threadId: id });
    }
  }
  assert.fail(`the console never said it; it said: ${c.output('console')}`);
}

describe('stepping and pausing', { timeout: 600_000 }, () => {
  test('over, into and out of a function in one child while another child and the main process run on', async () => {
    const file = script('stepper.py', STEPPER);
    const L = (m: string): number => lineOf(file, m, STEPPER);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, args: ['fork'], env }, { [file]: [L('# BP')] });
      const s = await nextStop(c, 0);
      const threads = await c.threads();
      assert.match(threads.find((t) => t.id === s.threadId)?.name ?? '', /^Stepper · pid/);
      assert.equal((await top(c, s.threadId)).line, L('# BP'));
      // The ticker runs to its end while the stepper is stopped: its thread goes away.
      const ticker = threads.find((t) => t.name.startsWith('Ticker'));
      if (ticker) await c.event('thread', (b) => b.reason === 'exited' && b.threadId === ticker.id);
      assert.equal((await top(c, s.threadId)).line, L('# BP'), 'still stopped where it was');

      let st = await stepAndWait(c, s.threadId, 'next');
      assert.equal(st.reason, 'step');
      assert.equal((await top(c, s.threadId)).line, L('# CALL'));
      st = await stepAndWait(c, s.threadId, 'stepIn');
      let f = await top(c, s.threadId);
      assert.deepEqual([f.name, f.line], ['helper', L('# HELPER1')]);
      assert.deepEqual(await c.scope(s.threadId, 'Locals'), { v: '1' });
      await stepAndWait(c, s.threadId, 'next');
      assert.equal((await top(c, s.threadId)).line, L('# HELPER2'));
      await stepAndWait(c, s.threadId, 'stepOut');
      f = await top(c, s.threadId);
      assert.deepEqual([f.name, f.line], ['stepper', L('# CALL')], 'back in the caller, at the call');
      await stepAndWait(c, s.threadId, 'next');
      f = await top(c, s.threadId);
      assert.deepEqual([f.name, f.line], ['stepper', L('# AFTER')]);
      assert.equal((await c.scope(s.threadId, 'Locals')).b, '4');
      await stepAndWait(c, s.threadId, 'next');
      assert.equal((await top(c, s.threadId)).line, L('# PUT'));
      await c.request('continue', { threadId: s.threadId });
      assert.equal(await c.ended(), 0);
      assert.equal(c.output('stdout'), "[\"('tick', 0)\", \"('tick', 1)\", \"('tick', 2)\", '5']\n");
      assert.equal(st.allThreadsStopped, false);
    });
  });

  test('pause a busy child, evaluate with a side effect in its frame, continue', async () => {
    const text = `import multiprocessing as mp
import sys

def spin(ev):
    n = 0
    print("spinning", flush=True)
    while not ev.is_set():
        n += 1

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    ev = mp.Event()
    p = mp.Process(target=spin, args=(ev,), name="Spinner")
    p.start()
    p.join()
    print("spinner done", p.exitcode)
`;
    const file = script('spin.py', text);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, args: ['spawn'], env });
      const id = await waitThread(c, /^Spinner · pid/);
      await c.until('the spinner spins', () => c.output('stdout').includes('spinning'));
      await c.request('pause', { threadId: id });
      const s = await nextStop(c, 0);
      assert.equal(s.threadId, id);
      assert.equal(s.reason, 'pause');
      const f = await top(c, id);
      assert.equal(f.name, 'spin');
      assert.ok(Number((await c.scope(id, 'Locals')).n) >= 0);
      await c.request('evaluate', { expression: 'ev.set()', frameId: f.id, context: 'repl' });
      await c.request('continue', { threadId: id });
      assert.equal(await c.ended(), 0);
      assert.equal(c.output('stdout'), 'spinning\nspinner done 0\n');
      assert.ok(!c.output('console').includes('has not reached a line'), 'a Pause that stopped says nothing of where it is');
    });
  });

  test('pause a child blocked in get() on an empty queue: the console says what it waits in and that it pauses when the get returns; it does, at its next line', async () => {
    const text = `import multiprocessing as mp
import sys

def consumer(q):
    print("waiting", flush=True)
    item = q.get()  # GET
    print("got", item, flush=True)  # AFTER GET

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    q = mp.Queue()  # QUEUE
    p = mp.Process(target=consumer, args=(q,), name="Consumer")
    p.start()
    q.put("late")  # BP
    p.join()
    print("done", p.exitcode)
`;
    const file = script('pause_waiting.py', text);
    const L = (m: string): number => lineOf(file, m, text);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, args: ['spawn'], env }, { [file]: [L('# BP')] });
      const main = await nextStop(c, 0);
      const id = await waitThread(c, /^Consumer · pid/);
      await c.until('the consumer to wait', () => c.output('stdout').includes('waiting'));
      const note = await pauseUntilSaid(c, id, () => c.output('console').split('\n').find((l) => l.includes('waits in')), L('# GET'));
      assert.match(note, new RegExp(`^Consumer · pid ${id} · child of ${main.threadId} waits in get on the Queue created at line ${L('# QUEUE')} at pause_waiting\\.py:${L('# GET')} \\(for .+ so far\\): it pauses when that call returns`), note);
      // Timed now, not at the Session's latest event: a wait the tracer reported has lasted 20 ms.
      const [, n, unit] = /\(for (\d+(?:\.\d+)?) (ms|s) so far\)/.exec(note)!;
      assert.ok(Number(n) * (unit === 's' ? 1000 : 1) >= 20, note);
      const stopped = stopsOf(c, id).length;
      assert.equal(stopped, distinctStops(c).length - 1, 'no stop of the consumer pending: the get has not returned');
      // The parent puts: the get returns, and the consumer stops at its next line.
      await c.request('continue', { threadId: main.threadId });
      const s = await c.until('the consumer to stop after its get', () => stopsOf(c, id)[stopped]);
      assert.equal(s.reason, 'pause');
      assert.deepEqual([(await top(c, id)).name, (await top(c, id)).line], ['consumer', L('# AFTER GET')]);
      assert.equal((await c.scope(id, 'Locals')).item, "'late'");
      await c.request('continue', { threadId: id });
      assert.equal(await c.ended(), 0);
      assert.equal(c.output('stdout'), 'waiting\ngot late\ndone 0\n');
    });
  });

  test('pause a child in a call that does not return (time.sleep, a threading wait): after a second without a stop, the console says where its main thread is', async () => {
    const text = `import multiprocessing as mp
import sys
import threading
import time

def nap():
    print("napping", flush=True)
    time.sleep(600)  # SLEEP

def idle():
    print("idling", flush=True)
    threading.Event().wait(600)  # WAIT

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    a = mp.Process(target=nap, name="Napper")
    b = mp.Process(target=idle, name="Idler")
    a.start()
    b.start()
    a.join()
    b.join()
`;
    const file = script('pause_in_call.py', text);
    const L = (m: string): number => lineOf(file, m, text);
    await withRun(async ({ client: c, env, marker }) => {
      await c.launch({ program: file, args: ['spawn'], env });
      const napper = await waitThread(c, /^Napper · pid/);
      const idler = await waitThread(c, /^Idler · pid/);
      await c.until('both children in their calls', () => c.output('stdout').includes('napping') && c.output('stdout').includes('idling'));
      const said = (who: number): string | undefined => c.output('console').split('\n').find((l) => l.includes(`pid ${who} `) && l.includes('has not reached a line'));
      await pauseUntilSaid(c, napper, () => said(napper), L('# SLEEP'));
      await pauseUntilSaid(c, idler, () => said(idler), L('# WAIT'));
      assert.match(said(napper) ?? c.output('console'), new RegExp(`^Napper · pid ${napper} · child of \\d+ has not reached a line of your code since the Pause: its main thread is in a call at pause_in_call\\.py:${L('# SLEEP')} \\(time\\.sleep\\(600\\)  # SLEEP\\)\\. It pauses when that call returns`));
      assert.match(said(idler) ?? c.output('console'), new RegExp(`^Idler · pid ${idler} · child of \\d+ has not reached a line of your code since the Pause: its main thread is in threading\\.wait, called at pause_in_call\\.py:${L('# WAIT')} \\(threading\\.Event\\(\\)\\.wait\\(600\\)  # WAIT\\)\\.`));
      await c.request('terminate');
      await c.event('terminated');
      await noneLeft(marker, 15_000);
    });
  });

  test('pause a process in the last call of its program: it ends as it would have, and the debugger writes nothing in its stderr', async () => {
    // The Pause was still pending as the program ended: every line the interpreter's teardown ran
    // (weakref callbacks, finalizers) went to a trace function whose module was being emptied, and
    // its AttributeError was printed in the program's stderr (3.9-3.12).
    const text = `import multiprocessing as mp
import os
import sys
import time

def work(flag):
    print("working", flush=True)
    deadline = time.monotonic() + 60
    while not os.path.exists(flag) and time.monotonic() < deadline:
        time.sleep(0.02)

if __name__ == "__main__":
    mp.set_start_method("fork")
    p = mp.Process(target=work, args=(sys.argv[1],))
    p.start()
    p.join()  # LAST
`;
    const file = script('pause_last_call.py', text);
    const flag = `${file}.go`;
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, args: [flag], env });
      const main = await waitThread(c, /^MainProcess · pid/);
      await c.until('the child to run', () => c.output('stdout').includes('working'));
      const note = await pauseUntilSaid(c, main, () => c.output('console').split('\n').find((l) => l.includes(`pid ${main} `) && l.includes('waits in join')), lineOf(file, '# LAST', text));
      assert.match(note, /it pauses when that call returns/);
      writeFileSync(flag, '');
      assert.equal(await c.ended(), 0);
      assert.equal(c.output('stderr'), '', 'nothing of the debugger in the program\'s stderr');
      assert.equal(c.output('stdout'), 'working\n');
    });
  });

  test('stop on entry, set a breakpoint in a child while the program runs, and the main process waits alone', async () => {
    const text = `import multiprocessing as mp
import sys

def child(word):
    size = len(word)  # CHILD
    return size

if __name__ == "__main__":
    first = "entry"
    mp.set_start_method(sys.argv[1])
    p = mp.Process(target=child, args=("breakpoint",))
    p.start()
    p.join()
    print("joined", p.exitcode)
`;
    const file = script('entry.py', text);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, args: ['fork'], env, stopOnEntry: true });
      const s = await nextStop(c, 0);
      assert.equal(s.reason, 'entry');
      const f = await top(c, s.threadId);
      assert.deepEqual([f.name, f.line], ['<module>', 1]);
      const set = await c.request<DebugProtocol.SetBreakpointsResponse>('setBreakpoints', { source: { path: file }, breakpoints: [{ line: lineOf(file, '# CHILD', text) }] });
      assert.deepEqual(set.body.breakpoints.map((b) => [b.verified, b.line]), [[true, lineOf(file, '# CHILD', text)]]);
      await c.request('continue', { threadId: s.threadId });
      const child = await nextStop(c, 1);
      assert.notEqual(child.threadId, s.threadId);
      assert.deepEqual(await c.scope(child.threadId, 'Locals'), { word: "'breakpoint'" });
      // The main process runs (blocked in join) while the child is stopped: it has no frames to show.
      assert.deepEqual((await c.stack(s.threadId)).length, 0);
      await c.request('continue', { threadId: child.threadId });
      assert.equal(await c.ended(), 0);
      assert.equal(c.output('stdout'), 'joined 0\n');
    });
  });

  test('just my code: Step Into passes through an installed package (the user site\'s) to the user\'s callback; its caught exceptions never stop "Raised exceptions", one it raises into the user\'s code does', async () => {
    // A module installed in the user site (PYTHONUSERBASE: ~/.local elsewhere), which is not under
    // the standard library's folder as a virtual environment's site-packages is.
    const base = mkdtempSync(path.join(os.tmpdir(), 'pv-userbase-'));
    const site = execFileSync(PYTHON, ['-c', 'import site; print(site.getusersitepackages())'], { encoding: 'utf8', env: { ...process.env, PYTHONUSERBASE: base } }).trim();
    assert.ok(site.startsWith(base), site);
    mkdirSync(site, { recursive: true });
    writeFileSync(path.join(site, 'vendored.py'), `def apply(f, x):
    r = f(x)
    return r


def parse(text):
    try:
        return int(text)
    except ValueError:
        return None


def fail(text):
    return int(text)
`);
    const text = `import multiprocessing as mp
import vendored

def twice(x):
    return vendored.apply(lambda v: v * 2, x)  # CALL

def main():
    y = twice(21)  # BP
    print("twice", y, "parsed", vendored.parse("x"), flush=True)
    try:
        vendored.fail("y")  # FAIL
    except ValueError:
        print("caught", flush=True)

if __name__ == "__main__":
    p = mp.Process(target=main)
    p.start()
    p.join()
`;
    const file = script('justmycode.py', text);
    const L = (m: string): number => lineOf(file, m, text);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env: { ...env, PYTHONUSERBASE: base } }, { [file]: [L('# BP')] }, {}, ['raised', 'uncaught']);
      const s = await nextStop(c, 0);
      assert.equal((await top(c, s.threadId)).line, L('# BP'));
      await stepAndWait(c, s.threadId, 'stepIn');
      let f = await top(c, s.threadId);
      assert.deepEqual([f.name, f.line], ['twice', L('# CALL')]);
      // Into vendored.apply (installed: not stopped in), which calls the user's lambda.
      await stepAndWait(c, s.threadId, 'stepIn');
      f = await top(c, s.threadId);
      assert.match(f.name, /<lambda>$/);  // its qualified name on 3.11+
      assert.deepEqual([f.line, f.source?.path], [L('# CALL'), file]);
      const stack = await c.stack(s.threadId);
      const lib = stack.find((x) => x.name === 'apply');
      assert.ok(lib, stack.map((x) => x.name).join(', '));
      assert.equal(lib.presentationHint, 'subtle', 'an installed package\'s frame is shown as not yours');
      await c.request('continue', { threadId: s.threadId });
      // vendored.parse raises and catches inside the package: no stop; vendored.fail raises into main().
      const raised = await nextStop(c, distinctStops(c).length);
      assert.equal(raised.reason, 'exception');
      assert.match(raised.text ?? '', /^ValueError: invalid literal for int\(\) with base 10: 'y'$/);
      assert.equal((await top(c, raised.threadId)).line, L('# FAIL'));
      await c.request('continue', { threadId: raised.threadId });
      assert.equal(await c.ended(), 0);
      assert.equal(c.output('stdout'), 'twice 42 parsed None\ncaught\n');
    });
  });

  test('Jump to Cursor: a child paused at a breakpoint goes on from another line of its function; where Python refuses, its words; not from an operation stop', async () => {
    const text = `import multiprocessing as mp

def work(n, q):
    total = n
    total = total * 100  # SKIPPED
    for i in range(2):
        total += 1  # LOOP
    print("child", total, flush=True)  # TARGET
    q.put(total)  # PUT

if __name__ == "__main__":
    q = mp.Queue()
    p = mp.Process(target=work, args=(3, q))
    p.start()
    print("got", q.get(), flush=True)
    p.join()
`;
    const file = script('jump.py', text);
    const line = (tag: string) => lineOf(file, `# ${tag}`, text);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env, stopOn: ['queue'] }, { [file]: [line('SKIPPED')] });
      const goto = async (threadId: number, to: number) => {
        const targets = (await c.request<DebugProtocol.GotoTargetsResponse>('gotoTargets', { source: { path: file }, line: to })).body.targets;
        assert.equal(targets.length, 1);
        return c.raw('goto', { threadId, targetId: targets[0]!.id });
      };
      const caps = c.events.filter((e) => e.event === 'capabilities').map((e) => (e.body as { capabilities: DebugProtocol.Capabilities }).capabilities);
      assert.ok(caps.some((x) => x.supportsGotoTargetsRequest === true), 'a live run offers Jump to Cursor');
      const s = await nextStop(c, 0, (b) => b.reason === 'breakpoint');
      assert.equal((await top(c, s.threadId)).line, line('SKIPPED'));
      // Into a loop's body from outside it: Python refuses, in its own words; the process stays where it was.
      const refused = await goto(s.threadId, line('LOOP'));
      assert.equal(refused.success, false);
      assert.match(refused.message ?? '', /can't jump into/i);
      assert.equal((await top(c, s.threadId)).line, line('SKIPPED'));
      // Past the multiplication and the loop: a 'goto' stop at the new line, and the child goes on from there.
      const before = c.events.length;
      assert.equal((await goto(s.threadId, line('TARGET'))).success, true);
      const moved = await c.stopped((b) => b.reason === 'goto' && b.threadId === s.threadId, before);
      assert.match(moved.description ?? '', new RegExp(`Jumped to line ${line('TARGET')}`));
      assert.equal((await top(c, s.threadId)).line, line('TARGET'));
      await c.request('continue', { threadId: s.threadId });
      // Paused before q.put (an operation stop): not a line event, so no jump from there.
      const put = await nextStop(c, 1, (b) => b.reason === 'operation' && b.threadId === s.threadId);
      const fromOp = await goto(put.threadId, line('TARGET'));
      assert.equal(fromOp.success, false);
      assert.match(fromOp.message ?? '', /paused at a line/);
      // The main process paused before its get (it gets before the child can put): both go on, nothing else pauses.
      const get = await nextStop(c, 0, (b) => b.reason === 'operation' && b.threadId !== s.threadId);
      await c.request('setStopOn', { kinds: [] });
      await c.request('continue', { threadId: put.threadId });
      await c.request('continue', { threadId: get.threadId });
      assert.equal(await c.ended(), 0);
      assert.equal(c.output('stdout'), 'child 3\ngot 3\n', 'the multiplication and the loop never ran');
      assert.doesNotMatch(c.output('stderr'), /RuntimeWarning|unbound/, 'the jump left `i` unbound: Python\'s warning about it is not the program\'s output');
    });
  });

  for (const method of ['fork', 'spawn']) {
    test(`Step Into p.start() goes into the child (${method}): it stops at its target's first line, the parent at its next line; Step Over does not`, async () => {
      const text = `import multiprocessing as mp
import sys
import time

def work(n):
    """Not where it stops."""
    doubled = n * 2  # TARGET
    print("child", doubled, flush=True)

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    first = mp.Process(target=work, args=(21,))
    first.start()  # BP
    first.join()  # NEXT
    second = mp.Process(target=work, args=(5,))
    second.start()  # OVER
    second.join()
    third = mp.Process(target=time.sleep, args=(0.2,))
    third.start()  # LIBRARY
    third.join()  # AFTER LIBRARY
    print("main", first.exitcode, second.exitcode, third.exitcode, flush=True)
`;
      const file = script(`step_into_child_${method}.py`, text);
      await withRun(async ({ client: c, env }) => {
        await c.launch({ program: file, args: [method], env }, { [file]: ['# BP', '# OVER', '# LIBRARY'].map((m) => lineOf(file, m, text)) });
        const main = await nextStop(c, 0);
        assert.equal((await top(c, main.threadId)).line, lineOf(file, '# BP', text));
        await c.request('stepIn', { threadId: main.threadId });
        // The child stops at its target's first line and takes the focus; the parent's stop at its
        // next line is told after it, leaving the focus there (VS Code focuses whichever stop it
        // finishes with last).
        const child = await c.until('the child to stop', () => distinctStops(c).find((s) => s.threadId !== main.threadId));
        const parent = await c.until('the parent to stop again', () => distinctStops(c).filter((s) => s.threadId === main.threadId)[1]);
        assert.equal(parent.reason, 'step');
        assert.equal((await top(c, parent.threadId)).line, lineOf(file, '# NEXT', text));
        assert.equal(child.reason, 'step');
        assert.equal(child.description, 'Stepped in from its parent');
        assert.equal(child.preserveFocusHint, false, 'the child takes the focus');
        assert.ok(distinctStops(c).indexOf(child) < distinctStops(c).indexOf(parent), 'the child\'s stop is told first');
        assert.equal(parent.preserveFocusHint, true, 'the parent\'s stop leaves the focus in the child');
        const f = await top(c, child.threadId);
        assert.deepEqual([f.name, f.line], ['work', lineOf(file, '# TARGET', text)]);
        assert.deepEqual(await c.scope(child.threadId, 'Locals'), { n: '21' });
        await c.request('continue', { threadId: child.threadId });
        await c.request('continue', { threadId: parent.threadId });
        // Step Over a start(): the child runs on its own.
        const over = await nextStop(c, 3);
        assert.equal((await top(c, over.threadId)).line, lineOf(file, '# OVER', text));
        const next = await stepAndWait(c, over.threadId, 'next');
        assert.equal(next.threadId, over.threadId);
        await c.request('continue', { threadId: over.threadId });
        // Step Into a start() whose child runs no line of the program's (target=time.sleep): the
        // parent's stop is not held for it past the child's end (the bound is 15 s).
        const library = await nextStop(c, 5);
        assert.equal((await top(c, library.threadId)).line, lineOf(file, '# LIBRARY', text));
        const t0 = Date.now();
        const after = await stepAndWait(c, library.threadId, 'stepIn');
        assert.equal((await top(c, after.threadId)).line, lineOf(file, '# AFTER LIBRARY', text));
        assert.ok(Date.now() - t0 < 12_000, `the parent's stop came ${Date.now() - t0} ms after Step Into`);
        await c.request('continue', { threadId: after.threadId });
        assert.equal(await c.ended(), 0);
        assert.equal(distinctStops(c).length, 7, JSON.stringify(distinctStops(c).map((s) => s.description)));
        assert.equal(c.output('stdout'), 'child 42\nchild 10\nmain 0 0 0\n');
      });
    });
  }

  test('Step Into a line that starts no child that stops: Manager() (its server is a helper) and a daemon\'s start() that raises; the step\'s stop is not held for them', async () => {
    const text = `import multiprocessing as mp

def grandchild():
    pass

def daemon_work():
    p = mp.Process(target=grandchild)
    try:
        p.start()  # DAEMON START
    except AssertionError as e:  # EXCEPT
        print("refused:", e, flush=True)

if __name__ == "__main__":
    mp.set_start_method("fork")
    with mp.Manager() as m:  # MANAGER
        d = m.dict()  # AFTER MANAGER
        d["k"] = 1
    p = mp.Process(target=daemon_work, daemon=True, name="Daemon")
    p.start()
    p.join()
    print("main", dict(), p.exitcode, flush=True)
`;
    const file = script('step_into_no_child.py', text);
    const line = (m: string) => lineOf(file, m, text);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env }, { [file]: [line('# MANAGER'), line('# DAEMON START')] });
      const main = await nextStop(c, 0);
      assert.equal((await top(c, main.threadId)).line, line('# MANAGER'));
      // The held stop's bound is 15 s: a counted child that never stops held the step that long.
      let t0 = Date.now();
      const afterManager = await stepAndWait(c, main.threadId, 'stepIn');
      assert.equal((await top(c, afterManager.threadId)).line, line('# AFTER MANAGER'));
      assert.ok(Date.now() - t0 < 12_000, `the step over Manager() came ${Date.now() - t0} ms after Step Into`);
      // The with line runs again as the block ends (its __exit__): not a stop wanted here.
      await c.request('setBreakpoints', { source: { path: file }, breakpoints: [{ line: line('# DAEMON START') }] });
      await c.request('continue', { threadId: main.threadId });
      const daemon = await c.until('the daemon at its breakpoint', () => distinctStops(c).find((s) => s.threadId !== main.threadId));
      assert.equal((await top(c, daemon.threadId)).line, line('# DAEMON START'));
      t0 = Date.now();
      const refused = await stepAndWait(c, daemon.threadId, 'stepIn');
      assert.equal((await top(c, refused.threadId)).line, line('# EXCEPT'));
      assert.ok(Date.now() - t0 < 12_000, `the step over a refused start() came ${Date.now() - t0} ms after Step Into`);
      await c.request('continue', { threadId: daemon.threadId });
      assert.equal(await c.ended(), 0);
      assert.equal(c.output('stdout'), 'refused: daemonic processes are not allowed to have children\nmain {} 0\n');
    });
  });

  for (const how of ['Step Into', 'Step Into Target']) {
    test(`${how} Pool(2) goes into both workers: each stops at the first line of its first task`, async () => {
      const text = `import multiprocessing as mp

def work(x):
    return x * x  # TASK

if __name__ == "__main__":
    pool = mp.Pool(2)  # BP
    print(pool.map(work, [1, 2, 3, 4]), flush=True)  # NEXT
    pool.close()
    pool.join()
`;
      const file = script(`step_into_pool_${how === 'Step Into' ? 'in' : 'target'}.py`, text);
      await withRun(async ({ client: c, env }) => {
        await c.launch({ program: file, env }, { [file]: [lineOf(file, '# BP', text)] });
        const main = await nextStop(c, 0);
        let next: Stop;
        if (how === 'Step Into') {
          next = await stepAndWait(c, main.threadId, 'stepIn');
        } else {
          const f = await top(c, main.threadId);
          const targets = (await c.request<DebugProtocol.StepInTargetsResponse>('stepInTargets', { frameId: f.id })).body.targets;
          assert.deepEqual(targets.map((t) => t.label), ['mp.Pool()']);
          await c.request('stepIn', { threadId: main.threadId, targetId: targets[0]!.id });
          next = await nextStop(c, 1);
          assert.equal(next.threadId, main.threadId);
        }
        assert.equal((await top(c, next.threadId)).line, lineOf(file, '# NEXT', text));
        await c.request('continue', { threadId: main.threadId });
        const workers = await c.until('both workers to stop', () => {
          const w = distinctStops(c).filter((s) => s.threadId !== main.threadId);
          return w.length >= 2 ? w : undefined;
        });
        assert.notEqual(workers[0]!.threadId, workers[1]!.threadId);
        for (const w of workers) {
          assert.equal(w.description, 'Stepped in from its parent');
          const f = await top(c, w.threadId);
          assert.deepEqual([f.name, f.line], ['work', lineOf(file, '# TASK', text)]);
        }
        for (const w of workers) await c.request('continue', { threadId: w.threadId });
        assert.equal(await c.ended(), 0);
        assert.equal(distinctStops(c).length, 4, JSON.stringify(distinctStops(c).map((s) => s.description)));
        assert.equal(c.output('stdout'), '[1, 4, 9, 16]\n');
      });
    });
  }

  for (const method of ['fork', 'spawn']) {
    test(`Step Into a submission to running workers (${method}; Pool.map, apply_async; an executor's submit by Step Into Target): each worker that takes one of its tasks stops at its first line; a builtin's map and Step Over do not`, async () => {
      const text = `import multiprocessing as mp
import sys
from concurrent.futures import ProcessPoolExecutor

def work(x):
    return x * x  # TASK

def shout(s):
    return s.upper()  # SHOUT

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    with mp.Pool(2) as pool:
        print(pool.map(work, [1, 2, 3, 4]), flush=True)  # BP
        print(pool.apply_async(shout, ("a",)).get(), flush=True)  # NEXT
        print(pool.map(abs, [-7, 8]), flush=True)  # LIBRARY
        print(pool.map(work, [5, 6]), flush=True)  # OVER
        pool.close()  # AFTER OVER
    with ProcessPoolExecutor(1) as ex:
        ex.submit(abs, -1).result()
        print(ex.submit(shout, "b").result(), flush=True)  # BP2
    print("done", flush=True)  # END
`;
      const file = script(`step_into_pool_tasks_${method}.py`, text);
      const L = (m: string): number => lineOf(file, m, text);
      await withRun(async ({ client: c, env }) => {
        await c.launch({ program: file, args: [method], env }, { [file]: [L('# BP'), L('# BP2')] });
        const main = await nextStop(c, 0);
        assert.equal((await top(c, main.threadId)).line, L('# BP'));
        // The workers were started before the step. Each stops at its first task of this map (a
        // stopped worker takes no other, so both get one), none at a second.
        await c.request('stepIn', { threadId: main.threadId });
        const workers = await c.until('both workers to stop', () => {
          const w = distinctStops(c).filter((s) => s.threadId !== main.threadId);
          return w.length >= 2 ? w : undefined;
        });
        assert.notEqual(workers[0]!.threadId, workers[1]!.threadId);
        const seen = new Set<string>();
        // The first to stop takes the focus; the other stops beside it, not moving it.
        assert.deepEqual(workers.map((w) => w.preserveFocusHint), [false, true]);
        for (const w of workers) {
          assert.equal(w.description, 'Stepped in from its parent');
          const f = await top(c, w.threadId);
          assert.deepEqual([f.name, f.line], ['work', L('# TASK')]);
          seen.add((await c.scope(w.threadId, 'Locals')).x!);
        }
        assert.equal(seen.size, 2, 'two different tasks');
        // Continuing the first hands the focus to the other, still stopped.
        const before = c.stops().length;
        await c.request('continue', { threadId: workers[0]!.threadId });
        const handed = await c.until('the focus handed to the other worker', () =>
          c.stops().slice(before).find((e) => (e.body as { threadId?: number }).threadId === workers[1]!.threadId));
        assert.equal((handed.body as { preserveFocusHint?: boolean }).preserveFocusHint, false);
        await c.request('continue', { threadId: workers[1]!.threadId });
        let at = await nextStop(c, 3);
        assert.equal(at.threadId, main.threadId);
        assert.equal((await top(c, main.threadId)).line, L('# NEXT'));
        // apply_async: the worker that takes the one task stops in it.
        await c.request('stepIn', { threadId: main.threadId });
        const worker = await nextStop(c, 4);
        assert.notEqual(worker.threadId, main.threadId);
        assert.deepEqual([(await top(c, worker.threadId)).name, (await top(c, worker.threadId)).line], ['shout', L('# SHOUT')]);
        await c.request('continue', { threadId: worker.threadId });
        at = await nextStop(c, 5);
        assert.equal(at.threadId, main.threadId);
        assert.equal((await top(c, main.threadId)).line, L('# LIBRARY'));
        // Step Into a map of a builtin: nothing of the program's to stop at; nor is a Step Into
        // left behind in the workers, to stop them in the next map's tasks.
        at = await stepAndWait(c, main.threadId, 'stepIn');
        assert.equal(at.threadId, main.threadId);
        assert.equal((await top(c, main.threadId)).line, L('# OVER'));
        // Step Over: the tasks run on their own.
        at = await stepAndWait(c, main.threadId, 'next');
        assert.equal(at.threadId, main.threadId);
        assert.equal((await top(c, main.threadId)).line, L('# AFTER OVER'));
        await c.request('continue', { threadId: main.threadId });
        // An executor whose one worker already runs: its submit, picked by Step Into Target, is stepped into.
        at = await nextStop(c, 8);
        const bp2 = await top(c, at.threadId);
        assert.equal(bp2.line, L('# BP2'));
        const submit = (await c.request<DebugProtocol.StepInTargetsResponse>('stepInTargets', { frameId: bp2.id })).body.targets.find((t) => t.label === 'ex.submit()');
        assert.ok(submit, 'ex.submit() is a target of the line');
        await c.request('stepIn', { threadId: main.threadId, targetId: submit.id });
        const ew = await nextStop(c, 9);
        assert.notEqual(ew.threadId, main.threadId);
        assert.equal(ew.description, 'Stepped in from its parent');
        assert.deepEqual([(await top(c, ew.threadId)).name, (await top(c, ew.threadId)).line], ['shout', L('# SHOUT')]);
        await c.request('continue', { threadId: ew.threadId });
        at = await nextStop(c, 10);
        assert.equal(at.threadId, main.threadId);
        await c.request('continue', { threadId: main.threadId });
        assert.equal(await c.ended(), 0);
        assert.equal(distinctStops(c).length, 11, JSON.stringify(distinctStops(c).map((s) => s.description)));
        assert.equal(c.output('stdout'), '[1, 4, 9, 16]\nA\n[7, 8]\n[25, 36]\nB\ndone\n', 'what a plain run prints');
      });
    });
  }

  test('Step Into Target: the calls of the line in the order Python makes them; into the one picked, past the others; a library call picked is stepped over', async () => {
    const text = `import multiprocessing as mp

def double(v):
    return v * 2  # DOUBLE

def label(v):
    return "n=%d" % v  # LABEL

def work(q):
    n = 3  # BP
    q.put(label(double(n)))  # LINE
    q.put(label(double(n + 1)))  # LINE2
    print("done", flush=True)  # NEXT

if __name__ == "__main__":
    q = mp.Queue()
    p = mp.Process(target=work, args=(q,))
    p.start()
    print(q.get(), q.get(), flush=True)
    p.join()
`;
    const file = script('step_into_target.py', text);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env }, { [file]: [lineOf(file, '# BP', text)] });
      const caps = c.events.filter((e) => e.event === 'capabilities').map((e) => (e.body as { capabilities: DebugProtocol.Capabilities }).capabilities);
      assert.ok(caps.some((x) => x.supportsStepInTargetsRequest === true), 'a live run offers Step Into Target');
      const s = await nextStop(c, 0);
      const child = s.threadId;
      let at = await stepAndWait(c, child, 'next');
      let f = await top(c, child);
      assert.equal(f.line, lineOf(file, '# LINE', text));
      const targets = (await c.request<DebugProtocol.StepInTargetsResponse>('stepInTargets', { frameId: f.id })).body.targets;
      assert.deepEqual(targets.map((t) => t.label), ['double()', 'label()', 'q.put()']);
      const labelTarget = targets[1]!;
      assert.equal(labelTarget.line, lineOf(file, '# LINE', text));
      const seen = distinctStops(c).length;
      await c.request('stepIn', { threadId: child, targetId: labelTarget.id });
      at = await nextStop(c, seen);
      f = await top(c, child);
      assert.deepEqual([f.name, f.line], ['label', lineOf(file, '# LABEL', text)], 'into label, past double (which ran)');
      assert.deepEqual(await c.scope(child, 'Locals'), { v: '6' });
      at = await stepAndWait(c, child, 'stepOut');
      at = await stepAndWait(c, child, 'next');
      f = await top(c, child);
      assert.equal(f.line, lineOf(file, '# LINE2', text));
      const put = (await c.request<DebugProtocol.StepInTargetsResponse>('stepInTargets', { frameId: f.id })).body.targets.find((t) => t.label === 'q.put()');
      assert.ok(put, 'q.put() is a target of LINE2');
      const before = distinctStops(c).length;
      await c.request('stepIn', { threadId: child, targetId: put.id });
      at = await nextStop(c, before);
      assert.equal(at.threadId, child);
      assert.equal((await top(c, child)).line, lineOf(file, '# NEXT', text), 'the library\'s put is not stepped through: the next line');
      await c.request('continue', { threadId: child });
      assert.equal(await c.ended(), 0);
      assert.deepEqual(c.output('stdout').split('\n').sort(), ['', 'done', 'n=6 n=8'], 'the values as a plain run computes them (the two processes print in either order)');
    });
  });

  test('Step Into Target on a line that starts a process: start() picked goes into the child; another call picked does not', async () => {
    const text = `import multiprocessing as mp

def work(n):
    doubled = n * 2  # TARGET
    print("child", doubled, flush=True)

def name_of(p):
    return p.name  # NAME

if __name__ == "__main__":
    first = mp.Process(target=work, args=(21,), name="First")
    second = mp.Process(target=work, args=(5,), name="Second")
    print(name_of(first), first.start(), flush=True)  # BP
    first.join()  # NEXT
    print(name_of(second), second.start(), flush=True)  # BP2
    second.join()  # NEXT2
`;
    const file = script('step_into_target_start.py', text);
    const L = (m: string): number => lineOf(file, m, text);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env }, { [file]: [L('# BP'), L('# BP2')] });
      const main = await nextStop(c, 0);
      let f = await top(c, main.threadId);
      assert.equal(f.line, L('# BP'));
      let targets = (await c.request<DebugProtocol.StepInTargetsResponse>('stepInTargets', { frameId: f.id })).body.targets;
      assert.deepEqual(targets.map((t) => t.label), ['name_of()', 'first.start()', 'print()']);
      await c.request('stepIn', { threadId: main.threadId, targetId: targets[1]!.id });
      // As Step Into on a line with start() alone: the child stops at its target's first line and
      // takes the focus; the parent stops at its next line after it (name_of and print ran).
      const child = await c.until('the child to stop', () => distinctStops(c).find((s) => s.threadId !== main.threadId));
      const parent = await c.until('the parent to stop again', () => distinctStops(c).filter((s) => s.threadId === main.threadId)[1]);
      assert.equal(child.description, 'Stepped in from its parent');
      assert.equal(child.preserveFocusHint, false, 'the child takes the focus');
      assert.equal(parent.preserveFocusHint, true, 'the parent\'s stop leaves the focus in the child');
      f = await top(c, child.threadId);
      assert.deepEqual([f.name, f.line], ['work', L('# TARGET')]);
      assert.deepEqual(await c.scope(child.threadId, 'Locals'), { n: '21' });
      assert.equal((await top(c, parent.threadId)).line, L('# NEXT'));
      await c.request('continue', { threadId: child.threadId });
      await c.request('continue', { threadId: parent.threadId });
      // The second start(): name_of() picked. The step ends in name_of; the child started later
      // on that line runs without stopping.
      const again = await nextStop(c, 3);
      assert.equal(again.threadId, main.threadId);
      f = await top(c, main.threadId);
      assert.equal(f.line, L('# BP2'));
      targets = (await c.request<DebugProtocol.StepInTargetsResponse>('stepInTargets', { frameId: f.id })).body.targets;
      assert.deepEqual(targets.map((t) => t.label), ['name_of()', 'second.start()', 'print()']);
      await c.request('stepIn', { threadId: main.threadId, targetId: targets[0]!.id });
      const inName = await nextStop(c, 4);
      assert.equal(inName.threadId, main.threadId);
      f = await top(c, main.threadId);
      assert.deepEqual([f.name, f.line], ['name_of', L('# NAME')]);
      await c.request('continue', { threadId: main.threadId });
      assert.equal(await c.ended(), 0);
      assert.equal(distinctStops(c).length, 5, JSON.stringify(distinctStops(c).map((s) => s.description)));
      assert.deepEqual(c.output('stdout').split('\n').sort(), ['', 'First None', 'Second None', 'child 10', 'child 42'], 'what a plain run prints (parent and child in either order)');
    });
  });

  test('restart: the run is ended and started again with the same breakpoints', async () => {
    const text = `import os
value = os.getpid()  # BP
print("ran")
`;
    const file = script('restart.py', text);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env }, { [file]: [lineOf(file, '# BP', text)] });
      const first = await nextStop(c, 0);
      await c.request('restart', { arguments: { program: file, env, python: PYTHON, console: 'internalConsole' } });
      const second = await nextStop(c, 1);
      assert.notEqual(second.threadId, first.threadId, 'a new main process');
      assert.ok(c.events.some((e) => e.event === 'thread' && (e.body as { reason: string; threadId: number }).reason === 'exited' && (e.body as { threadId: number }).threadId === first.threadId));
      assert.equal(c.events.filter((e) => e.event === 'terminated').length, 0, 'the session goes on');
      await c.request('continue', { threadId: second.threadId });
      assert.equal(await c.ended(), 0);
      assert.equal(c.output('stdout'), 'ran\n');
      assert.equal(distinctStops(c).length, 2);
    });
  });
});

