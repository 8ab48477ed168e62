"""process.exit of a process that ends by SystemExit: how and exit code, in the main process and
in multiprocessing children, on every installed Python; output and exit code unchanged."""
import sys
import unittest

from test.python.test_tracer import python_versions, run_plain, run_traced, write_script

# (name, program, exit code, code seen by 3.9-3.11 too) — the last is False where only 3.12+
# (sys.monitoring) can see the code: a SystemExit built by an expression or raised in a function.
MAIN_CASES = [
    ("raise int", "print('a')\nraise SystemExit(3)\n", 3, True),
    ("raise str", "raise SystemExit('bye now')\n", 1, True),
    ("raise bare", "raise SystemExit\n", 0, True),
    ("raise None", "raise SystemExit(None)\n", 0, True),
    ("raise name", "CODE = 11\nraise SystemExit(CODE)\n", 11, True),
    ("raise instance", "e = SystemExit(5)\nraise e\n", 5, True),
    ("exit()", "exit(4)\n", 4, True),
    ("quit(str)", "quit('quitting')\n", 1, True),
    ("sys.exit", "import sys\nsys.exit(6)\n", 6, True),
    ("sys.exit in with", "import sys, contextlib\nwith contextlib.suppress(KeyError):\n    sys.exit(12)\n", 12, True),
    ("caught, then raise", "import sys\ntry:\n    sys.exit(3)\nexcept SystemExit:\n    pass\nraise SystemExit(8)\n", 8, True),
    ("in a function", "def main():\n    raise SystemExit(7)\nmain()\n", 7, False),
    ("expression", "def main():\n    return 9\nraise SystemExit(main())\n", 9, False),
    ("through finally", "try:\n    raise SystemExit(13)\nfinally:\n    print('f')\n", 13, False),
]

# Not a SystemExit that ends the process: the program returns normally.
RETURN_CASES = [
    ("sys.exit caught", "import sys\ntry:\n    sys.exit(3)\nexcept SystemExit:\n    print('caught')\n"),
    ("exit() caught", "try:\n    exit(3)\nexcept SystemExit as e:\n    print('caught', e.code)\n"),
    ("sys.exit in a thread", "import sys, threading\nt = threading.Thread(target=sys.exit, args=(4,))\nt.start(); t.join()\nprint('ok')\n"),
]

CHILDREN = """
import multiprocessing as mp, sys

def target(code):
    raise SystemExit(code)

def by_sys_exit(code):
    sys.exit(code)

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    for fn, code in ((target, 7), (target, "child message"), (target, None), (by_sys_exit, 5)):
        p = mp.Process(target=fn, args=(code,), name="C-%s" % (code,))
        p.start()
        p.join()
        print(p.name, p.exitcode, flush=True)
    raise SystemExit(2)
"""

# A child that leaves a grandchild running: multiprocessing joins it as the child exits (3.9-3.12
# inside _bootstrap; 3.13+ after it, in the child's atexit functions).
GRANDCHILD = """
import multiprocessing as mp, sys, time

def grandchild():
    time.sleep(0.3)

def child():
    mp.Process(target=grandchild, name="G").start()
    print("child done", flush=True)

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    p = mp.Process(target=child, name="C")
    p.start()
    p.join()
    print("joined", p.exitcode, flush=True)
"""


def interpreters():
    return [sys.executable] + python_versions()


def version_of(python):
    import subprocess
    out = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                         capture_output=True, text=True).stdout
    return tuple(int(x) for x in out.split("."))


