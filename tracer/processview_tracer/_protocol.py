"""The wire layout of each event kind: fields after the common prefix [kind, tNs, tid, file, line].

The tracer builds events as positional tuples in this order; src/core/protocol/wire.ts decodes them
with the same table (a unit test compares the two). New fields go at the end of a list.
"""
VERSION = 1

FIELDS = {
    "hello": ["role", "name", "argv", "python", "executable", "startTicks", "startMethod"],
    "process.created": ["childPid", "name", "daemon", "role", "startMethod", "target", "argv", "objectId"],
    "process.running": ["name", "daemon", "role"],
    "process.exit": ["exitCode", "how", "signal", "error"],
    "process.joined": ["childPid", "timeout", "stillAlive", "exitCode", "waitedMs"],
    "process.died": ["childPid", "windowMs"],
    "process.signal": ["targetPid", "signal", "via"],
    "process.adopted": ["childPid"],
    "process.reaped": ["childPid", "exitCode", "signal", "adopted"],
    "channel.created": ["id", "channel", "detail"],
    "channel.op": ["id", "op", "preview", "size", "digest", "waitedMs", "ok", "detail"],
    "wait.begin": ["op", "id", "childPid", "timeout"],
    "wait.end": ["op"],
    "tracer.dropped": ["count", "reason"],
    "tracer.error": ["message", "where"],
}


def as_dict(ev, pid=None, ppid=None):
    """A wire tuple as a dict with field names (tests and debugging)."""
    kind = ev[0]
    d = {"kind": kind, "tNs": ev[1], "tid": ev[2], "file": ev[3], "line": ev[4], "pid": pid, "ppid": ppid}
    for name, value in zip(FIELDS.get(kind, ()), ev[5:]):
        d[name] = value
    return d
