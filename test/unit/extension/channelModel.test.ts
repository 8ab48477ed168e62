import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { channelDescription, channelLabel, logRows, MaxLogRows, messageDescription, messageLabel, messageRows, messageTooltipLines, opLabel } from '../../../src/extension/models/channelModel';
import { plain as t } from '../../../src/core/localize';
import { lineHoverLines, lineSummary } from '../../../src/extension/models/lineModel';
import { message, producerConsumer, XSS } from './fixtures/snapshots';

describe('channels view rows', () => {
  const s = producerConsumer();
  const queue = s.channels.find((c) => c.id === 'q1')!;
  const lock = s.channels.find((c) => c.id === 'l1')!;

  it('names channels by kind and creating line, counting messages or operations', () => {
    assert.equal(channelLabel(queue, t), 'Queue at producer.py:20');
    assert.equal(channelDescription(queue, t), '3 messages');
    assert.equal(channelDescription(lock, t), '3 operations');
  });

  it('shows time, sender → receiver and a bounded preview', () => {
    const [m1, , m3] = queue.recentMessages;
    assert.equal(messageLabel(m1!), '0.101 s  101 → 102');
    assert.equal(messageLabel(m3!), '0.103 s  101 → ?');
    assert.equal(messageDescription(m3!, 10), '<img src=…');
    assert.deepEqual(messageTooltipLines(m1!, t), ['put by 101 at producer.py:8', 'Received by 102 at producer.py:15, 5 ms later', '20 bytes pickled']);
  });

  it('shows how long a lock acquire waited', () => {
    assert.equal(opLabel(lock.recentOps[1]!, t), '0.700 s  102 acquire (waited 250 ms)');
  });

  it('lists messages newest first by the time they were sent', () => {
    const rows = messageRows([message({ seq: 1, sentMs: 30 }), message({ seq: 2, sentMs: 10 }), message({ seq: 3, sentMs: 20 })]);
    assert.deepEqual(rows.map((m) => m.seq), [1, 3, 2]);
  });

  it('lists the newest entries first and bounds them', () => {
    const many = Array.from({ length: 1000 }, (_, i) => i);
    const rows = logRows(many);
    assert.equal(rows.length, MaxLogRows);
    assert.equal(rows[0], 999);
  });
});

describe('editor line text', () => {
  const s = producerConsumer();

  it('says how many processes a line started and their pids', () => {
    assert.equal(lineSummary(s.lines[0]!, 40, t), 'started 2 processes: 101, 102');
  });

  it('says how many messages a line sent and the last payload, as text', () => {
    assert.equal(lineSummary(s.lines[1]!, 80, t), `sent ×3 · last ${XSS}`);
  });

  it('hover lists the recent messages of the line with the other end', () => {
    const lines = lineHoverLines(s, s.lines[1]!, 80, t);
    assert.equal(lines[0], 'Recent messages:');
    assert.equal(lines.length, 4);
    // Newest activity first: message 2 was received last.
    assert.equal(lines[1], "0.102 s  Queue put  101 → 102 'item 2' (other end at producer.py:15)");
    assert.equal(lines[3], `0.103 s  Queue put  101 → ? ${XSS}`);
  });
});
