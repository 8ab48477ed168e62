"""
29 - One queue, three processes: who gets which message?
一个队列，三个进程：谁拿到哪条消息？

Shows / 演示:
  The main process puts '小鬼'; child f puts '姑娘，多少钱~'; child f2 gets one message and the
  main process gets the other. A queue hands each message to exactly one getter, first in,
  first out: f2 usually takes '小鬼' (it was put first), the main process the other one.
  主进程放入“小鬼”，子进程 f 放入“姑娘，多少钱~”；f2 取走一条，主进程取走另一条。每条消息只会被一个进程取走。
In Process View / 在 Process View 里看:
  The queue's message log: two puts from two different processes, two gets from two others,
  each message matched with its receiver. 两个进程放、两个进程取，每条消息对应一个接收者。
Tutorial / 教程:
  seed 001 "5. 队列" (f / f2, '小鬼', '姑娘，多少钱~').
Fixed / 修正:
  p2 is joined too. 也 join 了 p2。
"""
import time
from multiprocessing import Process, Queue


# 8. q = Queue(2)  # 创建一个Queue对象，如果写在这里，那么在windows还子进程去执行的时候，子进程中还会执行这个，又创建了一个新的队列
def f(q):
    # q = Queue()  # 9. 如果我们在子进程中的函数里面再开一个q，那么put的数据就放到了子进程自己的队列里
    q.put('姑娘，多少钱~')  # 4.调用主函数中p进程传递过来的进程参数 put函数为向队列中添加一条数据。
    # print(q.qsize())  # 6.查看队列中有多少条数据了


def f2(q):
    print('》》》》》》》》')
    print(q.get())  # 5.取数据


if __name__ == '__main__':
    q = Queue()  # 1.创建一个Queue对象
    q.put('小鬼')

    p = Process(target=f, args=(q,))  # 2.创建一个进程
    p2 = Process(target=f2, args=(q,))  # 3.创建一个进程
    p.start()
    p2.start()
    time.sleep(1)  # 7.如果阻塞一点时间，就会出现主进程运行太快，导致我们在子进程中查看qsize为1个。
    # print(q.get())  # 结果：小鬼
    print(q.get())  # 结果：姑娘，多少钱~
    p.join()
    p2.join()
