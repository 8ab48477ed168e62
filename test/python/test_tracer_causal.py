"""No effect before its cause: on real runs, every operation that can wake another process is
stamped before anything it wakes (docs/protocol.md, "Causal order"). Each pair is exercised many
times in a ping-pong between two processes, so a stamp taken on the wrong side of the wake-up
shows up on a busy machine (it did: an Event.set stamped after the wait it ended).

The assertions are orders the tracer guarantees, never durations: they hold on any load.
"""
import unittest

from test.python.test_tracer import StartMethodTests, run_traced

ROUNDS = 25

CAUSAL = """
import multiprocessing as mp, sys, time

N = %d

def sleep_on(cond, waiting, k):
    with cond:
        waiting.value = k                # under the lock: the other side sees it only once we wait
        cond.wait()                      # COND-WAIT

def wake(cond, waiting, k):
    while True:                          # poll until the other side is in its wait(), then notify
        with cond:
            if waiting.value == k:
                cond.notify()            # COND-NOTIFY
                return
        time.sleep(0.001)

def child(ping, pong, cond, waiting1, waiting2, bar, q_in, q_out, conn, s1, s2, jq, end):
    for k in range(N):
        ping.wait()                      # EV-WAIT
        ping.clear()
        pong.set()                       # EV-SET-CHILD
    for k in range(1, N + 1):
        sleep_on(cond, waiting1, k)
        wake(cond, waiting2, k)
    for k in range(N):
        bar.wait()                       # BAR-CHILD
    for k in range(N):
        q_out.put(q_in.get())            # Q-ECHO
        conn.send(conn.recv())           # PIPE-ECHO
    for k in range(N):
        s1.acquire()                     # SEM-ACQ-CHILD
        s2.release()                     # SEM-REL-CHILD
    for k in range(N):
        jq.get()
        jq.task_done()                   # TASK-DONE
    end.close()                          # CLOSE

def square(x):
    return x * x

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    ping, pong = mp.Event(), mp.Event()
    cond = mp.Condition()
    waiting1, waiting2 = mp.Value("i", 0, lock=False), mp.Value("i", 0, lock=False)
    bar = mp.Barrier(2)
    q_in, q_out = mp.Queue(), mp.Queue()
    a, b = mp.Pipe()
    s1, s2 = mp.Semaphore(0), mp.Semaphore(0)
    jq = mp.JoinableQueue()
    eof_r, eof_w = mp.Pipe(duplex=False)
    p = mp.Process(target=child, args=(ping, pong, cond, waiting1, waiting2, bar, q_in, q_out, b, s1, s2, jq, eof_w))
    p.start()                            # START
    eof_w.close()
    for k in range(N):
        ping.set()                       # EV-SET-MAIN
        pong.wait()                      # EV-WAIT-MAIN
        pong.clear()
    for k in range(1, N + 1):
        wake(cond, waiting1, k)
        sleep_on(cond, waiting2, k)
    for k in range(N):
        bar.wait()                       # BAR-MAIN
    for k in range(N):
        q_in.put(k)                      # Q-PUT
        assert q_out.get() == k          # Q-GET
        a.send(k)                        # PIPE-SEND
        assert a.recv() == k             # PIPE-RECV
    for k in range(N):
        s1.release()                     # SEM-REL-MAIN
        s2.acquire()                     # SEM-ACQ-MAIN
    for k in range(N):
        jq.put(k)
        jq.join()                        # JQ-JOIN
    try:
        eof_r.recv()                     # EOF
    except EOFError:
        pass
    p.join()                             # JOIN
    done = mp.Event()
    with mp.Pool(2) as pool:
        for k in range(N):
            r = pool.apply_async(square, (k,))
            r.get()
            done.set()                   # AFTER-RESULT
    print("ok")
""" % ROUNDS


