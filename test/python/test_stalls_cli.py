"""Deadlocks and waits that can never end, on real programs through `process-view record` and
`show` (issue 18): each kind stuck and fixed, under fork and spawn. The stuck program is ended by
the test the way a user would (SIGINT to record, which stops the whole run as Stop does) once
record has printed the report, or by a timeout of its own; nothing is left running. The fixed
program reports nothing.

Deterministic under load: the test waits (bounded) for record's report line, never for a fixed
time; a stall is reported only after its waits have lasted a second, which a fixed program's
waits (ended by a live process) never are part of.

Needs the CLI built (node scripts/build.mjs); Linux.
"""
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

from test.python.test_record_terminal import CLI, NODE, show_json

JOIN_BEFORE_DRAIN = """
import multiprocessing as mp, sys

def work(q):
    q.put(b"x" * 1_000_000)                      # PUT

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    q = mp.Queue()                               # QUEUE
    p = mp.Process(target=work, args=(q,))
    p.start()
    if sys.argv[2] == "fixed":
        print(len(q.get()))
    p.join()                                     # JOIN
    if sys.argv[2] != "fixed":
        print(len(q.get()))
"""

# The same mistake with a timeout: the program ends by itself after it, the report says so.
JOIN_TIMEOUT = """
import multiprocessing as mp, sys

def work(q, put):
    q.put(b"x" * 1_000_000)
    put.set()

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    q = mp.Queue()                               # QUEUE
    put = mp.Event()
    p = mp.Process(target=work, args=(q, put))
    p.start()
    put.wait()                                   # the child is about to exit (and flush)
    p.join(timeout=5)                            # JOIN
    print(len(q.get()))
    p.join()
"""

NO_SENTINEL = """
import multiprocessing as mp, sys

def produce(q, n):
    for i in range(n):
        q.put(i)                                 # PUT

def consume(q):
    while True:
        item = q.get()                           # GET
        if item is None:
            break
        print("got", item, flush=True)

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    q = mp.Queue()                               # QUEUE
    producers = [mp.Process(target=produce, args=(q, 3)) for _ in range(2)]
    consumer = mp.Process(target=consume, args=(q,))
    for p in producers + [consumer]:
        p.start()
    for p in producers:
        p.join()
    if sys.argv[2] == "fixed":
        q.put(None)
    consumer.join()                              # JOIN
"""

KEPT_WRITE_END = """
import multiprocessing as mp, sys

def child(w):
    for i in range(3):
        w.send(i)
    w.close()

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    r, w = mp.Pipe(duplex=False)                 # PIPE
    p = mp.Process(target=child, args=(w,))
    p.start()
    if sys.argv[2] == "fixed":
        w.close()
    while True:
        try:
            print("got", r.recv(), flush=True)   # RECV
        except EOFError:
            break
    p.join()
"""

TWO_LOCKS = """
import multiprocessing as mp, sys

def one(a, b, ready):
    with a:                                      # ONE-A
        if ready is not None:
            ready.wait()
        with b:                                  # ONE-B
            pass

def two(a, b, ready):
    first, second = (a, b) if ready is None else (b, a)
    with first:                                  # TWO-FIRST
        if ready is not None:
            ready.wait()
        with second:                             # TWO-SECOND
            pass

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    a = mp.Lock()                                # LOCK-A
    b = mp.Lock()                                # LOCK-B
    ready = mp.Barrier(2) if sys.argv[2] == "stuck" else None
    ps = [mp.Process(target=f, args=(a, b, ready)) for f in (one, two)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()                                 # JOIN
    print("done")
"""

REPORT = ("deadlock", "a wait that can never end", "would deadlock without its timeout")


def line_of(script, marker):
    with open(script) as f:
        for i, line in enumerate(f, 1):
            if line.rstrip().endswith(marker):
                return i
    raise AssertionError(marker)


