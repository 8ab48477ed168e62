"""Locks, semaphores, events, conditions and barriers of multiprocessing.synchronize.

SemLock-based objects bind acquire/release per instance to the C semaphore (_make_methods), so
those are wrapped per instance; `with lock:` goes through the class's __enter__/__exit__.
Objects multiprocessing builds for itself (a Queue's locks, an Event's condition) either carry
`_pv_internal` or are used from multiprocessing's own frames, and are not reported.
"""
import sys

from . import _core
from ._core import cached_site, emit, error, frame_site, get_ident, hide, monotonic_ns, own, pause_before, state, threading_plumbing, INTERNAL, NO_SITE
from ._ids import _created, _created_internally, _ensure_id

_getframe = sys._getframe
_buf = state.buf
_MAX = _core.MAX_PENDING
_waits = _core.waits
_FRAME_SITE = _core.FRAME_SITE
_wait_over = _core.wait_over
_wait_frame = _core.wait_frame


_ACQUIRE = "acquire"


def _kind(obj, mod):
    if isinstance(obj, mod.BoundedSemaphore):
        return "bounded-semaphore"
    if isinstance(obj, mod.Semaphore):
        return "semaphore"
    if isinstance(obj, mod.RLock):
        return "rlock"
    return "lock"


def _op(oid, op, t0, t1, ok, depth=2, detail=None):
    """Emit unless the caller at `depth` is multiprocessing's own code."""
    f = _getframe(depth)
    if threading_plumbing(f):
        return False
    fn, ln = frame_site(f)
    if fn is INTERNAL:
        return False
    emit(("channel.op", t1, get_ident(), fn, ln, oid, op, None, None, None,
          None if t0 is None else (t1 - t0) / 1e6, ok, detail))
    return True


def _lock_op(f, last, oid, op, t, waited, ok):
    """The lock hot paths' event: `f` is the caller's frame, `last` the calling function's latest
    site (see _core.cached_site). Not reported when the caller is multiprocessing's own code, or
    threading's (_core.threading_plumbing)."""
    fn, ln = cached_site(f, last, True)
    if fn is INTERNAL:
        return False
    if len(_buf) < _MAX:
        _buf.append(("channel.op", t, get_ident(), fn, ln, oid, op, None, None, None, waited, ok, None))
    else:
        state.dropped += 1
    return True