class SystemExitTest(unittest.TestCase):
    def same(self, text, args=(), python=None):
        script = write_script(text)
        plain = run_plain(script, args, python=python)
        traced = run_traced(script, args, python=python)
        self.assertEqual(traced.stdout, plain.stdout)
        self.assertEqual(traced.stderr.replace(script, "S"), plain.stderr.replace(script, "S"))
        self.assertEqual(traced.returncode, plain.returncode)
        self.assertEqual(traced.of("tracer.error"), [])
        return traced

    def test_main_process(self):
        for python in interpreters():
            exact = version_of(python) >= (3, 12)
            for name, text, code, old_too in MAIN_CASES:
                with self.subTest(python=python, case=name):
                    t = self.same(text, python=python)
                    self.assertEqual(t.returncode, code)
                    exits = [(e["how"], e["exitCode"]) for e in t.of("process.exit")]
                    if exact or old_too:
                        self.assertEqual(exits, [("sys.exit", code)])
                    else:  # 3.9-3.11: known to be a SystemExit, its code is not (docs/protocol.md)
                        self.assertEqual(exits, [("sys.exit", None)])
            for name, text in RETURN_CASES:
                with self.subTest(python=python, case=name):
                    t = self.same(text, python=python)
                    self.assertEqual([(e["how"], e["exitCode"]) for e in t.of("process.exit")], [("return", 0)])

    def test_the_program_can_take_our_monitoring_tool_id(self):
        text = "import sys\nsys.monitoring.use_tool_id(4, 'mine')\nprint(sys.monitoring.get_tool(4))\nsys.exit(3)\n"
        for python in interpreters():
            if version_of(python) < (3, 12):
                continue
            with self.subTest(python=python):
                t = self.same(text, python=python)
                self.assertEqual((t.returncode, t.stdout), (3, "mine\n"))
                # What sys.exit recorded still holds.
                self.assertEqual([(e["how"], e["exitCode"]) for e in t.of("process.exit")], [("sys.exit", 3)])

    def test_uncaught_exception_is_still_an_exception(self):
        for python in interpreters():
            with self.subTest(python=python):
                t = self.same("def f():\n    raise KeyError('k')\nf()\n", python=python)
                self.assertEqual([(e["how"], e["exitCode"], e["error"]) for e in t.of("process.exit")],
                                 [("exception", 1, "KeyError: 'k'")])

    def test_children(self):
        for python in interpreters():
            for method in ("fork", "spawn"):
                with self.subTest(python=python, method=method):
                    t = self.same(CHILDREN, [method], python=python)
                    self.assertEqual(t.returncode, 2)
                    self.assertEqual(t.stdout.splitlines(), ["C-7 7", "C-child message 1", "C-None 0", "C-5 5"])
                    created = {e["name"]: e["childPid"] for e in t.of("process.created") if e["role"] == "child"}
                    got = {name: [(e["how"], e["exitCode"]) for e in t.of("process.exit", pid=pid)] for name, pid in created.items()}
                    self.assertEqual(got, {"C-7": [("sys.exit", 7)], "C-child message": [("sys.exit", 1)],
                                           "C-None": [("sys.exit", 0)], "C-5": [("sys.exit", 5)]})
                    main = t.of("hello", role="main")[0]["pid"]
                    self.assertEqual([(e["how"], e["exitCode"]) for e in t.of("process.exit", pid=main)], [("sys.exit", 2)])

    def test_a_child_exits_after_what_multiprocessing_does_at_its_exit(self):
        # Its process.exit is stamped as it dies: after it joined the grandchild it left running,
        # never before (3.13 fork children used to report their exit first, "exited" while alive).
        for python in interpreters():
            for method in ("fork", "spawn", "forkserver"):
                with self.subTest(python=python, method=method):
                    t = self.same(GRANDCHILD, [method], python=python)
                    self.assertEqual(t.stdout.splitlines(), ["child done", "joined 0"])
                    child = [e for e in t.of("process.created") if e["name"] == "C"][0]["childPid"]
                    grand = [e for e in t.of("process.created") if e["name"] == "G"][0]["childPid"]
                    (exit_,) = t.of("process.exit", pid=child)
                    self.assertEqual((exit_["how"], exit_["exitCode"]), ("return", 0))
                    (joined,) = t.of("process.joined", pid=child, childPid=grand)
                    (grand_exit,) = t.of("process.exit", pid=grand)
                    self.assertGreater(exit_["tNs"], joined["tNs"])
                    self.assertGreater(exit_["tNs"], grand_exit["tNs"])


if __name__ == "__main__":
    unittest.main()
