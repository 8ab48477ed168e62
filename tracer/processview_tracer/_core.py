"""Event buffer, background sender, source sites, previews, exit and fork handling.

Hot path: an operation builds a tuple and appends it to a list (no formatting). A daemon thread
wakes every few milliseconds, serialises what is pending as marshal frames and sends them. The list
is bounded: when the receiver is slow or gone, events are counted as dropped, never queued without
limit, and the program never waits for the receiver (an exit waits a bounded time: see "Sending").
"""
import atexit
import json
import marshal
import os
import select
import signal
import socket  # noqa: F401  imported at start for _protocol.connect: an import later (at exit, after a fork) is a hazard
import struct
import sys
import threading
import time
import _thread

from . import _protocol
from ._protocol import PROTOCOL_VERSION
MAX_PENDING = 200_000  # events held while the receiver lags; beyond that they are dropped
FLUSH_INTERVAL = 0.01  # seconds between batches
PREVIEW_MAX = 120

monotonic_ns = time.monotonic_ns
get_ident = threading.get_ident
_getframe = sys._getframe
_getattribute = object.__getattribute__


def own(obj, name, default=None):
    """obj's attribute `name` as an instance or class attribute, else `default`, without touching
    obj.__dict__ (nor a __getattr__ it may have: a proxy's would call its server). On Python 3.11
    and 3.12, reading an object's __dict__ turns its attributes into a real dict for good, and
    every attribute load on it afterwards, multiprocessing's own included, takes a slow path
    (~4x: 5 -> 23 ns on a Queue); `obj.__dict__.get(name)` in a tracer is a cost to the program."""
    try:
        return _getattribute(obj, name)
    except AttributeError:
        return default


class _State:
    active = False
    pid = 0
    role = "main"
    name = "MainProcess"
    start_method = None
    # Pending events. A list: hot paths only append; the sender takes the first n with one slice
    # and one del (each atomic under the GIL), far cheaper per event than n deque pops.
    buf = []
    dropped = 0  # events the full buffer turned away (hot paths count here)
    reported_dropped = 0
    lost = {}  # reason -> events lost otherwise, not yet reported
    sock = None
    out = None  # the frame being sent (memoryview)
    out_pos = 0  # bytes of out already sent
    hs = None  # the handshake being sent on a new connection (memoryview), and how much of it is
    hs_pos = 0
    accepted = False  # the receiver accepted this connection (its "ok" line arrived)
    out_events = 0  # the program's events in it
    out_items = ()  # those events, until it is begun
    out_reports = ()  # the tracer.dropped events in it
    progress = 0.0  # time.monotonic() of the last byte the receiver took
    reconnects = 0
    refused = 0  # connections the receiver closed before accepting them
    dead = False  # no receiver to connect to: stop trying
    gave_up = False  # an exit path gave up on this connection
    lock = threading.Lock()  # one writer on the connection at a time (thread or exit path)
    thread = None
    exit_emitted = False
    exit_info = None  # (how, exitCode, error) recorded by sys.exit / excepthook wrappers
    child_exit = None  # (how, exitCode, error): how a multiprocessing child's run ended, reported as it dies
    tls = threading.local()
    # Debug mode (_debug): the operation kinds to pause before; empty otherwise, so a wrapper's
    # `if state.stop_on:` is all a run without the debugger pays.
    stop_on = frozenset()
    debug_hook = None
    uncaught_hook = None  # debug mode: called with an exception that ends a process or a thread, before it is printed
    trace_next = None  # 3.9-3.11: the debugger's trace function, handed over by the exit watch
    # Debug mode: (the calling thread steps into calls: a process it starts is stepped into,
    # stop this new child at its first line of the program's code); None otherwise.
    child_step = None
    # Debug mode: task_step(func) -> func, or what stands for it in the pickled task so that
    # the worker that unpickles it steps into it (a Step Into on a pool's map, apply_async, ...);
    # None otherwise.
    task_step = None
    # Debug mode: called once this process has told its exit (the last atexit function): the
    # interpreter's teardown follows, where the debugger has nothing left to do.
    exit_told = None


state = _State()
_buf = state.buf


def emit(ev):
    """Queue one wire event (a tuple, see docs/protocol.md). Never blocks, never raises."""
    if len(_buf) < MAX_PENDING:
        _buf.append(ev)
    else:
        state.dropped += 1


if sys.version_info >= (3, 11):
    def hide(exc):
        """Drop the calling wrapper's own entry (the head) from exc's traceback before a bare
        `raise`, so the traceback the program prints is the one it prints without us. 3.11+ only:
        there a bare raise re-raises exc.__traceback__ as is; on 3.9/3.10 it re-raises the
        traceback saved when the exception was caught, and a wrapper's frame cannot be removed."""
        try:
            tb = exc.__traceback__
            if tb is not None and tb.tb_frame.f_globals.get("__name__", "").startswith("processview_tracer"):
                exc.__traceback__ = tb.tb_next
        except Exception:
            pass
else:
    def hide(exc):
        pass


NO_PAYLOAD = object()


def pause_before(kind, op, obj=None, payload=NO_PAYLOAD, internal_ok=False, detail=None):
    """Debug mode: called by a wrapper before a public operation when state.stop_on is not empty;
    the calling thread may stop here until the debugger resumes it. `internal_ok`: the caller
    may be multiprocessing's own code (Pool.map calling _map_async); "any": stop even without a
    frame of the program's (a child about to exit)."""
    hook = state.debug_hook
    if hook is not None:
        try:
            hook(kind, op, obj, payload, internal_ok, detail)
        except Exception as e:
            error("pause before", e)


def uncaught(exc):
    """An exception is about to end this process or one of its threads (its traceback not printed
    yet): debug mode may stop here, the raising frame on top, until the debugger resumes."""
    hook = state.uncaught_hook
    if hook is not None:
        try:
            hook(exc)
        except Exception as e:
            error("uncaught exception", e)


def error(where, exc):
    try:
        emit(("tracer.error", monotonic_ns(), get_ident(), None, None, "%s: %s" % (type(exc).__name__, exc), where))
    except Exception:
        pass


# ---------------------------------------------------------------------------------------------
# Source sites: the first frame outside the standard library and the tracer.

_TRACER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _stdlib_dirs():
    import sysconfig
    dirs = set()
    for key in ("stdlib", "platstdlib"):
        try:
            dirs.add(os.path.realpath(sysconfig.get_paths()[key]))
        except Exception:
            pass
    dirs.add(os.path.dirname(os.path.realpath(os.__file__)))
    return tuple(d + os.sep for d in dirs) + (_TRACER_DIR + os.sep,)


_EXCLUDED = None
_INTERNAL = None
INTERNAL = 0
# id(code) -> [code, where, {f_lasti: line}], where is the absolute file for user code, "" for
# library code, INTERNAL for multiprocessing and concurrent.futures (their use of queues and locks
# is plumbing, not the user's). Keyed by id() and checked by identity because hashing a code
# object and computing f_lineno each cost about a microsecond: too much for every message.
_entries = {}


