"""
33 - Producer and consumer: the main process sends None after the producer has ended
生产者消费者：主进程等生产者结束后再发送结束信号 None

Shows / 演示:
  The end signal does not have to come from the producer. The main process joins the producer
  first (so every 包子 is already in the queue), then puts None: it lands behind them, and the
  consumer eats everything before it stops.
  结束信号不一定由生产者发。主进程先 join 生产者（所有包子都已入队），再放入 None，排在最后。
In Process View / 在 Process View 里看:
  The None message comes from the MAIN process, after the producer's exit.
  None 这条消息来自主进程，发生在生产者退出之后。
Tutorial / 教程:
  seed 001 "注意：结束信号None，不一定要由生产者发，主进程里同样可以发".
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
    for i in range(2):
        time.sleep(random.randint(1, 3) / 20)
        res = '包子%s' % i
        q.put(res)
        print('\033[44m%s 生产了 %s\033[0m' % (os.getpid(), res))


if __name__ == '__main__':
    q = Queue()
    # 生产者们:即厨师们
    p1 = Process(target=producer, args=(q,))

    # 消费者们:即吃货们
    c1 = Process(target=consumer, args=(q,))

    # 开始
    p1.start()
    c1.start()

    p1.join()  # 等待生产者进程结束
    q.put(None)  # 发送结束信号
    print('主')
    c1.join()  # see 32: the queue must outlive every child that uses it
