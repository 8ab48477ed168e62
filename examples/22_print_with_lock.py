"""
22 - Several processes printing, with a Lock: one at a time
多个进程打印，加锁：同一时间只有一个进程在锁里

Shows / 演示:
  Each worker holds the lock from 'is running' to 'is done', so every 'running' line is
  immediately followed by the 'done' line of the same worker. Concurrency became serial inside
  the lock: safer, slower (5 x 0.2 s).
  每个进程从 running 到 done 都持有锁，所以 running 之后紧跟着同一个进程的 done。由并发变成了串行。
In Process View / 在 Process View 里看:
  The Lock channel: acquire/release by each child in turn, and how long each waited to acquire.
  锁的 acquire/release 依次发生，以及每个进程等锁的时间。
Tutorial / 教程:
  seed 001 "4. 进程同步（锁）" (second program, work(n, lock), "由并发变成了串行").
Fixed / 修正:
  release() is in a `finally`, so a worker that raises still lets the others in (the tutorial's
  plain acquire()/release() would leave them waiting forever; `with lock:` does the same).
  release() 放在 finally 里：即使出错也会释放锁（原文直接 acquire/release，出错时其他进程会永远等待；`with lock:` 效果相同）。
"""
from multiprocessing import Process, Lock
import os
import time


def work(n, lock):
    # 加锁，保证每次只有一个进程在执行锁里面的程序
    lock.acquire()
    try:
        print('%s: %s is running' % (n, os.getpid()))
        time.sleep(0.2)  # tutorial: 1 s
        print('%s:%s is done' % (n, os.getpid()))
    finally:
        # 解锁，解锁之后其他进程才能去执行自己的程序
        lock.release()


if __name__ == '__main__':
    lock = Lock()
    ps = []
    for i in range(5):
        p = Process(target=work, args=(i, lock))
        p.start()
        ps.append(p)
    for p in ps:
        p.join()