def _entry(code):
    global _EXCLUDED, _INTERNAL
    if _EXCLUDED is None:
        _EXCLUDED = _stdlib_dirs()
        _INTERNAL = tuple(d + sub + os.sep for d in _EXCLUDED[:-1] for sub in ("multiprocessing", "concurrent"))
    fn = code.co_filename
    if not fn or fn.startswith("<"):
        res = ""
    else:
        ab = os.path.abspath(fn)
        real = os.path.realpath(ab)
        if real.startswith(_INTERNAL) or ab.startswith(_INTERNAL):
            res = INTERNAL
        elif real.startswith(_EXCLUDED) or ab.startswith(_EXCLUDED):
            res = ""
        else:
            res = ab
    e = [code, res, {}]
    _entries[id(code)] = e
    return e


def frame_site(f, stop_internal=True):
    """(file, line) of the first user frame from f up; (INTERNAL, None) when f itself is
    multiprocessing's own code (and stop_internal); (None, None) when no user frame is found."""
    get = _entries.get
    first = stop_internal
    while f is not None:
        c = f.f_code
        e = get(id(c))
        if e is None or e[0] is not c:
            e = _entry(c)
        fn = e[1]
        if fn:
            lines = e[2]
            la = f.f_lasti
            ln = lines.get(la)
            if ln is None:
                ln = f.f_lineno
                lines[la] = ln
            return fn, ln
        if first and fn is INTERNAL:
            return INTERNAL, None
        first = False
        f = f.f_back
    return None, None


# The hot paths' cache: (id(code), f_lasti) -> (file, line), for frames whose own code decides
# the answer: user code, or multiprocessing's own (INTERNAL_SITE). A library frame's answer
# depends on its callers, so it is walked each time. One lookup on a two-int tuple replaces
# frame_site's loop (about 1.2 µs a message on these machines); the code object is kept alive by
# _entries, so its id is never reused for another while the key exists.
_sites = {}
INTERNAL_SITE = (INTERNAL, None)


def site_slow(f, c, la, last):
    """The hot paths' site lookup past their first test: frame_site(f), cached. Each hot function
    keeps `last`, a one-item list holding (code, f_lasti, file, line) of its latest call site, and
    tests it first: a loop calling put() or send() from one line then costs two attribute loads
    and two compares. `c` and `la` are f's code and f_lasti, which the caller already read. Both
    caches hold only sites that f's own code decides."""
    key = (id(c), la)
    s = _sites.get(key)
    if s is None:
        e = _entries.get(id(c))
        if e is None or e[0] is not c:
            e = _entry(c)
        fn = e[1]
        if fn:
            s = (fn, f.f_lineno)
        elif fn is INTERNAL:
            s = INTERNAL_SITE
        else:
            return frame_site(f)  # library code: the answer depends on its callers
        _sites[key] = s
    last[0] = (c, la, s[0], s[1])
    return s


NO_SITE = (None, None, None, None)


def threading_plumbing(f):
    """True when frame `f` is threading's own code. Its calls on multiprocessing's objects are
    plumbing, never the user's: threading.Barrier's code drives a multiprocessing Barrier's
    Condition (acquire, notify_all, release, wait) inside the user's one Barrier.wait(). Neither
    an event (_sync) nor a stop before an operation (_debug)."""
    return f.f_globals.get("__name__") == "threading"


def cached_site(f, last, skip_threading=False):
    """(file, line) of the call made from frame `f`, through `last`, a hot function's one-item
    cache of its latest call site (see site_slow): a loop calling put() or send() from one line
    costs two attribute loads and two compares here. `skip_threading` (the lock paths): a caller
    in threading's code (threading_plumbing) gives INTERNAL_SITE and is not cached."""
    c = f.f_code
    la = f.f_lasti
    k = last[0]
    if k[0] is c and k[1] == la:
        return k[2], k[3]
    if skip_threading and threading_plumbing(f):
        return INTERNAL_SITE
    return site_slow(f, c, la, last)


def site(depth=2):
    """(file, line) of the first user frame above the caller, or (None, None)."""
    try:
        f = _getframe(depth)
    except ValueError:
        return None, None
    return frame_site(f, False)


# ---------------------------------------------------------------------------------------------
# Bounded previews of payloads.

_SIMPLE = (int, float, bool, type(None), complex)


def preview(obj):
    try:
        t = type(obj)
        if t in _SIMPLE:
            return repr(obj)
        if t is str or t is bytes or t is bytearray:
            if len(obj) <= PREVIEW_MAX:
                return repr(obj)
            return repr(obj[:PREVIEW_MAX]) + "…"
        if (t is tuple or t is list) and len(obj) <= 8:
            parts = []
            for x in obj:
                if type(x) in _SIMPLE or (type(x) is str and len(x) <= 40):
                    parts.append(repr(x))
                else:
                    return _slow_preview(obj)
            s = ", ".join(parts)
            if t is tuple:
                return "(" + s + ("," if len(parts) == 1 else "") + ")"
            return "[" + s + "]"
        return _slow_preview(obj)
    except Exception:
        return "<unprintable %s>" % type(obj).__name__


_repr = None


def _slow_preview(obj):
    global _repr
    if _repr is None:
        import reprlib
        r = reprlib.Repr()
        r.maxstring = PREVIEW_MAX
        r.maxother = PREVIEW_MAX
        r.maxlevel = 3
        _repr = r
    s = _repr.repr(obj)
    if len(s) > PREVIEW_MAX:
        s = s[:PREVIEW_MAX] + "…"
    return s


def qualname(fn):
    if fn is None:
        return None
    try:
        mod = getattr(fn, "__module__", None)
        name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
        if mod and mod not in ("__main__", "__mp_main__"):
            return "%s.%s" % (mod, name)
        return name
    except Exception:
        return "<target>"


# ---------------------------------------------------------------------------------------------
# Sending.
#
# One connection per process, written only by whoever holds state.lock: the sender thread, or an
# exit path. The socket is non-blocking and the lock is never held while waiting for the receiver,
# so a slow or stopped receiver can delay nothing but the tracer's own thread (and an exit, by a
# bounded time). Events go out in frames of at most FRAME_EVENTS; a frame is either delivered
# whole or accounted for:
#   - a slow receiver is waited for, never given up on while the program runs; meanwhile the
#     buffer fills to MAX_PENDING and what does not fit is counted ("buffer-full");
#   - at exit the tracer waits for everything accepted so far while the receiver takes bytes, and
#     gives up after EXIT_STALL without progress (or EXIT_LIMIT in all): what is left is counted
#     ("exit") and reported, with the process's own lifecycle events, on a fresh connection (the
#     old one is full, or cut inside a frame);
#   - a frame cut after its first CUT_HEADER bytes is counted by the receiver, which reads the
#     frame's event count from them ("cut-batch"); one cut earlier is counted by the tracer;
#   - no frame is sent before the receiver has accepted the connection: the handshake asks for
#     an "ok" line, and a connection the receiver closes before that (refused: late, wrong token)
#     carried nothing but the handshake, so nothing is lost with it; the events wait in the buffer
#     for the next connection (at most MAX_RECONNECTS), or are counted like any others.

