"""Pools and ProcessPoolExecutors (submissions, results, callbacks) and Manager proxies (method calls)."""
import sys
import zlib

from ._core import emit, error, get_ident, hide, monotonic_ns, own, pause_before, preview, qualname, site, state, wait_frame, wait_over
from ._ids import _created, _next_local_id

_getframe = sys._getframe


def _pool_id(pool):
    oid = own(pool, "_pv_id")  # not pool.__dict__: see _core.own
    if oid is None:
        oid = _next_local_id("pool")
        object.__setattr__(pool, "_pv_id", oid)
    return oid


def _task_preview(func, args):
    return "%s%s" % (qualname(func), preview(tuple(args)) if isinstance(args, (tuple, list)) else "(…)")


def _task_func(pool, func):
    """What goes into a process pool's pickled tasks for `func`: in a debug run's Step Into, what
    makes the worker that takes one step into it (state.task_step); else `func` itself."""
    ts = state.task_step
    if ts is None or type(pool).__name__ == "ThreadPool":  # threads: nothing is pickled
        return func
    try:
        return ts(func)
    except Exception as e:
        error("pool step into", e)
        return func


def _patch_pool(mod):
    P = mod.Pool
    real_init, real_apply_async, real_map_async = P.__init__, P.apply_async, P._map_async
    real_imap, real_imap_unordered, real_terminate = P.imap, P.imap_unordered, P.terminate

    def __init__(self, *a, **k):
        real_init(self, *a, **k)
        try:
            # ThreadPool (multiprocessing.dummy) is threads, not processes: still a pool of workers.
            kind = "thread-pool" if type(self).__name__ == "ThreadPool" else "process-pool"
            _created(_pool_id(self), "pool", {"processes": self._processes, "kind": kind})
        except Exception as e:
            error("Pool()", e)

    def _submit(self, method, func, args, count, result, t0):
        fn, ln = site(3)
        oid = _pool_id(self)
        job = getattr(result, "_job", None)
        if result is not None:
            result._pv_site = (fn, ln)
            result._pv_method = method
        emit(("channel.op", t0, get_ident(), fn, ln, oid, "submit", _task_preview(func, args),
              None, None, None, True, {"method": method, "job": job, "tasks": count}))

    def apply_async(self, func, args=(), kwds={}, callback=None, error_callback=None):
        if state.stop_on:
            pause_before("pool", "apply_async", self, (func, args), internal_ok=True)
        # The submit's time is taken before the task is queued: its result can come back before
        # real_apply_async returns.
        t0 = monotonic_ns()
        try:
            r = real_apply_async(self, _task_func(self, func), args, kwds, callback, error_callback)
        except BaseException as e:
            hide(e)
            raise
        try:
            caller = _getframe(1).f_code.co_name
            _submit(self, "apply" if caller == "apply" else "apply_async", func, args, 1, r, t0)
        except Exception as e:
            error("Pool.apply_async", e)
        return r

    def _map_async(self, func, iterable, mapper, chunksize=None, callback=None, error_callback=None):
        if state.stop_on:
            pause_before("pool", "map_async", self, (func, iterable), internal_ok=True)
        t0 = monotonic_ns()
        try:
            r = real_map_async(self, _task_func(self, func), iterable, mapper, chunksize, callback, error_callback)
        except BaseException as e:
            hide(e)
            raise
        try:
            caller = _getframe(1).f_code.co_name
            count = len(iterable) if hasattr(iterable, "__len__") else None
            shown = iterable if isinstance(iterable, (list, tuple)) else ()
            _submit(self, caller if caller in ("map", "map_async", "starmap", "starmap_async") else "map_async",
                    func, list(shown[:4]) if shown else (), count, r, t0)
        except Exception as e:
            error("Pool.map", e)
        return r

    def imap(self, func, iterable, chunksize=1):
        if state.stop_on:
            pause_before("pool", "imap", self, (func, iterable))
        t0 = monotonic_ns()
        try:
            r = real_imap(self, _task_func(self, func), iterable, chunksize)
        except BaseException as e:
            hide(e)
            raise
        try:
            _submit(self, "imap", func, (), len(iterable) if hasattr(iterable, "__len__") else None, r, t0)
        except Exception as e:
            error("Pool.imap", e)
        return r

    def imap_unordered(self, func, iterable, chunksize=1):
        if state.stop_on:
            pause_before("pool", "imap_unordered", self, (func, iterable))
        t0 = monotonic_ns()
        try:
            r = real_imap_unordered(self, _task_func(self, func), iterable, chunksize)
        except BaseException as e:
            hide(e)
            raise
        try:
            _submit(self, "imap_unordered", func, (), len(iterable) if hasattr(iterable, "__len__") else None, r, t0)
        except Exception as e:
            error("Pool.imap_unordered", e)
        return r

    def terminate(self):
        if state.stop_on:
            pause_before("pool", "terminate", self)
        try:
            fn, ln = site()
            emit(("channel.op", monotonic_ns(), get_ident(), fn, ln, _pool_id(self), "terminate", None, None, None, None, True, None))
        except Exception as e:
            error("Pool.terminate", e)
        try:
            return real_terminate(self)
        except BaseException as e:
            hide(e)
            raise

    P.__init__, P.apply_async, P._map_async = __init__, apply_async, _map_async
    P.imap, P.imap_unordered, P.terminate = imap, imap_unordered, terminate

    # Results arrive on the pool's result-handler thread; report them with the submitting line.
    def wrap_set(cls, chunked):
        real_set = cls._set

        def _set(self, i, obj):
            pool = own(self, "_pool")
            cb = getattr(self, "_callback", None)
            ecb = getattr(self, "_error_callback", None)
            # The result's time is when it came back, before real_set wakes the waiting get(): the
            # program's next submit can only come after it.
            t = monotonic_ns()
            real_set(self, i, obj)
            try:
                if pool is None or own(pool, "_pv_id") is None:
                    return
                oid = pool._pv_id
                success, value = obj
                fn, ln = own(self, "_pv_site", (None, None))
                detail = {"job": getattr(self, "_job", None), "index": i if chunked else None}
                emit(("channel.op", t, get_ident(), fn, ln, oid, "result",
                      preview(value) if success else "%s: %s" % (type(value).__name__, value),
                      None, None, None, bool(success), detail))
                done = getattr(self, "_event", None)
                if done is not None and done.is_set():
                    if success and cb is not None:
                        emit(("channel.op", t, get_ident(), fn, ln, oid, "callback", qualname(cb), None, None, None, True, detail))
                    elif not success and ecb is not None:
                        emit(("channel.op", t, get_ident(), fn, ln, oid, "error_callback", qualname(ecb), None, None, None, True, detail))
            except Exception as e:
                error("pool result", e)

        cls._set = _set

    wrap_set(mod.ApplyResult, False)
    wrap_set(mod.MapResult, True)
    wrap_set(mod.IMapIterator, True)

    # Waits on a pool (docs/protocol.md, "Waits in progress"): a result's get()/wait() (op
    # "result") and join(), with the pool's id. Their end is a wait.end: the result event comes
    # from the result-handler thread.
    def wrap_wait(cls, name, op, pool_of, timeout_arg):
        real = cls.__dict__.get(name)
        if real is None:
            return

        def waiting(self, *a, **k):
            slot = None
            try:
                pool = pool_of(self)
                oid = own(pool, "_pv_id") if pool is not None else None
                if oid:
                    timeout = k.get("timeout", a[0] if timeout_arg and a else None)
                    f = _getframe(1)
                    # Pool.map()'s get() and the like: the wait is the user's call's.
                    while f is not None and f.f_globals.get("__name__", "").startswith("multiprocessing"):
                        f = f.f_back
                    slot = wait_frame(op, oid, timeout, f, monotonic_ns())
            except Exception as e:
                error("pool wait", e)
            try:
                return real(self, *a, **k)
            except BaseException as e:
                hide(e)
                raise
            finally:
                wait_over(slot, op)

        waiting.__wrapped__ = real
        setattr(cls, name, waiting)

    wrap_wait(mod.ApplyResult, "get", "result", lambda r: own(r, "_pool"), True)
    wrap_wait(mod.ApplyResult, "wait", "result", lambda r: own(r, "_pool"), True)
    wrap_wait(mod.IMapIterator, "next", "result", lambda r: own(r, "_pool"), True)
    wrap_wait(P, "join", "join", lambda p: p, False)


