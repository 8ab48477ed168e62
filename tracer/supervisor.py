"""Process View run supervisor: `python -I supervisor.py [--grace-ms N] [--merge-stderr] -- SCRIPT [ARGS...]`.

Started by the launcher (src/core/tracer/launch.ts), not traced itself (-I ignores PYTHONPATH).
It
- makes itself a child subreaper (Linux, prctl PR_SET_CHILD_SUBREAPER), so an orphan of the run is
  re-parented to it instead of to init: it stays observable, its exit status is known, and Stop
  can still end it. Elsewhere orphans go to init (documented in docs/protocol.md);
- starts the script with the same interpreter, stdin/stdout/stderr inherited untouched (with
  --merge-stderr, the script's stderr is our stdout: one pipe keeps the order of the two, as a
  terminal shows them);
- reaps the script and every adopted orphan, reporting `process.adopted` / `process.reaped`;
- on SIGTERM (Stop) sends SIGTERM to every descendant, then SIGKILL after the grace period; on
  SIGUSR1 (a second Ctrl+C of `record`: "end it at once") SIGKILL at once;
- stays until the last descendant is gone, then exits with the script's status (re-raising the
  signal that killed it), so whoever started us sees what the script did.
Standard library only; it must never print anything of its own on the program's streams.
"""
import json
import os
import signal
import socket  # noqa: F401  imported at start for _protocol.connect
import sys
import threading
import time

# The protocol's version is declared once, in the tracer's _protocol.py (no imports of its own):
# loaded on its own, not through the tracer package, which the supervisor has no use for.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "processview_tracer"))
from _protocol import CONTROL, EVENTS, PROTOCOL_VERSION, connect, offered  # noqa: E402
del sys.path[0]
PR_SET_CHILD_SUBREAPER = 36


def _subreaper():
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except Exception:
        return False


class Reporter:
    """Sends the supervisor's few events synchronously; gives up silently when the receiver is gone."""

    def __init__(self):
        self.sock = None
        self.lock = threading.Lock()
        self.dead = False
        try:
            token = os.environ["PROCESS_VIEW_TOKEN"]
            self.sock = connect(EVENTS, 2)
            hs = {"pv": PROTOCOL_VERSION, "token": token, "pid": os.getpid(), "client": "supervisor"}
            self.sock.sendall((json.dumps(hs) + "\n").encode())
        except Exception:
            self.dead = True

    def send(self, *ev, t_ns=None):
        if self.dead:
            return
        t = time.monotonic_ns() if t_ns is None else t_ns
        line = json.dumps({"ppid": os.getppid(), "ev": [[ev[0], t, None, None, None] + list(ev[1:])]})
        with self.lock:
            try:
                self.sock.sendall((line + "\n").encode())
            except Exception:
                self.dead = True

    def close(self):
        try:
            if self.sock is not None:
                self.sock.close()
        except Exception:
            pass


class DebugLink:
    """Debug runs only (the control channel offered): the supervisor's control connection to the debug
    adapter. If the adapter goes away while the run goes on (the editor closed, the adapter
    killed), the run is stopped as Stop stops it, unless the adapter said to let it run on
    (PROCESS_VIEW_DEBUG_ON_LOST=run-on, or a "runOn" message): paused processes resume by
    themselves, but a run nobody watches any more should not be left behind."""

    def __init__(self, on_lost):
        self.sock = None
        self.on_lost = on_lost
        self.finished = False
        self.run_on = os.environ.get("PROCESS_VIEW_DEBUG_ON_LOST") == "run-on"
        if not offered(CONTROL, os.environ):
            return
        try:
            self.sock = connect(CONTROL, 5)
            hs = {"pv": PROTOCOL_VERSION, "token": os.environ.get("PROCESS_VIEW_TOKEN", ""), "pid": os.getpid(),
                  "client": "supervisor"}
            self.sock.sendall((json.dumps(hs) + "\n").encode())
            self.sock.settimeout(None)
        except Exception:
            self.sock = None
            return
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self):
        buf = b""
        while True:
            try:
                chunk = self.sock.recv(4096)
            except Exception:
                chunk = b""
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                try:
                    if json.loads(line.decode()).get("command") == "runOn":
                        self.run_on = True
                except Exception:
                    pass
        if not self.finished and not self.run_on:
            self.on_lost()

    def finish(self):
        """The run is over: the connection's end is not the adapter's."""
        self.finished = True
        if self.sock is not None:
            try:
                self.sock.close()
            except Exception:
                pass


