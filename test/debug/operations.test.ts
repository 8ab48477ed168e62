/**
 * Pausing before multiprocessing operations (launch argument `stopOn`): a producer/consumer on a
 * Queue stepped put by get, the Operation scope, and process and lock operations.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { distinctStops, lineOf, script, stepAndWait, stopsOf, top, waitThread, withRun, type DapClient, type Stop } from './harness';

async function operation(c: DapClient, threadId: number): Promise<Record<string, string>> {
  const [f] = await c.stack(threadId);
  const scope = (await c.scopes(f!.id)).find((s) => s.name === 'Operation');
  assert.ok(scope, 'an Operation scope');
  return Object.fromEntries((await c.variables(scope.variablesReference)).map((v) => [v.name, v.value]));
}

/** The n-th distinct stop of a thread, once it happened. */
function nth(c: DapClient, threadId: number, n: number): Promise<Stop> {
  return c.until(`stop ${n + 1} of ${threadId}`, () => stopsOf(c, threadId)[n]);
}

const PRODUCER_CONSUMER = `import multiprocessing as mp
import sys

def producer(q):
    q.put([42, None, 'hello'])  # PUT1
    q.put(None)  # PUT2

def consumer(q):
    while True:
        item = q.get()  # GET
        print("got", item, flush=True)
        if item is None:
            break

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    q = mp.Queue()  # QUEUE
    c = mp.Process(target=consumer, args=(q,), name="Consumer")
    p = mp.Process(target=producer, args=(q,), name="Producer")
    c.start()
    p.start()
    p.join()
    c.join()
    print("done")
`;