def _patch_managers(mod):
    BP = mod.BaseProxy
    real_init, real_call = BP.__init__, BP._callmethod
    dumps = None

    def _pid(self):
        oid = own(self, "_pv_id")
        if oid is None:
            tok = self._token
            addr = tok.address
            addr = ":".join(str(x) for x in addr) if isinstance(addr, tuple) else str(addr)
            oid = "proxy:%s:%s" % (addr, tok.id)
            object.__setattr__(self, "_pv_id", oid)  # not the proxy's __setattr__ (a Namespace's is remote)
        return oid

    def __init__(self, token, serializer, manager=None, *a, **k):
        real_init(self, token, serializer, manager, *a, **k)
        try:
            # Built by the user's manager.X() call (a manager is attached): announce it once there.
            if manager is not None:
                _created(_pid(self), "proxy", {"referent": token.typeid})
        except Exception as e:
            error("proxy", e)

    def _digest(obj):
        nonlocal dumps
        if dumps is None:
            from multiprocessing.reduction import ForkingPickler
            dumps = ForkingPickler.dumps
        b = dumps(obj)
        return len(b), zlib.crc32(b)

    def _callmethod(self, methodname, args=(), kwds={}):
        # Dunders are the user's operations (d["k"] = 1 is __setitem__); other underscored names
        # and #GETVALUE are the proxy's own bookkeeping.
        private = methodname.startswith("_") and not (methodname.startswith("__") and methodname.endswith("__"))
        if private or methodname in ("__repr__", "__str__", "#GETVALUE"):
            return real_call(self, methodname, args, kwds)
        if state.stop_on:
            pause_before("manager", methodname, self, tuple(args), internal_ok=True)
        t0 = monotonic_ns()
        ok = False
        result = None
        try:
            result = real_call(self, methodname, args, kwds)
            ok = True
            return result
        except BaseException as e:
            hide(e)
            raise
        finally:
            try:
                t1 = monotonic_ns()
                fn, ln = site(3)
                typeid = getattr(self._token, "typeid", "")
                op, pv, size, dg = "call", None, None, None
                if typeid in ("Queue", "JoinableQueue") and methodname in ("put", "put_nowait") and args:
                    op, pv = "put", preview(args[0])
                    size, dg = _digest(args[0])
                elif typeid in ("Queue", "JoinableQueue") and methodname in ("get", "get_nowait") and ok:
                    op, pv = "get", preview(result)
                    size, dg = _digest(result)
                else:
                    pv = "%s%s" % (methodname, preview(tuple(args)))
                emit(("channel.op", t0 if op == "put" else t1, get_ident(), fn, ln, _pid(self), op, pv, size, dg,
                      (t1 - t0) / 1e6, ok, {"method": methodname, "referent": typeid}))
            except Exception as e:
                error("proxy call", e)

    BP.__init__, BP._callmethod = __init__, _callmethod


