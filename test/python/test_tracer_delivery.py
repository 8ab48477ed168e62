"""Every event the tracer produces reaches the receiver, or is counted in a `tracer.dropped`:
with a receiver that reads slowly, one that stops reading for seconds, and one that stops reading
while the program exits. The program is never held up beyond the exit bound, and its output and
exit code are those of a plain run.

The receiver here does what src/core/tracer/receiver.ts does with a connection cut inside a
frame: it reads the batch's event count from the frame's first 16 bytes (docs/protocol.md).
"""
import collections
import json
import marshal
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from test.python.examples_support import read_recording
from test.python.test_record_terminal import CLI, NODE
from test.python.test_tracer import SUPERVISOR, run_plain, tracer_env, write_script, _protocol

QUEUE = """
import multiprocessing as mp, sys, time

def producer(q, n, pace):
    for i in range(n):
        q.put(i)
        if pace and i % 100 == 0:
            time.sleep(pace)  # a run that goes on for seconds
    q.put(None)

if __name__ == "__main__":
    mp.set_start_method("fork")
    n = int(sys.argv[1])
    q = mp.Queue()
    p = mp.Process(target=producer, args=(q, n, float(sys.argv[2]) if len(sys.argv) > 2 else 0))
    p.start()
    got = 0
    while q.get() is not None:
        got += 1
    p.join()
    print("got", got)
    sys.exit(5)
"""

CUT_HEADER = 16
# Events whose number depends on timing: a wait is reported once it has lasted 20 ms, a parent may
# or may not see its child dead before it reaps it. At most a few a process.
TIMING = {"wait.begin", "wait.end", "process.died"}


def cut_batch_count(partial):
    """The receiver's rule (wire.ts cutBatchCount): the count of a frame cut after 16 bytes."""
    if len(partial) < CUT_HEADER:
        return None
    b = partial
    if (b[4] & 0x7F) != 0x29 or b[5] != 2 or (b[6] & 0x7F) != 0x69 or (b[11] & 0x7F) != 0x5B:
        return None
    return struct.unpack("<I", b[12:16])[0]


