"""Debugger cost workload (bench/debugger-cost.mjs runs it plain, traced and under the debugger).

A CPU-bound hot loop (a function call per iteration, arithmetic, a dict) in the main process and
in two children, then 5,000 small messages through a Queue. The debugger has a breakpoint in
debugger_cost_breakpoints.py, which is imported (its code is loaded) but never entered by the hot
loop. Prints, as JSON on its last line, the wall and CPU seconds (all processes) of the work.
    python bench/debugger-cost.py N START_METHOD
"""
import json
import multiprocessing as mp
import os
import sys
import time

import debugger_cost_breakpoints  # noqa: F401  the file with the breakpoint


def step(x, acc):
    return (acc + x * x) % 1000003


def hot(n):
    acc = 0
    d = {}
    for i in range(n):
        acc = step(i, acc)
        if i % 7 == 0:
            d[i % 97] = acc
    return acc


def never_called_here(x):
    return x + 1  # the breakpoint of --breakpoint-in-main


def child(q, n):
    q.put(hot(n))
    for i in range(2500):
        q.put(i)


if __name__ == "__main__":
    n = int(sys.argv[1])
    mp.set_start_method(sys.argv[2])
    t0 = time.perf_counter()
    c0 = os.times()
    q = mp.Queue()
    ps = [mp.Process(target=child, args=(q, n)) for _ in range(2)]
    for p in ps:
        p.start()
    r = hot(n)
    got = [q.get() for _ in range(2 * 2501)]
    for p in ps:
        p.join()
    c1 = os.times()
    t1 = time.perf_counter()
    cpu = (c1.user - c0.user) + (c1.system - c0.system) + (c1.children_user - c0.children_user) + (c1.children_system - c0.children_system)
    print(json.dumps({"wall_s": round(t1 - t0, 4), "cpu_s": round(cpu, 4), "check": r + sum(x for x in got if x < 2500)}))
