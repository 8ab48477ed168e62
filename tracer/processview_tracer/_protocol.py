"""The protocol as the tracer states it, once: its version, the wire layout of each event kind
(fields after the common prefix [kind, tNs, tid, file, line]) and the closed lists some fields take
their values from.

The tracer builds events as positional tuples in this order; src/core/protocol/wire.ts decodes them
with the same table and src/core/protocol/events.ts declares the same lists (a unit test compares
them: test/unit/tracer/protocol.test.ts). New fields go at the end of a list; new list values too.
Standard library only, no imports at load (connect imports what it needs when called): the
supervisor loads this file as well.
"""
PROTOCOL_VERSION = 1

# Where the run's channels listen (docs/protocol.md, "Environment"): a Unix socket's path when
# the launcher chose one (POSIX), else a port on 127.0.0.1 (or PROCESS_VIEW_HOST).
EVENTS = ("PROCESS_VIEW_SOCKET", "PROCESS_VIEW_PORT")
CONTROL = ("PROCESS_VIEW_DEBUG_SOCKET", "PROCESS_VIEW_DEBUG_PORT")


def offered(channel, environ):
    """Whether the launcher offered this channel (EVENTS or CONTROL) to the run."""
    return bool(environ.get(channel[0]) or environ.get(channel[1]))


def connect(channel, timeout):
    """A socket connected to one of the run's channels (EVENTS or CONTROL). Never a name lookup:
    a numeric address needs none, and getaddrinfo imports encodings.idna on first use (an import
    in progress on one thread while another forks leaves the child's import lock held for good).
    Its callers import socket when they start: here it is only looked up."""
    import os
    import socket
    path = os.environ.get(channel[0])
    if path:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        address = path
    else:
        host = os.environ.get("PROCESS_VIEW_HOST", "127.0.0.1")
        s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        address = (host, int(os.environ[channel[1]]))
    s.settimeout(timeout)
    try:
        s.connect(address)
        if not path:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except BaseException:
        s.close()
        raise
    return s

FIELDS = {
    "hello": ["role", "name", "argv", "python", "executable", "startTicks", "startMethod"],
    "process.created": ["childPid", "name", "daemon", "role", "startMethod", "target", "argv", "objectId"],
    "process.running": ["name", "daemon", "role"],
    "process.exit": ["exitCode", "how", "signal", "error"],
    "process.joined": ["childPid", "timeout", "stillAlive", "exitCode", "waitedMs", "aliveMs", "deadMs"],
    "process.died": ["childPid", "windowMs", "deadMs"],
    "process.signal": ["targetPid", "signal", "via"],
    "process.adopted": ["childPid"],
    "process.reaped": ["childPid", "exitCode", "signal", "adopted", "waitedMs"],
    "channel.created": ["id", "channel", "detail"],
    "channel.op": ["id", "op", "preview", "size", "digest", "waitedMs", "ok", "detail"],
    "wait.begin": ["op", "id", "childPid", "timeout"],
    "wait.end": ["op"],
    "tracer.dropped": ["count", "reason"],
    "tracer.error": ["message", "where"],
}


ROLES = ("main", "child", "pool-worker", "manager", "forkserver", "resource-tracker", "external")
START_METHODS = ("fork", "spawn", "forkserver", "os.fork", "subprocess")
CHANNEL_KINDS = ("queue", "joinable-queue", "simple-queue", "pipe", "connection",
                 "lock", "rlock", "semaphore", "bounded-semaphore", "event", "condition", "barrier",
                 "pool", "manager", "proxy", "value", "array")
CHANNEL_OPS = ("put", "get", "task_done", "join", "full", "empty",
               "send", "recv", "send_bytes", "recv_bytes", "close", "eof",
               "acquire", "release", "wait", "notify", "notify_all", "abort",
               "set", "clear", "is_set",
               "submit", "result", "callback", "error_callback", "terminate",
               "call")
EXIT_HOWS = ("return", "sys.exit", "os._exit", "exception", "signal")
SIGNAL_VIAS = ("terminate", "kill", "os.kill")

# The lists by the name wire.ts gives their field type, and the fields that take a value from one.
LISTS = {"role": ROLES, "method": START_METHODS, "channel": CHANNEL_KINDS, "op": CHANNEL_OPS,
         "how": EXIT_HOWS, "via": SIGNAL_VIAS}
LISTED = {
    "hello": {"role": "role", "startMethod": "method"},
    "process.created": {"role": "role", "startMethod": "method"},
    "process.running": {"role": "role"},
    "process.exit": {"how": "how"},
    "process.signal": {"via": "via"},
    "channel.created": {"channel": "channel"},
    "channel.op": {"op": "op"},
}


def problems(ev):
    """What the receiver would reject in a wire tuple's kind and listed values (tests)."""
    kind = ev[0]
    if kind not in FIELDS:
        return ["unknown kind %r" % (kind,)]
    out = []
    listed = LISTED.get(kind, {})
    for name, value in zip(FIELDS[kind], ev[5:]):
        if name in listed and value is not None and value not in LISTS[listed[name]]:
            out.append("%s.%s: %r is not in %s" % (kind, name, value, listed[name]))
    return out


def as_dict(ev, pid=None, ppid=None):
    """A wire tuple as a dict with field names (tests and debugging)."""
    kind = ev[0]
    d = {"kind": kind, "tNs": ev[1], "tid": ev[2], "file": ev[3], "line": ev[4], "pid": pid, "ppid": ppid}
    for name, value in zip(FIELDS.get(kind, ()), ev[5:]):
        d[name] = value
    return d
