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


# --- the debugger -------------------------------------------------------------------------------

# Every kind of operation the debugger can pause before (src/core/protocol/control.ts, STOP_ON_KINDS).
STOP_ON_KINDS = ('process', 'queue', 'pipe', 'lock', 'event', 'pool', 'manager')


class DapClient:
    """A small real DAP client over stdio, as an editor is: starts `process-view debug-adapter`,
    frames messages with Content-Length, keeps every event."""

    def __init__(self, env):
        self.proc = subprocess.Popen([shutil.which('node'), CLI_BIN, 'debug-adapter'], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                     start_new_session=True)
        self.cond = threading.Condition()
        self.events, self.responses, self.stderr = [], {}, []
        self.seq = 1
        self.gone = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._err = threading.Thread(target=lambda: self.stderr.append(self.proc.stderr.read()), daemon=True)
        self._err.start()

    def _read(self):
        f = self.proc.stdout
        try:
            while True:
                length = None
                line = f.readline()
                if not line:
                    break
                while line.strip():
                    if line.lower().startswith(b'content-length:'):
                        length = int(line.split(b':', 1)[1])
                    line = f.readline()
                msg = json.loads(f.read(length))
                with self.cond:
                    if msg.get('type') == 'response':
                        self.responses[msg['request_seq']] = msg
                    elif msg.get('type') == 'event':
                        self.events.append(msg)
                    self.cond.notify_all()
        finally:
            with self.cond:
                self.gone = True
                self.cond.notify_all()

    def send(self, command, arguments=None):
        with self.cond:
            seq = self.seq
            self.seq += 1
        body = json.dumps({'seq': seq, 'type': 'request', 'command': command, 'arguments': arguments or {}}).encode()
        try:
            self.proc.stdin.write(b'Content-Length: %d\r\n\r\n' % len(body) + body)
            self.proc.stdin.flush()
        except OSError:
            pass  # the adapter is gone: what it said is in its events and stderr
        return seq

    def until(self, check, timeout):
        """check()'s value once it is true (checked at every message), or None at the deadline
        or when the adapter is gone."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                value = check()
                left = deadline - time.monotonic()
                if value or left <= 0 or self.gone:
                    return value
                self.cond.wait(left)

    def request(self, command, arguments=None, timeout=60):
        seq = self.send(command, arguments)
        return self.until(lambda: self.responses.get(seq), timeout)

    def output(self, category):
        return ''.join(e['body'].get('output', '') for e in self.events
                       if e['event'] == 'output' and e['body'].get('category') == category)

    def close(self):
        if self.proc.poll() is None:
            self.request('disconnect', {'terminateDebuggee': True}, timeout=30)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._err.join(15)
        self._reader.join(15)
        _kill_group(self.proc.pid)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                stream.close()
            except OSError:
                pass


def _processes_with_marker(marker):
    """pids of live processes whose environment has PV_TEST_RUN=marker (Linux: /proc)."""
    found = []
    needle = ('PV_TEST_RUN=%s' % marker).encode()
    for entry in os.listdir('/proc') if os.path.isdir('/proc') else []:
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/environ' % entry, 'rb') as f:
                if needle in f.read().split(b'\0'):
                    with open('/proc/%s/stat' % entry) as st:
                        if st.read().rsplit(')', 1)[1].split()[0] != 'Z':
                            found.append(int(entry))
        except OSError:
            pass
    return found


def run_debugged(name, python=None, timeout=TIMEOUT, stop_on=STOP_ON_KINDS, command='continue'):
    """The example in a debug session, as Debug with Process View starts one: the debug adapter
    over stdio, paused before every multiprocessing operation (`stopOn`) in every process, and
    each stop answered with `command` as soon as it is reported: `continue`, or `stepIn` from
    the main process's first line on (every line of every process of the program stepped
    through, each start() stepped into its child). Output comes as the adapter's output events."""
    cwd = tempfile.mkdtemp(prefix='pv-example-cwd-')
    marker = 'pv-example-%d-%s' % (os.getpid(), name)
    env = base_env()
    start = time.monotonic()
    client = DapClient(env)
    stops, continued, exit_code, ended, problems = 0, set(), None, False, []
    try:
        client.request('initialize', {'adapterID': 'processview', 'clientID': 'test-examples', 'linesStartAt1': True,
                                      'columnsStartAt1': True, 'pathFormat': 'path'})
        launched = client.send('launch', {'program': example_path(name), 'python': python or sys.executable,
                                          'console': 'internalConsole', 'cwd': cwd, 'stopOn': list(stop_on),
                                          'stopOnEntry': command != 'continue',
                                          'env': {'PV_TEST_RUN': marker}})
        client.until(lambda: any(e['event'] == 'initialized' for e in client.events), 60)
        client.request('configurationDone')
        r = client.until(lambda: client.responses.get(launched), 60)
        if not r or not r.get('success'):
            problems.append('launch failed: %r' % (r,))
        seen = 0
        deadline = start + timeout
        while not problems and not ended and time.monotonic() < deadline:
            new = client.until(lambda: client.events[seen:] or None, deadline - time.monotonic())
            if not new:
                break
            seen += len(new)
            for e in new:
                body = e.get('body') or {}
                if e['event'] == 'stopped':
                    pv = body.get('processView') or {}
                    key = (pv.get('pid'), pv.get('stop'))
                    if key not in continued:  # a stop told again (to move the focus) counts once
                        continued.add(key)
                        stops += 1
                        client.send(command, {'threadId': body['threadId']})
                elif e['event'] == 'exited':
                    exit_code = body.get('exitCode')
                elif e['event'] == 'terminated':
                    ended = True
        if not ended and not problems:
            problems.append('%s %d s' % (KILLED, timeout))
    finally:
        stdout, stderr = client.output('stdout'), client.output('stderr')
        client.close()
        # Nothing of the run may outlive its session (daemons, orphans): bounded poll, then say so.
        left_alive = _processes_with_marker(marker)
        until = time.monotonic() + 20
        while left_alive and time.monotonic() < until:
            time.sleep(0.1)
            left_alive = _processes_with_marker(marker)
        for pid in left_alive:
            problems.append('process %d of the run still alive after the session ended' % pid)
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    leftovers = os.listdir(cwd)
    shutil.rmtree(cwd, ignore_errors=True)
    run = Run(name, 'debugged' if command == 'continue' else 'stepped', stdout, stderr, exit_code, time.monotonic() - start, leftovers=leftovers)
    run.stops = stops
    run.problems = problems
    run.adapter_stderr = b''.join(client.stderr).decode('utf-8', 'replace')
    run.console = client.output('console') + client.output('important')
    return run


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
        elif mode == 'debugged':
            fn = run_debugged
        elif mode == 'stepped':
            fn = lambda n: run_debugged(n, command='stepIn')  # noqa: E731
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