class SlowReceiver:
    """Accepts tracer connections and decodes their marshal frames, reading at most `rate` bytes
    a second (None: as fast as it can), and not at all while `paused` is set."""

    def __init__(self, token="delivery-token", rate=None):
        self.token, self.rate = token, rate
        self.events = []
        self.first_event_codes = []  # each frame's first event's marshal type byte
        self.cut_unknown = 0
        self.open = 0
        self.connections = 0
        self.lock = threading.Lock()
        self.running = threading.Event()
        self.running.set()
        self.server = socket.socket()
        # A small receive buffer (inherited by accepted sockets): what is in flight is mostly the
        # sender's, as with a receiver that has fallen behind, not the kernel's.
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 16)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def pause(self):
        self.running.clear()

    def resume(self):
        self.running.set()

    def close(self):
        self.server.close()

    def _accept(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with self.lock:
                self.open += 1
                self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _read(self, conn, n):
        self.running.wait()
        if self.rate:
            n = min(n, max(1, int(self.rate / 20)))
            time.sleep(0.05)
        return conn.recv(n)

    def _serve(self, conn):
        data = b""
        pid = None
        ppid = 0
        try:
            while b"\n" not in data:
                chunk = self._read(conn, 4096)
                if not chunk:
                    return
                data += chunk
            line, data = data.split(b"\n", 1)
            hs = json.loads(line)
            if hs.get("token") != self.token:
                return
            pid = hs["pid"]
            if hs.get("ack"):
                conn.sendall(b"ok\n")  # accepted: as the real receiver answers (docs/protocol.md)
            if hs.get("enc") != "marshal":  # the supervisor: JSON lines
                while True:
                    while b"\n" in data:
                        line, data = data.split(b"\n", 1)
                        batch = json.loads(line)
                        with self.lock:
                            self.events.extend(_protocol.as_dict(e, pid, batch["ppid"]) for e in batch["ev"])
                    chunk = self._read(conn, 1 << 16)
                    if not chunk:
                        return
                    data += chunk
            while True:
                while len(data) >= 4 and len(data) >= 4 + struct.unpack(">I", data[:4])[0]:
                    n = struct.unpack(">I", data[:4])[0]
                    ppid, evs = marshal.loads(data[4:4 + n])
                    first = data[4 + 12] if evs else None  # after (ppid, [n: see cut_batch_count
                    data = data[4 + n:]
                    with self.lock:
                        self.first_event_codes.append(first)
                        self.events.extend(_protocol.as_dict(e, pid, ppid) for e in evs)
                chunk = self._read(conn, 1 << 16)
                if not chunk:
                    break
                data += chunk
            if data:  # ended inside a frame
                n = cut_batch_count(data)
                with self.lock:
                    if n is None:
                        self.cut_unknown += 1
                    else:
                        self.events.append({"kind": "tracer.dropped", "pid": pid, "ppid": ppid, "count": n,
                                            "reason": "cut-batch"})
        except (OSError, ValueError, EOFError):
            return
        finally:
            conn.close()
            with self.lock:
                self.open -= 1

    def wait_idle(self, timeout=60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.open == 0:
                    return True
            time.sleep(0.02)
        return False

    def per_pid(self):
        """pid -> [events received (but TIMING ones), events counted as lost, Counter of received
        kinds/ops, TIMING events received]."""
        out = {}
        with self.lock:
            for e in self.events:
                row = out.setdefault(e["pid"], [0, 0, collections.Counter(), 0])
                if e["kind"] == "tracer.dropped":
                    row[1] += e["count"]
                elif e["kind"] in TIMING:
                    row[3] += 1
                else:
                    row[0] += 1
                    row[2][e["kind"] if e["kind"] != "channel.op" else e["op"]] += 1
        return out

    def roles(self):
        with self.lock:
            return {e["pid"]: e["role"] for e in self.events if e["kind"] == "hello"}


def start_traced(script, args, receiver):
    return subprocess.Popen([sys.executable, "-I", SUPERVISOR, "--", script, *args], env=tracer_env(receiver),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class DeliveryTest(unittest.TestCase):
    N = 20000

    @classmethod
    def setUpClass(cls):
        if os.environ.get("PV_TEST_PYTHON_MATRIX") and sys.version_info[:2] != (3, 9):
            # The sending path uses nothing that differs between versions; a minute and a half on
            # each Python would be spent for nothing. It runs on python3 and on the oldest, 3.9.
            raise unittest.SkipTest("runs on python3 and 3.9 only")
        cls.script = write_script(QUEUE)
        cls.plain = run_plain(cls.script, [str(cls.N)])
        assert cls.plain.returncode == 5, cls.plain.stderr
        # What a receiver that keeps up gets: the events each process produces, by role.
        rx = SlowReceiver()
        try:
            proc = start_traced(cls.script, [str(cls.N)], rx)
            proc.communicate(timeout=120)
            assert rx.wait_idle()
        finally:
            rx.close()
        roles = rx.roles()
        cls.expected = {roles[pid]: row[0] for pid, row in rx.per_pid().items() if pid in roles}
        assert set(cls.expected) == {"main", "child"}, cls.expected
        assert all(row[1] == 0 for row in rx.per_pid().values())

    def test_events_are_marshalled_without_back_reference_slots(self):
        # An event tuple held twice while marshal writes it (the batch's list and a copy with the
        # loss reports) is written with a back-reference slot: a hash-table entry per event in
        # the program's process, and a slot in the decoder's table, for tuples never referred to
        # again. Each frame's first event is a plain small tuple (0x29), not one flagged (0xa9).
        rx = SlowReceiver()
        try:
            proc = start_traced(self.script, ["2000"], rx)
            proc.communicate(timeout=120)
            self.assertTrue(rx.wait_idle())
        finally:
            rx.close()
        codes = [c for c in rx.first_event_codes if c is not None]
        self.assertGreater(len(codes), 2)
        self.assertEqual(set(codes), {0x29}, [hex(c) for c in codes])

    def assert_same_program(self, out, err, code):
        self.assertEqual((code, out, err), (5, self.plain.stdout, self.plain.stderr))

    def assert_accounted(self, rx, extra=0):
        """Every event each process produced was received or counted, exactly once. `extra`:
        messages more than N (each is one put in the child and one get in the main process).
        TIMING events lost are counted too, but how many there were is not known: a margin of 3."""
        roles = rx.roles()
        per = rx.per_pid()
        self.assertEqual(rx.cut_unknown, 0)
        for pid, role in roles.items():
            got, lost, kinds, _timing = per[pid]
            produced = self.expected[role] + extra
            why = "%s %d: %d received + %d counted as lost, %d produced (%s)" % (role, pid, got, lost, produced, dict(kinds))
            self.assertGreaterEqual(got + lost, produced, why)
            self.assertLessEqual(got + lost, produced + 3, why)
        return per

    def test_slow_receiver_loses_nothing(self):
        # Reads ~1 MB/s a connection: far slower than the program writes (12 MB a process, three
        # times what the kernel's buffers hold). Nothing may be given up on: the program goes
        # on, the tracer waits, and the exits wait while the receiver keeps taking bytes.
        rx = SlowReceiver(rate=1_000_000)
        try:
            proc = start_traced(self.script, [str(self.N * 10)], rx)
            out, err = proc.communicate(timeout=180)
            self.assertTrue(rx.wait_idle(120))
        finally:
            rx.close()
        self.assertEqual((proc.returncode, out, err), (5, "got %d\n" % (self.N * 10), ""))
        per = self.assert_accounted(rx, extra=9 * self.N)
        self.assertEqual(sum(row[1] for row in per.values()), 0, "a slow receiver costs no event")
        main = [pid for pid, r in rx.roles().items() if r == "main"][0]
        self.assertEqual(per[main][2]["get"], self.N * 10 + 1)
        self.assertEqual(per[main][2]["process.exit"], 1)

    def test_receiver_that_stops_reading_for_seconds(self):
        # Stopped 5 s in the middle of the run (as by SIGSTOP), then reading again: the program
        # ran on meanwhile, and goes on after; every event arrives or is counted.
        rx = SlowReceiver()
        try:
            proc = start_traced(self.script, [str(self.N * 10), "0.003"], rx)
            deadline = time.monotonic() + 60
            while sum(row[0] for row in rx.per_pid().values()) < 2000 and time.monotonic() < deadline:
                time.sleep(0.01)
            rx.pause()
            stopped = time.monotonic()
            while time.monotonic() - stopped < 5:
                time.sleep(0.05)  # the stall itself is the scenario
            rx.resume()
            out, err = proc.communicate(timeout=180)
            self.assertTrue(rx.wait_idle())
        finally:
            rx.close()
        self.assertEqual((proc.returncode, out, err), (5, "got %d\n" % (self.N * 10), ""))
        self.assert_accounted(rx, extra=9 * self.N)

    def test_receiver_stalled_while_the_program_exits(self):
        # The receiver stops reading early and resumes only after the program has exited: the
        # exits give up within their bound (the program is not held), count what they could not
        # deliver, and report it (with the process's own end) on a fresh connection.
        rx = SlowReceiver()
        try:
            proc = start_traced(self.script, [str(self.N * 5)], rx)
            deadline = time.monotonic() + 60
            while sum(row[0] for row in rx.per_pid().values()) < 500 and time.monotonic() < deadline:
                time.sleep(0.005)
            rx.pause()
            began = time.monotonic()
            try:
                out, err = proc.communicate(timeout=60)
            finally:
                held = time.monotonic() - began
                rx.resume()
            self.assertTrue(rx.wait_idle())
        finally:
            rx.close()
        self.assertEqual((proc.returncode, out, err), (5, "got %d\n" % (self.N * 5), ""))
        self.assertLess(held, 30, "the program waited for a stalled receiver")
        per = self.assert_accounted(rx, extra=4 * self.N)
        lost = sum(row[1] for row in per.values())
        self.assertGreater(lost, 0, "the stall was meant to cost events (else this test tests nothing)")
        main = [pid for pid, r in rx.roles().items() if r == "main"][0]
        self.assertEqual(per[main][2]["process.exit"], 1, "the main process's end is kept")
        self.assertGreater(rx.connections, 3, "the losses were reported on fresh connections")


UNANSWERED = """
import multiprocessing as mp, os, sys, time

def producer(q, n):
    for i in range(n):
        q.put(i)
    q.put(None)

if __name__ == "__main__":
    mp.set_start_method("fork")
    n, go, done = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    # The test stops the receiver once this process's own connection is accepted.
    core = sys.modules["processview_tracer._core"]
    while not core.state.accepted:
        time.sleep(0.01)
    open(done + ".ready", "w").close()
    while not os.path.exists(go):
        time.sleep(0.01)
    q = mp.Queue()
    p = mp.Process(target=producer, args=(q, n))
    p.start()  # its connection is never answered while it lives
    got = 0
    while q.get() is not None:
        got += 1
    p.join()
    open(done, "w").close()
    print("got", got)
    sys.exit(5)
"""


class UnansweredConnectionTest(unittest.TestCase):
    """The real receiver (`process-view record`) does not answer a process's connection while the
    process lives (stopped, as a receiver too busy to read a handshake: the case that lost a
    whole process's events before the tracer waited for the answer). The process sends no event
    on it, gives up at exit after EXIT_STALL, and reports on a fresh connection what it could
    not send: `record` and `show` say how many events were lost, and the count is exact."""

    N = 2000

    def setUp(self):
        if os.environ.get("PV_TEST_PYTHON_MATRIX") and sys.version_info[:2] != (3, 9):
            raise unittest.SkipTest("runs on python3 and 3.9 only")
        if not os.path.exists(CLI):
            raise unittest.SkipTest("out/cli.js is not built")

    def test_events_of_a_connection_never_accepted_are_counted_and_shown(self):
        folder = tempfile.mkdtemp(prefix="pv-unanswered-")
        script = os.path.join(folder, "unanswered.py")
        with open(script, "w") as f:
            f.write(UNANSWERED)
        go, done, rec = (os.path.join(folder, x) for x in ("go", "done", "run.jsonl"))
        proc = subprocess.Popen([NODE, CLI, "record", "--quiet", "--python", sys.executable, "--out", rec, script,
                                 str(self.N), go, done], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        stopped = False
        try:
            deadline = time.monotonic() + 60
            while not os.path.exists(done + ".ready"):
                self.assertIsNone(proc.poll(), "record ended early")
                self.assertLess(time.monotonic(), deadline, "the main process's connection was not accepted")
                time.sleep(0.02)
            os.kill(proc.pid, signal.SIGSTOP)  # the receiver (and record) stop reading
            stopped = True
            open(go, "w").close()
            deadline = time.monotonic() + 90  # the child waits EXIT_STALL (5 s) for an answer
            while not os.path.exists(done):
                self.assertLess(time.monotonic(), deadline, "the program did not end")
                time.sleep(0.05)
            os.kill(proc.pid, signal.SIGCONT)
            stopped = False
            out, err = proc.communicate(timeout=120)
        finally:
            if stopped:
                os.kill(proc.pid, signal.SIGCONT)
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(proc.returncode, 5, err)
        self.assertIn("got %d" % self.N, out)
        records = read_recording(rec)
        events = [r["event"] for r in records if r.get("type") == "event"]
        main = next(e["pid"] for e in events if e["kind"] == "hello" and e["role"] == "main")
        child = next(e["childPid"] for e in events if e["kind"] == "process.created")
        mine = [e for e in events if e["pid"] == child]
        kinds = collections.Counter(e["kind"] if e["kind"] != "channel.op" else e["op"] for e in mine)
        lost = [e for e in mine if e["kind"] == "tracer.dropped"]
        # Not one put was sent (the connection was never accepted), every one is counted, and the
        # child's lifecycle events came with the count on the fresh connection.
        self.assertEqual(kinds["put"], 0, kinds)
        self.assertEqual([(e["count"], e["reason"]) for e in lost], [(self.N + 1, "exit")], lost)
        self.assertEqual((kinds["hello"], kinds["process.running"], kinds["process.exit"]), (1, 1, 1), kinds)
        # The main process lost nothing: every get is there.
        self.assertEqual(sum(1 for e in events if e["pid"] == main and e["kind"] == "channel.op" and e["op"] == "get"), self.N + 1)
        self.assertFalse([e for e in events if e["pid"] == main and e["kind"] == "tracer.dropped"])
        words = "%s events lost: %s of process %d (it ended before Process View could take them)" % (
            format(self.N + 1, ","), format(self.N + 1, ","), child)
        self.assertIn("process-view: warning: " + words, err)
        shown = subprocess.run([NODE, CLI, "show", rec], capture_output=True, text=True, timeout=120)
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertIn("Warning: " + words, shown.stdout)


if __name__ == "__main__":
    unittest.main()