FRAME_EVENTS = 4096  # events per frame at most: a frame cut short loses at most these
FRAME_BYTES = 4 << 20  # a frame larger than this is split (the receiver refuses frames over 16 MiB)
CONNECT_TIMEOUT = 1.0
EXIT_STALL = 5.0  # exit: give up when the receiver has taken no byte for this long
EXIT_LIMIT = 20.0  # exit: give up after this long in any case
SIGTERM_LIMIT = 1.5  # Stop gives a SIGTERMed process 3 s (the supervisor's grace) before SIGKILL
CUT_HEADER = 16  # length prefix + marshal bytes up to the batch's event count (docs/protocol.md)
MAX_RECONNECTS = 3  # a connection that breaks is replaced at most this many times
KEEP_AT_EXIT = 64  # lifecycle events sent on the fresh connection when the old one is given up

_DONE, _MORE, _BLOCKED, _GONE, _UNANSWERED = range(5)


def _connect():
    # Not socket.create_connection: see _protocol.connect (a hang we saw under forkserver).
    return _protocol.connect(_protocol.EVENTS, CONNECT_TIMEOUT)


def _handshake(ack=True):
    hs = {"pv": PROTOCOL_VERSION, "token": os.environ["PROCESS_VIEW_TOKEN"], "pid": os.getpid(), "client": "tracer",
          "enc": "marshal"}
    if ack:
        hs["ack"] = True  # answer "ok" once accepted: frames are sent only after it
    return (json.dumps(hs) + "\n").encode()


def _clean(v):
    t = type(v)
    if t in _WIRE_SCALARS:
        return v
    if t is tuple or t is list:
        return [_clean(x) for x in v]
    if t is dict:
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, bool):
        return bool(v)
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v)
    return str(v)


_WIRE_SCALARS = (int, float, str, bool, type(None))
_pack_len = struct.Struct(">I").pack


def _encode(items, reports=()):
    """One frame: 4-byte big-endian length, then marshal (version 4) of (ppid, events + reports).
    Without reports the events' own list is written, not a copy: marshal writes an object held
    twice with a back-reference slot, which costs it a hash-table entry (~0.3 us an event here)
    and the decoder a slot, for tuples that are never referred to again."""
    batch = (os.getppid(), items + reports if reports else items)
    try:
        payload = marshal.dumps(batch, 4)
    except ValueError:
        # An event held a subclass (an IntEnum exit code, a str subclass): rebuild with plain types.
        payload = marshal.dumps((batch[0], [_clean(it) for it in batch[1]]), 4)
    return _pack_len(len(payload)) + payload


def _lose(n, reason):
    if n > 0:
        state.lost[reason] = state.lost.get(reason, 0) + n


def _reports():
    """tracer.dropped events for every loss not yet reported (taken: put back if not delivered)."""
    out = []
    if state.dropped != state.reported_dropped:
        _lose(state.dropped - state.reported_dropped, "buffer-full")
        state.reported_dropped = state.dropped
    if state.lost:
        t, tid = monotonic_ns(), get_ident()
        for reason, n in state.lost.items():
            out.append(("tracer.dropped", t, tid, None, None, n, reason))
        state.lost = {}
    return out


def _unreported():
    return state.dropped != state.reported_dropped or bool(state.lost)


def _next_frame():
    """Take up to FRAME_EVENTS pending events (and the loss reports) into state.out. False: nothing to send."""
    buf = state.buf
    n = min(len(buf), FRAME_EVENTS)
    if n == 0 and not _unreported():
        return False
    items = buf[:n]
    del buf[:n]  # events appended since the slice stay, in order
    reports = _reports()
    try:
        frame = _encode(items, reports)
        while len(frame) > FRAME_BYTES and n > 1:
            n //= 2
            buf[0:0] = items[n:]  # rare (huge argv or messages): the rest goes in the next frames
            items = items[:n]
            frame = _encode(items, reports)
    except Exception as e:  # not even _clean could encode it: lose the batch, say so, go on
        _lose(n, "connection-lost")
        for r in reports:
            _lose(r[5], r[6])
        error("send", e)
        return bool(buf) or _unreported()
    state.out = memoryview(frame)
    state.out_pos = 0
    state.out_events = n
    state.out_items = items
    state.out_reports = reports
    return True


def _frame_unsent():
    """The current frame will not be delivered: count it, unless the receiver will (CUT_HEADER)."""
    if state.out is None:
        return
    if state.out_pos < CUT_HEADER:
        _lose(state.out_events, "connection-lost" if not state.gave_up else "exit")
        for r in state.out_reports:
            _lose(r[5], r[6])
    else:
        # The receiver counts every event of the cut batch, our tracer.dropped ones included:
        # each of those carried at least 1, so what they carried, less one each, is still owed.
        for r in state.out_reports:
            _lose(r[5] - 1, r[6])
    state.out = None


def _close_sock():
    s, state.sock = state.sock, None
    if s is not None:
        try:
            s.close()
        except Exception:
            pass


def _refused():
    """The receiver closed the connection before accepting it: only the handshake went out on it
    (state.out, if any, is not begun), so nothing is lost. Try a new one. Caller holds state.lock."""
    _close_sock()
    state.refused += 1
    state.reconnects += 1
    if state.reconnects > MAX_RECONNECTS:
        state.dead = True


def _pump(frames=8):
    """Send what can be sent now without waiting. Caller holds state.lock. Returns _DONE (nothing
    left), _MORE (frames left: call again), _BLOCKED (the receiver's buffer is full: wait until
    the socket is writable), _UNANSWERED (the receiver has not accepted the connection yet: wait
    until it answers) or _GONE (no receiver: pending events are counted)."""
    while True:
        if state.dead:
            _frame_unsent()
            _lose(len(state.buf), "connection-lost")
            del state.buf[:]
            return _GONE
        if state.out is None:
            if frames == 0:
                return _MORE
            if not _next_frame():
                return _DONE
            frames -= 1
            if state.out is None:
                continue
        if state.sock is None:
            try:
                state.sock = _connect()
                state.sock.setblocking(False)
            except Exception:
                state.dead = True  # nobody listens: the receiver is gone
                continue
            state.hs = memoryview(_handshake())
            state.hs_pos = 0
            state.accepted = False
        if not state.accepted:
            try:
                if state.hs_pos < len(state.hs):
                    state.hs_pos += state.sock.send(state.hs[state.hs_pos:])
                    state.progress = time.monotonic()
                    continue
                answer = state.sock.recv(64)
            except (BlockingIOError, InterruptedError):
                return _BLOCKED if state.hs_pos < len(state.hs) else _UNANSWERED
            except Exception:
                answer = b""  # reset: as closed
            if not answer:
                _refused()
                continue
            state.accepted = True  # "ok": the only bytes the receiver ever sends
            state.progress = time.monotonic()
        try:
            sent = state.sock.send(state.out[state.out_pos:])
        except (BlockingIOError, InterruptedError):
            return _BLOCKED
        except Exception:
            # Broken (reset, closed by the receiver): count what it took with it, try a new one.
            _frame_unsent()
            _close_sock()
            state.reconnects += 1
            if state.reconnects > MAX_RECONNECTS:
                state.dead = True
            continue
        if sent:
            state.progress = time.monotonic()
            state.out_pos += sent
            if state.out_pos == len(state.out):
                state.out = None
                state.out_items = ()


