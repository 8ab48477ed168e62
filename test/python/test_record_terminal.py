"""`process-view record` on a real terminal (a pty, as a user's shell gives it): Ctrl+C ends the
whole run as Stop does and exits 130, a second Ctrl+C ends it at once; SIGINT to `record` alone
does the same; stdout and stderr keep their order and `record`'s own lines never join a line of
the program's. And an uncaught KeyboardInterrupt ends a traced program as it ends a plain one.

Needs the CLI built (node scripts/build.mjs); Linux (pty, /proc, a subreaper).
"""
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

from test.python.examples_support import read_recording
from test.python.test_tracer import ROOT, TRACER, python_versions, run_traced

CLI = os.path.join(ROOT, "out", "cli.js")
NODE = os.environ.get("NODE", "node")
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")

# A run that Ctrl+C alone does not end: a daemon child, a child that ignores SIGTERM and SIGINT,
# and a grandchild in a session of its own (so the terminal's Ctrl+C never reaches it).
STUBBORN = """
import json, multiprocessing as mp, os, signal, sys, time

def daemon():
    time.sleep(600)

def stubborn(ready):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    ready.set()  # "ready" is printed only once SIGTERM cannot end it (on a busy machine, later)
    while True:
        time.sleep(1)

if __name__ == "__main__":
    mp.set_start_method("fork")
    pidfile = sys.argv[1]
    r, w = os.pipe()
    child = os.fork()
    if child == 0:
        if os.fork() == 0:
            os.setsid()
            os.write(w, b"%d\\n" % os.getpid())
            time.sleep(600)
            os._exit(0)
        os._exit(0)
    os.waitpid(child, 0)
    grandchild = int(os.read(r, 64))
    d = mp.Process(target=daemon, daemon=True)
    d.start()
    ready = mp.Event()
    s = mp.Process(target=stubborn, args=(ready,))
    s.start()
    ready.wait()
    with open(pidfile + ".tmp", "w") as f:
        json.dump({"main": os.getpid(), "daemon": d.pid, "stubborn": s.pid, "grandchild": grandchild}, f)
    os.rename(pidfile + ".tmp", pidfile)
    print("ready", flush=True)
    time.sleep(600)
"""

ORDER = """
import sys
for i in range(2000):
    if i % 2:
        print("err", i, file=sys.stderr)
    else:
        print("out", i)
sys.stdout.write("partial line without its newline")
"""


def write(text, name):
    d = tempfile.mkdtemp(prefix="pv-term-")
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(textwrap.dedent(text))
    return d, path


def alive(pid):
    """Running (a zombie counts as gone: it has ended)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Terminal:
    """A command on a fresh pty, as its controlling terminal: what it prints, what Ctrl+C does."""

    def __init__(self, argv, cwd):
        env = dict(os.environ)
        env.pop("PYTHONUNBUFFERED", None)
        env["TERM"] = "xterm"
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: a session leader with the pty as its terminal
            try:
                os.chdir(cwd)
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.out = b""
        self.status = None

    def read_for(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            r, _, _ = select.select([self.fd], [], [], 0.05)
            if r:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                self.out += chunk

    def wait_output(self, pattern, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if re.search(pattern, self.text()):
                return True
            self.read_for(0.1)
            if self.poll() is not None and not re.search(pattern, self.text()):
                return False
        return bool(re.search(pattern, self.text()))

    def ctrl_c(self):
        os.write(self.fd, b"\x03")

    def poll(self):
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
        return self.status

    def wait(self, timeout):
        """Exit code (128+N for a signal) once it exits, reading its output meanwhile; None on timeout."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.read_for(0.05)
            if self.poll() is not None:
                self.read_for(0.2)
                st = self.status
                return os.WEXITSTATUS(st) if os.WIFEXITED(st) else 128 + os.WTERMSIG(st)
        return None

    def kill(self):
        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)

    def text(self):
        return ANSI.sub(b"", self.out).replace(b"\r", b"").decode("utf-8", "replace")


