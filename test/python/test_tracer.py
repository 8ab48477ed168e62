"""The tracer end to end, without Node: real Python processes under the real supervisor, events
received by a small receiver written here (it checks the token and decodes the marshal frames).

Shared helpers for test_tracer_*.py live here too.
"""
import json
import multiprocessing
import marshal
import os
import re
import socket
import struct
import signal
import subprocess
import sys
import shutil
import tempfile
import textwrap
import threading
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TRACER = os.path.join(ROOT, "tracer")
SUPERVISOR = os.path.join(TRACER, "supervisor.py")
sys.path.insert(0, TRACER)
from processview_tracer import _protocol  # noqa: E402

PYENV = "/root/.pyenv/versions"


def python_versions():
    """Interpreters to test with besides the current one (3.9 and 3.13 when installed). None when
    PV_TEST_PYTHON_MATRIX is set: npm test then runs these modules on every installed Python."""
    if os.environ.get("PV_TEST_PYTHON_MATRIX"):
        return []
    found = []
    for v in ("3.9", "3.13"):
        if os.path.isdir(PYENV):
            for d in sorted(os.listdir(PYENV)):
                if d.startswith(v + "."):
                    exe = os.path.join(PYENV, d, "bin", "python3")
                    if os.path.exists(exe):
                        found.append(exe)
                        break
    return found


def on_other_pythons(case, check, methods=(None,)):
    """check(exe, method) on each of python_versions() and each method, each a subTest of `case`;
    the test is skipped when there is no other Python."""
    versions = python_versions()
    if not versions:
        case.skipTest("no other Python to start (none installed, or PV_TEST_PYTHON_MATRIX)")
    for exe in versions:
        for method in methods:
            with case.subTest(python=exe, **({} if method is None else {"method": method})):
                check(exe, method)


class StartMethodTests:
    """Mixin for a TestCase with `check(method, python=None)`: runs it under fork, spawn and
    forkserver, and under OTHER_PYTHON_METHODS on each of python_versions()."""

    OTHER_PYTHON_METHODS = ("fork", "spawn")

    def test_fork(self):
        self.check("fork")

    def test_spawn(self):
        self.check("spawn")

    def test_forkserver(self):
        self.check("forkserver")

    def test_other_python_versions(self):
        on_other_pythons(self, lambda exe, method: self.check(method, python=exe), self.OTHER_PYTHON_METHODS)