_poll = getattr(select, "poll", None)


def _wait_writable(timeout, r=_BLOCKED):
    """Until the socket can take more bytes (r == _UNANSWERED: until the receiver's answer can be
    read), or timeout seconds. Called without state.lock, or by an exit path that holds it on purpose."""
    s = state.sock
    readable = r == _UNANSWERED
    try:
        if s is None:
            raise OSError
        if _poll is not None:  # not select(): it fails for descriptors over 1023
            p = _poll()
            p.register(s.fileno(), (select.POLLIN if readable else select.POLLOUT) | select.POLLERR | select.POLLHUP)
            p.poll(timeout * 1000)
        elif readable:
            select.select([s], [], [s], timeout)
        else:
            select.select([], [s], [s], timeout)
    except Exception:
        time.sleep(timeout)


# ---------------------------------------------------------------------------------------------
# Waits in progress (docs/protocol.md): a wrapper about to block fills its thread's slot; the
# sender thread reports a wait that has lasted WAIT_REPORT_NS, stamped when it began. No event
# per call: a short wait costs a list, a dict store and a dict pop.

WAIT_REPORT_NS = 20_000_000
# thread id -> [op, id, childPid, timeout, file, line, t0, reported, tid]
waits = {}


def wait_begin(op, oid, child_pid, timeout, fn, ln, t0=None):
    """The calling thread is about to block in `op`; returns its slot for wait_done, or None when
    the thread is already in a wait (the outer one is what it waits for)."""
    tid = get_ident()
    if tid in waits:
        return None
    slot = [op, oid, child_pid, timeout, fn, ln, monotonic_ns() if t0 is None else t0, False, tid]
    waits[tid] = slot
    return slot


def wait_done(slot):
    """The wait is over. True when it was reported: the caller then sends an event of its own for
    this thread (or wait_end), which is what ends the wait for the views."""
    if slot is None:
        return False
    tid = slot[8]
    if waits.get(tid) is slot:
        del waits[tid]
    return slot[7]


def wait_end(op):
    emit(("wait.end", monotonic_ns(), get_ident(), None, None, op))


# A slot's line still to be read from the frame in slot[4] (wait_frame): the sender thread reads
# it only for a wait that lasts, so a wait that does not costs no site lookup.
FRAME_SITE = -1


def wait_frame(op, oid, timeout, f, t0):
    """wait_begin for a wrapper that has not looked up its caller's line: `f` is the caller's
    frame, read by the sender thread if the wait lasts (a wait whose caller is multiprocessing's
    own code is then never reported). Returns the slot, or None (already in a wait)."""
    tid = get_ident()
    if tid in waits:
        return None
    slot = [op, oid, None, timeout, f, FRAME_SITE, t0, False, tid]
    waits[tid] = slot
    return slot


def wait_over(slot, op):
    """The wait of `slot` is over: end it for the views if it was reported (never raises). For
    wrappers whose own event may not come (an internal caller) or comes from another thread."""
    try:
        if slot is not None and wait_done(slot):
            wait_end(op)
    except Exception:
        pass


def _report_waits():
    now = monotonic_ns()
    for tid, slot in waits.copy().items():
        if slot[7] is False and now - slot[6] >= WAIT_REPORT_NS:
            if slot[5] == FRAME_SITE:
                f = slot[4]
                slot[4] = None  # no frame kept past this look
                fn, ln = frame_site(f) if f is not None else (None, None)
                if fn is INTERNAL:
                    slot[7] = None  # multiprocessing's own wait: never reported
                    continue
                slot[4], slot[5] = fn, ln
            slot[7] = True
            # Checked after marking: a wait that ended meanwhile is not reported (its wrapper saw
            # it unreported), or is reported and ended by its wrapper's own event, which may come
            # first in the buffer (the views order by time).
            if waits.get(tid) is slot:
                emit(("wait.begin", slot[6], tid, slot[4], slot[5], slot[0], slot[1], slot[2], slot[3]))


# ---------------------------------------------------------------------------------------------
# Children's deaths, seen by their parent (process.died): the sentinel of each multiprocessing
# child this process started becomes readable once the child's descriptors are closed, as it
# dies. The sender thread polls them (no reaping, no new descriptor) every tick: an observer of
# the death that does not depend on the dying process being scheduled after its exit stamp.

watched = {}  # pid -> [popen, ns when last seen alive, ns when first seen dying or None]


def watch_child(popen):
    """Watch a child started by Process.start() here (never raises)."""
    try:
        if _poll is not None and isinstance(popen.sentinel, int):
            watched[popen.pid] = [popen, monotonic_ns(), None]
    except Exception:
        pass


try:
    import select as _select
    _poll = _select.poll
    _POLLIN, _POLLNVAL = _select.POLLIN, _select.POLLNVAL
except (ImportError, AttributeError):  # no poll() here (Windows): no sightings, samples decide
    _poll = None


def alive_ns(popen, look=False):
    """The latest moment (monotonic ns) this process knew its child alive: its sentinel not
    readable when the tracer thread last looked, or now if `look` and it is not readable now.
    None when unknown. Never raises."""
    try:
        w = watched.get(popen.pid)
        seen = w[1] if w is not None and w[0] is popen else None
        if look:
            t = monotonic_ns()
            if _sentinel_readable(popen) is False:
                seen = t
        return seen
    except Exception:
        return None


def dead_now(popen):
    """True if `popen`'s child is dead and not reaped (its sentinel readable). Never raises."""
    try:
        return _sentinel_readable(popen) is True
    except Exception:
        return False


def _sentinel_readable(popen):
    """Whether the sentinel of `popen`'s unreaped child is readable now (it is dying or dead), or
    None when that cannot be told (reaped, no sentinel, no poll() here)."""
    fd = popen.sentinel
    if _poll is None or popen.returncode is not None or not isinstance(fd, int) or fd < 0:
        return None
    p = _poll()
    p.register(fd, _POLLIN)
    ready = p.poll(0)
    if not ready:
        return False
    return None if ready[0][1] & _POLLNVAL else True


