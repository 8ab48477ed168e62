"""Process lifecycle: creation, running, exit, join/wait, signals, for every way a process starts."""
import os
import signal
import sys
import threading
import time
import warnings

from . import _core
from ._core import emit, error, get_ident, hide, monotonic_ns, own, pause_before, site, state

_tls = state.tls


def _signame(sig):
    try:
        return signal.Signals(sig).name
    except Exception:
        return str(sig)


def _role_for_target(target):
    name = getattr(target, "__qualname__", "") or ""
    mod = getattr(target, "__module__", "") or ""
    if mod == "multiprocessing.pool" and name == "worker":
        return "pool-worker"
    if mod == "concurrent.futures.process" and name == "_process_worker":
        return "pool-worker"
    if name.endswith("._run_server") and mod == "multiprocessing.managers":
        return "manager"
    return "child"


def _obj_id(proc):
    oid = own(proc, "_pv_id")  # not proc.__dict__: see _core.own
    if oid is None:
        state.counter = getattr(state, "counter", 0) + 1
        oid = "process:%d:%d" % (os.getpid(), state.counter)
        proc._pv_id = oid
    return oid


# ---------------------------------------------------------------------------------------------
# os-level entry points

def _wrap_os():
    real_fork = os.fork

    quiet_fork = sys.version_info >= (3, 12)

    def fork():
        t0 = monotonic_ns()  # before the child exists: its own events come later
        if quiet_fork and threading.active_count() == 1:
            # 3.12+ warns when forking a multi-threaded process. Our sender thread is the only
            # other thread here (it is kept out of threading's list), so the warning would be
            # ours alone: silence exactly that one. With user threads, the warning stays.
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=r".*multi-threaded.*fork", category=DeprecationWarning)
                pid = real_fork()
        else:
            pid = real_fork()
        if pid > 0:
            try:
                # multiprocessing's own fork (Process.start) and the forkserver's are reported by
                # whoever asked for the process, with richer facts.
                if getattr(_tls, "starting", None) is None and state.role != "forkserver":
                    fn, ln = site()
                    emit(("process.created", t0, get_ident(), fn, ln, pid, "os.fork",
                          False, "child", "os.fork", None, None, None))
            except Exception as e:
                error("os.fork", e)
        return pid

    fork.__wrapped__ = real_fork
    os.fork = fork

    real_kill = os.kill

    def kill(pid, sig):
        if state.stop_on and sig:
            pause_before("process", "kill", None, detail={"pid": pid, "signal": _signame(sig)})
        if sig:
            try:
                caller = sys._getframe(1).f_code.co_name
                if caller == "_send_signal":
                    via = "terminate" if sig == signal.SIGTERM else "kill"
                else:
                    via = "os.kill"
                fn, ln = site()
                emit(("process.signal", monotonic_ns(), get_ident(), fn, ln, pid, _signame(sig), via))
            except Exception as e:
                error("os.kill", e)
        try:
            return real_kill(pid, sig)
        except BaseException as e:
            hide(e)
            raise

    kill.__wrapped__ = real_kill
    os.kill = kill

    real_waitpid = os.waitpid

    def waitpid(pid, options):
        t0 = monotonic_ns()
        slot = dead = None
        # multiprocessing and subprocess report their own reaping (join, Popen.wait), which also
        # ends a reported wait.
        mod = sys._getframe(1).f_globals.get("__name__", "")
        if not options & _WNOHANG:
            # Dead already (a zombie): when, as the kernel dated it. Only for a blocking wait on
            # one pid (a WNOHANG poll may be called in a loop), and where we report the reaping.
            if pid > 0 and not mod.startswith("multiprocessing"):
                dead = _core.death_ns(pid)
            try:
                fn, ln = site()
                slot = _core.wait_begin("waitpid", None, pid if pid > 0 else -1, None, fn, ln, t0)
            except Exception as e:
                error("os.waitpid", e)
        try:
            res = real_waitpid(pid, options)
        except BaseException as e:
            _wait_over(slot, "waitpid")
            hide(e)
            raise
        try:
            reported = _core.wait_done(slot)
            if mod == "subprocess":
                _tls.reap = (t0, dead)  # for Popen._handle_exitstatus, which reports this reaping
            elif res[0] > 0 and not mod.startswith("multiprocessing"):
                _emit_waited(res[0], res[1], t0, dead)
            elif reported and res[0] <= 0:
                _core.wait_end("waitpid")
        except Exception as e:
            error("os.waitpid", e)
        return res

    waitpid.__wrapped__ = real_waitpid
    os.waitpid = waitpid

    if hasattr(os, "wait"):
        real_wait = os.wait

        def wait():
            t0 = monotonic_ns()
            slot = None
            try:
                fn, ln = site()
                slot = _core.wait_begin("waitpid", None, -1, None, fn, ln, t0)
            except Exception as e:
                error("os.wait", e)
            try:
                res = real_wait()
            except BaseException as e:
                _wait_over(slot, "waitpid")
                hide(e)
                raise
            try:
                _core.wait_done(slot)
                _emit_waited(res[0], res[1], t0)
            except Exception as e:
                error("os.wait", e)
            return res

        wait.__wrapped__ = real_wait
        os.wait = wait


