"""concurrent.futures.ProcessPoolExecutor reported as a pool: submit()/map() submissions, results
and done callbacks, with the program's lines; its own queues and pipes unreported; same output."""
import unittest

from test.python.test_tracer import StartMethodTests, run_plain, run_traced, write_script

EXECUTOR = """
import concurrent.futures as cf, multiprocessing as mp, sys

def square(x):
    return x * x

def add(a, b):
    return a + b

def boom(x):
    raise ValueError("bad %d" % x)

seen = []

def done(f):
    seen.append(("done", f.result()))

if __name__ == "__main__":
    ctx = mp.get_context(sys.argv[1])
    with cf.ProcessPoolExecutor(2, mp_context=ctx) as ex:      # EXECUTOR
        f = ex.submit(square, 3)                                # SUBMIT
        f.add_done_callback(done)                               # CALLBACK
        print(f.result())
        print(list(ex.map(square, [1, 2, 3, 4, 5], chunksize=2)))   # MAP
        print(list(ex.map(add, [1, 2], [10, 20])))              # MAP2
        g = ex.submit(boom, 7)                                  # BOOM
        try:
            g.result()
        except ValueError as e:
            print("caught", repr(e), type(e.__cause__).__name__)
        g.add_done_callback(lambda f: seen.append(("late", type(f.exception()).__name__)))  # LATE
        total = 0
        for i in range(20):
            total += ex.submit(square, i).result()              # LOOP
        print(total)
    print(sorted(seen))
    with cf.ThreadPoolExecutor(2) as tp:                        # THREADS
        print(tp.submit(square, 6).result())
"""


class ExecutorTest(StartMethodTests, unittest.TestCase):
    def check(self, method, python=None):
        script = write_script(EXECUTOR)
        plain = run_plain(script, [method], python=python)
        r = run_traced(script, [method], python=python)
        self.assertEqual((r.returncode, r.stdout, r.stderr), (plain.returncode, plain.stdout, plain.stderr))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines(), [
            "9", "[1, 4, 9, 16, 25]", "[11, 22]", "caught ValueError('bad 7') _RemoteTraceback", "2470",
            "[('done', 9), ('late', 'ValueError')]", "36"])
        self.assertEqual(r.of("tracer.error"), [])
        L = r.line_of
        main = r.of("hello", role="main")[0]["pid"]

        # One channel: the executor. Its call queue, result queue and wake-up pipe are plumbing.
        created = r.of("channel.created")
        self.assertEqual([(e["channel"], e["line"], e["detail"]) for e in created],
                         [("pool", L("# EXECUTOR"), {"processes": 2, "kind": "process-pool-executor"})])
        pool = created[0]["id"]
        self.assertEqual({e["id"] for e in r.of("channel.op")}, {pool})

        ops = sorted(r.of("channel.op", id=pool, pid=main), key=lambda e: e["tNs"])
        subs = [e for e in ops if e["op"] == "submit"]
        self.assertEqual([(e["detail"]["method"], e["line"], e["detail"]["tasks"], e["preview"]) for e in subs[:4]], [
            ("submit", L("# SUBMIT"), 1, "square(3,)"),
            ("map", L("# MAP"), 5, "square(1, 2, 3, 4)"),
            ("map", L("# MAP2"), 2, "add((1, 10), (2, 20))"),
            ("submit", L("# BOOM"), 1, "boom(7,)"),
        ])
        self.assertEqual([e["line"] for e in subs[4:]], [L("# LOOP")] * 20)
        jobs = [e["detail"]["job"] for e in subs]
        self.assertEqual(len(set(jobs)), len(jobs))

        def results(job):
            return [e for e in ops if e["op"] == "result" and e["detail"]["job"] == job]

        self.assertEqual([(e["preview"], e["ok"], e["line"]) for e in results(jobs[0])], [("9", True, L("# SUBMIT"))])
        self.assertEqual(sorted((e["detail"]["index"], e["preview"], e["line"]) for e in results(jobs[1])),
                         [(0, "[1, 4]", L("# MAP")), (1, "[9, 16]", L("# MAP")), (2, "[25]", L("# MAP"))])
        self.assertEqual(sorted(e["preview"] for e in results(jobs[2])), ["[11]", "[22]"])
        self.assertEqual([(e["preview"], e["ok"]) for e in results(jobs[3])], [("ValueError: bad 7", False)])
        callbacks = [(e["preview"], e["detail"]["job"], e["line"]) for e in ops if e["op"] == "callback"]
        self.assertEqual(sorted(callbacks), sorted([("done", jobs[0], L("# SUBMIT")), ("<lambda>", jobs[3], L("# BOOM"))]))
        # A result comes after its submit, and before what the program does once result() returns.
        for k, job in enumerate(jobs):
            for res in results(job):
                self.assertGreater(res["tNs"], subs[k]["tNs"])
        for k in range(4, len(subs) - 1):
            self.assertLess(results(jobs[k])[0]["tNs"], subs[k + 1]["tNs"])

        workers = [e for e in r.of("process.created", pid=main) if e["role"] == "pool-worker"]
        self.assertTrue(1 <= len(workers) <= 2, workers)



if __name__ == "__main__":
    unittest.main()