def show_json(recording):
    out = subprocess.run([NODE, CLI, "show", "--json", recording], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def reaped(recording):
    """(exitCode, signal) the supervisor reported for the main process."""
    for r in read_recording(recording):
        e = r.get("event") or {}
        if r.get("type") == "event" and e.get("kind") == "process.reaped" and not e.get("adopted"):
            return e.get("exitCode"), e.get("signal")
    return None


@unittest.skipUnless(sys.platform.startswith("linux") and os.path.exists(CLI), "Linux, with the CLI built")
class CtrlCTest(unittest.TestCase):
    def start(self, grace_ms):
        d, script = write(STUBBORN, "stubborn.py")
        self.pidfile = os.path.join(d, "pids.json")
        self.recording = os.path.join(d, "run.jsonl")
        term = Terminal([NODE, CLI, "record", "--out", self.recording, "--stop-grace-ms", str(grace_ms), script,
                         self.pidfile], d)
        self.addCleanup(self.cleanup)
        self.term = term
        self.assertTrue(term.wait_output(r"(?m)^ready$", 60), term.text())
        with open(self.pidfile) as f:
            self.pids = json.load(f)
        self.assertTrue(all(alive(p) for p in self.pids.values()), self.pids)
        return term

    def cleanup(self):
        self.term.kill()
        for pid in getattr(self, "pids", {}).values():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def assert_all_gone(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(p) for p in self.pids.values()):
            time.sleep(0.05)
        self.assertEqual([n for n, p in self.pids.items() if alive(p)], [], self.term.text()[-2000:])

    def assert_main_state_is_what_happened(self):
        code, sig = reaped(self.recording)
        main = [p for p in show_json(self.recording)["processes"] if p["pid"] == self.pids["main"]][0]
        self.assertEqual((main["state"], main["signal"], main["exitCode"]),
                         ("killed" if sig else "exited", sig, None if sig else code), main)

    def test_ctrl_c_ends_the_whole_run_then_exits_130(self):
        term = self.start(grace_ms=3000)
        term.ctrl_c()
        code = term.wait(60)
        self.assertEqual(code, 130, term.text()[-3000:])
        self.assert_all_gone()
        # On a line of its own: after a newline, or after the live tree was lifted (cursor moved up,
        # screen cleared below), which also takes the terminal's "^C" echo away.
        self.assertRegex(term.out, rb"(\n|\x1b\[J)process-view: stopping the run: SIGTERM to every process")
        self.assertRegex(term.text(), r"(?m)^stubborn\.py: 5 processes, ended after .*, killed by SIG(INT|TERM)$")
        self.assert_main_state_is_what_happened()
        summary = show_json(self.recording)
        stubborn = [p for p in summary["processes"] if p["pid"] == self.pids["stubborn"]][0]
        self.assertEqual((stubborn["state"], stubborn["signal"]), ("killed", "SIGKILL"), stubborn)

    def test_a_second_ctrl_c_ends_it_at_once(self):
        # A minute of grace: only the second Ctrl+C can end this run within the test's bound.
        term = self.start(grace_ms=60_000)
        term.ctrl_c()
        self.assertTrue(term.wait_output(r"stopping the run", 30), term.text()[-2000:])
        began = time.monotonic()
        term.ctrl_c()
        code = term.wait(40)
        self.assertEqual(code, 130, term.text()[-3000:])
        self.assertLess(time.monotonic() - began, 40)
        self.assertRegex(term.out, rb"(\n|\x1b\[J)process-view: ending the run at once \(SIGKILL\)\r?\n")
        self.assert_all_gone()
        self.assert_main_state_is_what_happened()

    def test_sigint_to_record_alone_ends_the_run(self):
        # Not the terminal's Ctrl+C (which reaches every process of its group): SIGINT to record's
        # pid only, as `kill -INT` does. It was ignored: all five processes ran on.
        term = self.start(grace_ms=3000)
        os.kill(term.pid, signal.SIGINT)
        code = term.wait(60)
        self.assertEqual(code, 130, term.text()[-3000:])
        self.assert_all_gone()
        self.assert_main_state_is_what_happened()


@unittest.skipUnless(sys.platform.startswith("linux") and os.path.exists(CLI), "Linux, with the CLI built")
class TerminalOutputTest(unittest.TestCase):
    def run_on_terminal(self, argv, cwd):
        term = Terminal(argv, cwd)
        try:
            code = term.wait(120)
            return code, term.text()
        finally:
            term.kill()

    def test_stdout_and_stderr_keep_their_order_and_our_lines_never_join_theirs(self):
        d, script = write(ORDER, "order.py")
        plain_code, plain = self.run_on_terminal([sys.executable, script], d)
        code, text = self.run_on_terminal([NODE, CLI, "record", "--out", os.path.join(d, "o.jsonl"), script], d)
        self.assertEqual((plain_code, code), (0, 0), text[-2000:])

        def order(t):
            nums = [int(m.group(2)) for m in re.finditer(r"(?m)^(out|err) (\d+)$", t)]
            return len(nums), sum(1 for a, b in zip(nums, nums[1:]) if b != a + 1)

        self.assertEqual(order(plain), (2000, 0))
        self.assertEqual(order(text), (2000, 0), text[:3000])
        # The partial last line is the program's; record's summary starts on a line of its own.
        self.assertRegex(text, r"(?m)^partial line without its newline$")
        self.assertRegex(text, r"(?m)^order\.py: 1 process, ended after")


class KeyboardInterruptTest(unittest.TestCase):
    def test_an_uncaught_keyboard_interrupt_ends_the_process_by_sigint_as_without_us(self):
        # Python ends such a process with SIGINT (after atexit), so a shell sees Ctrl+C. The
        # tracer read how the main module ended through eval(), which cleared that flag: exit 1.
        d, script = write("import os, signal\nos.kill(os.getpid(), signal.SIGINT)\n", "kbi.py")
        for exe in [sys.executable] + python_versions():
            with self.subTest(python=exe):
                env = dict(os.environ)
                plain = subprocess.run([exe, script], env=env, capture_output=True, timeout=60)
                env.update(PYTHONPATH=TRACER, PROCESS_VIEW_PORT="1", PROCESS_VIEW_TOKEN="x")  # no receiver
                traced = subprocess.run([exe, script], env=env, capture_output=True, timeout=60)
                self.assertEqual(plain.returncode, -signal.SIGINT)
                self.assertEqual(traced.returncode, plain.returncode, traced.stderr)
                # And its process.exit says so (it said "exception", exit code 1).
                r = run_traced(script, python=exe)
                self.assertEqual(r.returncode, -signal.SIGINT, r.stderr)
                ends = [(e["how"], e["exitCode"], e["signal"]) for e in r.of("process.exit")]
                self.assertEqual(ends, [("signal", -signal.SIGINT, "SIGINT")])


if __name__ == "__main__":
    unittest.main()