_WNOHANG = getattr(os, "WNOHANG", 1)


def _wait_over(slot, op):
    """A wait that raised: end it for the views if it was reported (never raises)."""
    try:
        if _core.wait_done(slot):
            _core.wait_end(op)
    except Exception:
        pass


def _emit_waited(pid, status, t0, dead=None):
    try:
        code = os.waitstatus_to_exitcode(status)
    except Exception:
        code = None
    t1 = monotonic_ns()
    fn, ln = site(3)
    emit(("process.joined", t1, get_ident(), fn, ln, pid, None, False, code, (t1 - t0) / 1e6, None,
          None if dead is None else (t1 - dead) / 1e6))


# ---------------------------------------------------------------------------------------------
# multiprocessing.process

def _patch_process(mod):
    BP = mod.BaseProcess
    real_start, real_join, real_bootstrap = BP.start, BP.join, BP._bootstrap

    def start(self):
        if state.stop_on:
            pause_before("process", "start", self)
        method = getattr(self, "_start_method", None)
        target = getattr(self, "_target", None)  # start() deletes it (3.7+)
        role = _role_for_target(target)
        _tls.starting = method or "fork"
        step = state.child_step
        stepped = False
        if step is not None:
            try:
                if step[0](role):
                    self._pv_step_in = stepped = True  # before the fork or the pickling: the child reads it in _bootstrap
            except Exception as e:
                error("Process.start step", e)
        t0 = monotonic_ns()  # before the child exists: its own events come later
        try:
            # What a fork child's hello says about itself (its name and role are known here).
            _tls.starting_info = (self.name, role)
        except Exception:
            _tls.starting_info = None
        try:
            real_start(self)
        except BaseException as e:
            _tls.starting = None
            if stepped:
                try:
                    step[2](role)  # no child will stop for this step
                except Exception as e2:
                    error("Process.start step", e2)
            hide(e)
            raise
        _tls.starting = None
        _core.watch_child(getattr(self, "_popen", None))
        try:
            if method is None:
                import multiprocessing
                method = multiprocessing.get_start_method(allow_none=True)
            fn, ln = site()
            run = type(self).run
            if target is None and getattr(run, "__module__", "") != "multiprocessing.process":
                tname = _core.qualname(run)  # a Process subclass with its own run()
            else:
                tname = _core.qualname(target)
            emit(("process.created", t0, get_ident(), fn, ln, self.pid, self.name,
                  bool(self.daemon), role, method, tname, None, _obj_id(self)))
        except Exception as e:
            error("Process.start", e)

    def join(self, timeout=None):
        if state.stop_on:
            pause_before("process", "join", self)
        t0 = monotonic_ns()
        popen = getattr(self, "_popen", None)
        slot = alive = dead = None
        if popen is not None:
            popen._pv_in_join = True
            if popen.returncode is None:  # else join() returns at once: nothing to wait for
                # Alive now (its sentinel not readable)? Then this join waits for its death: no zombie.
                # Dead already: when, as the kernel dated it (how long it was a zombie).
                alive = _core.alive_ns(popen, look=True)
                if alive is None or alive < t0:
                    dead = _core.death_ns(popen.pid)
                try:
                    fn, ln = site()
                    slot = _core.wait_begin("join", None, popen.pid, timeout, fn, ln, t0)
                except Exception as e:
                    error("Process.join", e)
        try:
            return real_join(self, timeout)
        except BaseException as e:
            hide(e)
            raise
        finally:
            try:
                reported = _core.wait_done(slot)
                if popen is not None:
                    popen._pv_in_join = False
                    return_code = popen.returncode
                    if not own(popen, "_pv_join_reported"):
                        t1 = monotonic_ns()
                        fn, ln = site()
                        emit(("process.joined", t1, get_ident(), fn, ln, popen.pid, timeout,
                              return_code is None, return_code, (t1 - t0) / 1e6,
                              None if alive is None else (t1 - alive) / 1e6,
                              None if dead is None else (t1 - dead) / 1e6))
                        if return_code is not None:
                            popen._pv_join_reported = True
                    elif reported:
                        _core.wait_end("join")
            except Exception as e:
                error("Process.join", e)

    # How a child's target ended is read where _bootstrap's traceback cannot see us: up to 3.12,
    # _bootstrap calls util._exit_function() in a `finally` around self.run(), and our wrapper of it
    # (see _patch_util) looks at the exception in flight. 3.13+ has no such call: there self.run is
    # wrapped, and the wrapper's own traceback entry is dropped before the exception goes on (3.11+
    # re-raises exc.__traceback__ as is), so the traceback _bootstrap prints is unchanged.
    wrap_run = "_exit_function" not in getattr(getattr(real_bootstrap, "__code__", None), "co_names", ())

    def _bootstrap(self, *args, **kwargs):
        try:
            role = _role_for_target(getattr(self, "_target", None))
            state.role, state.name = role, self.name
            if role == "pool-worker":
                _core._default_sigterm()  # every start method: see _default_sigterm
            elif state.start_method == "forkserver" and _core._wake is None:
                # The fork server's own wakeup fd was inherited at the fork, and its _serve_one
                # has just reset it to none: ours now, for the SIGTERM watchdog (_core._own_wakeup).
                _core._own_wakeup()
            emit(("process.running", monotonic_ns(), get_ident(), None, None, self.name, bool(self.daemon), role))
            if state.child_step is not None and getattr(self, "_pv_step_in", False):
                state.child_step[1]()
            if wrap_run:
                real_run = self.run

                def run():
                    try:
                        return real_run()
                    except BaseException as e:
                        note_child_exit(e)
                        hide(e)
                        raise

                self.run = run
        except Exception as e:
            error("Process._bootstrap", e)
        code = real_bootstrap(self, *args, **kwargs)
        if state.stop_on:
            pause_before("process", "exit", self, internal_ok="any", detail={"exitcode": code})
        try:
            if wrap_run:
                try:
                    del self.run
                except Exception:
                    pass
            # Reported as the process dies (os._exit for fork and forkserver children, atexit for
            # spawn ones), not here: 3.13+ runs the child's atexit functions after _bootstrap (it
            # joins its own children there), and a stamp taken here preceded the death by however
            # long the rest took or the child waited for a CPU (seen: 410 ms on a busy machine),
            # which made a zombie of a child reaped within ms of its death (docs/states.md).
            info = state.exit_info or ("return", code, None)
            state.child_exit = (info[0], code, info[2])
        except Exception as e:
            error("Process._bootstrap exit", e)
        return code

    BP.start, BP.join, BP._bootstrap = start, join, _bootstrap


