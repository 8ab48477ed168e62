"""
21 - Several processes printing, without a lock: the order is up to the OS
多个进程同时打印，不加锁：顺序由操作系统决定

Shows / 演示:
  Five workers each print 'is running', sleep a random time, print 'is done'. Neither the start
  order nor the done order follows 0..4, and the pairs interleave.
  五个进程各自打印 running / done，顺序既不是 0..4，也彼此交错。
In Process View / 在 Process View 里看:
  Five overlapping lanes. Compare with 22_print_with_lock.py, where they queue up on the lock.
  五个时间上重叠的子进程；对比 22 号示例，加锁后它们排队。
Tutorial / 教程:
  seed 001 "4. 进程同步（锁）" (first program, work(n)).
"""
import os
import time
import random
from multiprocessing import Process


def work(n):
    print('%s: %s is running' % (n, os.getpid()))
    time.sleep(random.random() / 2)  # tutorial: random.random() seconds
    print('%s: %s is done' % (n, os.getpid()))


if __name__ == '__main__':
    ps = []
    for i in range(5):
        p = Process(target=work, args=(i,))
        p.start()
        ps.append(p)
    for p in ps:
        p.join()
