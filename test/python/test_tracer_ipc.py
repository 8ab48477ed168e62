"""Every IPC operation the tracer reports, under fork, spawn and forkserver, with stable ids."""
import unittest

from test.python.test_tracer import python_versions, run_traced

IPC = """
import multiprocessing as mp, sys, time

def child(jq, sq, conn, lock, ev, sem, cond, bar):
    item = jq.get()                    # JQ-GET
    jq.task_done()                     # TASK-DONE
    sq.put(("simple", item))           # SQ-PUT
    conn.send_bytes(b"raw bytes")      # SEND-BYTES
    conn.send([1, 2, 3])
    conn.close()
    with lock:                         # LOCK-CHILD
        pass
    sem.acquire(); sem.release()
    ev.wait()                          # EV-WAIT
    with cond:
        cond.notify_all()
    bar.wait()                         # BAR-WAIT

def square(x):
    return x * x

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    jq = mp.JoinableQueue()            # JQ
    sq = mp.SimpleQueue()              # SQ
    a, b = mp.Pipe()                   # PIPE
    lock = mp.Lock()                   # LOCK
    ev = mp.Event()                    # EVENT
    sem = mp.BoundedSemaphore(1)       # SEM
    cond = mp.Condition()              # COND
    bar = mp.Barrier(2)                # BARRIER
    lock.acquire()                     # LOCK-MAIN
    p = mp.Process(target=child, args=(jq, sq, b, lock, ev, sem, cond, bar))
    p.start()
    b.close()
    jq.put({"job": 1})                 # JQ-PUT
    jq.join()                          # JQ-JOIN
    print(sq.get())                    # SQ-GET
    print(a.recv_bytes())              # RECV-BYTES
    print(a.recv())
    try:
        a.recv()                       # EOF
    except EOFError:
        print("eof")
    time.sleep(0.2)
    lock.release()                     # LOCK-RELEASE
    ev.set()                           # EV-SET
    bar.wait()
    p.join()
    with mp.Pool(2) as pool:           # POOL
        print(pool.map(square, [1, 2, 3]))          # MAP
        r = pool.apply_async(square, (4,), callback=print)   # APPLY
        r.wait()
    with mp.Manager() as m:
        mq = m.Queue()                 # MQ
        mq.put("via manager")          # MQ-PUT
        print(mq.get())                # MQ-GET
        d = m.dict()
        d["k"] = 1                     # MDICT
"""


