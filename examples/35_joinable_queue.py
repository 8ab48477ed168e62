"""
35 - JoinableQueue: task_done(), join(), and daemon consumers
JoinableQueue：task_done()、join() 与守护进程消费者

Shows / 演示:
  Each eater calls q.task_done() after eating one item. Each cook, after putting its ten items,
  calls q.join(), which blocks until EVERY item put so far has been marked done. So when the
  three cooks have ended, everything has been eaten. The eaters are daemons: they are still
  blocked in q.get() when the main code ends, and are killed then, which is what we want.
  吃货每吃完一个就 task_done()；厨师放完 10 个后 q.join()，阻塞到所有放入的项目都被处理完。
  所以三个厨师结束时，所有包子都已被吃掉。吃货是守护进程，主进程代码结束时仍卡在 get() 上，随之被终止。
In Process View / 在 Process View 里看:
  30 messages, each with its get and its task_done; three producers blocked in join() until the
  last task_done; two daemon consumers killed by SIGTERM at the end.
  30 条消息，各有 get 和 task_done；生产者阻塞在 join() 直到最后一个 task_done；两个守护消费者最后被杀死。
Tutorial / 教程:
  seed 001 "JoinableQueue([maxsize])" (producer/consumer with task_done and c1.daemon=True).
Fixed / 修正:
  Sleeps are a tenth of the tutorial's (random.random() / 10). 睡眠缩短为原文的 1/10。
"""
from multiprocessing import Process, JoinableQueue
import time
import random
import os


def consumer(q):
    while True:
        res = q.get()
        # time.sleep(random.randint(1,3))
        time.sleep(random.random() / 10)
        # flush: a daemon is killed by SIGTERM at the end, and would lose unflushed output
        print('\033[45m%s 吃 %s\033[0m' % (os.getpid(), res), flush=True)
        q.task_done()  # 向q.join()发送一次信号,证明一个数据已经被取走并执行完了


def producer(name, q):
    for i in range(10):
        # time.sleep(random.randint(1,3))
        time.sleep(random.random() / 10)
        res = '%s%s' % (name, i)
        q.put(res)
        print('\033[44m%s 生产了 %s\033[0m' % (os.getpid(), res))
    print('%s生产结束' % name)
    q.join()  # 生产完毕,使用此方法进行阻塞,直到队列中所有项目均被处理。
    print('%s生产结束~~~~~' % name)


if __name__ == '__main__':
    q = JoinableQueue()
    # 生产者们:即厨师们
    p1 = Process(target=producer, args=('包子', q))
    p2 = Process(target=producer, args=('骨头', q))
    p3 = Process(target=producer, args=('泔水', q))

    # 消费者们:即吃货们
    c1 = Process(target=consumer, args=(q,))
    c2 = Process(target=consumer, args=(q,))
    c1.daemon = True  # 如果不加守护,那么主进程结束不了,但是加了守护之后,必须确保生产者的内容生产完并且被处理完了
    c2.daemon = True

    # 开始
    p_l = [p1, p2, p3, c1, c2]
    for p in p_l:
        p.start()

    p1.join()  # 我要确保你的生产者进程结束了,生产者进程的结束标志着你生产的所有的人任务都已经被处理完了
    p2.join()
    p3.join()
    print('主')

    # 主进程等--->p1,p2,p3等---->c1,c2
    # p1,p2,p3结束了,证明c1,c2肯定全都收完了p1,p2,p3发到队列的数据
    # 因而c1,c2也没有存在的价值了,不需要继续阻塞在进程中影响主进程了。应该随着主进程的结束而结束,所以设置成守护进程就可以了