def _children_of_linux():
    """pid -> ppid for every process (one /proc scan)."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as f:
                data = f.read()
            rest = data[data.rindex(b")") + 2:].split()
            table[int(name)] = int(rest[1])
        except (OSError, ValueError, IndexError):
            continue
    return table


def _process_table():
    if os.path.isdir("/proc/self"):
        return _children_of_linux()
    import subprocess
    out = subprocess.run(["ps", "-A", "-o", "pid=,ppid="], capture_output=True, text=True).stdout
    table = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
            table[int(parts[0])] = int(parts[1])
    return table


def _descendants(root):
    table = _process_table()
    kids = {}
    for pid, ppid in table.items():
        kids.setdefault(ppid, []).append(pid)
    out, stack = [], [root]
    while stack:
        for c in kids.get(stack.pop(), ()):
            out.append(c)
            stack.append(c)
    return out


def _signame(sig):
    try:
        return signal.Signals(sig).name
    except Exception:
        return str(sig)


def main(argv):
    grace = 3.0
    if "--" not in argv:
        sys.stderr.write("usage: supervisor.py [--grace-ms N] -- SCRIPT [ARGS...]\n")
        return 2
    sep = argv.index("--")
    opts, cmd = argv[:sep], argv[sep + 1:]
    if "--grace-ms" in opts:
        grace = int(opts[opts.index("--grace-ms") + 1]) / 1000.0
    merge = "--merge-stderr" in opts
    if not cmd:
        sys.stderr.write("supervisor.py: no script given\n")
        return 2

    me = os.getpid()
    is_subreaper = _subreaper()
    reporter = Reporter()
    stopping = threading.Event()
    adopted = set()
    lock = threading.Lock()

    # Ctrl-C in a terminal reaches the whole foreground process group: the script decides what
    # it means; we only report and wait.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    env = dict(os.environ)
    env["PROCESS_VIEW_SUPERVISOR_PID"] = str(me)
    if not hasattr(os, "posix_spawn"):
        return _main_without_posix(cmd, env, reporter, merge)
    try:
        root = os.posix_spawn(sys.executable, [sys.executable] + cmd, env,
                              file_actions=[(os.POSIX_SPAWN_DUP2, 1, 2)] if merge else (),
                              setsigdef=(signal.SIGINT, signal.SIGTERM, signal.SIGHUP))
    except OSError as e:
        sys.stderr.write("process-view: cannot start %s: %s\n" % (sys.executable, e))
        return 127

    kill_now = threading.Event()

    def stop(signum=None, frame=None):
        if stopping.is_set():
            return
        stopping.set()
        threading.Thread(target=_terminate_all, daemon=True).start()

    def stop_now(signum=None, frame=None):
        kill_now.set()  # a stop in progress cuts its grace short
        stop()

    def _terminate_all():
        if not kill_now.is_set():
            for pid in _descendants(me):
                try:
                    os.kill(pid, signal.SIGTERM)
                except OSError:
                    pass
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and not kill_now.is_set():
                if not _descendants(me):
                    return
                kill_now.wait(0.05)
        # Until none is left (a process may fork between a scan and its kill), for 5 s at most.
        for _ in range(100):
            left = _descendants(me)
            if not left:
                return
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.05)

    signal.signal(signal.SIGTERM, stop)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, stop)
    if hasattr(signal, "SIGUSR1"):
        signal.signal(signal.SIGUSR1, stop_now)
    link = DebugLink(stop)

    def watch_adoptions():
        # Orphans re-parented to us while alive; their exit is seen by waitpid below.
        while True:
            time.sleep(0.2)
            try:
                table = _children_of_linux()
            except Exception:
                return
            for pid, ppid in table.items():
                if ppid == me and pid != root:
                    with lock:
                        if pid in adopted:
                            continue
                        adopted.add(pid)
                    reporter.send("process.adopted", pid)

    if is_subreaper and os.path.isdir("/proc/self"):
        threading.Thread(target=watch_adoptions, daemon=True).start()

    root_status = None
    while True:
        # When this call began says when the reaping began: a child that died while we were
        # already blocked in it left no zombie (docs/states.md). The events below are sent
        # before the next call, so a slow receiver shows as a later start, never hides a zombie.
        began = time.monotonic_ns()
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        reaped_at = time.monotonic_ns()
        if os.WIFSTOPPED(status) or (hasattr(os, "WIFCONTINUED") and os.WIFCONTINUED(status)):
            continue
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        sig = _signame(os.WTERMSIG(status)) if os.WIFSIGNALED(status) else None
        if pid == root:
            root_status = status
        else:
            with lock:
                if pid not in adopted:
                    adopted.add(pid)
                    reporter.send("process.adopted", pid)
        reporter.send("process.reaped", pid, code, sig, pid != root, (reaped_at - began) / 1e6, t_ns=reaped_at)

    reporter.close()
    link.finish()
    if root_status is None:
        return 1
    if os.WIFSIGNALED(root_status):
        sig = os.WTERMSIG(root_status)
        sys.stdout.flush()
        if sig not in (signal.SIGKILL, signal.SIGSTOP):
            signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
        return 128 + sig
    return os.WEXITSTATUS(root_status)


def _main_without_posix(cmd, env, reporter, merge=False):
    """Windows: no subreaper, no waitpid(-1), no signals to forward. Start the script, wait for it,
    report how it ended and exit with its code. Stop is done by the launcher (taskkill /T)."""
    import subprocess
    try:
        proc = subprocess.Popen([sys.executable] + cmd, env=env, stderr=subprocess.STDOUT if merge else None)
    except OSError as e:
        sys.stderr.write("process-view: cannot start %s: %s\n" % (sys.executable, e))
        return 127
    while True:
        try:
            code = proc.wait()
            break
        except KeyboardInterrupt:
            continue  # the console's Ctrl-C reaches the script too: it decides
    reporter.send("process.reaped", proc.pid, code, None, False)
    reporter.close()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