class CausalOrderTest(StartMethodTests, unittest.TestCase):
    OTHER_PYTHON_METHODS = ("fork",)

    def check(self, method, python=None):
        r = run_traced(CAUSAL, [method], python=python)
        self.assertEqual((r.returncode, r.stdout.strip()), (0, "ok"), r.stderr)
        self.assertEqual(r.of("tracer.error"), [])
        main = r.of("hello", role="main")[0]["pid"]
        (created,) = [e for e in r.of("process.created", pid=main) if e["target"] == "child"]
        child = created["childPid"]
        L = r.line_of

        def ops(op, marker=None, pid=None, **match):
            evs = [e for e in r.of("channel.op", op=op, **match)
                   if (marker is None or e["line"] == L(marker)) and (pid is None or e["pid"] == pid)]
            return sorted(evs, key=lambda e: e["tNs"])

        def each_after(causes, effects, what):
            """The k-th effect comes after at least k causes: a wake-up needs a cause of its own."""
            effects = [e for e in effects if e.get("ok", True)]
            self.assertGreaterEqual(len(causes), ROUNDS, what)
            self.assertGreaterEqual(len(effects), ROUNDS, what)
            times = [c["tNs"] for c in causes]
            for k, e in enumerate(effects, 1):
                before = sum(1 for t in times if t <= e["tNs"])
                self.assertGreaterEqual(before, k, "%s: effect %d at %d ns has only %d causes stamped before it"
                                        % (what, k, e["tNs"], before))

        # A child's first event comes after its creation.
        (hello,) = r.of("hello", pid=child)
        self.assertLessEqual(created["tNs"], hello["tNs"], "process.created after the child's hello")
        # Event.set -> the other process's wait returns.
        each_after(ops("set", "# EV-SET-MAIN"), ops("wait", "# EV-WAIT", child), "Event.set -> wait")
        each_after(ops("set", "# EV-SET-CHILD"), ops("wait", "# EV-WAIT-MAIN", main), "Event.set -> wait (back)")
        # Condition.notify -> the other's wait returns (each wait is woken by one notify).
        each_after(ops("notify", "# COND-NOTIFY", main), ops("wait", "# COND-WAIT", child), "notify -> wait")
        each_after(ops("notify", "# COND-NOTIFY", child), ops("wait", "# COND-WAIT", main), "notify -> wait (back)")
        # Barrier: in each round the last arrival is stamped before the other's wait returns.
        bars = list(zip(ops("wait", "# BAR-MAIN"), ops("wait", "# BAR-CHILD")))
        self.assertEqual(len(bars), ROUNDS)
        for k, pair in enumerate(bars):
            last = [e for e in pair if (e.get("detail") or {}).get("last")]
            self.assertEqual(len(last), 1, "round %d: one last arrival %r" % (k, pair))
            other = pair[1] if last[0] is pair[0] else pair[0]
            self.assertLessEqual(last[0]["tNs"], other["tNs"], "round %d: barrier released before its last arrival" % k)
        # Queue.put -> get, Pipe send -> recv, both ways.
        each_after(ops("put", "# Q-PUT"), ops("get", "# Q-ECHO", child), "Queue.put -> get")
        each_after(ops("put", "# Q-ECHO", child), ops("get", "# Q-GET"), "Queue.put -> get (back)")
        each_after(ops("send", "# PIPE-SEND"), ops("recv", "# PIPE-ECHO", child), "send -> recv")
        each_after(ops("send", "# PIPE-ECHO", child), ops("recv", "# PIPE-RECV"), "send -> recv (back)")
        # Semaphore.release -> the other's acquire.
        each_after(ops("release", "# SEM-REL-MAIN"), ops("acquire", "# SEM-ACQ-CHILD"), "release -> acquire")
        each_after(ops("release", "# SEM-REL-CHILD"), ops("acquire", "# SEM-ACQ-MAIN"), "release -> acquire (back)")
        # task_done -> JoinableQueue.join returns.
        each_after(ops("task_done", "# TASK-DONE"), ops("join", "# JQ-JOIN"), "task_done -> join")
        # Connection.close -> the other end's EOF.
        (close,) = ops("close", "# CLOSE")
        (eof,) = ops("eof", "# EOF")
        self.assertLessEqual(close["tNs"], eof["tNs"], "EOF before the close that caused it")
        # The child's exit -> the join that reaped it.
        (exit_,) = r.of("process.exit", pid=child)
        joined = [e for e in r.of("process.joined", pid=main, childPid=child) if not e["stillAlive"]]
        self.assertLessEqual(exit_["tNs"], joined[0]["tNs"], "joined before the child's exit")
        # A pool result -> what the program does after get() returned.
        each_after(ops("result"), ops("set", "# AFTER-RESULT"), "pool result -> the next operation")


if __name__ == "__main__":
    unittest.main()
