// A refused connection costs a real tracer no event: the receiver refuses each process's first
// connection (as it refuses a handshake read too late, or a wrong one), and every event of the
// run still arrives, on the connection the tracer opens next. Before the tracer waited for the
// receiver's "ok", the frames it had sent behind its handshake went with the refused connection,
// uncounted (issue 11: "1 connection(s) refused", not "N events lost").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultTracerDir, EventReceiver, type ReceiverProblem } from '../../../src/core/tracer';
import type { TracerEvent } from '../../../src/core/protocol/events';

const PY = process.env.PYTHON ?? 'python3';
const N = 20_000;

const QUEUE = `
import multiprocessing as mp, sys

def producer(q, n):
    for i in range(n):
        q.put(i)
    q.put(None)

if __name__ == "__main__":
    mp.set_start_method("fork")
    n = int(sys.argv[1])
    q = mp.Queue()
    p = mp.Process(target=producer, args=(q, n))
    p.start()
    got = 0
    while q.get() is not None:
        got += 1
    p.join()
    print("got", got)
    sys.exit(5)
`;

test('receiver refuses the first connection of each process: the tracer reconnects and no event is lost', async () => {
  const seen = new Set<number>();
  const rx = await EventReceiver.listen({
    token: 'refusal-token',
    toMs: (ns) => ns / 1e6,
    refuseIf: (hs) => {
      if (hs.client !== 'tracer' || seen.has(hs.pid)) return undefined;
      seen.add(hs.pid);
      return 'first connection of its process (test)';
    },
  });
  const events: TracerEvent[] = [];
  const problems: ReceiverProblem[] = [];
  rx.onEvent((e) => events.push(e));
  rx.onProblem((p) => problems.push(p));
  const dir = mkdtempSync(path.join(tmpdir(), 'pv-refusal-'));
  try {
    const script = path.join(dir, 'refused_queue.py');
    writeFileSync(script, QUEUE);
    const env = { ...process.env, PYTHONPATH: defaultTracerDir(), PROCESS_VIEW_PORT: String(rx.port), PROCESS_VIEW_TOKEN: 'refusal-token' };
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(PY, [script, String(N)], { env, timeout: 180_000 }, (err, out, errOut) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout: out, stderr: errOut }),
      );
    });
    assert.equal(code, 5, stderr);
    assert.equal(stdout, `got ${N}\n`);
    await rx.whenIdle(2000, 60_000);
    const byPid = new Map<number, TracerEvent[]>();
    for (const e of events) {
      const list = byPid.get(e.pid);
      if (list) list.push(e);
      else byPid.set(e.pid, [e]);
    }
    const created = events.find((e) => e.kind === 'process.created');
    const main = created?.pid;
    const child = created?.kind === 'process.created' ? created.childPid : undefined;
    assert.ok(main !== undefined && child !== undefined && byPid.has(child), `both processes were heard: ${[...byPid.keys()].join()}`);
    // Each was refused once (and nothing else was), then heard in full.
    assert.equal(rx.stats.refused, seen.size);
    assert.ok(seen.has(main) && seen.has(child));
    assert.deepEqual(
      problems.map((p) => p.reason),
      [...seen].map(() => 'connection refused: first connection of its process (test)'),
    );
    const ops = (pid: number, op: string): number => byPid.get(pid)!.filter((e) => e.kind === 'channel.op' && e.op === op).length;
    assert.equal(ops(child, 'put'), N + 1);
    assert.equal(ops(main, 'get'), N + 1);
    for (const pid of [main, child]) {
      assert.equal(byPid.get(pid)!.filter((e) => e.kind === 'process.exit').length, 1, `process ${pid} reported its exit`);
    }
    assert.deepEqual(
      events.filter((e) => e.kind === 'tracer.dropped'),
      [],
      'nothing was lost, so nothing is counted',
    );
  } finally {
    await rx.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
