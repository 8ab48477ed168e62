"""
32 - Producer and consumer: the producer sends None when it is done
生产者消费者：生产者生产完毕后发送结束信号 None

Shows / 演示:
  The producer puts 包子0..包子4 and then None; the consumer breaks out of its loop when it gets
  None, so both end by themselves and so does the program.
  生产者放入 5 个包子后再放一个 None；消费者取到 None 就 break，程序自然结束。
In Process View / 在 Process View 里看:
  Six messages on the queue, the last one None; the consumer exits with code 0 right after it.
  队列上六条消息，最后一条是 None；消费者随后以退出码 0 结束。
Tutorial / 教程:
  seed 001 "解决方式无非是让生产者在生产完毕后，往队列中再发一个结束信号".
Fixed / 修正:
  Sleeps are a twentieth of the tutorial's. The main process joins both children: without it,
  under spawn/forkserver the main process may exit (and remove the queue's semaphore) before a
  child has even unpickled the queue (FileNotFoundError in the child).
  睡眠缩短为原文的 1/20。主进程 join 两个子进程：否则在 spawn/forkserver 下，主进程可能在子进程取得队列之前
  就退出并删除了队列的信号量，子进程报 FileNotFoundError。
"""
from multiprocessing import Process, Queue
import time
import random
import os


def consumer(q):
    while True:
        res = q.get()
        if res is None:
            break  # 收到结束信号则结束
        time.sleep(random.randint(1, 3) / 20)
        print('\033[45m%s 吃 %s\033[0m' % (os.getpid(), res))


def producer(q):
    for i in range(5):
        time.sleep(random.randint(1, 3) / 20)
        res = '包子%s' % i
        q.put(res)
        print('\033[44m%s 生产了 %s\033[0m' % (os.getpid(), res))
    q.put(None)  # 在自己的子进程的最后加入一个结束信号


if __name__ == '__main__':
    q = Queue()
    # 生产者们:即厨师们
    p1 = Process(target=producer, args=(q,))

    # 消费者们:即吃货们
    c1 = Process(target=consumer, args=(q,))

    # 开始
    p1.start()
    c1.start()

    print('主')
    p1.join()
    c1.join()