class Receiver:
    """Accepts tracer connections; keeps decoded events as dicts; counts refused connections; notes
    every event the real receiver would reject for its kind or a value outside the protocol's lists."""

    def __init__(self, token="t0ken-for-tests"):
        self.token = token
        self.events = []
        self.invalid = []
        self.refused = 0
        self.open = 0
        self.lock = threading.Lock()
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        try:
            self.server.close()
        except OSError:
            pass

    def _accept(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with self.lock:
                self.open += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        f = conn.makefile("rb")
        try:
            hs = json.loads(f.readline() or b"{}")
            if hs.get("token") != self.token:
                with self.lock:
                    self.refused += 1
                return
            pid, enc = hs["pid"], hs.get("enc", "jsonl")
            if hs.get("ack"):
                conn.sendall(b"ok\n")  # accepted: as the real receiver answers (docs/protocol.md)
            while True:
                if enc == "marshal":
                    head = f.read(4)
                    if len(head) < 4:
                        return
                    ppid, evs = marshal.loads(f.read(struct.unpack(">I", head)[0]))
                else:
                    line = f.readline()
                    if not line:
                        return
                    batch = json.loads(line)
                    ppid, evs = batch["ppid"], batch["ev"]
                with self.lock:
                    self.events.extend(_protocol.as_dict(e, pid, ppid) for e in evs)
                    self.invalid.extend(p for e in evs for p in _protocol.problems(e))
        except (OSError, ValueError, EOFError):
            return
        finally:
            conn.close()
            with self.lock:
                self.open -= 1

    def wait_idle(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.open == 0:
                    return True
            time.sleep(0.02)
        return False

    def of(self, kind, **match):
        with self.lock:
            return [e for e in self.events if e["kind"] == kind and all(e.get(k) == v for k, v in match.items())]


class Run:
    def __init__(self, proc, receiver, script):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.receiver = receiver
        self.script = script
        self.of = receiver.of

    def line_of(self, marker):
        """1-based line of the first source line ending with the marker comment."""
        with open(self.script) as f:
            for i, line in enumerate(f, 1):
                if line.rstrip().endswith(marker):
                    return i
        raise AssertionError("marker %r not in script" % marker)


def write_script(text, directory=None):
    d = directory or tempfile.mkdtemp(prefix="pv-test-")
    path = os.path.join(d, "prog.py")
    with open(path, "w") as f:
        f.write(textwrap.dedent(text))
    return path


def tracer_env(receiver, extra=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = TRACER + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PROCESS_VIEW_PORT"] = str(receiver.port)
    env["PROCESS_VIEW_TOKEN"] = receiver.token
    env.pop("PYTHONWARNINGS", None)
    for k, v in (extra or {}).items():
        if v is None:
            env.pop(k, None)  # None: the variable is not set at all
        else:
            env[k] = v
    return env


def run_traced(text_or_path, args=(), python=None, timeout=90, env=None, stdin=None):
    """Run a script under the supervisor with the tracer; returns a Run once every connection ended."""
    script = text_or_path if os.path.exists(text_or_path) else write_script(text_or_path)
    receiver = Receiver()
    try:
        proc = subprocess.run([python or sys.executable, "-I", SUPERVISOR, "--", script, *args],
                              env=tracer_env(receiver, env), capture_output=True, text=True, timeout=timeout,
                              input=stdin)
        receiver.wait_idle()
    finally:
        receiver.close()
    if receiver.invalid:
        raise AssertionError("the tracer sent what the receiver rejects: %s" % receiver.invalid[:5])
    return Run(proc, receiver, script)


def run_plain(script, args=(), python=None, timeout=90, stdin=None):
    env = dict(os.environ)
    env.pop("PYTHONWARNINGS", None)
    return subprocess.run([python or sys.executable, script, *args], env=env, capture_output=True, text=True,
                          timeout=timeout, input=stdin)


LIFECYCLE = """
import multiprocessing as mp, os, sys, time

def ok(q):
    q.put(("hello", os.getpid()))

def boom():
    raise ValueError("bad")

def hard_exit():
    os._exit(7)

def sleeper():
    time.sleep(60)

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    q = mp.Queue()                                        # QUEUE
    p = mp.Process(target=ok, args=(q,), name="Ok")
    p.start()                                             # START-OK
    print(q.get())                                        # GET
    p.join()                                              # JOIN-OK
    b = mp.Process(target=boom, name="Boom", daemon=True)
    b.start()
    b.join()
    h = mp.Process(target=hard_exit, name="Hard")
    h.start()
    h.join()
    s = mp.Process(target=sleeper, name="Sleepy")
    s.start()
    s.terminate()                                         # TERMINATE
    s.join()
    k = mp.Process(target=sleeper, name="Killed")
    k.start()
    k.kill()                                              # KILL
    k.join()
    print("codes", p.exitcode, b.exitcode, h.exitcode, s.exitcode, k.exitcode)
"""


class LifecycleTest(unittest.TestCase):
    def check_method(self, method, python=None):
        r = run_traced(LIFECYCLE, [method], python=python)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("codes 0 1 7 -15 -9", r.stdout)
        main = r.of("hello", role="main")
        self.assertEqual(len(main), 1, r.of("hello"))
        main_pid = main[0]["pid"]
        created = {e["name"]: e for e in r.of("process.created", pid=main_pid) if e["role"] == "child"}
        self.assertEqual(set(created), {"Ok", "Boom", "Hard", "Sleepy", "Killed"})
        ok = created["Ok"]
        self.assertEqual(ok["startMethod"], method)
        self.assertEqual(ok["target"], "ok")
        self.assertEqual((ok["file"], ok["line"]), (r.script, r.line_of("# START-OK")))
        self.assertTrue(created["Boom"]["daemon"])
        # Every child that was not killed at once said hello and ran, under its own pid.
        for name, ev in created.items():
            if name in ("Sleepy", "Killed"):
                continue
            running = r.of("process.running", pid=ev["childPid"])
            self.assertEqual([x["name"] for x in running], [name], "running event of %s" % name)
        exits = {n: r.of("process.exit", pid=created[n]["childPid"]) for n in ("Ok", "Boom", "Hard")}
        self.assertEqual([(e["how"], e["exitCode"]) for e in exits["Ok"]], [("return", 0)])
        self.assertEqual([(e["how"], e["exitCode"]) for e in exits["Boom"]], [("exception", 1)])
        self.assertIn("ValueError: bad", exits["Boom"][0]["error"])
        self.assertEqual([(e["how"], e["exitCode"]) for e in exits["Hard"]], [("os._exit", 7)])
        # Joins, with the exit code multiprocessing saw.
        joined = {e["childPid"]: e for e in r.of("process.joined", pid=main_pid) if not e["stillAlive"]}
        self.assertEqual(joined[ok["childPid"]]["exitCode"], 0)
        self.assertEqual(joined[ok["childPid"]]["line"], r.line_of("# JOIN-OK"))
        self.assertEqual(joined[created["Killed"]["childPid"]]["exitCode"], -9)
        # terminate() and kill() with their signals and lines.
        sig = {e["targetPid"]: e for e in r.of("process.signal", pid=main_pid)}
        self.assertEqual((sig[created["Sleepy"]["childPid"]]["signal"], sig[created["Sleepy"]["childPid"]]["via"]), ("SIGTERM", "terminate"))
        self.assertEqual(sig[created["Sleepy"]["childPid"]]["line"], r.line_of("# TERMINATE"))
        self.assertEqual((sig[created["Killed"]["childPid"]]["signal"], sig[created["Killed"]["childPid"]]["via"]), ("SIGKILL", "kill"))
        # A terminated child that got as far as running flushed its exit on SIGTERM.
        if r.of("process.running", pid=created["Sleepy"]["childPid"]):
            self.assertEqual([e["how"] for e in r.of("process.exit", pid=created["Sleepy"]["childPid"])], ["signal"])
        # The main process itself, and the supervisor's view of it.
        self.assertEqual([(e["how"], e["exitCode"]) for e in r.of("process.exit", pid=main_pid)], [("return", 0)])
        self.assertEqual([(e["exitCode"], e["signal"], e["adopted"]) for e in r.of("process.reaped", childPid=main_pid)], [(0, None, False)])
        # The queue: same id in both processes, digest of the put matches the get.
        qid = r.of("channel.created", line=r.line_of("# QUEUE"))[0]["id"]
        put = r.of("channel.op", op="put", id=qid)
        get = r.of("channel.op", op="get", id=qid)
        self.assertEqual(len(put), 1)
        self.assertEqual(put[0]["pid"], ok["childPid"])
        self.assertEqual(get[0]["pid"], main_pid)
        self.assertEqual(put[0]["digest"], get[0]["digest"])
        self.assertEqual(put[0]["size"], get[0]["size"])
        self.assertIn("'hello'", get[0]["preview"])
        self.assertEqual(get[0]["line"], r.line_of("# GET"))
        self.assertEqual(r.of("tracer.error"), [])
        return r, created

    def test_fork(self):
        self.check_method("fork")

    def test_spawn(self):
        r, _ = self.check_method("spawn")
        self.assertEqual(len(r.of("hello", role="resource-tracker")), 1)

    def test_forkserver(self):
        r, created = self.check_method("forkserver")
        self.assertEqual(len(r.of("hello", role="forkserver")), 1)
        helpers = {e["role"] for e in r.of("process.created") if e["role"] != "child"}
        self.assertTrue({"forkserver", "resource-tracker"} <= helpers, helpers)
        self.assertEqual([e["startMethod"] for e in r.of("hello", pid=created["Ok"]["childPid"])], ["forkserver"])

    def test_other_python_versions(self):
        on_other_pythons(self, lambda exe, method: self.check_method(method, python=exe), ("spawn", "fork"))


class BehaviourTest(unittest.TestCase):
    """Same stdout, stderr and exit code with and without the tracer; never hangs, never crashes."""

    def same(self, text, args=(), python=None, stdin=None):
        script = write_script(text)
        plain = run_plain(script, args, python=python, stdin=stdin)
        traced = run_traced(script, args, python=python, stdin=stdin)
        self.assertEqual(traced.stdout, plain.stdout)
        self.assertEqual(traced.stderr.replace(script, "S"), plain.stderr.replace(script, "S"))
        self.assertEqual(traced.returncode, plain.returncode)
        return traced, plain

    def test_syntax_error(self):
        t, p = self.same("print('x'\n")
        self.assertEqual(p.returncode, 1)
        self.assertIn("SyntaxError", t.stderr)

    def test_exit_codes_and_exceptions(self):
        self.same("import sys\nprint('a')\nsys.exit(3)\n")
        t, _ = self.same("raise KeyError('k')\n")
        self.assertEqual([e["how"] for e in t.of("process.exit")], ["exception"])
        t, _ = self.same("import os\nprint('bye', flush=True)\nos._exit(5)\n")
        self.assertEqual([(e["how"], e["exitCode"]) for e in t.of("process.exit")], [("os._exit", 5)])

    def test_the_program_sees_its_own_threads_only(self):
        # The tracer's sender thread runs in every process, but threading must not list it:
        # not at start, not in a forked child, not after the program's threads have come and gone.
        t, _ = self.same(
            "import multiprocessing as mp, threading, time\n"
            "def seen(where):\n"
            "    print(where, threading.active_count(), sorted(t.name for t in threading.enumerate()),\n"
            "          threading.current_thread().name, flush=True)\n"
            "def child():\n"
            "    time.sleep(0.05)\n"
            "    seen('child')\n"
            "if __name__ == '__main__':\n"
            "    seen('start')\n"
            "    time.sleep(0.05)\n"
            "    w = threading.Thread(target=seen, args=('worker',), name='worker')\n"
            "    w.start(); w.join()\n"
            "    p = mp.get_context('fork').Process(target=child); p.start(); p.join()\n"
            "    seen('end')\n"
        )
        self.assertIn("child 1 ['MainThread'] MainThread", t.stdout)
        self.assertGreater(len(t.of("hello")), 1, "the child was traced")

    def test_stdin_passes_through(self):
        self.same("import sys\nprint(sys.stdin.read().upper())\n", stdin="abc\n")

    def test_killed_by_sigkill(self):
        r = run_traced("import os, signal\nprint('x', flush=True)\nos.kill(os.getpid(), signal.SIGKILL)\n")
        self.assertEqual(r.returncode, -9)  # the supervisor died the same way
        self.assertEqual(r.stdout, "x\n")
        # It may die before its hello is out; the supervisor still saw how it ended.
        self.assertEqual([(e["exitCode"], e["signal"]) for e in r.of("process.reaped", adopted=False)], [(None, "SIGKILL")])

    def test_terminate_right_after_start_is_never_lost(self):
        # CPython drops a signal that reaches a fork child before its after-fork cleanup when a
        # Python handler is installed; the tracer's SIGTERM handler must not make that happen.
        t, _ = self.same("""
            import multiprocessing as mp, time
            def sleeper(): time.sleep(60)
            if __name__ == "__main__":
                mp.set_start_method("fork")
                codes = []
                for i in range(15):
                    s = mp.Process(target=sleeper); s.start(); s.terminate(); s.join(); codes.append(s.exitcode)
                print(codes)
        """)
        self.assertEqual(t.stdout, str([-15] * 15) + "\n")

    def test_no_fork_warning_on_312_plus(self):
        text = """
            import multiprocessing as mp, os, warnings
            def f(): pass
            if __name__ == "__main__":
                warnings.simplefilter("default")
                mp.set_start_method("fork")
                p = mp.Process(target=f); p.start(); p.join()
                pid = os.fork()
                if pid == 0:
                    os._exit(0)
                os.waitpid(pid, 0)
                print("ok")
        """
        for exe in [sys.executable] + python_versions():
            with self.subTest(python=exe):
                t, _ = self.same(text, python=exe)
                self.assertNotIn("DeprecationWarning", t.stderr)

    def test_receiver_gone(self):
        # The port is closed before the program starts: it must run exactly as without us.
        script = write_script("""
            import multiprocessing as mp
            def f(q):
                for i in range(2000): q.put(i)
            if __name__ == "__main__":
                q = mp.Queue(); p = mp.Process(target=f, args=(q,)); p.start()
                print(sum(q.get() for _ in range(2000))); p.join()
        """)
        r = Receiver()
        r.close()
        proc = subprocess.run([sys.executable, "-I", SUPERVISOR, "--", script], env=tracer_env(r),
                              capture_output=True, text=True, timeout=60)
        self.assertEqual((proc.returncode, proc.stdout, proc.stderr), (0, "1999000\n", ""))

    def test_receiver_killed_mid_run(self):
        # A receiver in another process, killed while the program is sending: no hang, same output.
        script = write_script("""
            import multiprocessing as mp, sys, time
            def f(q):
                for i in range(30000): q.put(i)
            if __name__ == "__main__":
                q = mp.Queue(); p = mp.Process(target=f, args=(q,)); p.start()
                total = 0
                for i in range(30000):
                    total += q.get()
                    if i == 100:
                        print("killing", flush=True); sys.stdin.readline()
                print(total); p.join()
        """)
        drain = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
            import socket, sys
            s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
            print(s.getsockname()[1], flush=True)
            conns = []
            while True:
                c, _ = s.accept(); conns.append(c)   # accept, never read: the sender must not block the program
        """)], stdout=subprocess.PIPE, text=True)
        try:
            port = int(drain.stdout.readline())
            env = dict(os.environ, PYTHONPATH=TRACER, PROCESS_VIEW_PORT=str(port), PROCESS_VIEW_TOKEN="x")
            proc = subprocess.Popen([sys.executable, "-I", SUPERVISOR, "--", script], env=env, stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            self.assertEqual(proc.stdout.readline(), "killing\n")
            drain.kill()
            drain.wait()
            out, err = proc.communicate("\n", timeout=60)
            self.assertEqual((proc.returncode, out, err), (0, "449985000\n", ""))
        finally:
            if drain.poll() is None:
                drain.kill()
                drain.wait()

    def test_inactive_without_env_and_chains_sitecustomize(self):
        other = tempfile.mkdtemp(prefix="pv-site-")
        with open(os.path.join(other, "sitecustomize.py"), "w") as f:
            f.write("import builtins\nbuiltins.PV_CHAINED = True\n")
        script = write_script("import sys, builtins\nprint(getattr(builtins, 'PV_CHAINED', False), 'processview_tracer' in sys.modules)\n")
        env = dict(os.environ, PYTHONPATH=TRACER + os.pathsep + other)
        env.pop("PROCESS_VIEW_TOKEN", None)
        env.pop("PROCESS_VIEW_PORT", None)
        out = subprocess.run([sys.executable, script], env=env, capture_output=True, text=True, timeout=30)
        self.assertEqual(out.stdout, "True False\n", out.stderr)
        r = Receiver()
        try:
            out = subprocess.run([sys.executable, script], env=dict(tracer_env(r), PYTHONPATH=TRACER + os.pathsep + other),
                                 capture_output=True, text=True, timeout=30)
        finally:
            r.close()
        self.assertEqual(out.stdout, "True True\n", out.stderr)

    def test_tracer_bytecode_cached_but_the_programs_setting_kept(self):
        # PYTHONDONTWRITEBYTECODE (common in containers) must not make every process of a run
        # compile the tracer again, nor be lifted for the program's own modules.
        tracer = os.path.join(tempfile.mkdtemp(prefix="pv-tracer-"), "tracer")
        shutil.copytree(TRACER, tracer, ignore=shutil.ignore_patterns("__pycache__"))
        d = tempfile.mkdtemp(prefix="pv-prog-")
        with open(os.path.join(d, "helper.py"), "w") as f:
            f.write("VALUE = 42\n")
        script = write_script("import sys, helper\nprint(sys.dont_write_bytecode, helper.VALUE)\n", d)
        r = Receiver()
        try:
            out = subprocess.run([sys.executable, "-I", os.path.join(tracer, "supervisor.py"), "--", script],
                                 env=tracer_env(r, {"PYTHONPATH": tracer, "PYTHONDONTWRITEBYTECODE": "1"}),
                                 capture_output=True, text=True, timeout=60)
            r.wait_idle()
        finally:
            r.close()
        self.assertEqual((out.returncode, out.stdout, out.stderr), (0, "True 42\n", ""))
        self.assertTrue(any(e["kind"] == "hello" for e in r.events), "the tracer did not start")
        cached = os.listdir(os.path.join(tracer, "processview_tracer", "__pycache__"))
        self.assertTrue(any(n.startswith("_core.") for n in cached), cached)
        self.assertFalse(os.path.exists(os.path.join(d, "__pycache__")), "the program's module was cached against its setting")

    def test_the_programs_objects_keep_their_fast_attribute_loads(self):
        # On Python 3.11 and 3.12, reading an object's __dict__ makes every later attribute load on
        # it ~4x slower (multiprocessing's own put/get included): the tracer must leave the
        # program's objects as it found them. gc.get_referents shows a dict only once one was made.
        text = """
            import gc, multiprocessing as mp, sys

            def made(o):
                return any(type(r) is dict for r in gc.get_referents(o))

            def work(q, jq, sq, conn, lock, ev):
                q.put("a"); jq.put("b"); sq.put("c"); conn.send("d")
                with lock:
                    pass
                ev.set()

            if __name__ == "__main__":
                ctx = mp.get_context("fork")
                q, jq, sq = ctx.Queue(), ctx.JoinableQueue(), ctx.SimpleQueue()
                a, b = ctx.Pipe()
                lock, rlock, sem, ev, cond, bar = ctx.Lock(), ctx.RLock(), ctx.Semaphore(2), ctx.Event(), ctx.Condition(), ctx.Barrier(1)
                v = ctx.Value("i", 0)
                p = ctx.Process(target=work, args=(q, jq, sq, b, lock, ev))
                p.start()
                print(q.get(), jq.get(), sq.get(), a.recv())
                jq.task_done(); jq.join(); ev.wait(); p.join()
                q.put(1); q.get(timeout=30); q.put_nowait(2); q.get(True, 30)
                with rlock:
                    sem.acquire(); sem.release()
                with cond:
                    cond.notify_all()
                bar.wait()
                with v.get_lock():
                    v.value += 1
                with ctx.Pool(1) as pool:
                    r = pool.apply_async(abs, (-1,))
                    print(r.get(timeout=60), pool.map(abs, [-2]))
                objs = {"Queue": q, "its reader": q._reader, "JoinableQueue": jq, "SimpleQueue": sq, "Pipe end": a,
                        "Lock": lock, "RLock": rlock, "Semaphore": sem, "Event": ev, "Condition": cond, "Barrier": bar,
                        "Value": v, "Process": p, "Pool": pool, "AsyncResult": r}
                print(sys.version_info[:2], sorted(k for k, o in objs.items() if made(o)))
            """
        pythons = [sys.executable] + [exe for exe in (os.path.join(PYENV, d, "bin", "python3") for d in
                                                      (sorted(os.listdir(PYENV)) if os.path.isdir(PYENV) else ())
                                                      if d.startswith(("3.11.", "3.12.")))
                                      if os.path.exists(exe) and not os.path.samefile(exe, sys.executable)]
        for python in pythons:
            with self.subTest(python=python):
                traced, plain = self.same(text, python=python)
                self.assertIn("a b c d", plain.stdout)

    def test_wrong_token_is_not_a_crash(self):
        # The tracer does not learn it was refused; the program runs on.
        r = Receiver(token="the-right-one")
        try:
            script = write_script("print('fine')\n")
            out = subprocess.run([sys.executable, "-I", SUPERVISOR, "--", script],
                                 env=dict(tracer_env(r), PROCESS_VIEW_TOKEN="wrong"), capture_output=True, text=True, timeout=30)
            r.wait_idle()
        finally:
            r.close()
        self.assertEqual((out.returncode, out.stdout, out.stderr), (0, "fine\n", ""))
        self.assertGreaterEqual(r.refused, 1)
        self.assertEqual(r.events, [])


class TracebackTest(unittest.TestCase):
    """An exception the program prints must show the program's traceback, with no tracer frame."""

    same = BehaviourTest.same

    def test_child_target_raises(self):
        # _bootstrap prints the child's traceback: no `return real_run()` of ours in it. Every
        # interpreter (3.9-3.12 learn how run() ended from util._exit_function, 3.13+ from a run
        # wrapper that drops its own traceback entry).
        text = """
            import multiprocessing as mp, sys
            def boom(*names):
                raise TypeError("boom %d" % len(names))
            if __name__ == "__main__":
                mp.set_start_method(sys.argv[1])
                p = mp.Process(target=boom, args=("egon")); p.start(); p.join()
                print("exitcode", p.exitcode)
        """
        for exe in [sys.executable] + python_versions():
            for method in ("fork", "spawn") if exe == sys.executable else ("fork",):
                with self.subTest(python=exe, method=method):
                    t, _ = self.same(text, [method], python=exe)
                    self.assertIn("TypeError: boom 4", t.stderr)
                    self.assertNotIn("processview_tracer", t.stderr)
                    self.assertEqual([(e["how"], e["error"]) for e in t.of("process.exit") if e["how"] == "exception"],
                                     [("exception", "TypeError: boom 4")])

    def test_uncaught_exception_through_a_wrapper(self):
        # Printed by sys.excepthook (ours strips the tracer's entries): every interpreter, also
        # 3.9/3.10 where a wrapper cannot drop its own entry when it re-raises.
        text = """
            import multiprocessing as mp, queue
            q = mp.Queue()
            try:
                mp.Lock().release()
            except ValueError:
                q.get(timeout=0.01)
        """
        for exe in [sys.executable] + python_versions():
            with self.subTest(python=exe):
                t, _ = self.same(text, python=exe)
                self.assertIn("Empty", t.stderr)
                self.assertIn("During handling of the above exception", t.stderr)
                self.assertNotIn("processview_tracer", t.stderr)

    @unittest.skipIf(sys.version_info < (3, 11), "3.9/3.10 re-raise the traceback saved at catch time")
    def test_exceptions_raised_through_wrappers(self):
        # Raised through start, Queue, Pipe, Pool, locks, proxies...: printed as without us.
        t, _ = self.same("""
            import multiprocessing as mp, sys, threading, traceback
            def task(x):
                raise KeyError(x)
            def show(f, *a):
                try:
                    f(*a)
                except BaseException:
                    traceback.print_exc()
            if __name__ == "__main__":
                mp.set_start_method("fork")
                q = mp.Queue()
                show(q.get, True, 0.05)
                show(q.get_nowait)
                full = mp.Queue(1); full.put(1); show(full.put_nowait, 2)
                a, b = mp.Pipe(); b.close(); show(a.recv); show(a.recv_bytes); show(b.send, 1); show(a.send, threading.Lock())
                lock = mp.Lock(); show(lock.release)
                sq = mp.SimpleQueue(); show(sq.put, threading.Lock())
                jq = mp.JoinableQueue(); show(jq.task_done)
                with mp.Pool(1) as pool:
                    show(pool.apply, task, (1,))
                    show(pool.map, task, [2])
                show(pool.apply, task, (3,))
                with mp.Manager() as m:
                    d = m.dict(); show(d.__getitem__, "missing")
                p = mp.Process(target=task, args=(1,)); show(p.join)
                import os, subprocess
                show(os.kill, 2**22 + 12345, 0)
                show(subprocess.Popen, ["/nonexistent-program"])
                print("done")
        """)
        self.assertEqual(t.returncode, 0, t.stderr)
        self.assertNotIn("processview_tracer", t.stderr)
        for needle in ("queue.Empty", "queue.Full", "EOFError", "OSError: handle is closed", "ValueError: semaphore",
                       "KeyError: 1", "KeyError: 2", "ValueError: Pool not running", "KeyError: 'missing'",
                       "ValueError: task_done() called too many times", "FileNotFoundError", "ProcessLookupError",
                       "AssertionError: can only join a started process"):
            self.assertIn(needle, t.stderr)
        self.assertEqual(t.of("tracer.error"), [])


class TerminateAtOnceTest(unittest.TestCase):
    TEXT = """
        import multiprocessing as mp, sys, time
        def sleeper():
            time.sleep(5)
        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            codes = []
            for i in range(8):
                s = mp.Process(target=sleeper)
                s.start()
                s.terminate()
                s.join()
                codes.append(s.exitcode)
            print(codes)
    """

    def prints(self, text, stdout):
        """`text` run traced under every start method on every installed Python prints `stdout`."""
        for exe in [sys.executable] + python_versions():
            for method in multiprocessing.get_all_start_methods():
                with self.subTest(python=exe, method=method):
                    r = run_traced(text, [method], python=exe)
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertEqual(r.stdout.strip(), stdout)

    def test_terminate_right_after_start_is_never_lost(self):
        # Python 3.9 spawns without resetting signal handlers between fork and exec, so our
        # handler's C half swallowed a SIGTERM there and the child slept on and exited 0.
        self.prints(self.TEXT, str([-15] * 8))


    SIGTERM_ELSEWHERE = """
        import multiprocessing as mp, signal, sys, threading, time
        def child(ready):
            # The main thread will not take SIGTERM; a thread of the program will, as the main
            # thread sleeps. Without us its default action ends the process at once; our handler
            # runs only in the main thread, and the sleep is not interrupted: a sleep's length.
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
            up = threading.Event()
            def taker():
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
                up.set()
                time.sleep(60)
            threading.Thread(target=taker, daemon=True).start()
            up.wait()
            ready.set()
            time.sleep(30)
        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            ready = mp.Event()
            p = mp.Process(target=child, args=(ready,))
            p.start()
            ready.wait()
            t0 = time.monotonic()
            p.terminate()
            p.join()
            print(p.exitcode, "within 10 s" if time.monotonic() - t0 < 10 else "slow")
    """

    @unittest.skipUnless(hasattr(signal, "pthread_kill"), "POSIX threads' signals")
    def test_a_sigterm_another_thread_takes_still_ends_the_process_at_once(self):
        # The same as a SIGTERM that lands as the main thread enters a blocking call (after it let
        # go of the GIL, before it blocks): seen 1 in 150 terminate() right after start() under
        # load, the child's time.sleep(20) ran out before it died. The tracer's watchdog
        # interrupts the main thread's call so that the handler runs.
        self.prints(self.SIGTERM_ELSEWHERE, "-15 within 10 s")


    CLOSES_ITS_FILES = """
        import multiprocessing as mp, os, sys, tempfile, time
        from processview_tracer import _core
        def child(flag):
            # As a daemonizing child does: every descriptor above stderr closed, the tracer's
            # signal wakeup pipe among them. Then SIGTERM.
            before = _core._wake
            os.closerange(3, os.sysconf("SC_OPEN_MAX"))
            deadline = time.monotonic() + 30
            while (_core._wake is None or _core._wake is before) and time.monotonic() < deadline:
                time.sleep(0.005)                  # until the tracer has put a pipe back
            with open(flag, "w") as f:
                f.write("ready")
            time.sleep(30)
        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            flag = os.path.join(tempfile.mkdtemp(), "flag")
            p = mp.Process(target=child, args=(flag,))
            p.start()
            deadline = time.monotonic() + 30
            while not os.path.exists(flag) and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(0.05)                       # the file's content too
            p.terminate()
            p.join()
            print(p.exitcode)
    """

    @unittest.skipUnless(hasattr(signal, "pthread_kill") and sys.platform.startswith("linux"), "the watchdog is Linux's")
    def test_a_child_that_closed_every_descriptor_dies_of_sigterm_without_a_word(self):
        # Python's signal handler writes each signal to the wakeup fd; one closed under it makes
        # it print "Exception ignored when trying to write to the signal wakeup fd" into the
        # program's stderr. The tracer puts a pipe of its own back at that number.
        for exe in [sys.executable] + python_versions():
            with self.subTest(python=exe):
                r = run_traced(self.CLOSES_ITS_FILES, ["fork"], python=exe)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stdout.strip(), "-15")
                self.assertNotIn("wakeup", r.stderr)


    OWN_PIPE_FIRST = """
        import multiprocessing as mp, os, sys
        from processview_tracer import _core
        parent = _core._wake_ids
        seen = []
        real_start = _core._start_thread
        def start_thread():  # what a forked child's tracer thread would find as it starts
            seen.append(_core._wake_ids)
            return real_start()
        _core._start_thread = start_thread
        if __name__ == "__main__":
            mp.set_start_method(sys.argv[1])
            def child():
                print("own pipe" if seen and seen[0] is not None and seen[0] != parent else "parent's: %r" % (seen,), flush=True)
            p = mp.Process(target=child)
            p.start()
            p.join()
            pid = os.fork()
            if pid == 0:
                child()
                os._exit(0)
            os.waitpid(pid, 0)
    """

    @unittest.skipUnless(hasattr(signal, "pthread_kill") and sys.platform.startswith("linux"), "the watchdog is Linux's")
    def test_a_forked_child_has_its_own_pipe_before_its_tracer_thread_starts(self):
        # The thread reads the pipe each tick: started first, it read the parent's (inherited)
        # while the child replaced it, and failed on the pipe gone from under it ("cannot unpack
        # non-iterable NoneType", once on a loaded CI), or could take the parent's SIGTERM byte.
        for exe in [sys.executable] + python_versions():
            with self.subTest(python=exe):
                r = run_traced(self.OWN_PIPE_FIRST, ["fork"], python=exe)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stdout.split(), ["own", "pipe", "own", "pipe"])


@unittest.skipUnless(sys.platform.startswith("linux"), "reads /proc/self/task")
class SignalRoutingTest(unittest.TestCase):
    def test_the_tracer_thread_never_takes_sigterm_or_sigint(self):
        # A process-directed SIGTERM taken by our thread would leave our Python handler queued for
        # a main thread blocked in a lock: a Pool worker hung instead of dying on terminate().
        r = run_traced("""
            import os, multiprocessing as mp
            def masks():
                out = []
                for tid in sorted(os.listdir("/proc/self/task")):
                    if int(tid) == os.getpid():
                        continue  # the main thread
                    with open("/proc/self/task/%s/status" % tid) as f:
                        blk = [l for l in f if l.startswith("SigBlk:")][0].split()[1]
                    out.append(int(blk, 16))
                return out
            def child(q):
                q.put(masks())
            if __name__ == "__main__":
                mp.set_start_method("fork")
                print("main", masks())
                q = mp.SimpleQueue()
                p = mp.Process(target=child, args=(q,))
                p.start()
                print("child", q.get())
                p.join()
        """)
        self.assertEqual(r.returncode, 0, r.stderr)
        for line in r.stdout.splitlines():
            who, _, rest = line.partition(" ")
            masks = eval(rest)
            self.assertTrue(masks, "%s: the tracer's thread was not found" % who)
            for m in masks:
                self.assertTrue(m & (1 << (signal.SIGTERM - 1)), "%s: a thread takes SIGTERM: %x" % (who, m))
                self.assertTrue(m & (1 << (signal.SIGINT - 1)), "%s: a thread takes SIGINT: %x" % (who, m))

    def test_a_ctrl_c_while_our_thread_starts_still_interrupts_the_program(self):
        # Our threads start with SIGINT blocked in the starting thread; one that arrives in that
        # window is run when the mask comes back. In a fork child that is inside an at-fork hook,
        # where a KeyboardInterrupt raised would be printed as ignored and lost: the program's
        # main thread must still get it (the child spins until it does, or gives up after 30 s).
        r = run_traced("""
            import os, signal, sys
            from processview_tracer import _core
            def hook():
                _core.start_deaf(os.kill, os.getpid(), signal.SIGINT)  # pending until unblocked
            def spin(seconds):
                # In a function, with a call in the loop: CPython 3.13.0 can raise a
                # KeyboardInterrupt at the back jump of a bare `while ...: pass` outside the try
                # around it (seen without the tracer too).
                import time
                deadline = time.monotonic() + seconds
                while time.monotonic() < deadline:
                    time.sleep(0.001)
            os.register_at_fork(after_in_child=hook)
            parent = os.getpid()
            # The child's KeyboardInterrupt may come as soon as os.fork() returns in it (before
            # `pid` is assigned: a CI run saw that on a busy machine), or in spin().
            try:
                pid = os.fork()
                if pid == 0:
                    spin(30)
                    os._exit(0)
            except KeyboardInterrupt:
                if os.getpid() == parent:
                    raise
                os._exit(7)
            print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
        """)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "7", r.stderr)
        self.assertNotIn("Exception ignored", r.stderr)


