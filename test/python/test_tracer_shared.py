"""multiprocessing.Value and Array: created as channels, the program's use of their lock reported
on the value's id in every process (fork, spawn, forkserver), their own locking for `.value` and
`arr[i]` not reported; output, tracebacks and exit code unchanged."""
import collections
import unittest

from test.python.test_tracer import StartMethodTests, python_versions, run_plain, run_traced, write_script

SHARED = """
import multiprocessing as mp, sys, ctypes

def work(v, arr, n):
    for _ in range(n):
        with v.get_lock():                        # CHILD-LOCK
            v.value += 1
    with arr.get_lock():                          # ARR-LOCK
        arr[1] += 1
    arr[2] = arr[2] + v.value * 0

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    v = mp.Value('i', 0)                          # VALUE
    arr = mp.Array('d', [0.0, 0.5, 1.5])          # ARRAY
    lock = mp.Lock()                              # USER-LOCK
    w = mp.Value(ctypes.c_double, 5, lock=lock)   # VALUE-USER-LOCK
    raw = mp.Value('i', 1, lock=False)            # RAW
    big = mp.Array('i', 100)                      # BIG
    s = mp.Array('c', b"hello")                   # STRING
    ps = [mp.Process(target=work, args=(v, arr, 50)) for _ in range(2)]
    for p in ps: p.start()
    for p in ps: p.join()
    with v:                                       # WITH-V
        v.value += 1
    v.get_lock().acquire()                        # ACQUIRE
    v.get_lock().release()                        # RELEASE
    with w.get_lock():                            # W-LOCK
        w.get_obj().value += 1
    big[3:5] = [7, 8]
    print(v.value, arr[:], w.value, raw.value, sum(big[:]), s.value, len(arr), v, flush=True)
    print(arr[7])                                 # INDEX-ERROR
"""

EXPECTED_OUT = "101 [0.0, 2.5, 1.5] 6.0 1 15 b'hello' 3 <Synchronized wrapper for c_int(101)>\n"


class SharedTest(StartMethodTests, unittest.TestCase):
    def check(self, method, python=None):
        script = write_script(SHARED)
        plain = run_plain(script, [method], python=python)
        r = run_traced(script, [method], python=python)
        self.assertEqual((r.returncode, r.stdout, r.stderr.replace(script, "S")),
                         (plain.returncode, plain.stdout, plain.stderr.replace(script, "S")))
        self.assertEqual((r.returncode, r.stdout), (1, EXPECTED_OUT), r.stderr)
        self.assertIn("IndexError: invalid index", r.stderr)
        self.assertEqual(r.of("tracer.error"), [])
        L = r.line_of
        main = r.of("hello", role="main")[0]["pid"]
        children = {e["childPid"] for e in r.of("process.created", pid=main) if e["target"] == "work"}
        self.assertEqual(len(children), 2)

        created = {e["line"]: e for e in r.of("channel.created")}
        self.assertEqual({line: (e["channel"], e["pid"]) for line, e in created.items()}, {
            L("# VALUE"): ("value", main), L("# ARRAY"): ("array", main), L("# USER-LOCK"): ("lock", main),
            L("# VALUE-USER-LOCK"): ("value", main), L("# RAW"): ("value", main), L("# BIG"): ("array", main),
            L("# STRING"): ("array", main)})  # and no channel for the RLock each Value/Array made itself
        detail = {line: e["detail"] for line, e in created.items()}
        lock = created[L("# USER-LOCK")]["id"]
        self.assertEqual(detail[L("# VALUE")], {"type": "c_int", "initial": "0"})
        self.assertEqual(detail[L("# ARRAY")], {"type": "c_double", "length": 3, "initial": "[0.0, 0.5, 1.5]"})
        self.assertEqual(detail[L("# VALUE-USER-LOCK")], {"type": "c_double", "initial": "5.0", "lock": lock})
        self.assertEqual(detail[L("# RAW")], {"type": "c_int", "initial": "1", "lock": False})
        self.assertEqual(detail[L("# BIG")], {"type": "c_int", "length": 100, "initial": "[0, 0, 0, 0, 0, 0, 0, 0, …]"})
        self.assertEqual(detail[L("# STRING")], {"type": "c_char", "length": 5, "initial": "b'hello'"})

        # Every operation: the program's use of a lock, on the value's id (the same id in the
        # children as in the parent), or on its own lock's; nothing for .value, arr[i], big[3:5].
        v, arr = created[L("# VALUE")]["id"], created[L("# ARRAY")]["id"]
        # The release of a `with` block: 3.9 gives the line of the block's last statement.
        body = {L(m) + 1: L(m) for m in ("# CHILD-LOCK", "# ARR-LOCK", "# WITH-V", "# W-LOCK")}

        def line(e):
            return body.get(e["line"], e["line"]) if e["op"] == "release" else e["line"]

        ops = collections.Counter((e["id"], e["op"], line(e), e["pid"] if e["pid"] == main else "child")
                                  for e in r.of("channel.op"))
        self.assertEqual(ops, {
            (v, "acquire", L("# CHILD-LOCK"), "child"): 100, (v, "release", L("# CHILD-LOCK"), "child"): 100,
            (v, "acquire", L("# WITH-V"), main): 1, (v, "release", L("# WITH-V"), main): 1,
            (v, "acquire", L("# ACQUIRE"), main): 1, (v, "release", L("# RELEASE"), main): 1,
            (arr, "acquire", L("# ARR-LOCK"), "child"): 2, (arr, "release", L("# ARR-LOCK"), "child"): 2,
            (lock, "acquire", L("# W-LOCK"), main): 1, (lock, "release", L("# W-LOCK"), main): 1,
        })
        self.assertEqual({e["pid"] for e in r.of("channel.op", id=v, op="acquire", line=L("# CHILD-LOCK"))}, children)
        # Two holders never overlap.
        holder = None
        for e in sorted(r.of("channel.op", id=v), key=lambda e: (e["tNs"], e["op"] == "acquire")):
            if e["op"] == "acquire":
                self.assertIsNone(holder, e)
                holder = e["pid"]
            else:
                self.assertEqual(holder, e["pid"], e)
                holder = None

    def test_errors_come_out_unchanged(self):
        # An error raised inside sharedctypes through the wrappers: the same traceback (3.11+ also
        # when the program prints it itself; on every version when it is uncaught).
        text = """
            import multiprocessing as mp, sys, traceback
            try:
                mp.Array('i', ['x'])
            except TypeError:
                if sys.version_info >= (3, 11):
                    traceback.print_exc()
            mp.Value('z', 0)
        """
        for python in [None] + python_versions():
            with self.subTest(python=python):
                script = write_script(text)
                plain = run_plain(script, python=python)
                r = run_traced(script, python=python)
                self.assertEqual((r.returncode, r.stdout, r.stderr.replace(script, "S")),
                                 (plain.returncode, plain.stdout, plain.stderr.replace(script, "S")))
                self.assertEqual(r.returncode, 1)
                self.assertIn("TypeError", r.stderr)



if __name__ == "__main__":
    unittest.main()
