"""Tracer cost in instructions: a figure the machine's load cannot move.

    python3 bench/tracer-instructions.py [--n 20000] [--python PATH]

Runs bench/tracer-throughput.py's Queue and Pipe workloads (N small messages, child to parent,
fork) under valgrind (cachegrind, instruction counts only), plain and traced, and prints the
instructions per message of all the run's processes and threads, and the traced / plain ratio.
Per message = (count with N+1 messages - count with 1) / N, so start-up and the tracer's import
cancel out. Also split by process: the child (which sends; for the Queue with its feeder thread)
is the run's critical path when it does more per message than the main process (which receives),
as both do here: its figure bounds the wall-clock ratio from below on any number of cores.
Traced runs send every event to a minimal loopback receiver in this script, which only reads
(it is not under valgrind, and the plain runs have none): the figure is what the tracer costs
inside the traced program. Wall-clock throughput, with the real receiver, is
bench/tracer-throughput.mjs; on a shared 2-core machine its ratios move with the neighbours,
these do not (seen: the same count to within 0.5% between runs).
"""
import argparse
import glob
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKLOAD = os.path.join(ROOT, "bench", "tracer-throughput.py")


def sink():
    """A loopback receiver that accepts every connection and discards what it reads."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)

    def serve(conn):
        with conn:
            conn.sendall(b"ok\n")  # accept at once: the tracer sends no batch before (docs/protocol.md)
            while conn.recv(1 << 20):
                pass

    def accept():
        while True:
            conn, _ = srv.accept()
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return srv.getsockname()[1]


def instructions(python, mode, n, env):
    """Instructions of `python WORKLOAD n fork mode` and every process it starts: a list, one
    total a process (its threads included), in the order they started (the main process first)."""
    out = tempfile.mkdtemp(prefix="pv-cg-")
    try:
        cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--trace-children=yes",
               "--cachegrind-out-file=/dev/null", "--log-file=" + os.path.join(out, "log.%p"),
               python, WORKLOAD, str(n), "fork", mode]
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
        per = []
        for log in sorted(glob.glob(os.path.join(out, "log.*")), key=lambda p: int(p.rsplit(".", 1)[1])):
            with open(log) as f:
                m = re.search(r"I\s+refs:\s+([\d,]+)", f.read())
            if m:
                per.append(int(m.group(1).replace(",", "")))
        return per
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--python", default=sys.executable)
    a = ap.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    plain_env = {k: v for k, v in os.environ.items() if not k.startswith("PROCESS_VIEW_")}
    traced_env = dict(plain_env, PROCESS_VIEW_PORT=str(sink()), PROCESS_VIEW_TOKEN=secrets.token_hex(16),
                      PYTHONPATH=os.pathsep.join(p for p in (os.path.join(ROOT, "tracer"), plain_env.get("PYTHONPATH")) if p))
    ver = subprocess.run([a.python, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True).stdout.strip()
    print("python %s, n=%d, fork, instructions per message (all processes and threads; then the main"
          " process, which receives, and the child, which sends, each with its threads)" % (ver, a.n))
    for mode in ("queue", "pipe"):
        per = {}
        for label, env in (("plain", plain_env), ("traced", traced_env)):
            base = instructions(a.python, mode, 1, env)
            full = instructions(a.python, mode, a.n + 1, env)
            if len(base) != 2 or len(full) != 2:
                sys.exit("expected two processes (main and child), got %d and %d" % (len(base), len(full)))
            per[label] = [(f - b) / a.n for f, b in zip(full, base)]
        pl, tr = per["plain"], per["traced"]
        print("%-5s plain %6.0f  traced %6.0f  ratio x%.2f  |  main %6.0f -> %6.0f (x%.2f)  child %6.0f -> %6.0f (x%.2f)"
              % (mode, sum(pl), sum(tr), sum(tr) / sum(pl), pl[0], tr[0], tr[0] / pl[0], pl[1], tr[1], tr[1] / pl[1]))


if __name__ == "__main__":
    main()