class IpcTest(unittest.TestCase):
    def check(self, method, python=None):
        r = run_traced(IPC, [method], python=python)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines(), ["('simple', {'job': 1})", "b'raw bytes'", "[1, 2, 3]", "eof", "[1, 4, 9]", "16", "via manager"])
        self.assertEqual(r.of("tracer.error"), [])
        main = r.of("hello", role="main")[0]["pid"]
        child = [e for e in r.of("process.created", pid=main) if e["target"] == "child"][0]["childPid"]
        L = r.line_of

        def created(marker, kind):
            evs = [e for e in r.of("channel.created", pid=main) if e["line"] == L(marker)]
            self.assertEqual([e["channel"] for e in evs], [kind], marker)
            return evs[0]

        def ops(cid, op, pid=None):
            return [e for e in r.of("channel.op", id=cid, op=op) if pid is None or e["pid"] == pid]

        jq = created("# JQ", "joinable-queue")["id"]
        put, get = ops(jq, "put", main), ops(jq, "get", child)
        self.assertEqual((len(put), len(get)), (1, 1))
        self.assertEqual(put[0]["digest"], get[0]["digest"])
        self.assertEqual((put[0]["line"], get[0]["line"]), (L("# JQ-PUT"), L("# JQ-GET")))
        self.assertEqual([e["line"] for e in ops(jq, "task_done", child)], [L("# TASK-DONE")])
        self.assertEqual([e["line"] for e in ops(jq, "join", main)], [L("# JQ-JOIN")])

        sq = created("# SQ", "simple-queue")["id"]
        self.assertEqual(ops(sq, "put", child)[0]["digest"], ops(sq, "get", main)[0]["digest"])

        pipe = created("# PIPE", "pipe")
        end0, end1 = pipe["detail"]["end0"], pipe["detail"]["end1"]
        sb = ops(end1, "send_bytes", child)
        rb = ops(end0, "recv_bytes", main)
        self.assertEqual((sb[0]["digest"], sb[0]["line"]), (rb[0]["digest"], L("# SEND-BYTES")))
        self.assertEqual(ops(end1, "send", child)[0]["digest"], ops(end0, "recv", main)[0]["digest"])
        self.assertTrue(ops(end1, "close", child))
        eof = ops(end0, "eof", main)
        self.assertEqual([(e["line"], e["ok"]) for e in eof], [(L("# EOF"), False)])

        lock = created("# LOCK", "lock")["id"]
        waited = [e for e in ops(lock, "acquire", child) if e["line"] == L("# LOCK-CHILD")]
        self.assertEqual(len(waited), 1)
        self.assertGreater(waited[0]["waitedMs"], 100)  # it waited for the main process's release
        self.assertEqual([e["line"] for e in ops(lock, "release", main)], [L("# LOCK-RELEASE")])

        evid = created("# EVENT", "event")["id"]
        self.assertEqual([e["line"] for e in ops(evid, "set", main)], [L("# EV-SET")])
        self.assertEqual([(e["line"], e["ok"]) for e in ops(evid, "wait", child)], [(L("# EV-WAIT"), True)])

        sem = created("# SEM", "bounded-semaphore")["id"]
        self.assertEqual((len(ops(sem, "acquire", child)), len(ops(sem, "release", child))), (1, 1))
        cond = created("# COND", "condition")["id"]
        self.assertEqual(len(ops(cond, "notify_all", child)), 1)
        bar = created("# BARRIER", "barrier")["id"]
        self.assertEqual(len(ops(bar, "wait")), 2)
        self.assertEqual({e["pid"] for e in ops(bar, "wait")}, {main, child})

        pool = created("# POOL", "pool")["id"]
        subs = ops(pool, "submit", main)
        self.assertEqual([(e["detail"]["method"], e["line"]) for e in subs], [("map", L("# MAP")), ("apply_async", L("# APPLY"))])
        results = ops(pool, "result", main)
        self.assertIn("16", [e["preview"] for e in results])
        self.assertEqual(len(ops(pool, "callback", main)), 1)
        workers = [e for e in r.of("process.created", pid=main) if e["role"] == "pool-worker"]
        self.assertEqual(len(workers), 2)
        self.assertEqual(len([e for e in r.of("process.created", pid=main) if e["role"] == "manager"]), 1)

        mq = created("# MQ", "proxy")
        self.assertEqual(mq["detail"]["referent"], "Queue")
        mput, mget = ops(mq["id"], "put", main), ops(mq["id"], "get", main)
        self.assertEqual((mput[0]["line"], mget[0]["line"]), (L("# MQ-PUT"), L("# MQ-GET")))
        self.assertEqual(mput[0]["digest"], mget[0]["digest"])
        calls = [e for e in r.of("channel.op", op="call") if e["line"] == L("# MDICT")]
        self.assertEqual([e["detail"]["method"] for e in calls], ["__setitem__"])

    def test_fork(self):
        self.check("fork")

    def test_spawn(self):
        self.check("spawn")

    def test_forkserver(self):
        self.check("forkserver")

    def test_other_python_versions(self):
        versions = python_versions()
        if not versions:
            self.skipTest("no other Python versions installed")
        for exe in versions:
            for method in ("fork", "forkserver"):
                with self.subTest(python=exe, method=method):
                    self.check(method, python=exe)


if __name__ == "__main__":
    unittest.main()
