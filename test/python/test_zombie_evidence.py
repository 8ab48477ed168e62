"""Zombies decided from evidence that holds under any load (docs/states.md), checked against strace
on the runs that got them wrong when they were judged from timestamps and samples:

- a flood (programs/zombie_flood.py: 40 processes each sending 1,000 messages through one Queue
  while the main process reads them, then a Pool of 8 over 200 tasks): every zombie strace saw
  last 0.3 s or more must be reported (senders that finished before the main process joined them,
  pool workers at the pool's end), and none where strace saw the reap within 30 ms;
- real Pool use (programs/pool_lifecycle.py: map, imap, apply_async, then the end of the pool):
  no false zombies.

Each runs idle and with two busy loops on the machine (started here, ended here by their pids),
and is compared with strace in full (test_strace_model.compare: processes, creators, exit codes,
zombies, orphans). Needs strace and node, else skips with the reason.
"""
import os
import shutil
import subprocess
import sys
import unittest

from test.python import examples_support as ex
from test.python import test_strace_model as st

PROGRAMS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'programs')


class BusyLoops:
    """Two CPU-bound processes for the length of a `with` block (the machine has two cores)."""

    def __enter__(self):
        cmd = ['yes'] if shutil.which('yes') else [sys.executable, '-c', 'while True: pass']
        self.procs = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL) for _ in range(2)]
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            p.kill()
        for p in self.procs:
            p.wait()


class ZombieEvidenceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.environ.get('PV_TEST_PYTHON_MATRIX'):
            # Minutes of strace runs: once, on the default python3 (as the examples' suite).
            raise unittest.SkipTest('runs on the default python3 only')
        reason = st.strace_unavailable_reason() or ex.tracer_unavailable_reason()
        if reason:
            raise unittest.SkipTest(reason)

    def check(self, program, loaded):
        script = os.path.join(PROGRAMS, program)
        if loaded:
            with BusyLoops():
                r = st.record_under_strace(script, timeout=600)
        else:
            r = st.record_under_strace(script, timeout=600)
        st.compare_recorded(self, program, *r)
        return r[0], r[1]

    def check_flood(self, loaded):
        model, trace = self.check('zombie_flood.py', loaded)
        # The flood does leave long zombies (else the check above proved nothing): the senders the
        # main process joined only after reading every message.
        root = model['run']['rootPid']
        long_ones = [pid for pid in trace.descendants(root) if (trace.zombie_ms(pid) or 0) >= st.ZOMBIE_SURE_MS]
        self.assertGreater(len(long_ones), 0, 'strace saw no zombie of %d ms or more' % st.ZOMBIE_SURE_MS)

    def test_flood_idle(self):
        self.check_flood(loaded=False)

    def test_flood_loaded(self):
        self.check_flood(loaded=True)

    def test_pool_idle(self):
        self.check('pool_lifecycle.py', loaded=False)

    def test_pool_loaded(self):
        self.check('pool_lifecycle.py', loaded=True)


if __name__ == '__main__':
    unittest.main()
