"""Process View: activates the tracer in every Python process of a traced run.

The launcher puts this folder first on PYTHONPATH and sets PROCESS_VIEW_SOCKET (or _PORT) / PROCESS_VIEW_TOKEN.
Without those variables this module does nothing but chain to the sitecustomize that would have
been imported without us, so a stray PYTHONPATH never changes a program's behaviour.
"""
import os
import sys


def _line_buffered():
    """PROCESS_VIEW_LINE_BUFFERED=1: stdout and stderr flush at each newline even through a pipe,
    as on a terminal, so output shows live and one print() stays one write (lines of several
    processes never mix mid-line). A terminal is left as is, and so is a user's own
    PYTHONUNBUFFERED: that program would write unbuffered on their terminal too, and the tracer
    does not second-guess how a program writes."""
    if os.environ.get("PROCESS_VIEW_LINE_BUFFERED") != "1" or os.environ.get("PYTHONUNBUFFERED"):
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None and not stream.isatty():
                stream.reconfigure(line_buffering=True)
        except Exception:
            pass


def _activate():
    # The events channel's address (a Unix socket's path, or a port) and the run's token.
    if not (os.environ.get("PROCESS_VIEW_TOKEN") and (os.environ.get("PROCESS_VIEW_SOCKET") or os.environ.get("PROCESS_VIEW_PORT"))):
        return
    # The tracer's own bytecode is cached next to it even when the program runs with
    # PYTHONDONTWRITEBYTECODE (common in containers): compiling its modules again in every
    # process costs 25-40 ms of each start. Only our modules are imported while the flag is off;
    # the program's own imports keep the user's setting. A read-only folder just compiles.
    writes = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        import processview_tracer
        processview_tracer.activate()
    except Exception:  # the program must run even when the tracer cannot
        pass
    finally:
        sys.dont_write_bytecode = writes
    if os.environ.pop("PROCESS_VIEW_UNBLOCK_SIGTERM", None) == "1":
        # The tracer did not take back the SIGTERM its parent held for it (it failed to start).
        try:
            import signal
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        except Exception:
            pass


def _chain():
    """Import the next `sitecustomize` on sys.path (the one we shadow), if any."""
    here = os.path.dirname(os.path.abspath(__file__))
    me = sys.modules.get("sitecustomize")
    saved = list(sys.path)
    try:
        sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
        del sys.modules["sitecustomize"]
        try:
            import sitecustomize  # noqa: F401  (the shadowed one runs here)
        except ImportError as e:
            if getattr(e, "name", None) != "sitecustomize":
                raise
            sys.modules["sitecustomize"] = me
    finally:
        sys.path[:] = saved + [p for p in sys.path if p not in saved]
        if "sitecustomize" not in sys.modules:
            sys.modules["sitecustomize"] = me


def _watch_main():
    """Last: the program's main module is the next thing to run (see processview_tracer._exit)."""
    mod = sys.modules.get("processview_tracer")
    if mod is not None:
        try:
            mod.watch_main()
        except Exception:
            pass


_line_buffered()
_activate()
_chain()
_watch_main()
