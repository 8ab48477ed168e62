"""Running the examples of examples/ for test/python/test_examples.py: plainly, under a chosen
start method, or under the tracer (`process-view record`), with bounded time and no leftovers."""
import concurrent.futures
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
EXAMPLES = os.path.join(ROOT, 'examples')
CLI_BIN = os.path.join(ROOT, 'bin', 'process-view.js')
CLI_BUNDLE = os.path.join(ROOT, 'out', 'cli.js')
TRACER_PKG = os.path.join(ROOT, 'tracer', 'processview_tracer')

# An example must end by itself. It takes a few seconds on an idle machine; this is only a hang
# guard, with room for a 2-core machine loaded many times over (51 with its 100 processes took
# 45 s under the tracer with a load average of 30).
TIMEOUT = float(os.environ.get('PV_EXAMPLE_TIMEOUT', '240'))
KILLED = '[test] killed: still running after'
# Examples mostly sleep, so a few at a time share two cores well.
WORKERS = int(os.environ.get('PV_EXAMPLE_WORKERS', '4'))


def example_names():
    return sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(EXAMPLES, '[0-9][0-9]_*.py')))


def example_path(name):
    return os.path.join(EXAMPLES, name + '.py')


class Run:
    """One finished run of an example: what it printed, how it ended, and (traced) its events."""

    def __init__(self, name, mode, stdout, stderr, returncode, seconds, events=None, end=None,
                 leftovers=()):
        self.name, self.mode = name, mode
        self.stdout, self.stderr = stdout, stderr
        self.returncode, self.seconds = returncode, seconds
        self.events, self.end = events, end
        self.leftovers = list(leftovers)  # files the run left in its working directory

    @property
    def out(self):
        """stdout without colour codes."""
        return strip_ansi(self.stdout)

    @property
    def lines(self):
        return self.out.splitlines()

    def describe(self):
        return '%s [%s] exit %s after %.1f s\n--- stdout ---\n%s\n--- stderr ---\n%s' % (
            self.name, self.mode, self.returncode, self.seconds, self.stdout[-3000:], self.stderr[-3000:])


def strip_ansi(text):
    return re.sub(r'\x1b\[[0-9;]*m', '', text)


def base_env():
    env = dict(os.environ)
    # Like a program whose output goes to a pipe or a file: block-buffered unless it flushes.
    env.pop('PYTHONUNBUFFERED', None)
    env.pop('PV_TEST_START_METHOD', None)
    env['PYTHONDONTWRITEBYTECODE'] = '1'  # no __pycache__ in examples/ (it ships in the VSIX)
    env['PYTHONIOENCODING'] = 'utf-8'
    return env


def _run(cmd, env, timeout):
    """Run cmd in its own session from an empty folder; kill the whole group on timeout.
    Returns (stdout, stderr, returncode, seconds, leftover file names)."""
    cwd = tempfile.mkdtemp(prefix='pv-example-cwd-')
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid)
        out, err = proc.communicate()
        err += ('\n%s %d s' % (KILLED, timeout)).encode()
    seconds = time.monotonic() - start
    _kill_group(proc.pid)  # nothing of a run may outlive it (daemons, orphans)
    leftovers = os.listdir(cwd)
    shutil.rmtree(cwd, ignore_errors=True)
    return (out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace'), proc.returncode, seconds,
            leftovers)


def _kill_group(pgid):
    if not hasattr(os, 'killpg'):  # Windows: no process groups here
        return
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_plain(name, start_method=None, python=None, timeout=TIMEOUT):
    env = base_env()
    mode = 'plain'
    if start_method:
        mode = start_method
        env['PV_TEST_START_METHOD'] = start_method
        env['PYTHONPATH'] = os.pathsep.join(
            p for p in (os.path.join(HERE, 'startmethod'), env.get('PYTHONPATH')) if p)
    out, err, rc, secs, left = _run([python or sys.executable, example_path(name)], env, timeout)
    return Run(name, mode, out, err, rc, secs, leftovers=left)


# --- the tracer ------------------------------------------------------------------------------

_build_lock = threading.Lock()
_build_state = {}


