/**
 * Changing the program's state at a stop, through a real DAP client over stdio: an assignment
 * typed in the Debug Console, and Set Value in the Variables view (setVariable), in a function's
 * locals, a module's globals, a dict, a list and an object's attribute; the program goes on with
 * the new values. On Python 3.9-3.12 a function's locals live in the frame's fast slots, which
 * f_locals only copies: the tracer writes them back (docs/debugging.md). And the Debug Console's
 * completions: names in the frame, a dotted name's attributes, with nothing of the program run;
 * Copy Value's whole value.
 * The interpreter: PV_TEST_PYTHON (the `debug` test stage runs this file on every installed Python).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { lineOf, nextStop, script, top, withRun } from './harness';

const PROGRAM = `import multiprocessing as mp

LIMIT = 3

class Box:
    def __init__(self):
        self.size = 1

def work(n):
    box = Box()
    items = [1, 2, 3]
    table = {"a": 1}
    total = n * 2  # BP
    print("child", total, LIMIT, box.size, items, table, flush=True)

if __name__ == "__main__":
    p = mp.Process(target=work, args=(21,))
    p.start()
    p.join()
    print("exit", p.exitcode, flush=True)
`;

describe('changing values at a stop', () => {
  test('the Debug Console assigns a local and a global in a child; Set Value changes a local, a list item, a dict item and an attribute', async () => {
    const file = script('setvalues.py', PROGRAM);
    const bp = lineOf(file, '# BP', PROGRAM);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env }, { [file]: [bp] });
      const s = await nextStop(c, 0);
      const caps = c.events.filter((e) => e.event === 'capabilities').map((e) => (e.body as { capabilities: DebugProtocol.Capabilities }).capabilities);
      assert.ok(caps.some((x) => x.supportsSetVariable === true), 'a live run offers Set Value');
      const f = await top(c, s.threadId);
      assert.equal(f.line, bp);
      // The Debug Console: statements run in the frame, and what they assign stays assigned.
      await c.request('evaluate', { expression: 'n = 100', frameId: f.id, context: 'repl' });
      // A global, as in Python's own debugger: a statement that names it global.
      await c.request('evaluate', { expression: 'global LIMIT; LIMIT = 9', frameId: f.id, context: 'repl' });
      const seen = await c.request<DebugProtocol.EvaluateResponse>('evaluate', { expression: 'n', frameId: f.id, context: 'repl' });
      assert.equal(seen.body.result, '100', 'read back in the same stop');

      // Set Value in the Variables view: Locals, then inside a list, a dict and an object.
      const scopes = await c.request<DebugProtocol.ScopesResponse>('scopes', { frameId: f.id });
      const locals = scopes.body.scopes.find((x) => x.name === 'Locals')!;
      const vars = async (ref: number) => (await c.request<DebugProtocol.VariablesResponse>('variables', { variablesReference: ref })).body.variables;
      const set = async (ref: number, name: string, value: string) =>
        (await c.request<DebugProtocol.SetVariableResponse>('setVariable', { variablesReference: ref, name, value })).body;
      const loc = await vars(locals.variablesReference);
      assert.equal(loc.find((v) => v.name === 'n')?.value, '100', 'the console\'s assignment shows in Locals');
      assert.equal((await set(locals.variablesReference, 'n', '5')).value, '5');
      const items = loc.find((v) => v.name === 'items')!;
      assert.equal((await set(items.variablesReference, '1', '20 + 2')).value, '22');
      const table = loc.find((v) => v.name === 'table')!;
      const a = (await vars(table.variablesReference)).find((v) => /'a'|a/.test(v.name))!;
      assert.equal((await set(table.variablesReference, a.name, '"changed"')).value, "'changed'");
      const box = loc.find((v) => v.name === 'box')!;
      assert.equal((await set(box.variablesReference, 'size', 'LIMIT * 2')).value, '18', 'evaluated in the frame: LIMIT is 9 now');
      // A value that does not evaluate is refused with Python's own words, and nothing changes.
      const bad = await c.raw('setVariable', { variablesReference: locals.variablesReference, name: 'n', value: 'no_such_name' });
      assert.equal(bad.success, false);
      assert.match(bad.message ?? '', /NameError/);

      await c.request('continue', { threadId: s.threadId });
      assert.equal(await c.ended(), 0);
      assert.equal(c.output('stdout'), "child 10 9 18 [1, 22, 3] {'a': 'changed'}\nexit 0\n");
    });
  });

  test('Set Value on a Watch expression (setExpression): a local, an item, an attribute, in the child, evaluated in its frame', async () => {
    const file = script('setexpr.py', PROGRAM);
    const bp = lineOf(file, '# BP', PROGRAM);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env }, { [file]: [bp] });
      const s = await nextStop(c, 0);
      const caps = c.events.filter((e) => e.event === 'capabilities').map((e) => (e.body as { capabilities: DebugProtocol.Capabilities }).capabilities);
      assert.ok(caps.some((x) => x.supportsSetExpression === true), 'a live run offers Set Value on watches');
      const f = await top(c, s.threadId);
      const set = async (expression: string, value: string) =>
        (await c.request<DebugProtocol.SetExpressionResponse>('setExpression', { expression, value, frameId: f.id })).body;
      assert.equal((await set('n', 'n + 1')).value, '22', 'the value is evaluated in the frame, before the assignment');
      assert.equal((await set('items[0]', 'n * 10')).value, '220');
      assert.equal((await set(' table["b"] ', '[n]')).value, '[22]', 'a new key, as Python assigns it');
      assert.equal((await set('box.size', 'LIMIT')).value, '3');
      const watched = await c.request<DebugProtocol.EvaluateResponse>('evaluate', { expression: 'n', frameId: f.id, context: 'watch' });
      assert.equal(watched.body.result, '22', 'the local stays assigned (written back to the frame on 3.9-3.12)');
      // What cannot be assigned to is refused in words, and nothing runs.
      for (const [expression, words] of [['n + 1', /cannot be assigned to/], ['len(items)', /cannot be assigned to/], ['(1, 2)[0]', /TypeError/]] as const) {
        const bad = await c.raw('setExpression', { expression, value: '0', frameId: f.id });
        assert.equal(bad.success, false, expression);
        assert.match(bad.message ?? '', words, expression);
      }
      const failed = await c.raw('setExpression', { expression: 'n', value: 'no_such_name', frameId: f.id });
      assert.match(failed.message ?? '', /NameError/);
      await c.request('continue', { threadId: s.threadId });
      assert.equal(await c.ended(), 0);
      assert.equal(c.output('stdout'), "child 44 3 3 [220, 2, 3] {'a': 1, 'b': [22]}\nexit 0\n");
    });
  });

  test('the Debug Console completes names in the frame and attributes of a dotted name, running none of the program\'s code', async () => {
    const src = `import multiprocessing as mp

class Meter:
    def __init__(self):
        self.reading = 1

    @property
    def danger(self):
        print("the property ran", flush=True)
        return self

def work(q):
    meter = Meter()
    total_sent = 0
    big = list(range(100))
    q.put(total_sent)  # BP
    print("child", meter.reading, flush=True)

if __name__ == "__main__":
    q = mp.Queue()
    p = mp.Process(target=work, args=(q,))
    p.start()
    got = q.get()
    p.join()
    print("got", got, flush=True)
`;
    const file = script('completions.py', src);
    const bp = lineOf(file, '# BP', src);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env }, { [file]: [bp] });
      assert.equal(c.capabilities?.supportsCompletionsRequest, true);
      assert.deepEqual(c.capabilities?.completionTriggerCharacters, ['.']);
      const s = await nextStop(c, 0);
      const f = await top(c, s.threadId);
      const complete = async (text: string, column = text.length + 1) =>
        (await c.request<DebugProtocol.CompletionsResponse>('completions', { text, column, frameId: f.id })).body.targets;
      // A name: the frame's locals, its module's globals, builtins; the partial word is replaced (1-based start).
      const names = await complete('print(tot');
      assert.deepEqual(names.map((t) => [t.label, t.type, t.start, t.length]), [['total_sent', 'variable', 7, 3]]);
      assert.ok((await complete('Met')).some((t) => t.label === 'Meter' && t.type === 'class'), 'a global class');
      // After a dot: the object's attributes, methods first among them as Python lists them; nothing to replace yet.
      const attrs = await complete('q.');
      for (const m of ['put', 'get', 'qsize', 'empty']) assert.ok(attrs.some((t) => t.label === m && t.type === 'function' && (t.length ?? 0) === 0), m);
      assert.ok(attrs.findIndex((t) => t.label === 'put') < attrs.findIndex((t) => t.label.startsWith('_')), 'public names before private ones');
      assert.deepEqual((await complete('q.qs')).map((t) => [t.label, t.start, t.length]), [['qsize', 3, 2]]);
      // The cursor inside the text: only what is before it counts.
      assert.deepEqual((await complete('meter.rea + 1', 'meter.rea'.length + 1)).map((t) => t.label), ['reading']);
      // A property is listed, not run; nor is anything after it looked into.
      assert.ok((await complete('meter.')).some((t) => t.label === 'danger'));
      assert.deepEqual(await complete('meter.danger.'), []);
      // After a call or a subscript the value is not known without running code: nothing offered.
      assert.deepEqual(await complete('str(meter).'), []);
      // Copy Value (context "clipboard") copies the whole value; the views show it bounded.
      const shown = await c.request<DebugProtocol.EvaluateResponse>('evaluate', { expression: 'big', frameId: f.id, context: 'watch' });
      const copied = await c.request<DebugProtocol.EvaluateResponse>('evaluate', { expression: 'big', frameId: f.id, context: 'clipboard' });
      assert.match(shown.body.result, /\.\.\./);
      assert.equal(copied.body.result, `[${Array.from({ length: 100 }, (_, i) => i).join(', ')}]`);
      assert.equal(c.capabilities?.supportsClipboardContext, true);
      // Without a frame (nothing selected): nothing, and no error.
      const bare = await c.request<DebugProtocol.CompletionsResponse>('completions', { text: 'q.', column: 3 });
      assert.deepEqual(bare.body.targets, []);
      await c.request('continue', { threadId: s.threadId });
      assert.equal(await c.ended(), 0);
      assert.equal(c.output('stdout'), 'child 1\ngot 0\n', 'as the plain run prints: the property never ran');
    });
  });

  test('a hover runs none of the program\'s code: p.exitcode (a poll) is refused and a zombie stays one until the program joins it', async () => {
    const src = `import multiprocessing as mp
import os

def work():
    pass

if __name__ == "__main__":
    p = mp.Process(target=work)
    p.start()
    os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOWAIT)  # exited, not reaped: a zombie
    print("zombie", flush=True)  # BP
    p.join()
    print("exit", p.exitcode, flush=True)
`;
    const file = script('hover-zombie.py', src);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env }, { [file]: [lineOf(file, '# BP', src)] });
      const s = await nextStop(c, 0);
      const f = await top(c, s.threadId);
      const hover = (expression: string) => c.raw<DebugProtocol.EvaluateResponse>('evaluate', { expression, frameId: f.id, context: 'hover' });
      const pid = Number((await hover('p.pid')).body.result);
      const state = () => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!.split(' ')[0];
      assert.equal(state(), 'Z');
      // Refused in the hover's own text (VS Code shows nothing for a hover that fails).
      assert.match((await hover('p.exitcode')).body.result, /^\(a hover does not read exitcode: it calls poll\(\), which would reap the child/);
      assert.match((await hover('p.join')).body.result, /^<bound method BaseProcess\.join of <\w+ name='Process-1' started pid=\d+>>$/);
      assert.equal((await hover('p._popen.returncode')).body.result, 'None');
      assert.match((await hover('p.is_alive()')).body.result, /names and their attributes only; evaluate p\.is_alive\(\) in the Debug Console/, 'a call is not a hover\'s to make');
      assert.equal((await hover('no_such_name')).success, false, 'a name the frame does not have: no hover');
      assert.equal(state(), 'Z', 'still a zombie after the hovers');
      // Asked for in Watch, it runs: the poll reaps it, as the program's own call would.
      const watched = await c.request<DebugProtocol.EvaluateResponse>('evaluate', { expression: 'p.exitcode', frameId: f.id, context: 'watch' });
      assert.equal(watched.body.result, '0');
      await c.request('continue', { threadId: s.threadId });
      assert.equal(await c.ended(), 0);
      assert.equal(c.output('stdout'), 'zombie\nexit 0\n');
    });
  });
});
