// Channels the tracer reports for multiprocessing.Value / Array and ProcessPoolExecutor, through
// the reducer to what the Channels and Processes views say.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../../../src/core/session';
import type { ChannelOpEvent, TracerEvent } from '../../../src/core/protocol/events';
import { channelDescription, channelLabel, opLabel } from '../../../src/extension/models/channelModel';
import { buildProcessForest, poolLabel } from '../../../src/extension/models/processModel';
import { plain as t } from '../../../src/core/localize';

const F = '/home/u/shared.py';
const site = (line: number) => ({ file: F, line });

function op(pid: number, id: string, o: ChannelOpEvent['op'], ms: number, line: number, extra: Partial<ChannelOpEvent> = {}): TracerEvent {
  return { kind: 'channel.op', t: ms, pid, ppid: 100, id, op: o, site: site(line), ...extra };
}

function run(): Session {
  const s = new Session({ run: { script: F } });
  const events: TracerEvent[] = [
    { kind: 'hello', t: 0, pid: 100, ppid: 50, role: 'main', name: 'MainProcess', argv: ['shared.py'], python: '3.11.7', executable: '/usr/bin/python3' },
    { kind: 'channel.created', t: 1, pid: 100, ppid: 50, id: 'rlock:mp-v1', channel: 'value', detail: { type: 'c_int', initial: '0' }, site: site(3) },
    { kind: 'channel.created', t: 2, pid: 100, ppid: 50, id: 'rlock:mp-a1', channel: 'array', detail: { type: 'c_double', length: 3, initial: '[0.0, 0.0, 0.0]' }, site: site(4) },
    { kind: 'channel.created', t: 3, pid: 100, ppid: 50, id: 'pool:100:3', channel: 'pool', detail: { processes: 2, kind: 'process-pool-executor' }, site: site(5) },
  ];
  for (const child of [101, 102]) {
    events.push({ kind: 'process.created', t: 4, pid: 100, ppid: 50, childPid: child, name: `Process-${child}`, daemon: false, role: 'pool-worker', startMethod: 'fork', target: '_process_worker', site: site(5) });
  }
  events.push(
    op(101, 'rlock:mp-v1', 'acquire', 10, 8, { waitedMs: 0, ok: true }),
    op(101, 'rlock:mp-v1', 'release', 11, 8, { ok: true }),
    op(102, 'rlock:mp-v1', 'acquire', 12, 8, { waitedMs: 1.5, ok: true }),
    op(102, 'rlock:mp-v1', 'release', 13, 8, { ok: true }),
    op(100, 'pool:100:3', 'submit', 20, 6, { preview: 'square(3,)', ok: true, detail: { method: 'submit', job: 0, tasks: 1 } }),
    op(100, 'pool:100:3', 'result', 25, 6, { preview: '9', ok: true, detail: { job: 0, index: null } }),
    op(100, 'pool:100:3', 'callback', 25, 6, { preview: 'done', ok: true, detail: { job: 0, index: null } }),
  );
  for (const e of events) s.applyEvent(e);
  return s;
}

describe('Value, Array and ProcessPoolExecutor channels', () => {
  const snap = run().snapshot();
  const byId = (id: string) => snap.channels.find((c) => c.id === id)!;

  it('a Value counts its lock operations from every process, on its one id', () => {
    const v = byId('rlock:mp-v1');
    assert.equal(v.kind, 'value');
    assert.equal(channelLabel(v, t), 'Value at shared.py:3');
    assert.equal(channelDescription(v, t), '4 operations');
    assert.deepEqual(v.ops, { acquire: 2, release: 2 });
    assert.equal(opLabel(v.recentOps[2]!, t), '0.012 s  102 acquire (waited 2 ms)');
  });

  it('an Array without operations says so', () => {
    const a = byId('rlock:mp-a1');
    assert.equal(channelLabel(a, t), 'Array at shared.py:4');
    assert.equal(channelDescription(a, t), '0 operations');
  });

  it('a pool counts its submits, results and callbacks as operations, not as messages', () => {
    const p = byId('pool:100:3');
    assert.equal(channelLabel(p, t), 'Pool at shared.py:5');
    assert.equal(channelDescription(p, t), '3 operations');
  });

  it('executor workers sit under the pool row of the process that made it', () => {
    const forest = buildProcessForest(snap, true);
    const main = forest.roots[0]!;
    assert.equal(main.children.length, 1);
    const pool = main.children[0]!;
    assert.equal(pool.kind, 'pool');
    if (pool.kind === 'pool') assert.equal(poolLabel(pool, t), 'Pool at shared.py:5');
    assert.equal(pool.children.length, 2);
  });
});