# The kernel's own date of a death (Linux). A dead, unreaped process keeps /proc/<pid>/sched,
# whose se.exec_start is the scheduler's clock when it last stopped running: its death (seen
# 2-3 ms after its last Python line, idle and under strace). Unlike the exit stamp it does not
# depend on the dying process getting a CPU after its last line, and unlike a sighting it does not
# depend on ours: on a loaded machine each can be 100 ms or more off. That clock is
# CLOCK_MONOTONIC on the kernels seen; each use checks so against this thread's own entry (which
# reads "now" to within a tick), and gives up when they differ.
_SCHED = sys.platform.startswith("linux")
# A child last seen alive longer ago than this may have been a zombie long enough to flag (100 ms:
# ZOMBIE_MIN_MS in processes.ts): a reaping poll then asks the kernel when it died.
ALIVE_STALE_NS = 50_000_000
DYING_WAIT_NS = 100_000_000  # how long a sighting waits for a dying child to be dated
_SCHED_SLACK_NS = 20_000_000  # how stale our own exec_start may be and still vouch for the clock


def _exec_start_ns(path):
    with open(path, "rb") as f:
        data = f.read(1024)
    i = data.find(b"se.exec_start")
    if i < 0:
        return None
    j = data.index(b":", i) + 1
    ms, _, frac = data[j:data.index(b"\n", j)].strip().partition(b".")
    return int(ms) * 1_000_000 + int((frac + b"000000")[:6])


def _proc_state(pid):
    with open("/proc/%d/stat" % pid, "rb") as f:
        stat = f.read(512)
    return stat[stat.rindex(b")") + 2:][:1]


def death_ns(pid):
    """When the kernel says unreaped child `pid` died (monotonic ns), or None: not dead yet, reaped
    meanwhile, not Linux, no /proc/<pid>/sched, or the scheduler's clock is not ours. Never raises."""
    return _death(pid)[0]


def _death(pid):
    """(death_ns(pid), whether Linux says `pid` still runs: its death not complete). Never raises."""
    global _SCHED
    if not _SCHED:
        return None, False
    died = None
    try:
        a = monotonic_ns()
        own_ns = _exec_start_ns("/proc/thread-self/sched")
        b = monotonic_ns()
        if own_ns is not None and a - _SCHED_SLACK_NS <= own_ns <= b + _SCHED_SLACK_NS:
            died = _exec_start_ns("/proc/%d/sched" % pid)
            if died is not None and died > b:
                died = None
    except FileNotFoundError:
        if not os.path.exists("/proc/thread-self/sched"):
            _SCHED = False  # a kernel without it (or no /proc): never look again
            return None, False
        died = None
    except Exception:
        died = None
    try:
        # Read after the date: a zombie then, so the date was its death (a pid is not reused
        # while unreaped).
        if _proc_state(pid) not in (b"Z", b"X"):
            return None, True
    except Exception:
        return None, False
    return died, False


def _check_children():
    poller = _poll()
    fds = {}
    for pid, w in list(watched.items()):
        popen = w[0]
        fd = getattr(popen, "sentinel", None)
        if popen.returncode is not None or not isinstance(fd, int) or fd < 0:
            watched.pop(pid, None)  # reaped (its join reports that), or its sentinel is gone
            continue
        poller.register(fd, _POLLIN)
        fds[fd] = pid
    if not fds:
        return
    before = monotonic_ns()
    ready = poller.poll(0)
    t = monotonic_ns()
    seen = set()
    for fd, ev in ready:
        pid = fds.get(fd)
        w = watched.get(pid)
        seen.add(pid)
        # Reaped meanwhile (the program closes the sentinel only after that): nothing to say.
        if w is None or ev & _POLLNVAL or w[0].returncode is not None:
            watched.pop(pid, None)
            continue
        died, running = _death(pid)
        if w[2] is None:
            w[2] = t
        if running:
            # Its sentinel woke as it closed its files, before it became a zombie: look again at
            # the next tick, for the kernel's date. Still running long after: it closed them
            # alive (an exec, a closerange), which is no death: stop watching it.
            if t - w[2] >= DYING_WAIT_NS:
                watched.pop(pid, None)
            continue
        at = t if died is None or died <= t else monotonic_ns()  # dying at t: dead by the read
        emit(("process.died", at, get_ident(), None, None, pid, (at - w[1]) / 1e6,
              None if died is None else (at - died) / 1e6))
        # Only now: a child no longer watched has been told of (or was reaped first), never one
        # whose word is still to come (a program's join could otherwise reap it in between, and
        # the word was then dropped as "reaped meanwhile").
        watched.pop(pid, None)
    for pid in fds.values():
        if pid not in seen:
            w = watched.get(pid)
            if w is not None:
                w[1] = before  # not readable: alive when we looked


def start_deaf(start, *args):
    """Call start(*args), which starts a thread of ours, with SIGTERM and SIGINT blocked here: the
    new thread inherits this mask, so it never takes them, not even before it first runs (blocking
    them as its own first act left that window open, long on a busy machine). Signals with Python
    handlers must land on the main thread: one taken by our thread only queues the handler for a
    main thread that may be blocked in a lock or a join, and the process hangs where, without us,
    it would have died or been interrupted (seen: a Pool worker terminated while it waited)."""
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, _DEAF_TO)
    except Exception:
        old = None  # no pthread_sigmask (Windows): there only the main thread runs handlers anyway
    try:
        return start(*args)
    finally:
        if old is not None:
            try:
                # A signal that came meanwhile is delivered now and its handler runs here.
                signal.pthread_sigmask(signal.SIG_SETMASK, old)
            except KeyboardInterrupt:
                # Raised here it would be lost in an at-fork hook (and any instruction of ours
                # would take it): send it again from a thread that cannot take it, so the
                # program's main thread gets it, as it would have without us.
                start_deaf(_thread.start_new_thread, _real_kill, (os.getpid(), signal.SIGINT))


_DEAF_TO = {signal.SIGTERM, signal.SIGINT}


def _sender_loop():
    # Timed waits only: nothing on the program's threads ever has to signal us (a lock shared
    # with them could be held by code a signal handler interrupted).
    sleep = time.sleep
    # The first pass sends at once: a process's connection (its handshake waits for the receiver's
    # answer) is then made while the program runs, not left to its exit. A short-lived child's
    # exit used to pay that round trip, which showed in its parent's join.
    r = _MORE
    while True:
        try:
            if r == _BLOCKED or r == _UNANSWERED:
                _wait_writable(FLUSH_INTERVAL, r)
            elif r != _MORE:
                sleep(FLUSH_INTERVAL)
            if waits:
                try:
                    _report_waits()
                except Exception as e:
                    error("waits", e)
            if watched:
                try:
                    _check_children()
                except Exception as e:
                    error("children", e)
            if _wake is not None:
                try:
                    _check_sigterm()
                except Exception as e:
                    error("sigterm", e)
            r = _DONE
            if state.buf or state.out is not None or _unreported():
                with state.lock:
                    if not state.gave_up and state.pid == os.getpid():
                        r = _pump()
        except Exception as e:  # never let the thread die: its death would stop every report
            error("sender", e)
            r = _DONE


class _SenderThread:
    """What others need of the sender thread: its ident (the debugger leaves it running)."""

    __slots__ = ("ident",)

    def __init__(self, ident):
        self.ident = ident


