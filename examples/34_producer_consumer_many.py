"""
34 - Several producers and several consumers: one None per consumer
多个生产者、多个消费者：有几个消费者就发几个 None

Shows / 演示:
  Three cooks (包子, 骨头, 泔水) make two items each; two eaters share the queue. Each message is
  eaten by exactly one eater. After all cooks have ended, the main process puts one None per
  eater: a None taken by one eater is gone for the other, so one is not enough.
  三个厨师各做 2 份，两个吃货共用一个队列，每份只被一个吃货吃掉。厨师都结束后，主进程按吃货人数放入 None。
In Process View / 在 Process View 里看:
  Six messages from three producers spread over two consumers; two None messages from main.
  三个生产者的六条消息分给两个消费者；主进程发出两个 None。
Tutorial / 教程:
  seed 001 "但上述解决方式，在有多个生产者和多个消费者时...我们则需要用一个很low的方式去解决".
Fixed / 修正:
  The seed created c2 but never started it; here both consumers run, and all are joined.
  原文创建了 c2 却没有 start；这里两个消费者都启动并 join。
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


def producer(name, q):
    for i in range(2):
        time.sleep(random.randint(1, 3) / 20)
        res = '%s%s' % (name, i)
        q.put(res)
        print('\033[44m%s 生产了 %s\033[0m' % (os.getpid(), res))


if __name__ == '__main__':
    q = Queue()
    # 生产者们:即厨师们
    p1 = Process(target=producer, args=('包子', q))
    p2 = Process(target=producer, args=('骨头', q))
    p3 = Process(target=producer, args=('泔水', q))

    # 消费者们:即吃货们
    c1 = Process(target=consumer, args=(q,))
    c2 = Process(target=consumer, args=(q,))

    # 开始
    p1.start()
    p2.start()
    p3.start()
    c1.start()
    c2.start()

    p1.join()  # 必须保证生产者全部生产完毕,才应该发送结束信号
    p2.join()
    p3.join()
    q.put(None)  # 有几个消费者就应该发送几次结束信号None
    q.put(None)  # 发送结束信号
    c1.join()
    c2.join()
    print('主')
