"""The Queue scenario of issue 11: a child puts 200,000 integers on a Queue, the main process gets
them all, then exits with sys.exit(5). Run by bench/queue-loss.mjs under `process-view record`."""
import multiprocessing as mp
import sys

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000


def producer(q, n):
    for i in range(n):
        q.put(i)
    q.put(None)


if __name__ == "__main__":
    q = mp.Queue()
    p = mp.Process(target=producer, args=(q, N))
    p.start()
    got = 0
    while q.get() is not None:
        got += 1
    p.join()
    print("got", got)
    sys.exit(5)