def _start_thread():
    # A bare _thread, not a threading.Thread: Thread.start() waits until the new thread has run,
    # which in a forked child on a busy machine took 3-47 ms of the child's start (the program's
    # Process.start() never waits for our thread), and the thread stays out of
    # threading.enumerate()/active_count() without being taken out again: programs that count
    # threads see what they saw without us. The loop never asks threading for its current thread
    # (that would register a dummy Thread for it).
    state.thread = _SenderThread(start_deaf(_thread.start_new_thread, _sender_loop, ()))


def flush(limit=EXIT_LIMIT, stall=EXIT_STALL):
    """Exit paths: deliver every event emitted so far. Waits while the receiver takes bytes; gives
    up after `stall` seconds without progress or `limit` in all, and then counts what is left and
    reports it on a fresh connection. Never raises."""
    try:
        if state.pid != os.getpid():
            return  # a fork child before its at-fork hook ran: the connection is the parent's
        now = time.monotonic()
        deadline = now + limit
        # The sender thread holds the lock only while it sends without waiting; the program's own
        # threads never take it (but a signal handler may have interrupted this very thread in here).
        if not state.lock.acquire(timeout=min(limit, 1.0)):
            return
        try:
            if state.gave_up:
                r = _GONE
            else:
                # The stall clock: the receiver's last progress, but not older than a send just
                # started (nothing was pending for a while).
                if state.out is None:
                    state.progress = now
                while True:
                    r = _pump(frames=64)
                    if r in (_DONE, _GONE):
                        break
                    now = time.monotonic()
                    if now >= deadline or now - state.progress >= stall:
                        break
                    if r == _BLOCKED or r == _UNANSWERED:
                        _wait_writable(min(0.05, deadline - now), r)
            if r != _DONE:
                _give_up()
        finally:
            state.lock.release()
    except Exception:
        pass


def _give_up():
    """The exit path cannot deliver the rest on this connection: count it, keep the process's
    lifecycle events, and report both on a fresh connection. Caller holds state.lock."""
    state.gave_up = True  # the sender thread stops writing on the old connection
    pending = []
    if state.out is not None and state.out_pos == 0:
        # Not begun (the receiver had not even accepted the connection): its events are pending
        # still, lifecycle events and all, and its loss reports are owed again.
        pending = list(state.out_items)
        for r in state.out_reports:
            _lose(r[5], r[6])
        state.out = None
    _frame_unsent()
    pending += state.buf
    del state.buf[:]
    keep = [ev for ev in pending if ev[0] != "channel.op"][-KEEP_AT_EXIT:]
    _lose(len(pending) - len(keep), "exit")
    reports = _reports()
    if not keep and not reports:
        return
    s = None
    try:
        s = _connect()
        s.settimeout(0.5)  # a few hundred bytes into an empty socket buffer: at once, or never
        s.sendall(_handshake(ack=False) + _encode(keep, reports))  # no answer awaited: the receiver may be stalled
    except Exception:
        pass  # no receiver to tell
    finally:
        if s is not None:
            try:
                s.close()
            except Exception:
                pass


# ---------------------------------------------------------------------------------------------
# Exit paths: normal exit (atexit), os._exit, SIGTERM.

def exit_now(how, code, sig=None, err=None, fn=None, ln=None, limit=EXIT_LIMIT, stall=EXIT_STALL):
    """Report the process's end and send it: the last thing its Python does. What is pending is
    sent first, then the exit is stamped and sent, so the stamp is as close to the death as it can
    be (a slow receiver can hold the first send; the process is alive until it returns), which is
    what zombies are judged from (docs/states.md). Both sends share `limit`. Once per process;
    never raises."""
    if state.exit_emitted:
        return
    state.exit_emitted = True
    start = time.monotonic()
    flush(limit, stall)
    emit(("process.exit", monotonic_ns(), get_ident(), fn, ln, code, how, sig, err))
    flush(max(0.1, limit - (time.monotonic() - start)), stall)


def _atexit():
    try:
        if state.exit_emitted:
            flush()  # what was sent since the exit (a SIGTERM's)
            return
        info = state.child_exit  # a spawn child: its run ended in _bootstrap (and paused there)
        if info is None:
            info = _main_exit_info()
            if state.stop_on:
                pause_before("process", "exit", None, internal_ok="any", detail={"exitcode": info[1]})
        exit_now(info[0], info[1], "SIGINT" if info[0] == "signal" and info[1] == -signal.SIGINT else None, info[2])
    finally:
        told = state.exit_told
        if told is not None:
            told()


def _main_exit_info():
    """How the program ended: (how, exitCode, error)."""
    resolver = getattr(state, "exit_resolver", None)  # _exit.resolve: how the main module ended
    if state.exit_info is not None and state.exit_info[0] == "signal":
        # An uncaught KeyboardInterrupt (our excepthook saw it): the end is SIGINT, whatever the
        # frame says. And the resolver must not run: reading a raise's code may eval(), which
        # clears the interpreter's "unhandled KeyboardInterrupt" flag, and the process would
        # then exit 1 instead of dying of SIGINT as without us.
        return state.exit_info
    if resolver is not None:
        try:
            info = resolver()
            if info is not None:
                return info
        except Exception as e:
            error("exit", e)
    return state.exit_info or ("return", 0, None)


_real_os_exit = os._exit
_real_kill = os.kill


def _os_exit(code):
    if state.stop_on:
        pause_before("process", "_exit", None, detail={"exitcode": code})
    try:
        child = state.child_exit
        if state.exit_emitted:
            flush()  # what was sent since the exit (a SIGTERM's)
        elif child is not None and child[1] == code:
            # A fork or forkserver child ending as multiprocessing ends it, after its run (and on
            # 3.13+ its atexit functions: joining its own children, finalizers).
            exit_now(child[0], code, None, child[2])
        else:
            fn, ln = site()
            exit_now("os._exit", code, None, None, fn, ln)
    except Exception:
        pass
    _real_os_exit(code)


_real_sys_exit = sys.exit


def _sys_exit(status=None):
    try:
        # Only the main thread's: in another thread SystemExit ends that thread, not the process.
        if threading.current_thread() is threading.main_thread():
            if status is None:
                code = 0
            elif isinstance(status, int):
                code = int(status) if -(1 << 63) <= status < (1 << 63) else -1
            else:
                code = 1
            state.exit_info = ("sys.exit", code, None)
    except Exception:
        pass
    try:
        _real_sys_exit(status)
    except BaseException as e:
        hide(e)
        raise


_prev_excepthook = sys.excepthook


def _ours(tb):
    return tb.tb_frame.f_globals.get("__name__", "").startswith("processview_tracer")


def _strip_tracer_frames(tb):
    """tb without the tracer's entries (tb_next is writable since 3.7)."""
    while tb is not None and _ours(tb):
        tb = tb.tb_next
    t = tb
    while t is not None:
        nxt = t.tb_next
        if nxt is not None and _ours(nxt):
            while nxt is not None and _ours(nxt):
                nxt = nxt.tb_next
            t.tb_next = nxt
        t = nxt
    return tb


