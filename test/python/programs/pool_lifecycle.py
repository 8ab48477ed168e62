"""A Pool used as programs use it: map, imap, apply_async, then the end of the pool (close and
join). Its workers are reaped by the pool itself at its end (test_zombie_evidence.py)."""
import multiprocessing as mp


def square(x):
    return x * x


if __name__ == '__main__':
    pool = mp.Pool(4)
    print(sum(pool.map(square, range(100))))
    print(sum(pool.imap(square, range(100), chunksize=5)))
    results = [pool.apply_async(square, (i,)) for i in range(20)]
    print(sum(r.get() for r in results))
    pool.close()
    pool.join()
    with mp.Pool(3) as p2:  # the with-statement's end: terminate()
        print(p2.map(square, [1, 2, 3]))
