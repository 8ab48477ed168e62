"""Process View: activates the tracer in every Python process of a traced run.

The launcher puts this folder first on PYTHONPATH and sets PROCESS_VIEW_PORT / PROCESS_VIEW_TOKEN.
Without those variables this module does nothing but chain to the sitecustomize that would have
been imported without us, so a stray PYTHONPATH never changes a program's behaviour.
"""
import os
import sys


def _line_buffered():
    """PROCESS_VIEW_LINE_BUFFERED=1: stdout and stderr flush at each newline even through a pipe,
    as on a terminal, so output shows live and one print() stays one write (lines of several
    processes never mix mid-line, as they do with PYTHONUNBUFFERED, which this overrides for
    them). A terminal is left as is."""
    if os.environ.get("PROCESS_VIEW_LINE_BUFFERED") != "1":
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None and not stream.isatty():
                # write_through off too: PYTHONUNBUFFERED (set in many environments) would
                # otherwise still write each piece of a print() on its own.
                stream.reconfigure(line_buffering=True, write_through=False)
        except Exception:
            pass


def _activate():
    if not (os.environ.get("PROCESS_VIEW_TOKEN") and os.environ.get("PROCESS_VIEW_PORT")):
        return
    try:
        import processview_tracer
        processview_tracer.activate()
    except Exception:  # the program must run even when the tracer cannot
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


_line_buffered()
_activate()
_chain()