def tracer_unavailable_reason():
    """None when `process-view record` can run here; otherwise why not (then traced tests skip)."""
    with _build_lock:
        if 'reason' in _build_state:
            return _build_state['reason']
        reason = None
        node = shutil.which('node')
        if not node:
            reason = 'node is not installed'
        elif not (os.path.exists(CLI_BIN) and os.path.isdir(TRACER_PKG)):
            reason = 'the tracer CLI (bin/process-view.js, tracer/) is not in this checkout'
        elif not os.path.exists(CLI_BUNDLE):
            # The bundle is a build product; build it once, as `npm test` does before this stage.
            r = subprocess.run([node, os.path.join(ROOT, 'scripts', 'build.mjs')], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
            if r.returncode != 0 or not os.path.exists(CLI_BUNDLE):
                reason = 'node scripts/build.mjs failed: ' + r.stdout.decode('utf-8', 'replace')[-500:]
        _build_state['reason'] = reason
        return reason


def read_recording(path):
    """Every record of a recording (header, events, samples, end) as dicts, in file order.
    Recordings keep events in compressed blocks (format 2), so they are read through the CLI's
    `export`, the same reader the extension uses, not parsed here."""
    r = subprocess.run([shutil.which('node'), CLI_BIN, 'export', path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=300)
    if r.returncode != 0:
        raise AssertionError('process-view export %s failed: %s' % (path, r.stderr.decode('utf-8', 'replace')))
    return [json.loads(line) for line in r.stdout.decode('utf-8').splitlines() if line.strip()]


def run_traced(name, python=None, timeout=TIMEOUT):
    folder = tempfile.mkdtemp(prefix='pv-example-rec-')
    rec = os.path.join(folder, 'run.jsonl')
    try:
        cmd = [shutil.which('node'), CLI_BIN, 'record', '--quiet', '--python', python or sys.executable,
               '--out', rec, example_path(name)]
        out, err, rc, secs, left = _run(cmd, base_env(), timeout)
        events, samples, end = [], [], None
        if os.path.exists(rec):
            for obj in read_recording(rec):
                if obj.get('type') == 'event':
                    events.append(obj['event'])
                elif obj.get('type') == 'sample':
                    samples.append(obj['sample'])
                elif obj.get('type') == 'end':
                    end = obj
        run = Run(name, 'traced', out, err, rc, secs, events=events, end=end, leftovers=left)
        run.samples = samples  # the process table as the sampler saw it, over time
        return run
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- running them all, a few at a time, once per test process ---------------------------------

_cache = {}
_cache_lock = threading.Lock()


def all_runs(mode, only=None):
    """Every example (or those in `only`) run once in `mode` ('plain', 'traced', 'spawn',
    'forkserver'), a few at a time; memoised for the test process. Returns {name: Run}."""
    with _cache_lock:
        if mode in _cache:
            return _cache[mode]
        names = [n for n in example_names() if only is None or n in only]
        if mode == 'traced':
            fn = run_traced
        elif mode == 'plain':
            fn = run_plain
        else:
            fn = lambda n: run_plain(n, start_method=mode)  # noqa: E731
        workers = max(1, WORKERS // 2) if mode == 'spawn' else WORKERS  # spawn is CPU-bound
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            runs = dict(zip(names, pool.map(fn, names)))
        _cache[mode] = runs
        return runs


# --- comparing a traced run with a plain one ----------------------------------------------------

_VOLATILE = [
    (re.compile(r'tracker_fd=\d+, pipe_handle=\d+'), 'tracker_fd=?, pipe_handle=?'),  # spawn's fds
    (re.compile(r'0x[0-9a-fA-F]+'), '0x?'),                                      # object addresses
    (re.compile(r'[A-Z][a-z]{2} [A-Z][a-z]{2} +\d+ \d\d:\d\d:\d\d \d{4}'), '<time>'),  # asctime()
    (re.compile(r'\d+\.\d+'), '<float>'),                                        # timings
    (re.compile(r'\d{3,}'), '<n>'),                                              # pids, ports
    (re.compile(r'\d+x faster'), '<n>x faster'),
]


def normalise(text):
    text = strip_ansi(text)
    for pattern, repl in _VOLATILE:
        text = pattern.sub(repl, text)
    return text
