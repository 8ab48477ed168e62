"""IPC: queues, pipes and connections, locks and friends, pools, manager proxies.

Identity: an object's id must be the same in every process. Objects built on a named semaphore
(spawn and forkserver contexts) take it from the semaphore's name, which travels with the
pickled object; under fork the name is None but the child's memory is a copy, so an id kept on
the instance travels by itself. Connections carry their id through a wrapped reducer.

Internal use: multiprocessing and concurrent.futures use queues, pipes and locks for their own
plumbing (pool task queues, queue feeder locks). Those are not the user's channels: an operation
whose immediate caller is inside those packages is not reported.
"""
import sys
import zlib

from . import _core
from ._core import emit, error, frame_site, get_ident, hide, monotonic_ns, own, pause_before, preview, site, site_slow, state, INTERNAL, NO_SITE

_buf = state.buf
_MAX = _core.MAX_PENDING
_waits = _core.waits  # waits in progress (see _core.wait_begin), filled inline on the hot paths
_FRAME_SITE = _core.FRAME_SITE
_PUT, _GET, _RECV = "put", "get", "recv"
_FAST = (int, float, bool, type(None))

_getframe = sys._getframe
_crc32 = zlib.crc32
from ._ids import _INTERNAL_PREFIXES, _created, _created_internally, _ensure_id, _next_local_id


def _internal_caller(depth=2):
    try:
        name = _getframe(depth).f_globals.get("__name__", "")
    except ValueError:
        return False
    return name.startswith(_INTERNAL_PREFIXES)


# ---------------------------------------------------------------------------------------------
# Queues

_JQ = None


def _queue_kind(q):
    return "joinable-queue" if _JQ is not None and isinstance(q, _JQ) else "queue"


def _mark_internal_locks(obj, names):
    for n in names:
        lk = own(obj, n)
        if lk is not None and hasattr(lk, "_semlock"):
            lk._pv_internal = True
            try:
                lk.acquire = lk._semlock.acquire
                lk.release = lk._semlock.release
            except Exception:
                pass


def _instrument_queue_pipe(q):
    """Wire this queue in this process: its feeder's send of pickled bytes tells each put's size
    and digest, its non-blocking receive tells a get's. Sets `_pv_pending` (put records waiting
    for the feeder) and `_pv_last` (the last received size and digest), which the hot paths test
    for: None means "not wired here yet" (a new queue, or after fork or unpickling)."""
    import collections
    pending = collections.deque()  # put records waiting for the feeder thread to pickle them
    oid = q._pv_id  # a class default: None until set
    # The writer's own send_bytes as multiprocessing defines it: the patched one would only add
    # a call level to find out that a queue's pipe is not a user's connection.
    writer = q._writer
    real_send = _real_conn["send_bytes"].__get__(writer) if "send_bytes" in _real_conn else q._send_bytes
    real_recv = q._recv_bytes
    last = [None, None]

    def send_bytes(buf):
        try:
            rec = pending.popleft()
        except IndexError:
            rec = None
        if rec is not None:
            if len(_buf) < _MAX:
                _buf.append(("channel.op", rec[0], rec[1], rec[2], rec[3], oid, "put", rec[4], len(buf), _crc32(buf), rec[5], True, None))
            else:
                state.dropped += 1
        return real_send(buf)

    def recv_bytes(*a):
        buf = real_recv(*a)
        last[0] = len(buf)
        last[1] = _crc32(buf)
        return buf

    def feeder_error(e, obj):
        try:
            rec = pending.popleft()
            if rec is not None:
                emit(("channel.op", rec[0], rec[1], rec[2], rec[3], oid, "put", rec[4], None, None, rec[5], False,
                      {"error": "%s: %s" % (type(e).__name__, e)}))
        except Exception:
            pass
        return real_onerror(e, obj)

    real_onerror = q._on_queue_feeder_error
    q._send_bytes = send_bytes
    q._recv_bytes = recv_bytes
    q._on_queue_feeder_error = feeder_error
    q._pv_last = last
    q._pv_pending = pending  # last: the hot paths take a wired queue by this attribute alone


