"""A flood, then a pool's end: 40 processes each send 1,000 messages through one Queue while the
main process reads them, then a Pool of 8 works through 200 tasks and is closed and joined.
Senders that finish early are zombies until the main process joins them; pool workers that end
before the main process reaches their join are zombies meanwhile (test_zombie_evidence.py)."""
import multiprocessing as mp

SENDERS, MESSAGES, WORKERS, TASKS = 40, 1000, 8, 200


def send(q, me):
    for i in range(MESSAGES):
        q.put((me, i))


def work(n):
    return sum(range(n * 100))


if __name__ == '__main__':
    q = mp.Queue()
    senders = [mp.Process(target=send, args=(q, k)) for k in range(SENDERS)]
    for p in senders:
        p.start()
    for _ in range(SENDERS * MESSAGES):
        q.get()
    for p in senders:
        p.join()
    pool = mp.Pool(WORKERS)
    print(len(pool.map(work, range(TASKS))))
    pool.close()
    pool.join()
