"""Shared memory: multiprocessing.Value and Array (multiprocessing.sharedctypes).

Reported: the creation of a Value / Array (also with lock=False, RawValue, RawArray), and the
program's own use of its lock: `with v.get_lock():`, `v.get_lock().acquire()` / `.release()` and
`with v:`, as `acquire` / `release` on the value's id (on the program's own lock's id when it gave
one with lock=...). Not reported: the lock taken by every `v.value` read or write and every
`arr[i]` (the wrapper's own acquire/release). Reporting each access would cost a source-site
lookup and an event per read and per write (several times what the access costs: a shared-counter
loop would run a few times slower, and its timing is what a race demonstration is about), so
those stay as fast as without the tracer: the wrapper's own acquire/release and `with self:` go
straight to the C semaphore, bypassing even the lock wrappers of _sync.

Identity: a Value's own lock is an RLock that sharedctypes creates for it. Its id is the value's:
under spawn and forkserver derived from the semaphore's name exactly as _sync derives an RLock's
(`rlock:<name>`), so a child that unpickles the lock reports on the same id without knowing it
belongs to a Value; under fork the id set on the lock travels with the copy.
"""
import ctypes
import sys

from ._core import error, hide, own, preview
from ._ids import _created, _created_internally, _ensure_id, _next_local_id, _semlock_id

_getframe = sys._getframe


def _kind(obj):
    return "array" if isinstance(obj, ctypes.Array) else "value"


def _detail(obj, lock):
    d = {"type": getattr(getattr(obj, "_type_", None), "__name__", None) if isinstance(obj, ctypes.Array)
         else type(obj).__name__}
    try:
        if isinstance(obj, ctypes.Array):
            n = len(obj)
            d["length"] = n
            shown = preview(list(obj[:8])) if obj._type_ is not ctypes.c_char else preview(obj.raw[:40])
            d["initial"] = shown[:-1] + ", …]" if n > 8 and shown.endswith("]") else shown
        elif isinstance(obj, ctypes._SimpleCData):
            d["initial"] = preview(obj.value)
    except Exception:
        pass
    if lock is not None:
        d["lock"] = lock
    return d


def _lock_id(lk):
    """The id the lock's operations are reported on (None for a lock that is not a SemLock)."""
    if own(lk, "_semlock") is None:  # not lk.__dict__: see _core.own
        return None
    oid = own(lk, "_pv_id")
    if oid is None:
        from . import _sync
        syn = sys.modules.get("multiprocessing.synchronize")
        oid = _ensure_id(lk, _sync._kind(lk, syn), lk) if syn is not None else None
    return oid


def _patch(mod):
    SB = mod.SynchronizedBase
    real_init, real_enter, real_exit = SB.__init__, SB.__enter__, SB.__exit__
    real_value, real_array, real_raw_value, real_raw_array = mod.Value, mod.Array, mod.RawValue, mod.RawArray
    real_synchronized = mod.synchronized
    own_globals = mod.__dict__

    def __init__(self, obj, lock=None, ctx=None):
        try:
            real_init(self, obj, lock, ctx)
        except BaseException as e:
            hide(e)
            raise
        try:
            lk = self._lock
            sem = own(lk, "_semlock")
            if sem is None:
                return  # a lock of another kind (a manager's, threading's): left as it is
            # v.value, arr[i]: the wrapper's own locking, straight to the semaphore (see above).
            self.acquire, self.release = sem.acquire, sem.release
            self._pv_sem = sem
            if own(lk, "_pv_internal"):
                # The RLock sharedctypes made for this object: from now on the program's own use
                # of it (get_lock()) is reported, on the value's id.
                lk._pv_internal = False  # the class default
                lk._pv_id = _semlock_id("rlock", lk) or _next_local_id(_kind(obj))
                lk._make_methods()  # _sync wraps acquire/release again
                self._pv_own = True
        except Exception as e:
            error("Synchronized()", e)

    def __enter__(self):
        try:
            sem = self._pv_sem
        except AttributeError:
            return real_enter(self)
        if _getframe(1).f_globals is own_globals:  # arr[i] and friends: `with self:` in sharedctypes
            return sem.__enter__()
        return self._lock.__enter__()  # the program's `with v:` (reported by the lock, on its id)

    def __exit__(self, t=None, v=None, tb=None):  # three arguments: *args costs as much as the rest
        try:
            sem = self._pv_sem
        except AttributeError:
            return real_exit(self, t, v, tb)
        if _getframe(1).f_globals is own_globals:
            return sem.__exit__(t, v, tb)
        return self._lock.__exit__(t, v, tb)

    SB.__init__, SB.__enter__, SB.__exit__ = __init__, __enter__, __exit__

    def _announce(result, where):
        """channel.created for a Value/Array the program asked for (not one sharedctypes builds
        for itself, nor one rebuilt from a pickle in a child)."""
        try:
            if _created_internally():
                return
            if isinstance(result, SB):
                obj = result._obj
                if own(result, "_pv_own"):
                    oid, lock_id = result._lock._pv_id, None  # its lock's ops are the value's
                else:
                    # The program's own lock (lock=...): the lock's ops keep the lock's id.
                    oid, lock_id = _next_local_id(_kind(obj)), _lock_id(result._lock)
            else:
                obj = result
                oid, lock_id = _next_local_id(_kind(obj)), False
            result._pv_id = oid
            _created(oid, _kind(obj), _detail(obj, lock_id), depth=4)
        except Exception as e:
            error(where, e)

    def Value(typecode_or_type, *args, **kwargs):
        try:
            r = real_value(typecode_or_type, *args, **kwargs)
        except BaseException as e:
            hide(e)
            raise
        _announce(r, "Value()")
        return r

    def Array(typecode_or_type, size_or_initializer, **kwargs):
        try:
            r = real_array(typecode_or_type, size_or_initializer, **kwargs)
        except BaseException as e:
            hide(e)
            raise
        _announce(r, "Array()")
        return r

    def RawValue(typecode_or_type, *args):
        try:
            r = real_raw_value(typecode_or_type, *args)
        except BaseException as e:
            hide(e)
            raise
        _announce(r, "RawValue()")
        return r

    def RawArray(typecode_or_type, size_or_initializer):
        try:
            r = real_raw_array(typecode_or_type, size_or_initializer)
        except BaseException as e:
            hide(e)
            raise
        _announce(r, "RawArray()")
        return r

    def synchronized(obj, lock=None, ctx=None):
        try:
            r = real_synchronized(obj, lock, ctx)
        except BaseException as e:
            hide(e)
            raise
        _announce(r, "synchronized()")
        return r

    for fn, real in ((Value, real_value), (Array, real_array), (RawValue, real_raw_value), (RawArray, real_raw_array),
                     (synchronized, real_synchronized)):
        # Same names as the originals: SynchronizedBase.__reduce__ pickles `synchronized` by
        # reference (multiprocessing.sharedctypes.synchronized), which must find this function.
        fn.__module__, fn.__name__, fn.__qualname__ = real.__module__, real.__name__, real.__qualname__
        fn.__doc__, fn.__wrapped__ = real.__doc__, real
        setattr(mod, real.__name__, fn)


MODULE_PATCHES = {"multiprocessing.sharedctypes": _patch}
