"""
51 - Timing: a Pool of 5 workers versus one new process per task
计时对比：5 个进程的进程池 vs 每个任务开一个新进程

Shows / 演示:
  The same 100 tiny tasks (10 under spawn), run twice. A Pool(5) creates 5 processes and reuses them; the second
  way creates (and destroys) 100 processes. Creating a process costs far more than these tasks,
  so the pool wins by a wide margin; the example prints both times.
  同样的 100 个小任务（spawn 下 10 个）跑两遍：进程池只创建 5 个进程并重复使用；另一种方式创建并销毁 100 个进程。
  创建进程的开销远大于任务本身，所以进程池快得多。示例会打印两种耗时。
In Process View / 在 Process View 里看:
  Phase 1: five long-lived pool workers. Phase 2: a burst of 100 short-lived children (each
  appears in the history even when it lives shorter than one sampling interval).
  第一阶段：五个长寿的进程池工作进程；第二阶段：一百个短命的子进程。
Tutorial / 教程:
  seed 001 "我们计算一下开多进程和进程池的执行效率" (t1 / t2: 0.51 s vs 12.09 s).
Fixed / 修正:
  The seed had the process half commented out; both halves run here, and func prints nothing
  (200 printed lines would drown the timings). 原文把第二部分注释掉了；这里两部分都运行，任务不打印。
"""
import time
import multiprocessing
from multiprocessing import Pool, Process


def func(n):
    return n + 1  # a tiny task: the cost is in creating processes 任务很小，开销在于创建进程


if __name__ == '__main__':
    # Under spawn every process is a fresh interpreter (~0.1 s or more each), so 100 of them
    # would take many seconds; 10 still show the difference. spawn 下每个进程都是新解释器，只用 10 个任务。
    TASKS = 10 if multiprocessing.get_start_method() == 'spawn' else 100

    # 1.进程池的模式
    s1 = time.time()  # 我们计算一下开多进程和进程池的执行效率
    poll = Pool(5)  # 创建含有5个进程的进程池
    poll.map(func, range(TASKS))  # 开启100个任务, map自带join的功能
    poll.close()
    poll.join()
    t1 = time.time() - s1

    # 2.多进程的模式
    s2 = time.time()
    p_list = []
    for i in range(TASKS):
        p = Process(target=func, args=(i,))
        p_list.append(p)
        p.start()
    [pp.join() for pp in p_list]
    t2 = time.time() - s2

    print('t1>> pool of 5: %.2f s' % t1)  # 进程池的效率
    print('t2>> %d processes: %.2f s' % (TASKS, t2))
    print('the pool was %.0fx faster' % (t2 / t1))