describe('pausing before operations', { timeout: 600_000 }, () => {
  for (const method of ['fork', 'spawn']) {
    test(`stopOn queue: a producer and a consumer (${method}), put by get`, async () => {
      const file = script('prodcons.py', PRODUCER_CONSUMER);
      const Q = lineOf(file, '# QUEUE', PRODUCER_CONSUMER);
      await withRun(async ({ client: c, env }) => {
        await c.launch({ program: file, args: [method], env, stopOn: ['queue'] });
        const consumer = await waitThread(c, /^Consumer · pid/);
        const producer = await waitThread(c, /^Producer · pid/);
        const get1 = await nth(c, consumer, 0);
        const put1 = await nth(c, producer, 0);
        assert.equal(get1.reason, 'operation');
        assert.equal(get1.description, `Paused before Queue.get() from Queue@line ${Q}`);
        assert.equal(put1.description, `Paused before Queue.put([42, None, 'hello']) to Queue@line ${Q}`);
        const [pf] = await c.stack(producer);
        assert.deepEqual([pf!.name, pf!.line], ['producer', lineOf(file, '# PUT1', PRODUCER_CONSUMER)], 'the top frame is the line that calls put()');
        const op = await operation(c, producer);
        assert.equal(op.operation, 'Queue.put');
        assert.equal(op.payload, "[42, None, 'hello']");
        assert.match(op.object ?? '', new RegExp(`^Queue@line ${Q} \\(queue:`));
        assert.equal(op['items in the queue (qsize)'], '0');
        assert.equal(op['messages put so far'], '0');

        // The consumer goes on first: it blocks in get() until the producer puts.
        await c.request('continue', { threadId: consumer });
        // Step over the put: the next line, no breakpoint anywhere.
        const step = await stepAndWait(c, producer, 'next');
        assert.equal(step.reason, 'step');
        assert.equal((await top(c, producer)).line, lineOf(file, '# PUT2', PRODUCER_CONSUMER));
        await c.request('continue', { threadId: producer });
        const put2 = await nth(c, producer, 2);
        assert.equal(put2.description, `Paused before Queue.put(None) to Queue@line ${Q}`);
        const get2 = await nth(c, consumer, 1);
        assert.equal(get2.description, `Paused before Queue.get() from Queue@line ${Q}`);
        await c.until('the first item printed', () => c.output('stdout').includes("got [42, None, 'hello']\n"));
        const op2 = await operation(c, consumer);
        assert.equal(op2['messages put so far'], '1');
        assert.equal(op2['messages taken so far'], '1');

        await c.request('continue', { threadId: producer });
        await c.request('continue', { threadId: consumer });
        assert.equal(await c.ended(), 0);
        assert.equal(c.output('stdout'), "got [42, None, 'hello']\ngot None\ndone\n");
        // Two puts, a step and two gets, nothing else (the queue's feeder thread and the main process never stop).
        assert.deepEqual(stopsOf(c, producer).map((s) => s.processView.reason), ['operation', 'step', 'operation']);
        assert.deepEqual(stopsOf(c, consumer).map((s) => s.processView.reason), ['operation', 'operation']);
        assert.equal(distinctStops(c).length, 5);
      });
    });
  }

  test('stopOn process and lock: start, join, acquire, release and exit, each process in its order', async () => {
    const text = `import multiprocessing as mp

def work(lock):
    with lock:  # WITH
        pass

if __name__ == "__main__":
    mp.set_start_method("fork")
    lock = mp.Lock()  # LOCK
    p = mp.Process(target=work, args=(lock,), name="Worker")
    p.start()  # START
    p.join()  # JOIN
    print("exit code", p.exitcode)
`;
    const file = script('lock.py', text);
    const L = lineOf(file, '# LOCK', text);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env, stopOn: ['process', 'lock'] });
      const start = await c.until('the first stop', () => distinctStops(c)[0]);
      const main = start.threadId;
      assert.equal(start.description, 'Paused before Process.start() of Worker');
      await c.request('continue', { threadId: main });
      const worker = await waitThread(c, /^Worker · pid/);
      const acquire = await nth(c, worker, 0);
      assert.equal(acquire.description, `Paused before Lock.acquire() on Lock@line ${L}`);
      const join = await nth(c, main, 1);
      assert.equal(join.description, `Paused before Process.join() of Worker · pid ${worker}`);
      await c.request('continue', { threadId: worker });
      const release = await nth(c, worker, 1);
      assert.equal(release.description, `Paused before Lock.release() on Lock@line ${L}`);
      const op = await operation(c, worker);
      assert.equal(op['held by'], `pid ${worker}`);
      await c.request('continue', { threadId: worker });
      const exit = await nth(c, worker, 2);
      assert.equal(exit.description, 'Paused before exit (exit code 0)');
      await c.request('continue', { threadId: worker });
      await c.request('continue', { threadId: main });
      const mainExit = await nth(c, main, 2);
      assert.equal(mainExit.description, 'Paused before exit (exit code 0)');
      await c.request('continue', { threadId: main });
      assert.equal(await c.ended(), 0);
      assert.equal(c.output('stdout'), 'exit code 0\n');
    });
  });

  test('stopOn process: a join is told at once (its object is a process, not a channel the Session waits to learn)', async () => {
    // Each join's stop used to wait a whole second for a channel that never comes, the process
    // paused meanwhile: the program's own clock saw each join take over a second.
    const JOINS = 8;
    const text = `import multiprocessing as mp
import time

def work():
    pass

if __name__ == "__main__":
    mp.set_start_method("fork")
    ps = [mp.Process(target=work, name="W%d" % i) for i in range(${JOINS})]
    for p in ps:
        p.start()
    t0 = time.monotonic()
    for p in ps:
        p.join()  # JOIN
    print("joins took %.3f" % (time.monotonic() - t0), flush=True)
`;
    const file = script('joins.py', text);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env, stopOn: ['process'] });
      // Continue every stop as it comes (starts, the children's exits, the joins).
      let continued = 0;
      let joins = 0;
      const done = c.until('the run to end', () => {
        for (const s of distinctStops(c).slice(continued)) {
          continued++;
          if (/^Paused before Process\.join\(\) of W\d · pid \d+$/.test(s.description ?? '')) joins++;
          void c.raw('continue', { threadId: s.threadId });
        }
        return c.events.some((e) => e.event === 'terminated');
      }, 120_000);
      await done;
      assert.equal(joins, JOINS, 'a stop before each join');
      const took = Number(/joins took ([\d.]+)/.exec(c.output('stdout'))?.[1]);
      // A second a join was the defect; a stop and its continue take milliseconds, a few hundred on a loaded machine.
      assert.ok(took < JOINS * 1.0, `${JOINS} paused joins took ${took} s`);
    });
  });

  test('stopOn lock: a Barrier\'s wait stops once, not again inside it at the Condition threading.Barrier drives', async () => {
    const text = `import multiprocessing as mp

def work(barrier):
    barrier.wait()  # WAIT

if __name__ == "__main__":
    mp.set_start_method("fork")
    barrier = mp.Barrier(2)  # BARRIER
    p = mp.Process(target=work, args=(barrier,), name="Worker")
    p.start()
    barrier.wait()  # MAIN_WAIT
    p.join()
    print("passed")
`;
    const file = script('barrier.py', text);
    const B = lineOf(file, '# BARRIER', text);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env, stopOn: ['lock'] });
      let continued = 0;
      await c.until('the run to end', () => {
        for (const s of distinctStops(c).slice(continued)) {
          continued++;
          void c.raw('continue', { threadId: s.threadId });
        }
        return c.events.some((e) => e.event === 'terminated');
      }, 120_000);
      const said = distinctStops(c).map((s) => s.description);
      assert.deepEqual(said, [`Paused before Barrier.wait() on Barrier@line ${B}`, `Paused before Barrier.wait() on Barrier@line ${B}`], 'one stop per wait, none at the Condition inside it');
      assert.equal(c.output('stdout'), 'passed\n');
    });
  });

  test('stopOn manager: calls through a Manager\'s proxies, in a child and in the main process; the Manager\'s server never stops', async () => {
    const text = `import multiprocessing as mp

def worker(d):
    d["k"] = 1  # SET

if __name__ == "__main__":
    mp.set_start_method("fork")
    with mp.Manager() as m:
        d = m.dict()  # DICT
        p = mp.Process(target=worker, args=(d,), name="Worker")
        p.start()
        p.join()
        print(d.copy())
`;
    const file = script('manager.py', text);
    const D = lineOf(file, '# DICT', text);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env, stopOn: ['manager'] });
      const worker = await waitThread(c, /^Worker · pid/);
      const set = await nth(c, worker, 0);
      assert.equal(set.description, `Paused before DictProxy.__setitem__('k', 1) on Manager proxy@line ${D}`);
      const op = await operation(c, worker);
      assert.equal(op.payload, "'k', 1");
      await c.request('continue', { threadId: worker });
      const copy = await c.until('the main process stops', () => distinctStops(c).find((s) => s.threadId !== worker));
      assert.equal(copy.description, `Paused before DictProxy.copy() on Manager proxy@line ${D}`);
      const threads = await c.threads();
      assert.match(threads.find((t) => t.id === copy.threadId)?.name ?? '', /^MainProcess/);
      await c.request('continue', { threadId: copy.threadId });
      assert.equal(await c.ended(), 0);
      assert.equal(c.output('stdout'), "{'k': 1}\n");
      // Only those two: the Manager's server answered both without ever stopping.
      assert.equal(distinctStops(c).length, 2);
    });
  });

  test('setStopOn while running turns pausing on and off', async () => {
    const text = `import multiprocessing as mp
q = mp.SimpleQueue()  # QUEUE
for i in range(3):
    q.put(i)
print([q.get() for _ in range(3)])
`;
    const file = script('toggle.py', text);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env, stopOn: ['queue'] });
      const first = await c.until('the first put', () => distinctStops(c)[0]);
      assert.equal(first.description, `Paused before SimpleQueue.put(0) to SimpleQueue@line ${lineOf(file, '# QUEUE', text)}`);
      const r = await c.request<DebugProtocol.Response>('setStopOn', { kinds: [] });
      assert.deepEqual((r.body as { kinds: string[] }).kinds, []);
      await c.request('continue', { threadId: first.threadId });
      assert.equal(await c.ended(), 0);
      assert.equal(distinctStops(c).length, 1);
      assert.equal(c.output('stdout'), '[0, 1, 2]\n');
    });
  });

  test('a ThreadPool\'s worker runs the user\'s task: it pauses before the task\'s operations like any thread of the program', async () => {
    const text = `import multiprocessing as mp
from multiprocessing.pool import ThreadPool

def task(q, n):
    q.put(n * n)  # PUT
    return n

if __name__ == "__main__":
    q = mp.SimpleQueue()  # QUEUE
    with ThreadPool(1) as tp:
        print(tp.apply(task, (q, 3)), flush=True)
    print(q.get())
`;
    const file = script('threadpool-put.py', text);
    await withRun(async ({ client: c, env }) => {
      await c.launch({ program: file, env, stopOn: ['queue'] });
      const first = await c.until('the first stop', () => distinctStops(c)[0]);
      // In the worker thread (its name: "Thread-1", "Thread-1 (worker)" from 3.10).
      assert.match(first.description ?? '', new RegExp(`^Paused before SimpleQueue\\.put\\(9\\) to SimpleQueue@line ${lineOf(file, '# QUEUE', text)} \\(thread Thread-1\\b`));
      const f = await top(c, first.threadId);
      assert.deepEqual([f.name, f.line], ['task', lineOf(file, '# PUT', text)]);
      await c.request('setStopOn', { kinds: [] });
      await c.request('continue', { threadId: first.threadId });
      assert.equal(await c.ended(), 0);
      assert.equal(distinctStops(c).length, 1);
      assert.equal(c.output('stdout'), '3\n9\n');
    });
  });
});
