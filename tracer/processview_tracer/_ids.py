"""Channel identity and creation, shared by the IPC, lock, pool and shared-memory patches.

An object's id must be the same in every process (see _ipc's docstring for how it travels);
whether an object is the user's channel or multiprocessing's own plumbing is decided once, where
it is built.
"""
import os
import sys

from ._core import emit, get_ident, monotonic_ns, own, site, state

_getframe = sys._getframe
_INTERNAL_PREFIXES = ("multiprocessing", "concurrent.")


def _created_internally(obj=None):
    """True when the object being built was asked for by multiprocessing itself, not the user.

    Skipped first: multiprocessing.context (the user's `mp.Queue()` goes through
    BaseContext.Queue), the tracer, and constructors running on `obj` itself (JoinableQueue.__init__
    calling Queue.__init__). The first other frame decides: a Lock built by Queue.__init__ or
    Condition.__init__ is plumbing; one built by the user's code is a channel.
    """
    f = _getframe(2)
    while f is not None:
        name = f.f_globals.get("__name__", "")
        if name == "multiprocessing.context" or name.startswith("processview_tracer"):
            f = f.f_back
            continue
        if obj is not None and f.f_code.co_name == "__init__" and f.f_code.co_argcount > 0:
            try:
                if f.f_locals.get(f.f_code.co_varnames[0]) is obj:
                    f = f.f_back
                    continue
            except Exception:
                pass
        return name.startswith(_INTERNAL_PREFIXES)
    return False


def _next_local_id(kind):
    state.counter = getattr(state, "counter", 0) + 1
    return "%s:%d:%d" % (kind, os.getpid(), state.counter)


def _semlock_id(kind, lock):
    try:
        name = lock._semlock.name
    except Exception:
        name = None
    if name:
        return "%s:%s" % (kind, name.lstrip("/"))
    return None


def _ensure_id(obj, kind, lock):
    oid = own(obj, "_pv_id")  # not obj.__dict__: see _core.own
    if oid is None:
        oid = _semlock_id(kind, lock) or _next_local_id(kind)
        object.__setattr__(obj, "_pv_id", oid)
    return oid


def _created(oid, kind, detail=None, depth=3):
    fn, ln = site(depth)
    emit(("channel.created", monotonic_ns(), get_ident(), fn, ln, oid, kind, detail))
