"""Workload for bench/tracer-throughput.mjs: N small messages child -> parent through a
multiprocessing Queue (put/get) and a Pipe (send/recv). Prints one JSON line of timings.

    python bench/tracer-throughput.py [N] [start_method] [queue|pipe|both] [WORK]

WORK (default 0): the producer computes sum(range(WORK)) before each message, work of the
program's own that the tracer does not touch (bench/record-cost.mjs --work: how the cost of
tracing falls as messages carry work).

Wall time is measured in the parent from the child's start to the last message received, so it
includes the child's sending and, for the Queue, the feeder thread's pickling. CPU time is the
parent's (all its threads) plus the child's (all its threads, from getrusage after join): on a
loaded machine wall time mostly measures the neighbours, CPU time measures the work.
"""
import json
import resource
import multiprocessing as mp
import sys
import time


def produce(send, n, work):
    """Sends 0..n-1 then None, with `work` of the program's own before each message."""
    if work:
        for i in range(n):
            sum(range(work))
            send(i)
    else:
        for i in range(n):
            send(i)
    send(None)


def queue_producer(q, n, work=0):
    produce(q.put, n, work)


def pipe_producer(conn, n, work=0):
    produce(conn.send, n, work)
    conn.close()


def _cpu():
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + ch.ru_utime + ch.ru_stime


def bench_queue(ctx, n, work=0):
    c0 = _cpu()
    q = ctx.Queue()
    p = ctx.Process(target=queue_producer, args=(q, n, work))
    t0 = time.perf_counter()
    p.start()
    get = q.get
    count = 0
    while get() is not None:
        count += 1
    t1 = time.perf_counter()
    p.join()
    assert count == n
    return t1 - t0, _cpu() - c0


def bench_pipe(ctx, n, work=0):
    c0 = _cpu()
    a, b = ctx.Pipe(duplex=False)
    p = ctx.Process(target=pipe_producer, args=(b, n, work))
    t0 = time.perf_counter()
    p.start()
    b.close()
    recv = a.recv
    count = 0
    while recv() is not None:
        count += 1
    t1 = time.perf_counter()
    p.join()
    assert count == n
    return t1 - t0, _cpu() - c0


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    ctx = mp.get_context(sys.argv[2] if len(sys.argv) > 2 else "fork")
    which = sys.argv[3] if len(sys.argv) > 3 else "both"
    work = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    res = {"n": n, "work": work}
    if which in ("queue", "both"):
        res["queue_s"], res["queue_cpu_s"] = bench_queue(ctx, n, work)
    if which in ("pipe", "both"):
        res["pipe_s"], res["pipe_cpu_s"] = bench_pipe(ctx, n, work)
    print(json.dumps(res))
