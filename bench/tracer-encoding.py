"""A piece, not the product: what the tracer's hot-path event encoding costs a program, against two
alternatives, in one process, no I/O. Each builds N Queue-put-like events (clock, thread, site,
object id, payload preview, size, CRC) and serialises them in batches of 4,096 as the sender
thread would; ns an event beyond the clock and repr() that every encoding needs (issue 14: would
a fixed-width or columnar encoding make the tracer much cheaper?).

    python bench/tracer-encoding.py [N] [ROUNDS]

  tuple    today's: a tuple per event appended to a list, marshal of the list per batch;
  struct   fixed-width fields packed per event (strings sent once, referred to by number), the
           previews beside them, marshal of the list per batch;
  columns  one array.array per numeric field, appended field by field (no object per event).
"""
import array
import marshal
import statistics
import struct
import sys
import time

BATCH = 4096
FILE, OID = "/work/example.py", "queue:1"


def base(n, mono):
    for i in range(n):
        mono()
        repr(i)


def as_tuples(n, mono):
    out, buf = [], []
    app = buf.append
    for i in range(n):
        app(("channel.op", mono(), 140234, FILE, 12, OID, "put", repr(i), 5, 12345678, None, True, None))
        if len(buf) >= BATCH:
            out.append(marshal.dumps((1, buf), 4))
            buf = []
            app = buf.append
    out.append(marshal.dumps((1, buf), 4))
    return out


FIXED = struct.Struct("<BqQIIIIIB")


def as_structs(n, mono):
    out, buf, ids = [], [], {}
    app, pack = buf.append, FIXED.pack
    for i in range(n):
        f = ids.get(FILE)
        if f is None:
            f = ids[FILE] = len(ids)
        o = ids.get(OID)
        if o is None:
            o = ids[OID] = len(ids)
        app(pack(1, mono(), 140234, f, 12, o, 5, 12345678, 1))
        app(repr(i))
        if len(buf) >= 2 * BATCH:
            out.append(marshal.dumps(buf, 4))
            buf = []
            app = buf.append
    out.append(marshal.dumps(buf, 4))
    return out


def as_columns(n, mono):
    out, ids = [], {}

    def fresh():
        return [array.array("q") for _ in range(6)], []

    cols, prev = fresh()
    a0, a1, a2, a3, a4, a5 = (c.append for c in cols)
    pa = prev.append
    for i in range(n):
        f = ids.get(FILE)
        if f is None:
            f = ids[FILE] = len(ids)
        a0(mono())
        a1(140234)
        a2(f)
        a3(12)
        a4(5)
        a5(12345678)
        pa(repr(i))
        if len(prev) >= BATCH:
            out.append(b"".join(c.tobytes() for c in cols) + marshal.dumps(prev, 4))
            cols, prev = fresh()
            a0, a1, a2, a3, a4, a5 = (c.append for c in cols)
            pa = prev.append
    out.append(b"".join(c.tobytes() for c in cols) + marshal.dumps(prev, 4))
    return out


def timed(fn, n):
    t = time.perf_counter()
    fn(n, time.monotonic_ns)
    return (time.perf_counter() - t) / n * 1e9


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    runs = {"base": [], "tuple": [], "struct": [], "columns": []}
    for _ in range(rounds):  # interleaved
        runs["base"].append(timed(base, n))
        runs["tuple"].append(timed(as_tuples, n))
        runs["struct"].append(timed(as_structs, n))
        runs["columns"].append(timed(as_columns, n))
    floor = statistics.median(runs["base"])
    print("Python %s, %d events, %d rounds, medians; ns an event beyond the clock and repr() (%.0f ns)"
          % (sys.version.split()[0], n, rounds, floor))
    print("| encoding | ns an event |")
    print("|---|---|")
    for k in ("tuple", "struct", "columns"):
        print("| %s | %.0f |" % (k, statistics.median(runs[k]) - floor))
