"""How a process's main module ended, for its process.exit: it returned, an uncaught SystemExit
ended it (and with which code), or another uncaught exception did.

An uncaught SystemExit is handled by the interpreter itself: sys.excepthook never sees it, and the
exception (with its code) is freed before atexit runs. A `sys.exit(n)` goes through our wrapper of
sys.exit, but a bare `raise SystemExit(n)` (or `exit(n)`, which is site's Quitter) does not, and a
sys.exit whose SystemExit the program caught must not count. So the main module's own frame says:

- Python 3.12+: a sys.monitoring PY_UNWIND callback (its own tool id) sees every exception that
  leaves a frame; when one leaves the main module's frame (nothing but runpy above it), its code
  is read there. It costs one call per frame an exception unwinds, nothing otherwise.
- 3.9-3.11 (no sys.monitoring): the main module's frame is taken when it starts, by a trace
  function that is set at the end of start-up and removes itself at that frame's first event
  (tracing is off for the whole program). At exit, the frame's last instruction says whether it
  returned; if not, and sys.excepthook was not called, a SystemExit ended it. Its code is read
  from that instruction when it is `raise SystemExit(<constant or name>)` / `raise <name>` in the
  main module itself; else it is the last sys.exit() / exit() of the main thread; else unknown
  (exitCode null: the supervisor's process.reaped, or the parent's join, has it).

Multiprocessing children end through Process._bootstrap (see _processes), not here.
"""
import os
import sys
import threading

from . import _core
from ._core import state

_getframe = sys._getframe

_main_frame = None  # 3.9-3.11: the main module's frame, taken when it starts
_unwound = None  # 3.12+: (how, code, error) of the exception that left the main module's frame
_mode = None  # "monitoring", "frame", or None (neither: what sys.exit and excepthook recorded)
_TOOL_NAME = "process-view"


def exit_status(code):
    """The exit status the interpreter makes of a SystemExit's code (handle_system_exit)."""
    if code is None:
        return 0
    if isinstance(code, int):
        c = int(code)
        return c if -(1 << 63) <= c < (1 << 63) else -1
    return 1


def note_sys_exit(code):
    """sys.exit() / exit() was called: remembered for the main thread only (a thread's SystemExit
    ends the thread, not the process)."""
    try:
        if threading.current_thread() is threading.main_thread():
            state.exit_info = ("sys.exit", exit_status(code), None)
    except Exception:
        pass


def _is_main_module_frame(f):
    if f.f_code.co_name != "<module>" or f.f_globals.get("__name__") != "__main__":
        return False
    b = f.f_back
    while b is not None:  # `python -m` runs the module from runpy; anything else is a nested run
        if b.f_globals.get("__name__") != "runpy":
            return False
        b = b.f_back
    return True


# ---------------------------------------------------------------------------------------------
# 3.12+: sys.monitoring

def _on_unwind(code, offset, exc):
    global _unwound
    if code.co_name != "<module>":
        return
    try:
        f = _getframe(1)
        if f.f_code is not code or not _is_main_module_frame(f):
            return
        if isinstance(exc, SystemExit):
            _unwound = ("sys.exit", exit_status(exc.code), None)
        else:
            _unwound = ("exception", 1, type(exc).__name__)
    except Exception:
        pass


def _install_monitoring():
    mon = getattr(sys, "monitoring", None)
    if mon is None:
        return False
    for tool in (4, 3):  # free by convention: 0 debugger, 1 coverage, 2 profiler, 5 optimizer
        try:
            mon.use_tool_id(tool, _TOOL_NAME)
        except ValueError:
            continue
        try:
            mon.register_callback(tool, mon.events.PY_UNWIND, _on_unwind)
            mon.set_events(tool, mon.get_events(tool) | mon.events.PY_UNWIND)
        except Exception:
            try:
                mon.free_tool_id(tool)
            except Exception:
                pass
            return False
        _yield_tool_id(mon, tool)
        return True
    return False


def _yield_tool_id(mon, tool):
    """A program (or a tool it uses) that asks for the id we hold gets it, as without us: we
    let it go first and fall back to what sys.exit and sys.excepthook record."""
    real = mon.use_tool_id

    def use_tool_id(tool_id, name):
        global _mode
        if tool_id == tool and _mode == "monitoring":
            try:
                mon.set_events(tool, 0)
                mon.register_callback(tool, mon.events.PY_UNWIND, None)
                mon.free_tool_id(tool)
            except Exception:
                pass
            _mode = None
        return real(tool_id, name)

    use_tool_id.__wrapped__ = real
    use_tool_id.__doc__ = real.__doc__
    try:
        mon.use_tool_id = use_tool_id
    except Exception:
        pass


# ---------------------------------------------------------------------------------------------
# 3.9-3.11: the main module's frame

def _take_main_frame(frame, event, arg):
    global _main_frame
    try:
        if _is_main_module_frame(frame):
            _main_frame = frame
            return _hand_over(frame, event, arg)
    except Exception:
        return _hand_over(frame, event, arg)
    return None


