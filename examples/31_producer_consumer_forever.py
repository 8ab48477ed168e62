"""
31 - Producer and consumer with a Queue, no end signal: the consumer waits forever
生产者消费者模型（无结束信号）：消费者永远等下去

Shows / 演示:
  The cook makes 包子0..包子9 and puts them in a Queue; the eater gets and eats them. The cook
  then ends, but the eater is stuck in q.get() on the empty queue forever ("主进程永远不会结束").
  To keep this example finite, the main process waits 1 s for the eater, reports that it is
  still blocked in get(), and terminates it. 31 -> 32 -> 33 show the proper fixes.
  厨师做完 10 个包子就结束了，但吃货卡在空队列的 q.get() 上永远等待。为了让示例能结束，主进程等 1 秒，
  报告吃货仍阻塞在 get()，然后 terminate 它。32、33 号示例给出正确的解决办法。
In Process View / 在 Process View 里看:
  Ten messages from producer to consumer; after the last one the consumer is "sleeping" in a
  get() that never returns, until it is killed by SIGTERM.
  十条消息从生产者到消费者；最后消费者一直阻塞在 get() 上，直到被 SIGTERM 杀死。
Tutorial / 教程:
  seed 001 "生产者消费者模型" (first program, 包子) and "主进程永远不会结束，原因是...".
Fixed / 修正:
  Sleeps are a twentieth of the tutorial's; the hang is detected with join(timeout) and ended
  with terminate(). 睡眠缩短为原文的 1/20；用 join(timeout) 发现卡死，再 terminate()。
  The editor flags both halves of the mistake: the loop with no way out, and the terminate()
  it forces (the consumer dies inside q.get(), holding the queue's read lock: any other
  consumer of q would then wait forever). 编辑器会标出这两处：没有出口的循环，以及因此不得不调用的
  terminate()（消费者死在 q.get() 里，带着队列的读锁，q 的其他消费者将永远等待）。
"""
from multiprocessing import Process, Queue
import time
import random
import os


def consumer(q):
    while True:
        res = q.get()
        time.sleep(random.randint(1, 3) / 20)  # tutorial: 1-3 s
        print('\033[45m%s 吃 %s\033[0m' % (os.getpid(), res), flush=True)


def producer(q):
    for i in range(10):
        time.sleep(random.randint(1, 3) / 20)  # tutorial: 1-3 s
        res = '包子%s' % i
        q.put(res)
        print('\033[44m%s 生产了 %s\033[0m' % (os.getpid(), res), flush=True)


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
    c1.join(1)  # the tutorial's program would hang here forever 原文的程序会一直卡在这里
    if c1.is_alive():
        print('consumer is still blocked in q.get() on an empty queue: nobody told it to stop')
        c1.terminate()
        c1.join()
    print('consumer exitcode', c1.exitcode)
