/**
 * Issue 18 in the debugger: the Process scope says what the process waits for (on what, from
 * which line, since when and for how long) and, once the Session finds one, the stall it is in,
 * in words. A real run of the join-before-drain deadlock: the main process joins a child that
 * cannot exit until its 1 MB message on a Queue is read, and only the main process reads it,
 * after the join. A thread of the main process stops at a breakpoint meanwhile, so the main
 * process can be looked at while its main thread stays blocked in join().
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { distinctStops, lineOf, script, waitThread, withRun, type DapClient } from './harness';

const JOIN_BEFORE_DRAIN = `import multiprocessing as mp
import sys
import threading
import time

def work(q):
    q.put(b"x" * 1_000_000)  # PUT

def ticker():
    n = 0
    while True:
        time.sleep(0.2)
        n += 1  # TICK

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    q = mp.Queue()  # QUEUE
    p = mp.Process(target=work, args=(q,), name="Producer")
    p.start()
    threading.Thread(target=ticker, daemon=True).start()
    p.join()  # JOIN
    print(len(q.get()))
`;

/** The Process scope of a stopped thread's process, as name → value. */
async function processScope(c: DapClient, threadId: number): Promise<Record<string, string>> {
  return c.scope(threadId, 'Process');
}

describe('the Process scope shows the wait and the stall', { timeout: 600_000 }, () => {
  for (const method of ['fork', 'spawn']) {
    test(`join before drain (${method}): the main process waits in join, and the deadlock is explained`, async () => {
      const file = script('join_before_drain.py', JOIN_BEFORE_DRAIN);
      const L = (m: string) => lineOf(file, m, JOIN_BEFORE_DRAIN);
      await withRun(async ({ client: c, env }) => {
        await c.launch({ program: file, args: [method], env }, { [file]: [L('# TICK')] });
        const main = await waitThread(c, /^MainProcess · pid/);
        // Each tick stops at the breakpoint; look at the main process until the deadlock is found
        // (a stall is reported once its waits have lasted a second). Bounded, never a fixed sleep.
        const deadline = Date.now() + 120_000;
        let facts: Record<string, string> = {};
        let seen = 0;
        for (;;) {
          const stop = await c.until(`tick stop #${seen + 1}`, () => distinctStops(c).slice(seen).find((s) => s.threadId === main), 90_000);
          seen = distinctStops(c).indexOf(stop) + 1;
          assert.equal(stop.reason, 'breakpoint');
          facts = await processScope(c, main);
          if (facts.stalled !== undefined) break;
          assert.ok(Date.now() < deadline, `no stall in the Process scope after 120 s: ${JSON.stringify(facts)}`);
          await c.request('continue', { threadId: main });
        }
        assert.equal(facts.state, 'waiting');
        assert.equal(facts['waiting in'], 'join Producer');
        assert.equal(facts['waiting at'], `join_before_drain.py:${L('# JOIN')}`);
        const since = /^(\d+\.\d{3}) s \((\d+(?:\.\d+)?) (ms|s) so far\)$/.exec(facts['waiting since'] ?? '');
        assert.ok(since, facts['waiting since']);
        assert.equal(since[3], 's', 'a stall is found only after its waits lasted a second');
        assert.ok(Number(since[2]) >= 1, facts['waiting since']);
        assert.match(
          facts.stalled!,
          new RegExp(
            `^Deadlock: MainProcess waits at line ${L('# JOIN')} for Producer to exit; Producer cannot exit until its \\d+ KB message on ` +
              `the Queue created at line ${L('# QUEUE')} is read \\(put at line ${L('# PUT')}\\), and only MainProcess could read it$`,
          ),
        );
        // The child's own view: it waits at exit, flushing the queue (it never stops: no breakpoint in it).
        const producer = await waitThread(c, /^Producer · pid/);
        assert.ok((await c.threads()).some((t) => t.id === producer), 'the blocked child stays a thread');
      });
    });
  }
});
