/**
 * An exception filter's condition (src/core/debug/exceptionCondition.ts): names read, bad input
 * refused in the user's words.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseExceptionCondition } from '../../../src/core/debug/exceptionCondition';

describe('exception filter conditions', () => {
  test('names to stop for and names left out, with spaces and empty items ignored', () => {
    assert.deepEqual(parseExceptionCondition(' ValueError, queue.Empty ,, !json.JSONDecodeError '), {
      names: ['ValueError', 'queue.Empty'],
      excluded: ['json.JSONDecodeError'],
    });
    assert.deepEqual(parseExceptionCondition('! KeyError'), { names: [], excluded: ['KeyError'] });
  });

  test('what is not a name is refused, naming the bad part', () => {
    for (const [text, bad] of [
      ['isinstance(e, ValueError)', 'isinstance(e'],
      ['ValueError; KeyError', 'ValueError; KeyError'],
      ['queue..Empty', 'queue..Empty'],
      ['3Error', '3Error'],
    ] as const) {
      const r = parseExceptionCondition(text);
      assert.ok('error' in r, text);
      assert.match(r.error, new RegExp(`^"${bad.replace(/[.()]/g, '\\$&')}" is not an exception type's name`), text);
    }
    const empty = parseExceptionCondition(' , ');
    assert.ok('error' in empty && /at least one/.test(empty.error));
  });
});