def _excepthook(tp, value, tb):
    uncaught(value)
    try:
        if issubclass(tp, KeyboardInterrupt) and os.name == "posix":
            # Uncaught in the main module, Python ends the process with SIGINT itself (after
            # atexit), so a shell sees Ctrl+C: that, not "exit code 1", is how it ended.
            state.exit_info = ("signal", -signal.SIGINT, "KeyboardInterrupt")
        elif tp is not SystemExit:
            state.exit_info = ("exception", 1, "%s: %s" % (tp.__name__, value))
    except Exception:
        pass
    try:
        # An uncaught exception raised through one of our wrappers: print it as without us (on
        # 3.9/3.10 a wrapper cannot drop its own entry when it re-raises; here it still can).
        tb = _strip_tracer_frames(tb)
        seen = set()
        todo = [value]
        while todo:
            e = todo.pop()
            if e is None or id(e) in seen or not isinstance(e, BaseException):
                continue
            seen.add(id(e))
            if e is not value or e.__traceback__ is not None:
                e.__traceback__ = _strip_tracer_frames(e.__traceback__)
            todo.append(e.__cause__)
            todo.append(e.__context__)
    except Exception:
        pass
    return _prev_excepthook(tp, value, tb)


UNBLOCK_SIGTERM_ENV = "PROCESS_VIEW_UNBLOCK_SIGTERM"


def unblock_inherited_sigterm():
    """A spawning parent held SIGTERM blocked across fork and exec (see _processes): take it back
    now that a handler is in place; one that arrived meanwhile is delivered here. Also called when
    the tracer fails to start, so the program never keeps a mask it did not ask for."""
    try:
        if os.environ.pop(UNBLOCK_SIGTERM_ENV, None) == "1":
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    except Exception:
        pass


def _default_sigterm():
    """Pool workers are ended by Pool.terminate() while they wait for a task; there SIGTERM must
    act as it does without us. Our handler depends on the main thread waking from that wait, and
    on Python 3.9 a worker was seen never to (a hang); the default action cannot be missed. Only
    when the handler is ours: a program's own handler stays."""
    try:
        if signal.getsignal(signal.SIGTERM) is _on_sigterm:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
    except Exception:
        pass


# SIGTERM's watchdog. Our handler is a Python-level one: its C half only marks the signal, and
# the main thread runs it at its next bytecode, or when the signal interrupts a blocking call. A
# SIGTERM that lands after the main thread let go of the GIL for a blocking call and before the
# call blocks interrupts nothing, and the handler waits for the call to return: seen once in 150
# terminate() right after start() on a busy machine, the child's time.sleep(20) running out
# before it died (our sender thread taking the GIL there widens that window). Without us,
# SIGTERM's default action ends a process at once. So our thread learns of each signal from a
# wakeup fd of ours (unless the program has its own) and, when our handler has not run a tick
# later, interrupts the main thread's call with a signal of ours whose handler does nothing: the
# call's retry runs the pending handler first. Harmless if the byte was not for us (a
# subprocess child, between its fork and exec, shares the descriptor): the call just resumes.
_wake = None  # (read end, write end) of our wakeup pipe, or None
_wake_ids = None  # (st_dev, st_ino) of each: what is ours at those numbers
_term_seen = 0  # monotonic ns our thread saw a SIGTERM that our handler has not run for yet
_term_nudges = 0
_term_handled = False
_TERM_NUDGE_NS = 20_000_000
_TERM_NUDGES = 5  # then the main thread is in a long call of C code, or the byte was not ours
_NUDGE = getattr(signal, "SIGRTMAX", 0) - 6 if hasattr(signal, "pthread_kill") and hasattr(signal, "SIGRTMAX") else None
_main_ident = None


def _nudged(signum, frame):
    pass  # only to interrupt a blocking call: its retry runs the pending SIGTERM handler


def _high_fd(fd):
    """`fd` moved far above the low numbers a program reuses: should it close our descriptors
    (a closerange), the C signal handler must not write into a file that reused the number."""
    try:
        import fcntl  # multiprocessing.util imports it too
        soft = os.sysconf("SC_OPEN_MAX")  # the soft limit on open descriptors
        if soft < 0 or soft > 4096:
            soft = 4096
        if soft > 128:
            high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, soft - 64)
            os.close(fd)
            return high
    except Exception:
        pass
    return fd


def _close_all(fds):
    for fd in fds:
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass


def _own_wakeup(forked=False):
    """Main thread: with our SIGTERM handler in place, make the signal wakeup fd ours (unless the
    program has one) and the nudge signal's handler ours (unless it has one). After a fork the
    wakeup fd inherited, if ours, is the parent's pipe: replaced."""
    global _wake, _wake_ids, _main_ident
    _main_ident = get_ident()
    inherited, _wake = _wake, None
    if forked and inherited is not None:
        _close_all(inherited)
    r = w = None
    try:
        if _NUDGE is None or signal.getsignal(signal.SIGTERM) is not _on_sigterm:
            raise OSError("not ours")
        nudge = signal.getsignal(_NUDGE)
        if nudge is not _nudged:
            if nudge != signal.SIG_DFL:
                raise OSError("the program's")
            signal.signal(_NUDGE, _nudged)
        r, w = os.pipe()
        os.set_blocking(r, False)
        w = _high_fd(w)
        os.set_blocking(w, False)
        old = signal.set_wakeup_fd(w, warn_on_full_buffer=False)
        if old != -1 and not (inherited is not None and old == inherited[1]):
            signal.set_wakeup_fd(old)  # the program's own: left to it
            raise OSError("the program's")
        _wake_ids = (_fd_id(r), _fd_id(w))
        _wake = (r, w)  # last: our thread may be running (a forkserver child) and takes _wake as "ready"
    except Exception:
        _close_all((r, w))
        if inherited is not None:
            try:  # ours in the parent, closed here: no longer the wakeup fd
                cur = signal.set_wakeup_fd(-1)
                if cur != inherited[1]:
                    signal.set_wakeup_fd(cur)
            except Exception:
                pass


def _fd_id(fd):
    try:
        st = os.fstat(fd)
        return st.st_dev, st.st_ino
    except OSError:
        return None


def _rewake():
    """The program closed our wakeup pipe, or an end of it (a closerange): the C signal handler
    would print a failed write to the program's stderr at its next signal. Put a fresh pipe's
    write end back at that number, unless the number is the program's now (then the watchdog
    ends: its descriptor is never read nor replaced by us)."""
    global _wake, _wake_ids
    (r, w), (rid, wid) = _wake, _wake_ids
    _wake = _wake_ids = None
    now_w = _fd_id(w)
    if now_w is not None and now_w != wid:
        return
    nr = nw = None
    try:
        nr, nw = os.pipe()
        os.set_blocking(nr, False)
        os.set_blocking(nw, False)
        os.dup2(nw, w, inheritable=False)
        _close_all((nw,))
        if r != nr and _fd_id(r) == rid:
            _close_all((r,))
        _wake_ids = (_fd_id(nr), _fd_id(w))
        _wake = (nr, w)
    except Exception:
        _close_all((nr, nw))