def _hand_over(frame, event, arg):
    """Tracing goes to the debugger's trace function in a debug run (state.trace_next), else off."""
    nxt = state.trace_next
    sys.settrace(nxt)
    return nxt(frame, event, arg) if nxt is not None else None


def watch_main():
    """Called at the very end of sitecustomize, after any sitecustomize we chain to: the next
    module frame of __main__ is the program's."""
    global _mode
    if _mode is not None:
        return
    try:
        if sys.version_info >= (3, 12):
            if _install_monitoring():
                _mode = "monitoring"
            return
        if sys.gettrace() is None:  # a debugger or coverage came first: leave its tracing alone
            sys.settrace(_take_main_frame)
            _mode = "frame"
    except Exception as e:
        _core.error("watch main", e)


# The opcode a module's code returns with (3.9-3.11: RETURN_VALUE), read off an empty module's
# code: importing `opcode` for it cost 6 ms of every traced main process's exit.
_RETURN_OP = compile("", "", "exec").co_code[-2]


def _returned(f):
    code = f.f_code.co_code
    i = f.f_lasti
    return 0 <= i < len(code) and code[i] == _RETURN_OP


def _plain_system_exit(cls):
    """A SystemExit class whose code is its single argument."""
    return isinstance(cls, type) and issubclass(cls, SystemExit) and cls.__init__ is SystemExit.__init__ \
        and cls.__new__ is SystemExit.__new__


def _raised_code(f):
    """[code] when the frame's last instruction raised a SystemExit built from a constant or a
    name (`raise SystemExit`, `raise SystemExit(3)`, `raise SystemExit(msg)`, `raise e`); None
    when that cannot be read from the code."""
    import dis
    skip = ("CACHE", "PRECALL", "PUSH_NULL", "EXTENDED_ARG", "NOP", "KW_NAMES")
    ins = [i for i in dis.get_instructions(f.f_code) if i.opname not in skip]
    k = next((n for n, i in enumerate(ins) if i.offset == f.f_lasti), None)
    if k is None or ins[k].opname != "RAISE_VARARGS" or ins[k].arg != 1 or k < 1:
        return None
    missing = object()

    def value(i):
        if i.opname == "LOAD_CONST":
            return i.argval
        if i.opname in ("LOAD_NAME", "LOAD_GLOBAL"):
            v = f.f_globals.get(i.argval, missing)
            if v is missing:
                b = f.f_builtins
                v = b.get(i.argval, missing) if isinstance(b, dict) else getattr(b, i.argval, missing)
            return v
        return missing

    prev = ins[k - 1]
    if prev.opname in ("CALL_FUNCTION", "CALL") and prev.arg in (0, 1) and k >= 2 + prev.arg:
        if not _plain_system_exit(value(ins[k - 2 - prev.arg])):
            return None
        if prev.arg == 0:
            return [None]
        v = value(ins[k - 2])
        return None if v is missing else [v]
    v = value(prev)
    if _plain_system_exit(v):
        return [None]
    if isinstance(v, SystemExit):
        return [v.code]
    return None


# ---------------------------------------------------------------------------------------------

def resolve():
    """(how, exitCode, error) for the process.exit sent at atexit, or None to keep what sys.exit
    and sys.excepthook recorded."""
    global _main_frame
    recorded = state.exit_info
    if _mode == "monitoring":
        if _unwound is None:
            return ("return", 0, None)
        if _unwound[0] == "exception" and recorded is not None and recorded[0] == "exception":
            return recorded  # the same exception, with its message (printed by our excepthook)
        return _unwound
    f = _main_frame
    if _mode != "frame" or f is None:
        return None
    _main_frame = None
    if _returned(f):
        return ("return", 0, None)
    if recorded is not None and recorded[0] == "exception":
        return recorded
    got = _raised_code(f)
    if got is not None:
        return ("sys.exit", exit_status(got[0]), None)
    if recorded is not None and recorded[0] == "sys.exit":
        return recorded
    if sys.excepthook is not _core._excepthook:
        return ("exception", 1, None)  # a hook of the program's own printed it: we cannot tell
    return ("sys.exit", None, None)


def _patch_quitter():
    """exit(n) / quit(n) raise SystemExit(n) from site's Quitter, without sys.exit."""
    try:
        import _sitebuiltins
    except ImportError:
        return
    Q = _sitebuiltins.Quitter
    real_call = Q.__call__
    if getattr(real_call, "_pv_wrapped", False):
        return

    def __call__(self, code=None):
        note_sys_exit(code)
        try:
            return real_call(self, code)
        except BaseException as e:
            _core.hide(e)
            raise

    __call__._pv_wrapped = True
    __call__.__wrapped__ = real_call
    Q.__call__ = __call__


def _after_fork_child():
    global _unwound
    _unwound = None


def install():
    state.exit_resolver = resolve
    _patch_quitter()
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_child)
