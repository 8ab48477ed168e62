/**
 * Changing the program's state at a stop, through a real DAP client over stdio: an assignment
 * typed in the Debug Console, and Set Value in the Variables view (setVariable), in a function's
 * locals, a module's globals, a dict, a list and an object's attribute; the program goes on with
 * the new values. On Python 3.9-3.12 a function's locals live in the frame's fast slots, which
 * f_locals only copies: the tracer writes them back (docs/debugging.md).
 * The interpreter: PV_TEST_PYTHON (the `debug` test stage runs this file on every installed Python).
 */
import assert from 'node:assert/strict';
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
});
