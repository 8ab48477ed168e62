"""Every IPC operation the tracer reports, under fork, spawn and forkserver, with stable ids."""
import unittest

from test.python.test_tracer import StartMethodTests, run_traced

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

def until_blocked(pid, held=0.05):
    # Until pid's main thread has slept in a futex (a semaphore) for `held` seconds on end: longer
    # than any wait for the GIL. Linux /proc; elsewhere it is given a moment instead.
    deadline, since = time.monotonic() + 30, None
    while time.monotonic() < deadline:
        try:
            with open("/proc/%d/wchan" % pid) as f:
                inside = "futex" in f.read()
        except OSError:
            time.sleep(0.2)
            return
        now = time.monotonic()
        since = (since or now) if inside else None
        if since is not None and now - since >= held:
            return
        time.sleep(0.005)

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
    until_blocked(p.pid)               # the child is waiting for the lock we hold
    lock.release()                     # LOCK-RELEASE
    ev.set()                           # EV-SET
    bar.wait()                         # MAIN-BAR-WAIT
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


class IpcTest(StartMethodTests, unittest.TestCase):
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
        released = ops(lock, "release", main)
        self.assertEqual([e["line"] for e in released], [L("# LOCK-RELEASE")])
        # It was blocked in acquire before the main process released, and got it only after.
        self.assertGreaterEqual(waited[0]["waitedMs"], 50)
        self.assertLess(waited[0]["tNs"] - waited[0]["waitedMs"] * 1e6, released[0]["tNs"])
        self.assertGreaterEqual(waited[0]["tNs"], released[0]["tNs"])

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
        # What threading.Barrier's code does inside it, on its Condition, is plumbing: at the lines
        # of the two wait() calls, the Barrier's waits are all there is.
        at_waits = [(e["id"], e["op"]) for e in r.of("channel.op") if e["line"] in (L("# BAR-WAIT"), L("# MAIN-BAR-WAIT"))]
        self.assertEqual(sorted(at_waits), [(bar, "wait"), (bar, "wait")])

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

    OTHER_PYTHON_METHODS = ("fork", "forkserver")


class QueueFailuresTest(unittest.TestCase):
    def test_full_and_empty_are_failed_ops_not_tracer_errors(self):
        r = run_traced("""
            import multiprocessing as mp, queue
            q = mp.Queue(1)                   # Q
            q.put_nowait("a")                 # PUT-OK
            try:
                q.put_nowait("b")             # PUT-FULL
            except queue.Full:
                print("full")
            print(q.get())                    # GET-OK
            try:
                q.get_nowait()                # GET-EMPTY
            except queue.Empty:
                print("empty")
            try:
                q.get(timeout=0.05)           # GET-TIMEOUT
            except queue.Empty:
                print("empty again")
        """)
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, "full\na\nempty\nempty again\n", ""))
        self.assertEqual(r.of("tracer.error"), [])
        L = r.line_of
        qid = r.of("channel.created", line=L("# Q"))[0]["id"]
        ops = sorted((e["line"], e["op"], e["ok"], (e["detail"] or {}).get("error")) for e in r.of("channel.op", id=qid))
        self.assertEqual(ops, sorted([
            (L("# PUT-OK"), "put", True, None), (L("# PUT-FULL"), "put", False, "Full"),
            (L("# GET-OK"), "get", True, None), (L("# GET-EMPTY"), "get", False, "Empty"),
            (L("# GET-TIMEOUT"), "get", False, "Empty")]))

    def test_joinable_queue_put(self):
        # JoinableQueue has its own put (it does not call Queue.put): every put is reported.
        for method in ("fork", "spawn"):
            with self.subTest(method=method):
                r = run_traced("""
                    import multiprocessing as mp, sys
                    def worker(q):
                        q.put("from child")           # CHILD-PUT
                    if __name__ == "__main__":
                        mp.set_start_method(sys.argv[1])
                        q = mp.JoinableQueue()        # JQ
                        q.put("one")                  # PUT
                        q.put_nowait("two")           # PUT-NOWAIT
                        p = mp.Process(target=worker, args=(q,)); p.start(); p.join()
                        got = sorted(q.get() for _ in range(3))
                        for _ in got: q.task_done()
                        q.join()
                        print(got)
                """, [method])
                self.assertEqual(r.returncode, 0, r.stderr)
                L = r.line_of
                qid = r.of("channel.created", line=L("# JQ"))[0]["id"]
                puts = r.of("channel.op", id=qid, op="put")
                self.assertEqual(sorted(e["line"] for e in puts), sorted([L("# PUT"), L("# PUT-NOWAIT"), L("# CHILD-PUT")]))
                gets = r.of("channel.op", id=qid, op="get")
                self.assertEqual(sorted(e["digest"] for e in puts), sorted(e["digest"] for e in gets))
                self.assertEqual(len(r.of("channel.op", id=qid, op="task_done")), 3)


