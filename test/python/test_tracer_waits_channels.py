"""Waits in progress on channels (docs/protocol.md, "Waits in progress"; issue 18): every blocking
call a multiprocessing program can get stuck in reports its wait once it lasts, with what it waits
on (the channel's id), from which line, its timeout, stamped when it began, and ends it; a call
that does not block reports nothing; the program's output is what it is without the tracer.

Deterministic on any load: each wait is released by a helper thread only once the tracer has
reported it (the helper reads the tracer's wait slots, bounded), and the exit flush's child tells
its parent the same way before the parent reads the queue.
"""
import unittest

from test.python.test_tracer import StartMethodTests, run_plain, run_traced

PROGRAM = """
import multiprocessing as mp, sys, threading, time
try:
    from processview_tracer import _core
except ImportError:  # the plain run: nothing reports, a moment's wait will do
    _core = None

def reported(op, tid):
    if _core is None:
        time.sleep(0.05)
        return True
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        slot = _core.waits.get(tid)
        if slot is not None and slot[0] == op and slot[7]:
            return True
        time.sleep(0.005)
    return False

def when_reported(op, then):
    main = threading.main_thread().ident
    threading.Thread(target=lambda: (reported(op, main), then()), daemon=True).start()

def notify(cond):
    with cond:
        cond.notify()

_ev = None

def init(ev):
    global _ev
    _ev = ev

def task():
    _ev.wait()
    return 5

def flusher(q, told):
    main = threading.main_thread().ident
    threading.Thread(target=lambda: (reported("flush", main), told.set()), daemon=True).start()
    q.put(b"x" * 1_000_000)                          # BIG-PUT
    print("child done", flush=True)

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    q = mp.Queue()                                   # Q
    when_reported("get", lambda: q.put(1))
    print(q.get())                                   # GET
    b = mp.Queue(maxsize=1)                          # B
    b.put(0)
    when_reported("put", b.get)
    b.put(2, timeout=60)                             # PUT
    a, c = mp.Pipe()                                 # PIPE
    when_reported("recv", lambda: c.send(3))
    print(a.recv())                                  # RECV
    lk = mp.Lock()                                   # LOCK
    lk.acquire()
    when_reported("acquire", lk.release)
    lk.acquire()                                     # ACQUIRE
    lk.release()
    lk.acquire()                                     # NOWAIT
    when_reported("acquire", lk.release)
    with lk:                                         # WITH
        pass
    ev = mp.Event()                                  # EVENT
    when_reported("wait", ev.set)
    print(ev.wait())                                 # EV-WAIT
    cond = mp.Condition()                            # COND
    with cond:
        when_reported("wait", lambda: notify(cond))
        print(cond.wait(60))                         # COND-WAIT
    bar = mp.Barrier(2)                              # BARRIER
    when_reported("wait", bar.wait)
    bar.wait()                                       # BAR-WAIT
    jq = mp.JoinableQueue()                          # JQ
    jq.put(1)
    jq.get()
    when_reported("join", jq.task_done)
    jq.join()                                        # JQ-JOIN
    go, more = mp.Event(), mp.Event()
    pool = mp.Pool(1, initializer=init, initargs=(go,))   # POOL
    when_reported("result", go.set)
    print(pool.apply_async(task).get(60))            # POOL-GET
    go.clear()
    pool.apply_async(task)
    pool.close()
    when_reported("join", go.set)
    pool.join()                                      # POOL-JOIN
    fq = mp.Queue()                                  # FQ
    told = mp.Event()
    p = mp.Process(target=flusher, args=(fq, told))
    p.start()                                        # START
    told.wait(60)
    print(len(fq.get()))
    p.join()
    print("end")
"""


class ChannelWaitsTest(StartMethodTests, unittest.TestCase):
    OTHER_PYTHON_METHODS = ("spawn",)

    def check(self, method, python=None):
        r = run_traced(PROGRAM, [method], python=python, timeout=180)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.of("tracer.error"), [])
        plain = run_plain(r.script, [method], python=python, timeout=180)
        self.assertEqual(r.stdout, plain.stdout, "the program's output is unchanged")
        main = r.of("hello", role="main")[0]["pid"]
        L = r.line_of
        created = {e["line"]: e["id"] for e in r.of("channel.created")}
        pipe = created[L("# PIPE")]
        begins = r.of("wait.begin", pid=main)

        def one(marker, op, channel, timeout=None):
            got = [b for b in begins if b["line"] == L(marker)]
            self.assertEqual(len(got), 1, "%s: %r" % (marker, got))
            (w,) = got
            self.assertEqual((w["op"], w["id"], w["timeout"]), (op, channel, timeout), marker)
            # Ended: a later event of the same thread (its own, or a wait.end).
            after = [e for e in r.receiver.events if e["pid"] == main and e.get("tid") == w["tid"] and e["tNs"] >= w["tNs"]
                     and e is not w and e["kind"] != "wait.begin"]
            self.assertTrue(after, "%s: never ended" % marker)
            return w

        one("# GET", "get", created[L("# Q")])
        put = one("# PUT", "put", created[L("# B")], 60)
        (op,) = [e for e in r.of("channel.op", pid=main, op="put") if e["line"] == L("# PUT")]
        self.assertEqual(op["tNs"], put["tNs"], "the put is stamped when its wait began")
        self.assertEqual(one("# RECV", "recv", pipe + ":0")["id"], pipe + ":0")
        one("# ACQUIRE", "acquire", created[L("# LOCK")])
        one("# WITH", "acquire", created[L("# LOCK")])
        self.assertEqual([b for b in begins if b["line"] == L("# NOWAIT")], [])
        one("# EV-WAIT", "wait", created[L("# EVENT")])
        one("# COND-WAIT", "wait", created[L("# COND")], 60)
        one("# BAR-WAIT", "wait", created[L("# BARRIER")])
        one("# JQ-JOIN", "join", created[L("# JQ")])
        one("# POOL-GET", "result", created[L("# POOL")], 60)
        one("# POOL-JOIN", "join", created[L("# POOL")])
        # (Under load, other calls may wait past 20 ms too, e.g. a put while the feeder starts, or
        # the flush at exit: not asserted absent. The uncontended acquire above never waits.)

        # The child's flush at exit: on the queue, no line, before its own exit and before its
        # parent reaped it (also on 3.13+, which runs the finalizers after _bootstrap).
        child = r.of("process.created", pid=main, line=L("# START"))[0]["childPid"]
        (flush,) = r.of("wait.begin", pid=child, op="flush")
        self.assertEqual((flush["id"], flush["line"]), (created[L("# FQ")], None))
        (joined,) = r.of("process.joined", pid=main, childPid=child)
        self.assertLess(flush["tNs"], joined["tNs"])
        (child_exit,) = r.of("process.exit", pid=child)
        (flush_end,) = r.of("wait.end", pid=child, op="flush")  # reported, once
        self.assertLess(flush_end["tNs"], child_exit["tNs"])