def note_child_exit(e):
    """Record how a multiprocessing child's run() ended with exception e (debug mode may stop
    there first: _core.uncaught)."""
    _core.uncaught(e)
    try:
        if isinstance(e, SystemExit):
            c = e.code
            state.exit_info = ("sys.exit", c if isinstance(c, int) else (0 if c is None else 1), None)
        else:
            state.exit_info = ("exception", 1, "%s: %s" % (type(e).__name__, e))
    except Exception:
        pass


def _patch_popen_fork(mod):
    P = mod.Popen
    real_poll = P.poll

    def poll(self, flag=os.WNOHANG):
        before = self.returncode
        alive = _core.alive_ns(self) if before is None and _core.watched else None
        t0 = monotonic_ns()
        # Dead and about to be reaped by this poll: when, as the kernel dated it. Only where the
        # tracer thread has not seen it alive for a while (starved): else any zombie it was is
        # too short to flag, and is_alive() in a loop pays nothing more.
        dead = None
        if alive is not None and t0 - alive > _core.ALIVE_STALE_NS and _core.dead_now(self):
            dead = _core.death_ns(self.pid)
        rc = real_poll(self, flag)
        if before is None and rc is not None and not own(self, "_pv_in_join"):
            try:
                # Reaped by multiprocessing internals (is_alive, active_children, a new Process start).
                # waitedMs says when the reaping call began: what decides whether the child was a zombie.
                if not own(self, "_pv_join_reported"):
                    self._pv_join_reported = True
                    fn, ln = site()
                    t1 = monotonic_ns()
                    emit(("process.joined", t1, get_ident(), fn, ln, self.pid, None, False, rc, (t1 - t0) / 1e6,
                          None if alive is None else (t1 - alive) / 1e6,
                          None if dead is None else (t1 - dead) / 1e6))
            except Exception as e:
                error("Popen.poll", e)
        return rc

    P.poll = poll


def _patch_popen_forkserver(mod):
    _patch_popen_fork(mod)