def _check_sigterm():
    """Our thread, each tick: nudge the main thread when a SIGTERM has waited for our handler."""
    global _term_seen, _term_nudges
    wake, ids = _wake, _wake_ids
    if wake is None:
        return
    r, w = wake
    if _fd_id(r) != ids[0] or _fd_id(w) != ids[1]:
        _rewake()  # never read a descriptor that is not ours
        return
    try:
        data = os.read(r, 256)
    except BlockingIOError:
        data = b""
    except OSError:
        _rewake()
        return
    if _term_handled:
        return
    now = monotonic_ns()
    if b"\x0f" in data and _term_seen == 0:
        _term_seen, _term_nudges = now, 0
    elif _term_seen and now - _term_seen >= _TERM_NUDGE_NS:
        if _term_nudges >= _TERM_NUDGES:
            _term_seen = 0
            return
        _term_seen = now
        _term_nudges += 1
        signal.pthread_kill(_main_ident, _NUDGE)


def _on_sigterm(signum, frame):
    global _term_handled
    _term_handled = True
    try:
        if state.pid == os.getpid():
            exit_now("signal", -signum, "SIGTERM", limit=SIGTERM_LIMIT, stall=SIGTERM_LIMIT)
    except Exception:
        pass
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # The real os.kill: this handler may interrupt the main thread anywhere, even inside our own
    # wrappers, so it must not re-enter them (or take any lock they might hold without a timeout).
    _real_kill(os.getpid(), signal.SIGTERM)


# ---------------------------------------------------------------------------------------------
# Fork: the child gets its own connection, buffer and sender thread.

def _before_fork():
    # Do not fork in the middle of a send (the child would inherit whatever the sender thread
    # holds); bounded, so a stuck receiver delays a fork by at most this much.
    try:
        state.fork_locked = state.lock.acquire(timeout=0.2)
    except Exception:
        state.fork_locked = False
    # A SIGTERM that reaches the child between fork() and CPython's after-fork cleanup is lost
    # when a Python-level handler (ours) is installed: CPython clears pending signals in the
    # child. Without us the kernel would have killed it (terminate() right after start()). So
    # keep SIGTERM blocked across fork; the child unblocks it once it is ready to handle it.
    state.fork_mask = None
    try:
        if signal.getsignal(signal.SIGTERM) is _on_sigterm:
            state.fork_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    except Exception:
        state.fork_mask = None


def _restore_fork_mask():
    mask = getattr(state, "fork_mask", None)
    if mask is not None:
        state.fork_mask = None
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        except Exception:
            pass


def _after_fork_parent():
    _restore_fork_mask()
    if getattr(state, "fork_locked", False):
        state.fork_locked = False
        try:
            state.lock.release()
        except Exception:
            pass


def _after_fork_child():
    try:
        _reset_after_fork()
    finally:
        _restore_fork_mask()  # a SIGTERM that arrived meanwhile is delivered now, to our handler


def _reset_after_fork():
    state.fork_locked = False
    try:
        state.pid = os.getpid()
        del state.buf[:]  # the parent sends its own pending events
        waits.clear()  # the parent's threads' waits; this thread is in none
        watched.clear()  # the parent's children are not ours
        state.dropped = state.reported_dropped = 0
        if state.sock is not None:
            # The parent's connection stays the parent's: drop our copy of the descriptor
            # without a shutdown (and without the ResourceWarning of an unclosed socket).
            try:
                os.close(state.sock.detach())
            except Exception:
                pass
        state.sock = None
        state.lost = {}
        state.out = state.hs = None
        state.out_pos = state.hs_pos = state.out_events = 0
        state.out_reports = state.out_items = ()
        state.accepted = False
        state.reconnects = state.refused = 0
        state.dead = state.gave_up = False
        state.lock = threading.Lock()
        state.exit_emitted = False
        state.exit_info = state.child_exit = None
        tls = state.tls
        started = getattr(tls, "starting", None)
        info = getattr(tls, "starting_info", None)
        tls.starting = tls.starting_info = None  # the parent's start() in progress is not ours
        if state.role == "forkserver":
            # Forked by the forkserver for a Process we learn only when it is unpickled:
            # process.running says which.
            state.start_method, state.role, state.name = "forkserver", "child", "?"
        elif started and info:
            # Forked by Process.start() here: its name and role (pool-worker, manager...).
            state.start_method = started
            state.name, state.role = info
            if state.role == "pool-worker":
                _default_sigterm()
        else:
            state.start_method = started or "os.fork"
            if state.role == "main":
                state.role = "child"
        emit_hello()  # before the thread: its first pass finds the hello to send
    except Exception as e:
        error("after fork", e)
    global _term_seen, _term_handled
    _term_seen, _term_handled = 0, False
    # Before SIGTERM is unblocked (one pending is seen by our thread), and before our thread
    # starts: it would read the parent's pipe, inherited, while this replaces it.
    _own_wakeup(forked=True)
    try:
        _start_thread()
    except Exception as e:
        error("after fork", e)


def start():
    state.active = True
    state.pid = os.getpid()
    _detect_role()
    _start_thread()
    atexit.register(_atexit)
    os._exit = _os_exit
    sys.exit = _sys_exit
    sys.excepthook = _excepthook
    try:
        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _on_sigterm)
            _own_wakeup()
    except Exception:
        pass
    unblock_inherited_sigterm()
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_parent, after_in_child=_after_fork_child)


def _cmdline():
    orig = getattr(sys, "orig_argv", None)
    if orig:
        return list(orig)
    try:
        with open("/proc/self/cmdline", "rb") as f:
            return [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except Exception:
        return list(sys.argv)


def _detect_role():
    cmd = " ".join(_cmdline())
    if "--multiprocessing-fork" in cmd:
        state.role, state.start_method, state.name = "child", "spawn", "?"
    elif "multiprocessing.forkserver" in cmd:
        state.role, state.start_method, state.name = "forkserver", "spawn", "ForkServer"
    elif "multiprocessing.resource_tracker" in cmd or "multiprocessing.semaphore_tracker" in cmd:
        state.role, state.start_method, state.name = "resource-tracker", "spawn", "ResourceTracker"
    else:
        sup = os.environ.get("PROCESS_VIEW_SUPERVISOR_PID")
        if sup and str(os.getppid()) == sup:
            state.role, state.start_method, state.name = "main", None, "MainProcess"
        else:
            state.role, state.start_method, state.name = "child", "subprocess", "MainProcess"


def _start_ticks():
    try:
        with open("/proc/self/stat", "rb") as f:
            data = f.read()
        return int(data[data.rindex(b")") + 2:].split()[19])
    except Exception:
        return None


def emit_hello():
    emit(("hello", monotonic_ns(), get_ident(), None, None, state.role, state.name, list(sys.argv),
          "%d.%d.%d" % sys.version_info[:3], sys.executable, _start_ticks(), state.start_method))


def hello():
    emit_hello()