class OrderingTest(unittest.TestCase):
    def test_lock_holders_never_overlap_and_pool_results_come_before_the_next_submit(self):
        r = run_traced("""
            import multiprocessing as mp
            def hold(lock, n):
                for _ in range(n):
                    with lock:
                        pass
                    lock.acquire(); lock.release()
            def square(x):
                return x * x
            if __name__ == "__main__":
                mp.set_start_method("fork")
                lock = mp.Lock()                  # LOCK
                ps = [mp.Process(target=hold, args=(lock, 300)) for _ in range(2)]
                for p in ps: p.start()
                hold(lock, 300)
                for p in ps: p.join()
                with mp.Pool(2) as pool:          # POOL
                    print(sum(pool.apply(square, (i,)) for i in range(100)))
        """)
        self.assertEqual(r.returncode, 0, r.stderr)
        L = r.line_of
        lock = r.of("channel.created", line=L("# LOCK"))[0]["id"]
        evs = sorted(r.of("channel.op", id=lock), key=lambda e: e["tNs"])
        self.assertEqual(len(evs), 3 * 300 * 4)
        holder = None
        for e in evs:
            if e["op"] == "acquire":
                self.assertIsNone(holder, "acquire by %d while %s holds the lock" % (e["pid"], holder))
                holder = e["pid"]
            else:
                self.assertEqual(holder, e["pid"])
                holder = None
        pool = r.of("channel.created", line=L("# POOL"))[0]["id"]
        seq = [(e["op"], e["detail"]["job"]) for e in sorted(r.of("channel.op", id=pool), key=lambda e: e["tNs"])
               if e["op"] in ("submit", "result")]
        self.assertEqual(len(seq), 200)
        for k in range(0, 200, 2):
            self.assertEqual((seq[k][0], seq[k + 1][0], seq[k][1]), ("submit", "result", seq[k + 1][1]), seq[k:k + 2])


class HelloTest(unittest.TestCase):
    def test_hello_and_running_name_the_role(self):
        text = """
            import multiprocessing as mp, sys
            def f(x):
                return x
            if __name__ == "__main__":
                mp.set_start_method(sys.argv[1])
                pool = mp.Pool(2)
                pool.map(f, range(4))
                pool.close(); pool.join()   # not terminate(): every worker gets as far as running
                with mp.Manager() as m:
                    m.dict()
                p = mp.Process(target=f, args=(1,), name="Plain"); p.start(); p.join()
        """
        for method in ("fork", "spawn", "forkserver"):
            with self.subTest(method=method):
                r = run_traced(text, [method])
                self.assertEqual(r.returncode, 0, r.stderr)
                created = {e["childPid"]: e for e in r.of("process.created")
                           if e["role"] in ("child", "manager", "pool-worker")}
                self.assertEqual(sorted(e["role"] for e in created.values()), ["child", "manager", "pool-worker", "pool-worker"])
                for pid, c in created.items():
                    # process.running always carries the final name and role.
                    self.assertEqual([(e["name"], e["role"]) for e in r.of("process.running", pid=pid)], [(c["name"], c["role"])])
                    hello = r.of("hello", pid=pid)
                    self.assertEqual(len(hello), 1)
                    if method == "fork":  # known at fork time
                        self.assertEqual((hello[0]["name"], hello[0]["role"]), (c["name"], c["role"]))
                    else:  # unpickled after the tracer starts: hello cannot know yet
                        self.assertEqual((hello[0]["name"], hello[0]["role"]), ("?", "child"))


if __name__ == "__main__":
    unittest.main()