def _wire_queue(q):
    """The hot paths' slow branch: wire a user's queue in this process (first use here, or after
    fork or unpickling). Returns its pending deque, or False for a queue multiprocessing made for
    itself (never reported)."""
    oid = q._pv_id  # a class default: None until set
    if oid == "":
        q._pv_pending = False
        return False
    if oid is None:
        _ensure_id(q, _queue_kind(q), q._rlock)
    _instrument_queue_pipe(q)
    return q._pv_pending


def _patch_queues(mod):
    global _JQ
    _JQ = mod.JoinableQueue
    Q = mod.Queue
    real_init, real_setstate, real_reset = Q.__init__, Q.__setstate__, Q._reset
    real_put, real_get = Q.put, Q.get
    # Class defaults read by the hot paths (see _instrument_queue_pipe).
    Q._pv_id = None
    Q._pv_pending = None
    Q._pv_last = None

    def __init__(self, *a, **k):
        real_init(self, *a, **k)
        try:
            _mark_internal_locks(self, ("_rlock", "_wlock", "_sem", "_cond"))
            if _created_internally(self):
                self._pv_id = ""
                self._pv_pending = False
                return
            kind = _queue_kind(self)
            oid = _ensure_id(self, kind, self._rlock)
            _instrument_queue_pipe(self)
            _created(oid, kind, {"maxsize": self._maxsize if self._maxsize < 2**31 - 1 else None})
        except Exception as e:
            error("Queue()", e)

    def __setstate__(self, st):
        real_setstate(self, st)
        try:
            _mark_internal_locks(self, ("_rlock", "_wlock", "_sem", "_cond"))
        except Exception:
            pass

    def _reset(self, *a, **k):
        real_reset(self, *a, **k)
        # After fork or unpickling, the bound send/recv methods are fresh: wire them again on
        # first use (an internal queue stays False).
        if self._pv_pending is not False:
            self._pv_pending = None  # the class defaults' value, set on the instance (see _core.own)
            self._pv_last = None

    def make_put(real_put):
        # One closure per class (Queue and JoinableQueue have their own put): no extra call level
        # on the hot path.
        put_last = [NO_SITE]  # the latest call site (see _core.cached_site)

        def put(self, obj, block=True, timeout=None):
            if state.stop_on:
                pause_before("queue", "put", self, obj)
            pending = self._pv_pending
            rec = None
            if pending is not False:
                try:
                    if pending is None:
                        pending = _wire_queue(self)
                    if pending is not False:
                        f = _getframe(1)
                        k = put_last[0]  # _core.cached_site, written out (a call and a frame less on the hot path)
                        if k[0] is f.f_code and k[1] == f.f_lasti:
                            fn, ln = k[2], k[3]
                        else:
                            fn, ln = site_slow(f, f.f_code, f.f_lasti, put_last)
                        if fn is INTERNAL and f.f_code.co_name == "put_nowait":
                            fn, ln = frame_site(f.f_back)  # the user's put_nowait(): report it as the put
                        if fn is not INTERNAL:
                            rec = [monotonic_ns(), get_ident(), fn, ln, repr(obj) if type(obj) in _FAST else preview(obj), None]
                        # multiprocessing's own puts get a placeholder: the feeder sends one message per put.
                        pending.append(rec)
                except Exception as e:
                    error("Queue.put", e)
                    rec = None
            slot = None
            may_wait = rec is not None and block and self._maxsize < 2**31 - 1  # a bounded queue (folded to a constant)
            if may_wait:
                # A bounded queue's put may wait for room: a wait slot (its line known already),
                # stamped as the put, whose own event then ends it.
                tid = rec[1]
                if tid not in _waits:
                    slot = [_PUT, self._pv_id, None, timeout, rec[2], rec[3], rec[0], False, tid]
                    _waits[tid] = slot
            try:
                real_put(self, obj, block, timeout)
            except BaseException as e:
                if slot is not None:
                    _core.wait_over(slot, _PUT)
                if pending:  # a wired queue with our record (or placeholder) in it
                    try:
                        # Full (put_nowait, a timed put), a closed queue...: nothing reaches the feeder.
                        pending.remove(rec)
                    except ValueError:
                        pass
                if rec is not None:
                    # A failed put, not our error.
                    try:
                        t0 = rec[0]
                        emit(("channel.op", t0, rec[1], rec[2], rec[3], self._pv_id, "put", rec[4], None, None,
                              (monotonic_ns() - t0) / 1e6, False, {"error": type(e).__name__}))
                    except Exception:
                        pass
                hide(e)
                raise
            if slot is not None:
                _core.wait_over(slot, _PUT)  # the put's own event comes later, from the feeder
            if may_wait:
                rec[5] = (monotonic_ns() - rec[0]) / 1e6

        return put

    put = make_put(real_put)

    from multiprocessing.reduction import ForkingPickler as _FP
    _loads = _FP.loads

    get_last = [NO_SITE]  # the latest call site (see _core.cached_site)

    def get(self, block=True, timeout=None):
        if state.stop_on:
            pause_before("queue", "get", self)
        last = self._pv_last
        fn = INTERNAL
        if last is not False:
            try:
                if last is None:
                    last = self._pv_last if _wire_queue(self) is not False else False
                if last is not False:
                    f = _getframe(1)
                    k = get_last[0]  # _core.cached_site, written out (a call and a frame less on the hot path)
                    if k[0] is f.f_code and k[1] == f.f_lasti:
                        fn, ln = k[2], k[3]
                    else:
                        fn, ln = site_slow(f, f.f_code, f.f_lasti, get_last)
                    if fn is INTERNAL and f.f_code.co_name == "get_nowait":
                        fn, ln = frame_site(f.f_back)  # the user's get_nowait(): report it as the get
            except Exception as e:
                error("Queue.get", e)
                fn = INTERNAL
        if fn is INTERNAL:
            try:
                return real_get(self, block, timeout)
            except BaseException as e:
                hide(e)
                raise
        t0 = monotonic_ns()
        tid = get_ident()
        slot = None
        if block:
            # A get that waits for a message (or its timeout): a wait slot; the get's own event
            # (a failed one on timeout) ends it.
            if tid not in _waits:
                slot = [_GET, self._pv_id, None, timeout, fn, ln, t0, False, tid]
                _waits[tid] = slot
        try:
            if block and timeout is None and not self._closed:
                # The blocking get, as multiprocessing writes it (3.9-3.13), but entering the
                # read lock's C semaphore directly (`with self._rlock` would go through the
                # patched SemLock.__enter__/__exit__) and reading with the reader's own
                # recv_bytes (the patched one adds a call level).
                with self._rlock._semlock:
                    res = _real_recv_bytes(self._reader)
                self._sem.release()
                t1 = monotonic_ns()
                size, digest = len(res), _crc32(res)
                obj = _loads(res)
            else:
                obj = real_get(self, block, timeout)
                t1 = monotonic_ns()
                size, digest = last[0], last[1]
        except BaseException as e:
            if slot is not None and _waits.get(slot[8]) is slot:
                del _waits[slot[8]]
            # Empty (get_nowait, a timed get), a closed queue...: a failed get, reported as such.
            try:
                t1 = monotonic_ns()
                emit(("channel.op", t1, tid, fn, ln, self._pv_id, "get", None, None, None, (t1 - t0) / 1e6, False,
                      {"error": type(e).__name__}))
            except Exception:
                pass
            hide(e)
            raise
        if slot is not None and _waits.get(tid) is slot:
            del _waits[tid]
        try:
            if len(_buf) < _MAX:
                _buf.append(("channel.op", t1, tid, fn, ln, self._pv_id, "get", repr(obj) if type(obj) in _FAST else preview(obj),
                             size, digest, (t1 - t0) / 1e6, True, None))
            else:
                state.dropped += 1
        except Exception as e:
            error("Queue.get", e)
        return obj

    _real_recv_bytes = _real_conn.get("recv_bytes") or (lambda conn: conn.recv_bytes())
    Q.__init__, Q.__setstate__, Q._reset, Q.put, Q.get = __init__, __setstate__, _reset, put, get

    # The flush at exit: a process that put on a queue joins the queue's feeder thread as it
    # ends (a finalizer, Queue._finalize_join), and the feeder cannot finish while the pipe is
    # full and nobody reads it: the process waits, op "flush", on that queue.
    real_start_thread = Q._start_thread
    real_finalize_join = Q.__dict__.get("_finalize_join")

    def _start_thread(self):
        real_start_thread(self)
        try:
            oid = self._pv_id
            if oid:
                self._thread._pv_qid = oid
        except Exception:
            pass

    def _finalize_join(twr):
        th = twr()
        oid = getattr(th, "_pv_qid", None)
        slot = _core.wait_begin("flush", oid, None, None, None, None) if oid else None
        try:
            return real_finalize_join.__func__(twr)
        finally:
            _core.wait_over(slot, "flush")

    if isinstance(real_finalize_join, staticmethod):
        Q._start_thread, Q._finalize_join = _start_thread, staticmethod(_finalize_join)
    # put_nowait/get_nowait call put/get: reported with the line of the user's put_nowait/get_nowait.

    JQ = mod.JoinableQueue
    real_jq_setstate = JQ.__setstate__
    real_task_done, real_join = JQ.task_done, JQ.join

    def jq_setstate(self, st):
        real_jq_setstate(self, st)
        try:
            _mark_internal_locks(self, ("_rlock", "_wlock", "_sem", "_cond"))
        except Exception:
            pass

    def task_done(self):
        if state.stop_on:
            pause_before("queue", "task_done", self)
        t = monotonic_ns()  # before it can wake a join() (see Event.set)
        try:
            real_task_done(self)
        except BaseException as e:
            hide(e)
            raise
        oid = self._pv_id
        if oid == "" or _internal_caller():
            return
        try:
            oid = oid or _ensure_id(self, "joinable-queue", self._rlock)
            fn, ln = site()
            emit(("channel.op", t, get_ident(), fn, ln, oid, "task_done", None, None, None, None, True, None))
        except Exception as e:
            error("JoinableQueue.task_done", e)

    def join(self):
        if state.stop_on:
            pause_before("queue", "join", self)
        t0 = monotonic_ns()
        oid = self._pv_id
        slot = None if oid == "" else _core.wait_frame("join", oid, None, _getframe(1), t0)
        try:
            real_join(self)
        except BaseException as e:
            _core.wait_over(slot, "join")
            hide(e)
            raise
        _core.wait_over(slot, "join")
        if oid == "" or _internal_caller():
            return
        try:
            oid = oid or _ensure_id(self, "joinable-queue", self._rlock)
            t1 = monotonic_ns()
            fn, ln = site()
            emit(("channel.op", t1, get_ident(), fn, ln, oid, "join", None, None, None, (t1 - t0) / 1e6, True, None))
        except Exception as e:
            error("JoinableQueue.join", e)

    JQ.__setstate__, JQ.task_done, JQ.join = jq_setstate, task_done, join
    JQ.put = make_put(JQ.put)  # JoinableQueue has its own put

    SQ = mod.SimpleQueue
    real_sq_init, real_sq_setstate = SQ.__init__, SQ.__setstate__
    real_sq_put, real_sq_get = SQ.put, SQ.get
    SQ._pv_id = None  # a class default: the hot paths read `self._pv_id` (see _core.own)

    def sq_init(self, *a, **k):
        real_sq_init(self, *a, **k)
        try:
            _mark_internal_locks(self, ("_rlock", "_wlock"))
            if _created_internally(self):
                self._pv_id = ""
                return
            oid = _ensure_id(self, "simple-queue", self._rlock)
            _created(oid, "simple-queue")
        except Exception as e:
            error("SimpleQueue()", e)

    def sq_setstate(self, st):
        real_sq_setstate(self, st)
        try:
            _mark_internal_locks(self, ("_rlock", "_wlock"))
        except Exception:
            pass

    from multiprocessing.reduction import ForkingPickler

    def sq_put(self, obj):
        if state.stop_on:
            pause_before("queue", "put", self, obj)
        oid = self._pv_id
        if oid == "" or _internal_caller():
            try:
                return real_sq_put(self, obj)
            except BaseException as e:
                hide(e)
                raise
        t0 = monotonic_ns()
        try:
            buf = ForkingPickler.dumps(obj)  # what SimpleQueue.put does, so we see the bytes
        except BaseException:
            buf = None
        if buf is None:
            # Unpicklable: let the real put fail the same way, with its own traceback.
            try:
                return real_sq_put(self, obj)
            except BaseException as e:
                hide(e)
                raise
        try:
            if self._wlock is None:
                self._writer.send_bytes(buf)
            else:
                with self._wlock:
                    self._writer.send_bytes(buf)
        except BaseException as e:
            hide(e)
            raise
        try:
            oid = oid or _ensure_id(self, "simple-queue", self._rlock)
            t1 = monotonic_ns()
            fn, ln = site()
            emit(("channel.op", t0, get_ident(), fn, ln, oid, "put", preview(obj), len(buf), _crc32(buf), (t1 - t0) / 1e6, True, None))
        except Exception as e:
            error("SimpleQueue.put", e)

    def sq_get(self):
        if state.stop_on:
            pause_before("queue", "get", self)
        oid = self._pv_id
        if oid == "" or _internal_caller():
            try:
                return real_sq_get(self)
            except BaseException as e:
                hide(e)
                raise
        t0 = monotonic_ns()
        slot = _core.wait_frame("get", oid or _ensure_id(self, "simple-queue", self._rlock), None, _getframe(1), t0)
        try:
            with self._rlock:
                res = self._reader.recv_bytes()
            obj = ForkingPickler.loads(res)
        except BaseException as e:
            _core.wait_over(slot, "get")
            hide(e)
            raise
        _core.wait_over(slot, "get")
        try:
            oid = oid or _ensure_id(self, "simple-queue", self._rlock)
            t1 = monotonic_ns()
            fn, ln = site()
            emit(("channel.op", t1, get_ident(), fn, ln, oid, "get", preview(obj), len(res), _crc32(res), (t1 - t0) / 1e6, True, None))
        except Exception as e:
            error("SimpleQueue.get", e)
        return obj

    SQ.__init__, SQ.__setstate__, SQ.put, SQ.get = sq_init, sq_setstate, sq_put, sq_get