def _patch(mod):
    SL = mod.SemLock
    real_init, real_make, real_enter, real_exit = SL.__init__, SL._make_methods, SL.__enter__, SL.__exit__
    # Class defaults, so the hot paths read attributes, not `self.__dict__.get(...)` (see _core.own).
    SL._pv_id = None
    SL._pv_internal = False
    # The latest call site of each hot function (see _core.cached_site).
    acquire_last, release_last, enter_last, exit_last = [NO_SITE], [NO_SITE], [NO_SITE], [NO_SITE]

    def _ident(self):
        oid = self._pv_id
        if oid is None:
            oid = _ensure_id(self, _kind(self, mod), self)
        return oid

    def __init__(self, *a, **k):
        real_init(self, *a, **k)
        try:
            if _created_internally(self):
                self._pv_internal = True
                _unwrap(self)
                return
            kind = _kind(self, mod)
            _created(_ensure_id(self, kind, self), kind)
        except Exception as e:
            error("SemLock()", e)

    def _unwrap(self):
        self.acquire = self._semlock.acquire
        self.release = self._semlock.release

    def _make_methods(self):
        real_make(self)
        if self._pv_internal:
            return
        raw_acquire, raw_release = self._semlock.acquire, self._semlock.release
        me = self

        def acquire(block=True, timeout=None):
            if me._pv_internal:
                return raw_acquire(block, timeout)
            if state.stop_on:
                pause_before("lock", "acquire", me)
            t0 = monotonic_ns()
            slot = None
            if block:
                # A wait slot, its line read by the sender thread only if the wait lasts.
                tid = get_ident()
                if tid not in _waits:
                    slot = [_ACQUIRE, me._pv_id or _ident(me), None, timeout, _getframe(1), _FRAME_SITE, t0, False, tid]
                    _waits[tid] = slot
            try:
                ok = raw_acquire(block, timeout)
            except BaseException as e:
                _wait_over(slot, _ACQUIRE)
                hide(e)
                raise
            reported = False
            if slot is not None and _waits.get(slot[8]) is slot:
                del _waits[slot[8]]
                reported = slot[7]
            try:
                t1 = monotonic_ns()
                # Its own event ends a reported wait; none (an internal caller): a wait.end does.
                if not _lock_op(_getframe(1), acquire_last, me._pv_id or _ident(me), "acquire", t1, (t1 - t0) / 1e6, bool(ok)) and reported:
                    _core.wait_end(_ACQUIRE)
            except Exception as e:
                error("acquire", e)
            return ok

        def release():
            if me._pv_internal:
                return raw_release()
            if state.stop_on:
                pause_before("lock", "release", me)
            # The time is taken before releasing: the next holder's acquire (in another process)
            # can only come after it, so two holders never seem to overlap.
            t1 = monotonic_ns()
            try:
                raw_release()
            except BaseException as e:
                try:
                    _op(_ident(me), "release", None, t1, False, detail={"error": type(e).__name__})
                except Exception:
                    pass
                hide(e)
                raise
            try:
                _lock_op(_getframe(1), release_last, me._pv_id or _ident(me), "release", t1, None, True)
            except Exception as e:
                error("release", e)

        self.acquire, self.release = acquire, release

    def __enter__(self):
        if self._pv_internal:
            return real_enter(self)
        if state.stop_on:
            pause_before("lock", "acquire", self)
        t0 = monotonic_ns()
        tid = get_ident()
        if tid not in _waits:
            slot = [_ACQUIRE, self._pv_id or _ident(self), None, None, _getframe(1), _FRAME_SITE, t0, False, tid]
            _waits[tid] = slot
        else:
            slot = None
        try:
            r = real_enter(self)
        except BaseException as e:
            _wait_over(slot, _ACQUIRE)
            hide(e)
            raise
        reported = False
        if slot is not None and _waits.get(tid) is slot:
            del _waits[tid]
            reported = slot[7]
        try:
            t1 = monotonic_ns()
            if not _lock_op(_getframe(1), enter_last, self._pv_id or _ident(self), "acquire", t1, (t1 - t0) / 1e6, True) and reported:
                _core.wait_end(_ACQUIRE)
        except Exception as e:
            error("lock enter", e)
        return r

    def __exit__(self, *a):
        if self._pv_internal:
            return real_exit(self, *a)
        if state.stop_on:
            pause_before("lock", "release", self)
        t1 = monotonic_ns()  # before releasing (see release above)
        try:
            r = real_exit(self, *a)
        except BaseException as e:
            hide(e)
            raise
        try:
            _lock_op(_getframe(1), exit_last, self._pv_id or _ident(self), "release", t1, None, True)
        except Exception as e:
            error("lock exit", e)
        return r

    SL.__init__, SL._make_methods, SL.__enter__, SL.__exit__ = __init__, _make_methods, __enter__, __exit__

    # Event: id from its flag semaphore's name (shared by every process that holds the Event).
    EV = mod.Event
    ev_init, ev_set, ev_clear, ev_wait = EV.__init__, EV.set, EV.clear, EV.wait

    def _ev_id(self):
        oid = own(self, "_pv_id")
        if oid is None:
            oid = _ensure_id(self, "event", self._flag)
        return oid

    def e_init(self, *a, **k):
        ev_init(self, *a, **k)
        try:
            if not _created_internally(self):
                _created(_ev_id(self), "event")
        except Exception as e:
            error("Event()", e)

    def e_set(self):
        if state.stop_on:
            pause_before("event", "set", self)
        # Stamped before setting: a waiter in another process can return as soon as the flag is
        # set, and its wait must never seem to end before the set that ended it.
        t = monotonic_ns()
        ev_set(self)
        try:
            _op(_ev_id(self), "set", None, t, True)
        except Exception as e:
            error("Event.set", e)

    def e_clear(self):
        if state.stop_on:
            pause_before("event", "clear", self)
        ev_clear(self)
        try:
            _op(_ev_id(self), "clear", None, monotonic_ns(), True)
        except Exception as e:
            error("Event.clear", e)

    def e_wait(self, timeout=None):
        if state.stop_on:
            pause_before("event", "wait", self)
        t0 = monotonic_ns()
        slot = _wait_frame("wait", _ev_id(self), timeout, _getframe(1), t0)
        try:
            r = ev_wait(self, timeout)
        except BaseException as e:
            _wait_over(slot, "wait")
            hide(e)
            raise
        reported = _core.wait_done(slot)
        try:
            if not _op(_ev_id(self), "wait", t0, monotonic_ns(), bool(r), detail=None if timeout is None else {"timeout": timeout}) and reported:
                _core.wait_end("wait")
        except Exception as e:
            error("Event.wait", e)
        return r

    EV.__init__, EV.set, EV.clear, EV.wait = e_init, e_set, e_clear, e_wait

    # Condition: id from its lock's semaphore.
    CO = mod.Condition
    co_init, co_enter, co_exit = CO.__init__, CO.__enter__, CO.__exit__
    co_wait, co_notify, co_notify_all = CO.wait, CO.notify, CO.notify_all

    def _co_id(self):
        oid = own(self, "_pv_id")
        if oid is None:
            oid = _ensure_id(self, "condition", self._lock)
        return oid

    def c_init(self, *a, **k):
        co_init(self, *a, **k)
        try:
            if not _created_internally(self):
                _created(_co_id(self), "condition")
        except Exception as e:
            error("Condition()", e)

    def c_enter(self):
        if state.stop_on:
            pause_before("lock", "acquire", self)
        t0 = monotonic_ns()
        slot = _wait_frame("acquire", _co_id(self), None, _getframe(1), t0)
        try:
            r = co_enter(self)
        except BaseException as e:
            _wait_over(slot, "acquire")
            hide(e)
            raise
        reported = _core.wait_done(slot)
        try:
            if not _op(_co_id(self), "acquire", t0, monotonic_ns(), True) and reported:
                _core.wait_end("acquire")
        except Exception as e:
            error("Condition enter", e)
        return r

    def c_exit(self, *a):
        if state.stop_on:
            pause_before("lock", "release", self)
        t1 = monotonic_ns()  # before releasing (see release above)
        try:
            r = co_exit(self, *a)
        except BaseException as e:
            hide(e)
            raise
        try:
            _op(_co_id(self), "release", None, t1, True)
        except Exception as e:
            error("Condition exit", e)
        return r

    def c_wait(self, timeout=None):
        if state.stop_on:
            pause_before("lock", "wait", self)
        t0 = monotonic_ns()
        slot = _wait_frame("wait", _co_id(self), timeout, _getframe(1), t0)
        try:
            r = co_wait(self, timeout)
        except BaseException as e:
            _wait_over(slot, "wait")
            hide(e)
            raise
        reported = _core.wait_done(slot)
        try:
            if not _op(_co_id(self), "wait", t0, monotonic_ns(), bool(r)) and reported:
                _core.wait_end("wait")
        except Exception as e:
            error("Condition.wait", e)
        return r

    def c_notify(self, n=1):
        if state.stop_on:
            pause_before("lock", "notify", self)
        t = monotonic_ns()  # before waking anyone (see Event.set)
        try:
            co_notify(self, n)
        except BaseException as e:
            hide(e)
            raise
        try:
            _op(_co_id(self), "notify", None, t, True, detail={"n": n})
        except Exception as e:
            error("Condition.notify", e)

    def c_notify_all(self):
        if state.stop_on:
            pause_before("lock", "notify_all", self)
        t = monotonic_ns()  # before waking anyone (see Event.set)
        try:
            co_notify_all(self)
        except BaseException as e:
            hide(e)
            raise
        try:
            _op(_co_id(self), "notify_all", None, t, True)
        except Exception as e:
            error("Condition.notify_all", e)

    CO.__init__, CO.__enter__, CO.__exit__ = c_init, c_enter, c_exit
    CO.wait, CO.notify, CO.notify_all = c_wait, c_notify, c_notify_all

    # Barrier (a threading.Barrier over a shared condition and array).
    BA = mod.Barrier
    ba_init, ba_wait, ba_abort = BA.__init__, BA.wait, BA.abort

    def _ba_id(self):
        oid = own(self, "_pv_id")
        if oid is None:
            oid = _ensure_id(self, "barrier", self._cond._lock)
        return oid

    def b_init(self, *a, **k):
        ba_init(self, *a, **k)
        try:
            if not _created_internally(self):
                _created(_ba_id(self), "barrier", {"parties": self._parties})
        except Exception as e:
            error("Barrier()", e)

    def b_wait(self, timeout=None):
        if state.stop_on:
            pause_before("lock", "wait", self)
        t0 = monotonic_ns()
        ok = False
        r = None
        slot = _wait_frame("wait", _ba_id(self), timeout, _getframe(1), t0)
        try:
            r = ba_wait(self, timeout)
            ok = True
            return r
        except BaseException as e:
            hide(e)
            raise
        finally:
            reported = _core.wait_done(slot)
            try:
                if ok and r == self._parties - 1:
                    # The last arrival (wait() returns the arrival index) releases the others: its
                    # wait is stamped when it arrived, before anyone it woke can return.
                    emitted = _op(_ba_id(self), "wait", t0, t0, ok, detail={"last": True})
                else:
                    emitted = _op(_ba_id(self), "wait", t0, monotonic_ns(), ok)
                if reported and (not emitted or (ok and r == self._parties - 1)):
                    _core.wait_end("wait")  # none of its own, or one stamped before the wait began
            except Exception as e:
                error("Barrier.wait", e)

    def b_abort(self):
        t = monotonic_ns()  # before the waiters it breaks can return
        ba_abort(self)
        try:
            _op(_ba_id(self), "abort", None, t, True)
        except Exception as e:
            error("Barrier.abort", e)

    BA.__init__, BA.wait, BA.abort = b_init, b_wait, b_abort


MODULE_PATCHES = {"multiprocessing.synchronize": _patch}