def _spawn_with_sigterm_held(real, path, args, passfds):
    """Between fork and exec the spawned child still runs our Python-level SIGTERM handler's C
    half (Python 3.9 forks without resetting handlers), which swallows a SIGTERM there; without us
    SIGTERM's default action would have ended it (terminate() right after start()). So hold
    SIGTERM blocked across fork and exec: the mask and a pending signal survive exec, and the
    child's tracer unblocks it once its own handler is in place (PROCESS_VIEW_UNBLOCK_SIGTERM)."""
    try:
        if signal.getsignal(signal.SIGTERM) is not _core._on_sigterm:
            return real(path, args, passfds)
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    except Exception:
        return real(path, args, passfds)
    if signal.SIGTERM in old:  # the program blocks it itself: leave its choice alone
        return real(path, args, passfds)
    os.environ[_core.UNBLOCK_SIGTERM_ENV] = "1"
    try:
        return real(path, args, passfds)
    finally:
        os.environ.pop(_core.UNBLOCK_SIGTERM_ENV, None)
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
        except Exception:
            pass


def _patch_util(mod):
    real = mod.spawnv_passfds

    def spawnv_passfds(path, args, passfds):
        t0 = monotonic_ns()  # before the child exists
        pid = _spawn_with_sigterm_held(real, path, args, passfds)
        try:
            cmd = " ".join(str(a) for a in args)
            if "--multiprocessing-fork" not in cmd:
                role = "forkserver" if "forkserver" in cmd else ("resource-tracker" if "tracker" in cmd else "external")
                name = {"forkserver": "ForkServer", "resource-tracker": "ResourceTracker"}.get(role, "helper")
                fn, ln = site()
                emit(("process.created", t0, get_ident(), fn, ln, pid, name, False, role,
                      "spawn", None, [str(a) for a in args], None))
        except Exception as e:
            error("spawnv_passfds", e)
        return pid

    mod.spawnv_passfds = spawnv_passfds

    real_exit_function = getattr(mod, "_exit_function", None)
    if real_exit_function is not None:
        def _exit_function(*a, **k):
            # Called by BaseProcess._bootstrap (3.9-3.12) in a `finally` around self.run(): an
            # exception in flight there is how the child's target ended.
            try:
                f = sys._getframe(1)
                if f.f_code.co_name == "_bootstrap":
                    tb = sys.exc_info()[2]
                    if tb is not None and tb.tb_frame is f:
                        note_child_exit(sys.exc_info()[1])
            except Exception:
                pass
            return real_exit_function(*a, **k)

        mod._exit_function = _exit_function


# ---------------------------------------------------------------------------------------------
# subprocess

def _patch_subprocess(mod):
    P = mod.Popen
    real_init = P.__init__
    real_handle = P._handle_exitstatus

    def __init__(self, args, *a, **k):
        t0 = monotonic_ns()  # before the child exists
        try:
            real_init(self, args, *a, **k)
        except BaseException as e:
            hide(e)
            raise
        try:
            if isinstance(args, (str, bytes, os.PathLike)):
                argv = [os.fsdecode(args)]
            else:
                argv = [os.fsdecode(x) if isinstance(x, (bytes, os.PathLike)) else str(x) for x in args]
            exe = os.path.basename(argv[0].split()[0]) if argv and argv[0] else ""
            role = "child" if exe.startswith("python") or argv[0] == sys.executable else "external"
            fn, ln = site()
            emit(("process.created", t0, get_ident(), fn, ln, self.pid, exe, False, role,
                  "subprocess", None, argv, None))
        except Exception as e:
            error("subprocess.Popen", e)

    def _handle_exitstatus(self, sts, *a, **k):
        real_handle(self, sts, *a, **k)
        try:
            fn, ln = site()
            t = monotonic_ns()
            # waitedMs: since the os.waitpid that reaped it began (wait() or poll(), just before us).
            t0, dead = getattr(_tls, "reap", None) or (None, None)
            _tls.reap = None
            emit(("process.joined", t, get_ident(), fn, ln, self.pid, None, False, self.returncode,
                  (t - (t0 if t0 is not None else t)) / 1e6, None,
                  None if dead is None else (t - dead) / 1e6))
        except Exception as e:
            error("Popen.wait", e)

    P.__init__ = __init__
    P._handle_exitstatus = _handle_exitstatus


MODULE_PATCHES = {
    "multiprocessing.process": _patch_process,
    "multiprocessing.popen_fork": _patch_popen_fork,
    "multiprocessing.popen_forkserver": _patch_popen_forkserver,
    "multiprocessing.util": _patch_util,
    "subprocess": _patch_subprocess,
}


def install():
    _wrap_os()