def _error_preview(exc):
    try:
        return "%s: %s" % (type(exc).__name__, exc)
    except Exception:
        return "%s: <unprintable>" % type(exc).__name__


def _patch_executor(mod):
    """concurrent.futures.ProcessPoolExecutor: the same channel and operations as a Pool.

    submit() is one job; map() is one job whose chunks (the futures Executor.map submits for it,
    each running process._process_chunk) report a result each, with their index. Results and done
    callbacks are seen on the Future (concurrent.futures._base), only for futures of a user's
    submit()/map(): every other Future (ThreadPoolExecutor, asyncio) costs a dict lookup.
    """
    import functools
    import threading
    from concurrent.futures import _base

    PPE = mod.ProcessPoolExecutor
    real_init, real_submit, real_map = PPE.__init__, PPE.submit, PPE.map
    process_chunk = getattr(mod, "_process_chunk", None)
    partial = functools.partial
    tls = threading.local()

    def _next_job(self):
        jobs = own(self, "_pv_jobs")
        if jobs is None:
            import itertools
            jobs = itertools.count()
            object.__setattr__(self, "_pv_jobs", jobs)
        return next(jobs)

    def __init__(self, *a, **k):
        real_init(self, *a, **k)
        try:
            _created(_pool_id(self), "pool", {"processes": self._max_workers, "kind": "process-pool-executor"})
        except Exception as e:
            error("ProcessPoolExecutor()", e)

    # The future must carry its job before a worker can finish it: _WorkItem is built inside
    # submit(), before the work is queued, and takes the job from this thread's pending entry.
    work_item = getattr(mod, "_WorkItem", None)
    real_work_init = getattr(work_item, "__init__", None)

    def work_init(self, future, *a, **k):
        real_work_init(self, future, *a, **k)
        info = getattr(tls, "pending", None)
        if info is not None:
            tls.pending = None
            try:
                future._pv = info
            except Exception:
                pass

    def submit(self, fn, /, *args, **kwargs):
        if state.stop_on:
            pause_before("pool", "submit", self, (fn, args))
        t0 = monotonic_ns()
        info = job = None
        try:
            if own(self, "_pv_id") is not None:
                chunked = process_chunk is not None and type(fn) is partial and fn.func is process_chunk
                job = getattr(tls, "map", None) if chunked else None
                if chunked and job is None:
                    job = fn.__dict__.get("_pv_map")  # submitted later by map's own iterator (3.14 buffersize)
                if job is not None:
                    # A chunk of a map(): the map reports the submit; the future reports its result.
                    fn.__dict__["_pv_map"] = job
                    info = (job["oid"], job["site"], job["job"], job["chunks"])
                    job["chunks"] += 1
                    chunk = args[0] if args else ()
                    job["count"] += len(chunk)
                    for item in chunk[:max(0, 4 - len(job["shown"]))]:
                        job["shown"].append(item[0] if len(item) == 1 else item)
                else:
                    info = (self._pv_id, site(), _next_job(self), None)
        except Exception as e:
            error("ProcessPoolExecutor.submit", e)
        tls.pending = info
        try:
            fut = real_submit(self, _task_func(self, fn), *args, **kwargs)
        except BaseException as e:
            hide(e)
            raise
        finally:
            tls.pending = None
        try:
            if info is not None:
                if own(fut, "_pv") is None:
                    fut._pv = info  # no _WorkItem to tag it (a newer concurrent.futures)
                if job is None:
                    oid, (fn_site, ln), n, _ = info
                    emit(("channel.op", t0, get_ident(), fn_site, ln, oid, "submit", _task_preview(fn, args),
                          None, None, None, True, {"method": "submit", "job": n, "tasks": 1}))
        except Exception as e:
            error("ProcessPoolExecutor.submit", e)
        return fut

    def map(self, fn, *iterables, **kwargs):
        if state.stop_on:
            pause_before("pool", "map", self, (fn,) + iterables)
        t0 = monotonic_ns()
        job = None
        try:
            if own(self, "_pv_id") is not None:
                job = {"oid": self._pv_id, "site": site(), "job": _next_job(self), "chunks": 0, "count": 0, "shown": []}
        except Exception as e:
            error("ProcessPoolExecutor.map", e)
        prev = getattr(tls, "map", None)
        tls.map = job
        try:
            return real_map(self, fn, *iterables, **kwargs)
        except BaseException as e:
            hide(e)
            raise
        finally:
            tls.map = prev
            try:
                if job is not None and job["chunks"]:
                    lazy = kwargs.get("buffersize") is not None
                    fn_site, ln = job["site"]
                    emit(("channel.op", t0, get_ident(), fn_site, ln, job["oid"], "submit", _task_preview(fn, job["shown"]),
                          None, None, None, True, {"method": "map", "job": job["job"], "tasks": None if lazy else job["count"]}))
            except Exception as e:
                error("ProcessPoolExecutor.map", e)

    PPE.__init__, PPE.submit, PPE.map = __init__, submit, map
    if real_work_init is not None:
        work_item.__init__ = work_init

    F = _base.Future
    if getattr(F, "_pv_patched", False):
        return
    F._pv_patched = True
    real_set_result, real_set_exception = F.set_result, F.set_exception
    real_invoke, real_add = F._invoke_callbacks, F.add_done_callback

    def _result(fut, info, t, ok, pv):
        oid, (fn, ln), job, index = info
        emit(("channel.op", t, get_ident(), fn, ln, oid, "result", pv, None, None, None, ok, {"job": job, "index": index}))

    def set_result(self, result):
        info = own(self, "_pv")
        if info is None:
            return real_set_result(self, result)
        # The time is before the waiting result() is woken (see Pool's results).
        t = monotonic_ns()
        try:
            real_set_result(self, result)
        except BaseException as e:
            hide(e)
            raise
        try:
            _result(self, info, t, True, preview(result))
        except Exception as e:
            error("future result", e)

    def set_exception(self, exception):
        info = own(self, "_pv")
        if info is None:
            return real_set_exception(self, exception)
        t = monotonic_ns()
        try:
            real_set_exception(self, exception)
        except BaseException as e:
            hide(e)
            raise
        try:
            _result(self, info, t, False, _error_preview(exception))
        except Exception as e:
            error("future exception", e)

    def _callbacks(self, cbs, t):
        oid, (fn, ln), job, index = self._pv
        for cb in cbs:
            emit(("channel.op", t, get_ident(), fn, ln, oid, "callback", qualname(cb), None, None, None, True,
                  {"job": job, "index": index}))

    def _invoke_callbacks(self):
        mine = own(self, "_pv_cbs")
        if mine:
            try:
                _callbacks(self, [cb for cb in list(self._done_callbacks) if any(cb is m for m in mine)], monotonic_ns())
            except Exception as e:
                error("future callbacks", e)
        return real_invoke(self)

    def add_done_callback(self, fn):
        if own(self, "_pv") is None:
            return real_add(self, fn)
        t = monotonic_ns()
        try:
            # The program's callbacks, not asyncio's or concurrent.futures' own.
            user = not _getframe(1).f_globals.get("__name__", "").startswith(("asyncio", "concurrent."))
            if user:
                mine = own(self, "_pv_cbs")
                if mine is None:
                    mine = []
                    object.__setattr__(self, "_pv_cbs", mine)
                mine.append(fn)
        except Exception:
            user = False
        try:
            r = real_add(self, fn)
        except BaseException as e:
            hide(e)
            raise
        try:
            # Already done: add_done_callback called it at once, without _invoke_callbacks.
            if user and not any(cb is fn for cb in self._done_callbacks):
                _callbacks(self, [fn], t)
        except Exception as e:
            error("add_done_callback", e)
        return r

    F.set_result, F.set_exception = set_result, set_exception
    F._invoke_callbacks, F.add_done_callback = _invoke_callbacks, add_done_callback


MODULE_PATCHES = {"multiprocessing.pool": _patch_pool, "multiprocessing.managers": _patch_managers,
                  "concurrent.futures.process": _patch_executor}
