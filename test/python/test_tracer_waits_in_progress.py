"""Waits in progress (docs/protocol.md): a join or waitpid that blocks is reported once, by the
tracer's own thread, stamped when it began; a wait that ends at once costs no event; and the
evidence a zombie is judged from (docs/states.md): when the reaping call began.

Deterministic on any load: the program itself waits until the tracer has reported its main
thread's wait (it reads the tracer's wait slots, bounded) before it lets the child end.
"""
import unittest

from test.python.test_tracer import StartMethodTests, run_traced

WAITS = """
import multiprocessing as mp, multiprocessing.connection, os, sys, threading, time
from processview_tracer import _core

def hold(ev):
    ev.wait()

def quick():
    pass

def when_reported(op, then):
    # A helper thread: once the main thread's wait `op` has been reported, call then().
    main = threading.main_thread().ident
    def watch():
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            slot = _core.waits.get(main)
            if slot is not None and slot[0] == op and slot[7]:
                break
            time.sleep(0.005)
        then()
    threading.Thread(target=watch, daemon=True).start()

if __name__ == "__main__":
    method = sys.argv[1]
    mp.set_start_method(method)
    ev = mp.Event()
    p = mp.Process(target=hold, args=(ev,))
    p.start()
    when_reported("join", ev.set)
    p.join()                                      # LONG-JOIN
    q = mp.Process(target=quick)
    q.start()
    mp.connection.wait([q.sentinel])              # it has ended (not yet reaped)
    while mp.active_children():                   # REAP-BY-POLL
        pass
    z = mp.Process(target=quick)
    z.start()
    deadline = time.monotonic() + 30
    while z.pid in _core.watched and time.monotonic() < deadline:
        time.sleep(0.005)                         # until the tracer has seen it dead
    z.join()                                      # LATE-JOIN
    if method == "fork":
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.read(r, 1)
            os._exit(3)
        when_reported("waitpid", lambda: os.write(w, b"x"))
        print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))   # WAITPID
    print("pids", p.pid, q.pid, z.pid)
"""


class WaitsInProgressTest(StartMethodTests, unittest.TestCase):
    OTHER_PYTHON_METHODS = ("fork",)

    def check(self, method, python=None):
        r = run_traced(WAITS, [method], python=python)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.of("tracer.error"), [])
        p_pid, q_pid, z_pid = [int(x) for x in r.stdout.split("pids")[1].split()]
        main = r.of("hello", role="main")[0]["pid"]
        L = r.line_of
        begins = r.of("wait.begin", pid=main)

        # The long join: reported once (the waitpid inside it is not a wait of its own), stamped
        # when the join began, at the join's line, and ended by the join's own event.
        (jb,) = [b for b in begins if b["childPid"] == p_pid]
        self.assertEqual((jb["op"], jb["line"], jb["timeout"], jb["id"]), ("join", L("# LONG-JOIN"), None, None))
        (joined,) = r.of("process.joined", pid=main, childPid=p_pid)
        self.assertEqual(joined["tid"], jb["tid"])
        self.assertLess(abs(joined["tNs"] - joined["waitedMs"] * 1e6 - jb["tNs"]), 1000, "begin != the join's start")
        self.assertGreaterEqual(joined["waitedMs"], 20, "reported, so it lasted past the threshold")
        (exit_,) = r.of("process.exit", pid=p_pid)
        self.assertLess(jb["tNs"], exit_["tNs"], "the parent was blocked in join before the child ended")
        # ... and it knew the child alive when the join began (its sentinel was not readable).
        self.assertIsNotNone(joined["aliveMs"])
        self.assertGreaterEqual(joined["tNs"] - joined["aliveMs"] * 1e6, jb["tNs"] - 1000)

        # Reaped by multiprocessing itself (active_children polls): no wait, and the reaping call
        # began after the child's exit was stamped.
        self.assertEqual([b for b in begins if b["childPid"] == q_pid], [])
        (polled,) = r.of("process.joined", pid=main, childPid=q_pid)
        self.assertEqual(polled["line"], L("# REAP-BY-POLL"))
        (q_exit,) = r.of("process.exit", pid=q_pid)
        self.assertLessEqual(q_exit["tNs"], polled["tNs"] - polled["waitedMs"] * 1e6 + 1000)

        # Seen dead by its parent's tracer, unreaped, before the late join reaped it: between its
        # exit stamp and the reaping call, with the moment it was last seen alive.
        (died,) = r.of("process.died", pid=main, childPid=z_pid)
        (z_exit,) = r.of("process.exit", pid=z_pid)
        (z_joined,) = r.of("process.joined", pid=main, childPid=z_pid)
        self.assertEqual(z_joined["line"], L("# LATE-JOIN"))
        self.assertLessEqual(z_exit["tNs"], died["tNs"])
        self.assertLessEqual(died["tNs"], z_joined["tNs"] - z_joined["waitedMs"] * 1e6 + 1000)
        self.assertGreaterEqual(died["windowMs"], 0)
        if z_joined["aliveMs"] is not None:  # last known alive: before it was seen dead
            self.assertLessEqual(z_joined["tNs"] - z_joined["aliveMs"] * 1e6, died["tNs"])
        # The child its parent was blocked in join for may be seen dead too (the tracer's thread can
        # look before the join returns), never before the join began.
        for d in r.of("process.died", childPid=p_pid):
            self.assertGreater(d["tNs"], jb["tNs"])

        if method == "fork":
            self.assertEqual(r.stdout.splitlines()[0], "3")
            (wb,) = [b for b in begins if b["op"] == "waitpid"]
            self.assertEqual(wb["line"], L("# WAITPID"))
            (waited,) = r.of("process.joined", pid=main, childPid=wb["childPid"])
            self.assertEqual((waited["exitCode"], waited["line"]), (3, L("# WAITPID")))
            self.assertLess(abs(waited["tNs"] - waited["waitedMs"] * 1e6 - wb["tNs"]), 1000)
        self.assertEqual(r.of("wait.end"), [], "every wait ended with its own event")


if __name__ == "__main__":
    unittest.main()
