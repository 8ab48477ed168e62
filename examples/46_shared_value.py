"""
46 - Shared memory: multiprocessing.Value and its lock
共享内存：multiprocessing.Value 及其自带的锁

Shows / 演示:
  A Value('i', 0) counter in shared memory; four processes add 1 to it 250 times each.
  `counter.value += 1` is read-then-write, so it is done under counter.get_lock(): the total is
  always 1000. (Not a program of the seeds: the tutorials name Value alongside Array; this is
  the smallest honest use of it.)
  共享内存中的计数器；四个进程各加 250 次。+= 1 是先读后写，所以放在 counter.get_lock() 里：结果总是 1000。
  （教程只提到 Value，没有给出程序；这是最简单的正确用法。）
In Process View / 在 Process View 里看:
  Four children taking the Value's lock in turn. 四个子进程轮流获取 Value 的锁。
Tutorial / 教程:
  seed 001 "7.数据共享"; seed 002 "进程列表数据共享" (Array's sibling).
"""
from multiprocessing import Process, Value


def add(counter, times):
    for _ in range(times):
        with counter.get_lock():  # += is read-then-write: keep the two together 先读后写，必须一起完成
            counter.value += 1


if __name__ == '__main__':
    counter = Value('i', 0)
    ps = [Process(target=add, args=(counter, 250)) for _ in range(4)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    print('counter.value =', counter.value)
