import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LineDiscipline, toTerminalText } from '../../../src/extension/models/lineDiscipline';

describe('terminal line discipline', () => {
  it('echoes typing and sends whole lines on Enter', () => {
    const d = new LineDiscipline();
    assert.deepEqual(d.feed('ab'), { echo: 'ab', send: '', endOfInput: false, interrupt: false });
    assert.deepEqual(d.feed('c\r'), { echo: 'c\r\n', send: 'abc\n', endOfInput: false, interrupt: false });
  });

  it('handles backspace, pasted lines, Ctrl+D and Ctrl+C', () => {
    const d = new LineDiscipline();
    assert.equal(d.feed('xy\x7f\x7f\x7fz\r').send, 'z\n');
    assert.equal(d.feed('one\r\ntwo\r').send, 'one\ntwo\n');
    assert.equal(d.feed('\x04').endOfInput, true);
    assert.equal(d.feed('half\x04').send, 'half');
    assert.equal(d.feed('\x03').interrupt, true);
  });

  it('drops arrow keys instead of sending escape codes', () => {
    const d = new LineDiscipline();
    assert.equal(d.feed('a\x1b[Db\r').send, 'ab\n');
  });

  it('turns newlines into terminal line ends', () => {
    assert.equal(toTerminalText('a\nb\r\nc'), 'a\r\nb\r\nc');
  });
});
