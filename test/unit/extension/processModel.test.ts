import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { plain as t } from '../../../src/core/localize';
import {
  buildProcessForest,
  countProcesses,
  processDescription,
  processTooltipLines,
  stateLook,
  type ProcessRow,
  type TreeRow,
} from '../../../src/extension/models/processModel';
import { bigRun, proc, producerConsumer } from './fixtures/snapshots';
import { Session } from '../../../src/core/session';
import type { TracerEvent } from '../../../src/core/protocol/events';

const pidsOf = (rows: readonly TreeRow[]): Array<number | string> =>
  rows.map((r) => (r.kind === 'process' ? r.process.pid : `pool:${r.poolId}`));

describe('process tree building', () => {
  it('nests children under their creator and pool workers under a pool row', () => {
    const forest = buildProcessForest(producerConsumer(), true);
    assert.deepEqual(pidsOf(forest.roots), [100]);
    const main = forest.roots[0] as ProcessRow;
    assert.deepEqual(pidsOf(main.children), [101, 102, 'pool:pool7']);
    const pool = main.children[2]!;
    assert.equal(pool.kind, 'pool');
    assert.deepEqual(pidsOf(pool.children), [110, 111]);
    // The orphan stays under the process that created it (and is flagged, see below).
    const producer = main.children[0] as ProcessRow;
    assert.deepEqual(pidsOf(producer.children), [103]);
  });

  it('groups pool workers without a pool id under their parent, named after its one pool', () => {
    const s = producerConsumer();
    const noIds = { ...s, processes: s.processes.map((p) => (p.poolId ? { ...p, poolId: null } : p)) };
    const main = buildProcessForest(noIds, true).roots[0] as ProcessRow;
    const pool = main.children.find((c) => c.kind === 'pool');
    assert.ok(pool && pool.kind === 'pool');
    assert.deepEqual(pidsOf(pool.children), [110, 111]);
    assert.equal(pool.pool?.id, 'pool7', 'named after the one pool its parent created');
  });

  it('getParent data: every row names a parent that is in the index', () => {
    const forest = buildProcessForest(producerConsumer(), true);
    for (const row of forest.byId.values()) {
      if (row.parentId !== null) assert.ok(forest.byId.has(row.parentId), `${row.id} → ${row.parentId}`);
    }
    const worker = [...forest.byId.values()].find((r) => r.kind === 'process' && r.process.pid === 110)!;
    assert.equal(forest.byId.get(worker.parentId!)?.kind, 'pool');
  });

  it('hides ended processes on request, but keeps an ended parent of a live child', () => {
    const forest = buildProcessForest(producerConsumer(), false);
    const main = forest.roots[0] as ProcessRow;
    // 101 exited but its orphan 103 lives; 111 was killed and is hidden; the zombie 102 stays.
    assert.deepEqual(pidsOf(main.children), [101, 102, 'pool:pool7']);
    assert.deepEqual(pidsOf(main.children[2]!.children), [110]);
    assert.equal(forest.hiddenCount, 1);
  });

  it('tells a reused pid apart by start time', () => {
    const s = producerConsumer();
    const reused = {
      ...s,
      processes: [
        proc({ pid: 1, key: '1@a', name: 'MainProcess', role: 'main' as const }),
        proc({ pid: 5, key: '5@a', parentPid: 1, startedMs: 10, state: 'exited', exitedMs: 20, exitCode: 0 }),
        proc({ pid: 5, key: '5@b', parentPid: 1, startedMs: 30 }),
        proc({ pid: 6, key: '6@a', parentPid: 5, startedMs: 40 }),
      ],
    };
    const forest = buildProcessForest(reused, true);
    const main = forest.roots[0] as ProcessRow;
    assert.deepEqual(main.children.map((c) => (c as ProcessRow).process.key), ['5@a', '5@b']);
    assert.deepEqual((main.children[1] as ProcessRow).children.map((c) => (c as ProcessRow).process.key), ['6@a']);
  });

  it('builds 500 processes quickly', () => {
    const s = bigRun(500, 10);
    const start = process.cpuUsage(); // CPU time: wall time on a loaded machine measures the neighbours
    const forest = buildProcessForest(s, true);
    const cpu = process.cpuUsage(start);
    const took = (cpu.user + cpu.system) / 1000;
    assert.equal(forest.byId.size, 500);
    assert.ok(took < 250, `took ${took} ms of CPU`);
  });
});