class Record:
    """`process-view record` on pipes (its plain-lines mode), stderr read as it comes."""

    def __init__(self, text, args):
        self.dir = tempfile.mkdtemp(prefix="pv-stall-")
        self.script = os.path.join(self.dir, "prog.py")
        with open(self.script, "w") as f:
            f.write(textwrap.dedent(text))
        self.recording = os.path.join(self.dir, "run.jsonl")
        self.proc = subprocess.Popen([NODE, CLI, "record", "--out", self.recording, self.script, *args], cwd=self.dir,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        self.err = b""
        self.out = b""
        self.ended = set()

    def read(self, timeout):
        """Whatever record wrote within `timeout` seconds; False when nothing came (or both ended)."""
        files = [f for f in (self.proc.stderr, self.proc.stdout) if f not in self.ended]
        if not files:
            time.sleep(timeout)
            return False
        r, _, _ = select.select(files, [], [], timeout)
        got = False
        for f in r:
            chunk = os.read(f.fileno(), 65536)
            if not chunk:
                self.ended.add(f)
            elif f is self.proc.stderr:
                self.err += chunk
            else:
                self.out += chunk
            got = got or bool(chunk)
        return got

    def wait_for(self, words, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(w.encode() in self.err for w in words):
                return True
            if self.proc.poll() is not None and not self.read(0):
                return any(w.encode() in self.err for w in words)
            self.read(0.2)
        return False

    def finish(self, timeout):
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.read(0.2)
        while self.read(0):
            pass
        return self.proc.poll()

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
            self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()

    @property
    def text(self):
        return self.err.decode("utf-8", "replace")


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@unittest.skipUnless(sys.platform.startswith("linux") and os.path.exists(CLI), "Linux, with the CLI built")
class StallsOnRealRuns(unittest.TestCase):
    def record(self, text, method, variant):
        r = Record(text, [method, variant])
        self.addCleanup(r.kill)
        return r

    def stuck(self, text, method, word):
        """Run the stuck version until record reports it, stop it, and return the report from show."""
        r = self.record(text, method, "stuck")
        self.assertTrue(r.wait_for([word], 120), r.text[-3000:])
        (line,) = [l for l in r.text.splitlines() if l.startswith("[process-view") and word in l]
        os.killpg(r.proc.pid, signal.SIGINT)  # as Ctrl+C: the whole run is stopped
        self.assertEqual(r.finish(60), 130, r.text[-3000:])
        summary = show_json(r.recording)
        # Nothing left behind.
        deadline = time.monotonic() + 10
        pids = [p["pid"] for p in summary["processes"]]
        while time.monotonic() < deadline and any(alive(p) for p in pids):
            time.sleep(0.05)
        self.assertEqual([p for p in pids if alive(p)], [])
        show = subprocess.run([NODE, CLI, "show", r.recording], capture_output=True, text=True, timeout=60)
        self.assertIn(word, show.stdout)
        return r, line, summary

    def fixed(self, text, method):
        r = self.record(text, method, "fixed")
        self.assertEqual(r.finish(120), 0, r.text[-3000:])
        for w in REPORT:
            self.assertNotIn(w, r.text)
        self.assertEqual(show_json(r.recording)["stalls"], [])
        return r

    def both(self, name, check):
        for method in ("fork", "spawn"):
            with self.subTest(program=name, method=method):
                check(method)

    def test_join_before_drain(self):
        def check(method):
            r, line, summary = self.stuck(JOIN_BEFORE_DRAIN, method, "deadlock")
            L = lambda m: line_of(r.script, m)
            self.assertRegex(line, r"deadlock: MainProcess waits at line %d for Process-1 to exit; Process-1 cannot exit until "
                                   r"its \d+ KB message on the Queue created at line %d is read \(put at line %d\), and only "
                                   r"MainProcess could read it" % (L("# JOIN"), L("# QUEUE"), L("# PUT")))
            st = summary["stalls"][0]
            self.assertEqual((st["kind"], st["endedBy"]), ("deadlock", "exit"))
            # After Ctrl+C the program's exit path can deadlock once more before Stop's SIGKILL
            # (multiprocessing joins the child again; the child's exit flushes the same queue
            # again): seen once under load; or, once MainProcess has exited, the child's wait to flush
            # can never end (its since is when that wait began). Reported as what it is, and never
            # found before the first ended.
            for later in summary["stalls"][1:]:
                self.assertGreaterEqual(later["foundMs"], st["endedMs"], summary["stalls"])
            self.assertEqual(sorted(s["line"] for s in st["sites"]), sorted([L("# JOIN"), L("# QUEUE"), L("# PUT")]))
            self.assertEqual(self.fixed(JOIN_BEFORE_DRAIN, method).out.decode().split(), ["1000000"])
        self.both("join-before-drain", check)

    def test_join_before_drain_with_a_timeout(self):
        def check(method):
            r = self.record(JOIN_TIMEOUT, method, "stuck")
            self.assertEqual(r.finish(120), 0, r.text[-3000:])
            self.assertIn("would deadlock without its timeout: MainProcess waits at line %d for Process-1 to exit" % line_of(r.script, "# JOIN"), r.text)
            (st,) = show_json(r.recording)["stalls"]
            self.assertEqual((st["kind"], st["endedBy"]), ("timeout", "timeout"))
        self.both("join-timeout", check)

    def test_consumer_without_sentinel(self):
        def check(method):
            r, line, summary = self.stuck(NO_SENTINEL, method, "can never end")
            self.assertIn("waits at line %d for a message on the Queue created at line %d, which is empty; everyone who sent on it"
                          % (line_of(r.script, "# GET"), line_of(r.script, "# QUEUE")), line)
            self.assertIn("MainProcess waits at line %d for Process-3 to exit" % line_of(r.script, "# JOIN"), line)
            self.assertEqual(summary["stalls"][0]["kind"], "never")
            self.assertEqual(self.fixed(NO_SENTINEL, method).out.decode().count("got"), 6)
        self.both("no-sentinel", check)

    def test_recv_with_the_write_end_kept(self):
        def check(method):
            r, line, summary = self.stuck(KEPT_WRITE_END, method, "can never end")
            self.assertIn("MainProcess waits at line %d to receive on the Pipe created at line %d; it still holds the other end "
                          "itself, so EOFError can never come" % (line_of(r.script, "# RECV"), line_of(r.script, "# PIPE")), line)
            self.assertEqual(r.out.decode().count("got"), 3)
            self.assertEqual(self.fixed(KEPT_WRITE_END, method).out.decode().count("got"), 3)
        self.both("kept-write-end", check)

    def test_two_locks_taken_in_opposite_orders(self):
        def check(method):
            r, line, summary = self.stuck(TWO_LOCKS, method, "deadlock")
            L = lambda m: line_of(r.script, m)
            self.assertIn("MainProcess waits at line %d for Process-1 to exit" % L("# JOIN"), line)
            self.assertIn("Process-1 waits at line %d to acquire the Lock created at line %d, held since line %d by Process-2"
                          % (L("# ONE-B"), L("# LOCK-B"), L("# TWO-FIRST")), line)
            self.assertIn("Process-2 waits at line %d to acquire the Lock created at line %d, held since line %d by Process-1"
                          % (L("# TWO-SECOND"), L("# LOCK-A"), L("# ONE-A")), line)
            self.assertEqual(summary["stalls"][0]["kind"], "deadlock")
            self.assertEqual(self.fixed(TWO_LOCKS, method).out.decode().split(), ["done"])
        self.both("two-locks", check)


if __name__ == "__main__":
    unittest.main()