class LineBufferedTest(unittest.TestCase):
    def test_prints_of_several_processes_never_split_a_line(self):
        # PROCESS_VIEW_LINE_BUFFERED=1 (what the CLI and the extension set): one print() of several
        # arguments is one write, through a pipe too, as on a terminal.
        env = {"PROCESS_VIEW_LINE_BUFFERED": "1", "PYTHONUNBUFFERED": None}
        text = """
            import multiprocessing as mp, os
            def talk(tag):
                for i in range(300):
                    print(tag, "子", i, "x" * 20, i, sep=" ")
            if __name__ == "__main__":
                mp.set_start_method("fork")
                ps = [mp.Process(target=talk, args=("P%d" % n,)) for n in range(3)]
                for p in ps: p.start()
                talk("M")
                for p in ps: p.join()
        """
        r = run_traced(text, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), 1200)
        bad = [l for l in lines if not re.fullmatch(r"(M|P\d) 子 (\d+) x{20} \2", l)]
        self.assertEqual(bad, [])
        # Only when asked: without the variable the program's own buffering is untouched...
        script = write_script("import sys\nprint(sys.stdout.line_buffering, sys.stdout.write_through)\n")
        self.assertEqual(run_traced(script, env={"PYTHONUNBUFFERED": None}).stdout, "False False\n")
        self.assertEqual(run_traced(script, env=env).stdout, "True False\n")
        # ...and a user's own PYTHONUNBUFFERED wins: their program writes unbuffered, as it would
        # on their terminal.
        mine = dict(env, PYTHONUNBUFFERED="1")
        self.assertEqual(run_traced(script, env=mine).stdout, "False True\n")