describe('process rows in words', () => {
  const s = producerConsumer();
  const byPid = (pid: number) => s.processes.find((p) => p.pid === pid)!;

  it('describes role, state, flags, CPU and memory', () => {
    assert.equal(processDescription(byPid(103), t), 'sleeping · orphan · child · 0.5% · 12.0 MB');
    assert.equal(processDescription(byPid(101), t), 'exited (0) · child');
    assert.equal(processDescription(byPid(111), t), 'killed by SIGTERM · pool worker');
  });

  it('explains a zombie: how long ago, which parent has not joined, where it started', () => {
    const lines = processTooltipLines(byPid(102), s, t);
    const zombie = lines.find((l) => l.startsWith('Zombie'));
    assert.equal(
      zombie,
      'Zombie: exited 3.2 s ago; its parent 100 has not called join() (or wait()) yet, so the process table still holds its exit status. Started at producer.py:14.',
    );
  });

  it('explains an orphan: whose parent exited and who adopted it', () => {
    const lines = processTooltipLines(byPid(103), s, t);
    assert.ok(lines.includes('Orphan: its parent 101 exited while it was still running 4.1 s ago; it was adopted by 1 (init).'), lines.join('\n'));
    assert.ok(lines.includes('Parent now: 1 (at creation: 101)'));
  });

  it('names the uncaught exception a process died of: its type in the row, the whole summary in the tooltip', () => {
    const p = proc({ pid: 7, state: 'exited', exitedMs: 100, exitCode: 1, error: 'ValueError: bad input: 3' });
    assert.equal(processDescription(p, t), 'exited (1) · raised ValueError · child');
    assert.ok(processTooltipLines(p, s, t).includes('Uncaught exception: ValueError: bad input: 3'));
    assert.ok(!processTooltipLines(byPid(101), s, t).some((l) => l.startsWith('Uncaught')), 'none for a clean exit');
  });

  it('gives each state its own icon, with theme colours only', () => {
    const looks = ['running', 'sleeping', 'zombie', 'killed', 'stopped'].map((state) => stateLook(proc({ pid: 1, state: state as never })));
    looks.push(stateLook(proc({ pid: 1, state: 'exited', exitCode: 0 })));
    assert.equal(new Set(looks.map((l) => l.icon)).size, looks.length);
    for (const l of looks) assert.match(l.color, /^[a-zA-Z]+(\.[a-zA-Z]+)+$|^disabledForeground$/);
  });

  it('counts alive, zombie, orphan and ended processes for the status bar', () => {
    assert.deepEqual(countProcesses(s), { alive: 3, zombies: 1, orphans: 1, ended: 2 });
  });
});

describe('a waiting process', () => {
  // Join before drain, as the Session folds it (see test/unit/session/waits.test.ts).
  const F = '/home/u/demo.py';
  const at = (line: number) => ({ file: F, line });
  const session = new Session({ run: { script: F } });
  const events: TracerEvent[] = [
    { kind: 'hello', t: 0, pid: 100, ppid: 50, tid: 1, role: 'main', name: 'MainProcess', argv: [], python: '3.12.1', executable: 'python3' },
    { kind: 'channel.created', t: 1, pid: 100, ppid: 50, tid: 1, id: 'q1', channel: 'queue', site: at(9) },
    { kind: 'process.created', t: 2, pid: 100, ppid: 50, tid: 1, childPid: 101, name: 'Process-1', daemon: false, role: 'child', startMethod: 'fork', target: 'work', site: at(10) },
    { kind: 'hello', t: 3, pid: 101, ppid: 100, tid: 1, role: 'child', name: 'Process-1', argv: [], python: '3.12.1', executable: 'python3' },
    { kind: 'channel.op', t: 4, pid: 101, ppid: 100, tid: 1, id: 'q1', op: 'put', size: 1_048_576, site: at(5) },
    { kind: 'wait.begin', t: 6, pid: 101, ppid: 100, tid: 1, op: 'flush', id: 'q1', site: null },
    { kind: 'wait.begin', t: 7, pid: 100, ppid: 50, tid: 1, op: 'join', childPid: 101, site: at(12) },
  ];
  for (const e of events) session.applyEvent(e);
  session.applySnapshot({ t: 2007, processes: [], gone: [] });
  const snap = session.snapshot();
  const main = snap.processes.find((p) => p.pid === 100)!;

  it('says what it waits on and, once stuck, the stall in words', () => {
    assert.equal(processDescription(main, t), 'waiting · join ⚠ · main');
    const lines = processTooltipLines(main, snap, t);
    assert.ok(lines.includes('Waiting for 2.0 s: join Process-1 at demo.py:12.'), lines.join('\n'));
    assert.ok(
      lines.includes(
        'Deadlock: MainProcess waits at line 12 for Process-1 to exit; Process-1 cannot exit until its 1.0 MB message on the Queue created at line 9 is read (put at line 5), and only MainProcess could read it',
      ),
      lines.join('\n'),
    );
    assert.equal(stateLook(main).icon, 'error');
  });
});
