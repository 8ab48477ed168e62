// Lost events: tracer.dropped folded per process and reason, and said in words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session, describeLosses } from '../../../src/core/session';
import type { TracerEvent } from '../../../src/core/protocol/events';

const dropped = (pid: number, t: number, count: number, reason?: string): TracerEvent => ({
  kind: 'tracer.dropped', t, pid, ppid: 1, count, ...(reason !== undefined ? { reason } : {}),
});

test('losses are added up per process and reason, and said in one sentence', () => {
  const s = new Session({ run: { script: '/a.py' } });
  assert.equal(describeLosses(s.snapshot().run), null, 'nothing lost, nothing said');
  s.applyEvent(dropped(10, 1, 5, 'buffer-full'));
  s.applyEvent(dropped(11, 2, 12000, 'exit'));
  s.applyEvent(dropped(10, 3, 7, 'buffer-full'));
  s.applyEvent(dropped(10, 4, 4096, 'cut-batch'));
  s.applyEvent(dropped(12, 5, 1)); // an older tracer: no reason
  const run = s.snapshot().run;
  assert.equal(run.droppedEvents, 16109);
  assert.deepEqual(run.lostEvents, [
    { pid: 10, reason: 'buffer-full', count: 12 },
    { pid: 11, reason: 'exit', count: 12000 },
    { pid: 10, reason: 'cut-batch', count: 4096 },
    { pid: 12, reason: null, count: 1 },
  ]);
  assert.equal(
    describeLosses(run),
    '16,109 events lost: 12,000 of process 11 (it ended before Process View could take them), ' +
      '4,108 of process 10 (it produced them faster than Process View could take them; it was ended while sending them), ' +
      '1 of process 12 (reason not given). They are not in the recording; what it shows of those processes is incomplete.',
  );
});