class ChildrenTest(unittest.TestCase):
    def test_os_fork_subprocess_and_external(self):
        r = run_traced("""
            import os, subprocess, sys
            pid = os.fork()                                            # FORK
            if pid == 0:
                print("child", flush=True)
                os._exit(3)
            _, st = os.waitpid(pid, 0)                                 # WAIT
            subprocess.run([sys.executable, "-c", "print('py child')"])  # PYCHILD
            subprocess.run(["true"])                                   # EXTERNAL
            print("code", os.waitstatus_to_exitcode(st))
        """)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines(), ["child", "py child", "code 3"])
        main = r.of("hello", role="main")[0]["pid"]
        created = r.of("process.created", pid=main)
        by_line = {e["line"]: e for e in created}
        fork = by_line[r.line_of("# FORK")]
        self.assertEqual((fork["startMethod"], fork["role"]), ("os.fork", "child"))
        self.assertEqual([e["startMethod"] for e in r.of("hello", pid=fork["childPid"])], ["os.fork"])
        self.assertEqual([(e["how"], e["exitCode"]) for e in r.of("process.exit", pid=fork["childPid"])], [("os._exit", 3)])
        waited = r.of("process.joined", childPid=fork["childPid"])
        self.assertEqual([(e["exitCode"], e["line"]) for e in waited], [(3, r.line_of("# WAIT"))])
        py = by_line[r.line_of("# PYCHILD")]
        self.assertEqual((py["startMethod"], py["role"]), ("subprocess", "child"))
        self.assertEqual([(e["role"], e["startMethod"]) for e in r.of("hello", pid=py["childPid"])], [("child", "subprocess")])
        ext = by_line[r.line_of("# EXTERNAL")]
        self.assertEqual((ext["role"], ext["argv"]), ("external", ["true"]))
        self.assertEqual([e["exitCode"] for e in r.of("process.joined", childPid=ext["childPid"])], [0])

    def test_orphan_adopted_and_reaped_by_supervisor(self):
        r = run_traced("""
            import os, time
            parent = os.getpid()
            pid = os.fork()
            if pid == 0:
                deadline = time.monotonic() + 30
                while os.getppid() == parent and time.monotonic() < deadline:
                    time.sleep(0.01)   # until the parent is gone: then we are an orphan
                os._exit(4)
            print("parent exits", flush=True)
        """)
        self.assertEqual(r.returncode, 0, r.stderr)
        main = r.of("hello", role="main")[0]["pid"]
        orphan = r.of("process.created", pid=main)[0]["childPid"]
        self.assertEqual(len(r.of("process.adopted", childPid=orphan)), 1)
        self.assertEqual([(e["exitCode"], e["adopted"]) for e in r.of("process.reaped", childPid=orphan)], [(4, True)])

    def test_stop_ends_every_descendant(self):
        receiver = Receiver()
        script = write_script("""
            import multiprocessing as mp, os, time, signal
            def stubborn(ignoring):
                signal.signal(signal.SIGTERM, signal.SIG_IGN)   # only SIGKILL ends it
                ignoring.set()
                time.sleep(120)
            def orphan_maker():
                if os.fork() == 0:
                    time.sleep(120)
                    os._exit(0)
            if __name__ == "__main__":
                # "ready" only once the stubborn child ignores SIGTERM: on a busy machine it may
                # not have run that far when the parent got here (seen: it died of SIGTERM).
                ignoring = mp.Event()
                mp.Process(target=stubborn, args=(ignoring,)).start()
                p = mp.Process(target=orphan_maker); p.start(); p.join()
                if not ignoring.wait(60):
                    raise SystemExit("the stubborn child never started")
                print("ready", flush=True)
                time.sleep(120)
        """)
        proc = subprocess.Popen([sys.executable, "-I", SUPERVISOR, "--grace-ms", "500", "--", script],
                                env=tracer_env(receiver), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.assertEqual(proc.stdout.readline(), "ready\n")
            pids = [e["childPid"] for e in receiver.of("process.created")] + [e["pid"] for e in receiver.of("hello")]
            t0 = time.monotonic()
            proc.terminate()
            proc.wait(timeout=20)
            self.assertLess(time.monotonic() - t0, 10)
            self.assertEqual(proc.returncode, -15)  # the script died of SIGTERM: so did the supervisor
            for pid in set(pids):
                with self.subTest(pid=pid):
                    self.assertFalse(os.path.exists("/proc/%d" % pid) and _state(pid) != "Z", "pid %d survived Stop" % pid)
            receiver.wait_idle()
            reaped = {e["childPid"]: e for e in receiver.of("process.reaped")}
            self.assertIn("SIGKILL", [e["signal"] for e in reaped.values()])  # the stubborn one
        finally:
            if proc.poll() is None:
                proc.kill()
            receiver.close()


def _state(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            data = f.read()
        return data[data.rindex(")") + 2]
    except OSError:
        return "gone"


if __name__ == "__main__":
    unittest.main()
