/**
 * A function breakpoint's name (src/core/debug/functionName.ts): what the tracer matches, and
 * what is refused in the user's words (the tracer's own reading: test/python/test_debugger.py,
 * FunctionNames, takes and refuses the same names).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseFunctionName } from '../../../src/core/debug/functionName';

describe('function breakpoint names', () => {
  test('dotted names, trimmed, a trailing () forgiven, any script', () => {
    assert.deepEqual(parseFunctionName('worker'), { name: 'worker' });
    assert.deepEqual(parseFunctionName('  Counter . increment '), { name: 'Counter.increment' });
    assert.deepEqual(parseFunctionName('tasks.worker()'), { name: 'tasks.worker' });
    assert.deepEqual(parseFunctionName('_private'), { name: '_private' });
    assert.deepEqual(parseFunctionName('工作'), { name: '工作' });
  });

  test('what is not a name is refused, quoting it and saying how to write one', () => {
    for (const text of ['', '  ', 'worker(1)', 'a..b', '1st', 'a.b.', 'lambda x: x', 'Counter::increment', 'my-func']) {
      const r = parseFunctionName(text);
      assert.ok('error' in r, text);
      assert.ok(r.error.startsWith(`"${text}" is not a function's name.`), r.error);
      assert.match(r.error, /worker, Counter\.increment/);
    }
  });
});
