"""The kernel's date of a death (docs/protocol.md `deadMs`, docs/states.md): where a parent looks
at a dead child it has not reaped (its tracer thread's sighting, a join or waitpid that begins
after the death, multiprocessing's own polling, Popen.wait), it reads when the kernel says the
child died, and that date lies between the child's last word and the parent's first sight of it
dead. Linux only; elsewhere the field is absent.

Deterministic on any load: each child is left unreaped until the parent knows it is dead (its
sentinel, or a pipe closed by its death), and every bound is checked by what happened first. A
reaping poll asks only where the tracer thread has not seen the child alive for a while (so that
is_alive() in a loop costs nothing more): the program makes that so by hand.
"""
import os
import sys
import unittest

from test.python.test_tracer import on_other_pythons, run_traced

KERNEL_DATES = sys.platform.startswith("linux") and os.path.exists("/proc/thread-self/sched")

PROGRAM = """
import multiprocessing as mp, multiprocessing.connection, os, subprocess, sys, time
from processview_tracer import _core

def quick():
    pass

def zombie(pid):
    # Whether /proc says so (Linux), else None.
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except OSError:
        return None

def execs(r):
    # Its sentinel's end closes at exec (not inheritable): readable while it runs on.
    os.set_inheritable(r, True)
    os.dup2(r, 0)
    os.execv(sys.executable, [sys.executable, "-c", "import sys; sys.stdin.read(1)"])

def wait_seen(z):
    deadline = time.monotonic() + 30
    while z.pid in _core.watched and time.monotonic() < deadline:
        time.sleep(0.005)                         # until the tracer has seen it dead

if __name__ == "__main__":
    mp.set_start_method("fork")
    alive = mp.Process(target=time.sleep, args=(30,))
    alive.start()
    print("alive", _core.death_ns(alive.pid))     # not dead: no date
    alive.terminate(); alive.join()
    print("reaped", _core.death_ns(alive.pid))    # reaped: no date
    z = mp.Process(target=quick)
    z.start()
    wait_seen(z)
    z.join()                                      # LATE-JOIN
    q = mp.Process(target=quick)
    q.start()
    # As if the tracer thread were starved: it last saw q alive a second ago, and q is a zombie
    # when multiprocessing's polling reaps it.
    w = _core.watched.pop(q.pid)
    mp.connection.wait([q.sentinel])
    deadline = time.monotonic() + 30
    while zombie(q.pid) is False and time.monotonic() < deadline:
        time.sleep(0.001)
    w[1] -= 10**9
    _core.watched[q.pid] = w
    while mp.active_children():                   # REAP-BY-POLL
        pass
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os._exit(3)
    os.close(w)
    os.read(r, 1)                                 # EOF: it has closed its end, dying
    time.sleep(0.05)
    print("waitpid", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))   # WAITPID
    c = subprocess.Popen([sys.executable, "-c", "pass"], stdout=subprocess.PIPE)
    c.stdout.read()                               # EOF: it has ended
    time.sleep(0.05)
    c.wait()                                      # POPEN-WAIT
    r, w = os.pipe()
    e = mp.Process(target=execs, args=(r,))
    e.start()                                     # EXECS
    os.close(r)
    deadline = time.monotonic() + 30
    while e.pid in _core.watched and time.monotonic() < deadline:
        time.sleep(0.005)                         # until the tracer has stopped watching it
    print("unwatched", e.pid not in _core.watched)
    os.write(w, b"x")
    e.join()
    print("pids", z.pid, q.pid, pid, c.pid, e.pid)
"""


class DeathDateTest(unittest.TestCase):
    def check(self, python=None):
        r = run_traced(PROGRAM, python=python)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.of("tracer.error"), [])
        lines = r.stdout.splitlines()
        self.assertEqual(lines[:3], ["alive None", "reaped None", "waitpid 3"])
        z_pid, q_pid, f_pid, c_pid, e_pid = [int(x) for x in r.stdout.split("pids")[1].split()]
        main = r.of("hello", role="main")[0]["pid"]

        def dated(ev):
            """The death an event dates (monotonic ns), or None."""
            return None if ev.get("deadMs") is None else ev["tNs"] - ev["deadMs"] * 1e6

        def reap_began(ev):
            return ev["tNs"] - ev["waitedMs"] * 1e6

        (z_exit,) = r.of("process.exit", pid=z_pid)
        (died,) = r.of("process.died", pid=main, childPid=z_pid)
        (z_joined,) = r.of("process.joined", pid=main, childPid=z_pid)
        self.assertEqual(z_joined["line"], r.line_of("# LATE-JOIN"))
        (q_joined,) = r.of("process.joined", pid=main, childPid=q_pid)
        self.assertEqual(q_joined["line"], r.line_of("# REAP-BY-POLL"))
        (f_joined,) = r.of("process.joined", pid=main, childPid=f_pid)
        self.assertEqual(f_joined["line"], r.line_of("# WAITPID"))
        (c_joined,) = r.of("process.joined", pid=main, childPid=c_pid)
        self.assertEqual(c_joined["line"], r.line_of("# POPEN-WAIT"))
        if not KERNEL_DATES:
            for ev in (died, z_joined, q_joined, f_joined, c_joined):
                self.assertIsNone(ev.get("deadMs"), ev)
            return
        # A child whose sentinel woke at an exec, alive all along: never said dead (Linux knows
        # it runs); its watch ends instead.
        self.assertIn("unwatched True", lines)
        self.assertEqual(r.of("process.died", childPid=e_pid), [])
        # The late join: the sighting and the join read the same date, after the child's last
        # word and before the parent saw it dead (the sighting) and began to reap it.
        d_seen, d_join = dated(died), dated(z_joined)
        self.assertIsNotNone(d_join, z_joined)
        self.assertLessEqual(z_exit["tNs"], d_join)
        self.assertLessEqual(d_join, reap_began(z_joined) + 1000)
        if d_seen is not None:  # the child may not have been a zombie yet when its sentinel woke
            self.assertLess(abs(d_seen - d_join), 1000, (died, z_joined))
            self.assertLessEqual(d_seen, died["tNs"])
        # Reaped by multiprocessing's polling, by os.waitpid, by Popen.wait: each dated, after
        # its last word (the polled child's exit stamp; the forked child's closed pipe is its
        # death) and before the reaping call began.
        # The polled child was last seen alive long ago: dated by the poll that reaped it, or by
        # the tracer thread's sighting if it came first.
        (q_exit,) = r.of("process.exit", pid=q_pid)
        q_seen = r.of("process.died", pid=main, childPid=q_pid)
        d_q = dated(q_joined) or (dated(q_seen[0]) if q_seen else None)
        self.assertIsNotNone(d_q, (q_joined, q_seen))
        self.assertLessEqual(q_exit["tNs"], d_q)
        self.assertLessEqual(d_q, q_joined["tNs"])
        for ev in (f_joined, c_joined):
            d = dated(ev)
            self.assertIsNotNone(d, ev)
            self.assertGreaterEqual(ev["deadMs"], 50 - 1, "left unreaped 50 ms after its death")
            self.assertLessEqual(d, reap_began(ev) + 1000)

    def test_this_python(self):
        self.check()

    def test_other_python_versions(self):
        on_other_pythons(self, lambda exe, _: self.check(python=exe))


if __name__ == "__main__":
    unittest.main()