# ---------------------------------------------------------------------------------------------
# Pipes and connections

# The connection methods as multiprocessing defines them, for the queue hot paths (set when
# multiprocessing.connection is patched, which multiprocessing.queues imports first).
_real_conn = {}


def _rebuild_with_id(func, args, oid):
    """Unpickling side of a traced Connection: rebuild it, then give it back its id."""
    conn = func(*args)
    try:
        conn._pv_id = oid
    except Exception:
        pass
    return conn


def _patch_connection(mod):
    real_pipe = mod.Pipe

    def Pipe(duplex=True):
        a, b = real_pipe(duplex)
        try:
            if not _created_internally():
                pid = _next_local_id("pipe")
                a._pv_id, b._pv_id = pid + ":0", pid + ":1"
                _created(pid, "pipe", {"end0": a._pv_id, "end1": b._pv_id, "duplex": bool(duplex)})
        except Exception as e:
            error("Pipe()", e)
        return a, b

    mod.Pipe = Pipe

    from multiprocessing.reduction import ForkingPickler
    dumps, loads = ForkingPickler.dumps, ForkingPickler.loads
    CB = mod._ConnectionBase
    real_send_bytes, real_recv_bytes, real_close = CB.send_bytes, CB.recv_bytes, CB.close

    def _op(self, op, t0, prev, buf, ok=True, detail=None):
        t1 = monotonic_ns()
        fn, ln = site(3)
        # Receiving (and EOF, which the other end's close causes) is stamped when it returned; sending
        # when it began, before the other end can have it.
        emit(("channel.op", t1 if op.startswith("recv") or op == "eof" else t0, get_ident(), fn, ln, self._pv_id, op, prev,
              None if buf is None else len(buf), None if buf is None else _crc32(buf), (t1 - t0) / 1e6, ok, detail))

    send_last, recv_last = [NO_SITE], [NO_SITE]  # their latest call sites (see _core.cached_site)

    # send/recv are the hot path of Pipe-heavy programs: everything is inlined (no helper calls
    # beyond what the original did) and formatting is left to the sender thread.
    def send(self, obj):
        oid = self._pv_id
        if oid is None or self._handle is None or not self._writable:
            try:
                return _real_send(self, obj)  # untraced, or fails its checks: the real error
            except BaseException as e:
                hide(e)
                raise
        if state.stop_on:
            pause_before("pipe", "send", self, obj)
        t0 = monotonic_ns()
        try:
            buf = dumps(obj)
        except BaseException:
            buf = None
        if buf is None:
            # Unpicklable: let the real send fail the same way, with its own traceback.
            try:
                return _real_send(self, obj)
            except BaseException as e:
                hide(e)
                raise
        try:
            self._send_bytes(buf)
        except BaseException as e:
            hide(e)
            raise
        try:
            f = _getframe(1)
            k = send_last[0]  # _core.cached_site, written out (a call and a frame less on the hot path)
            if k[0] is f.f_code and k[1] == f.f_lasti:
                fn, ln = k[2], k[3]
            else:
                fn, ln = site_slow(f, f.f_code, f.f_lasti, send_last)
            if fn is INTERNAL:
                return
            if len(_buf) < _MAX:
                _buf.append(("channel.op", t0, get_ident(), fn, ln, oid, "send", repr(obj) if type(obj) in _FAST else preview(obj),
                             len(buf), _crc32(buf), None, True, None))
            else:
                state.dropped += 1
        except Exception as e:
            error("Connection.send", e)

    def recv(self):
        oid = self._pv_id
        if oid is None or self._handle is None or not self._readable:
            try:
                return _real_recv(self)  # untraced, or fails its checks: the real error
            except BaseException as e:
                hide(e)
                raise
        if state.stop_on:
            pause_before("pipe", "recv", self)
        t0 = monotonic_ns()
        # A wait slot (its line read only if the wait lasts); the recv's or eof's event ends it.
        tid = get_ident()
        if tid not in _waits:
            slot = [_RECV, oid, None, None, _getframe(1), _FRAME_SITE, t0, False, tid]
            _waits[tid] = slot
        else:
            slot = None
        try:
            buf = self._recv_bytes()
        except EOFError:
            buf = None  # handled below, outside this except (no chained context)
        except BaseException:
            _core.wait_over(slot, _RECV)
            raise
        if slot is not None and _waits.get(tid) is slot:
            del _waits[tid]
            if slot[7]:
                _core.wait_end(_RECV)  # its own event may not come (an internal caller)
        if buf is None:
            try:
                _op(self, "eof", t0, None, None, False)
            except Exception:
                pass
            # Raise it from the real recv (the other end is closed: it fails the same way), so the
            # program's traceback has multiprocessing's own frames, not ours.
            try:
                return _real_recv(self)
            except BaseException as e:
                hide(e)
                raise
        t1 = monotonic_ns()
        mv = buf.getbuffer()
        try:
            obj = loads(mv)
        except BaseException as e:
            hide(e)
            raise
        try:
            f = _getframe(1)
            k = recv_last[0]  # _core.cached_site, written out (a call and a frame less on the hot path)
            if k[0] is f.f_code and k[1] == f.f_lasti:
                fn, ln = k[2], k[3]
            else:
                fn, ln = site_slow(f, f.f_code, f.f_lasti, recv_last)
            if fn is INTERNAL:
                return obj
            if len(_buf) < _MAX:
                _buf.append(("channel.op", t1, tid, fn, ln, oid, "recv", repr(obj) if type(obj) in _FAST else preview(obj),
                             len(mv), _crc32(mv), (t1 - t0) / 1e6, True, None))
            else:
                state.dropped += 1
        except Exception as e:
            error("Connection.recv", e)
        return obj

    def send_bytes(self, buf, offset=0, size=None):
        if state.stop_on:
            pause_before("pipe", "send_bytes", self, buf)
        try:
            if self._pv_id is None or _internal_caller():
                return real_send_bytes(self, buf, offset, size)
            t0 = monotonic_ns()
            real_send_bytes(self, buf, offset, size)
        except BaseException as e:
            hide(e)
            raise
        try:
            m = memoryview(buf).cast("B")
            m = m[offset:] if size is None else m[offset:offset + size]
            _op(self, "send_bytes", t0, preview(bytes(m[:_core.PREVIEW_MAX + 1])), m)
        except Exception as e:
            error("Connection.send_bytes", e)

    def recv_bytes(self, maxlength=None):
        if state.stop_on:
            pause_before("pipe", "recv_bytes", self)
        if self._pv_id is None or _internal_caller():
            try:
                return real_recv_bytes(self, maxlength)
            except BaseException as e:
                hide(e)
                raise
        t0 = monotonic_ns()
        slot = _core.wait_frame("recv_bytes", self._pv_id, None, _getframe(1), t0)
        try:
            b = real_recv_bytes(self, maxlength)
        except BaseException as e:
            _core.wait_over(slot, "recv_bytes")
            if isinstance(e, EOFError):
                try:
                    _op(self, "eof", t0, None, None, False)
                except Exception:
                    pass
            hide(e)
            raise
        _core.wait_over(slot, "recv_bytes")
        try:
            _op(self, "recv_bytes", t0, preview(b), b)
        except Exception as e:
            error("Connection.recv_bytes", e)
        return b

    def close(self):
        if state.stop_on:
            pause_before("pipe", "close", self)
        oid = self._pv_id
        was_open = self._handle is not None
        t = monotonic_ns()  # before the other end can see EOF
        try:
            real_close(self)
        except BaseException as e:
            hide(e)
            raise
        if oid and was_open and not _internal_caller():
            try:
                fn, ln = site()
                emit(("channel.op", t, get_ident(), fn, ln, oid, "close", None, None, None, None, True, None))
            except Exception as e:
                error("Connection.close", e)

    _real_send, _real_recv = CB.send, CB.recv
    _real_conn["send_bytes"], _real_conn["recv_bytes"] = real_send_bytes, real_recv_bytes
    # A class default, so the hot paths read `self._pv_id` (an attribute load) instead of
    # `self.__dict__.get("_pv_id")` (a method call, and a slower object: see _core.own): traced connections set their own.
    CB._pv_id = None
    CB.send, CB.recv, CB.send_bytes, CB.recv_bytes, CB.close = send, recv, send_bytes, recv_bytes, close

    # Carry the id through pickling (spawn / forkserver children, connections sent over queues).
    try:
        real_reduce = mod.reduce_connection

        def reduce_connection(conn):
            func, args = real_reduce(conn)
            oid = own(conn, "_pv_id")
            if oid is None:
                return func, args
            return _rebuild_with_id, (func, args, oid)

        ForkingPickler.register(mod.Connection, reduce_connection)
        mod.reduce_connection = reduce_connection
    except Exception as e:
        error("Connection reducer", e)


MODULE_PATCHES = {
    "multiprocessing.queues": _patch_queues,
    "multiprocessing.connection": _patch_connection,
}
