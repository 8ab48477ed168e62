"""
50 - Pool.map: hand a list of tasks to a pool of worker processes
进程池 Pool.map：把一批任务交给进程池里的工作进程

Shows / 演示:
  Pool(5) starts five worker processes once. map(func, iterable) gives each item to some worker
  as one task, waits until all are done (map blocks, "自带join的功能") and returns the results in
  the order of the input. map passes ONE argument per task: (1, 2) arrives as a tuple.
  Pool(5) 一次性创建五个工作进程。map 把每个元素作为一个任务交给某个工作进程，等全部完成（map 会阻塞），
  按输入顺序返回结果。map 每个任务只传一个参数：(1, 2) 作为元组传入。
In Process View / 在 Process View 里看:
  Five processes labelled "pool worker"; the tasks and results on the pool, and which worker
  ran which task. 五个标为进程池工作进程的进程；任务与结果，以及哪个工作进程执行了哪个任务。
Tutorial / 教程:
  seed 001 "八 进程池和multiprocess.Pool" (poll.map(func, [(1,2), 'alex'])).
Fixed / 修正:
  The pool is closed and joined at the end (the seed leaves that to interpreter exit).
  结束时 close() 并 join() 进程池。
"""
import os
from multiprocessing import Pool


def func(n):
    print(n)
    # 结果:
    # (1, 2)
    # alex


def square(n):
    return n * n, os.getpid()


if __name__ == '__main__':
    poll = Pool(5)  # 创建含有5个进程的进程池
    poll.map(func, [(1, 2), 'alex'])  # 异步调用进程，map自带join的功能
    # map只限于接收一个可迭代的数据类型参数，列表啊，元祖啊等等

    results = poll.map(square, range(10))  # results come back in input order 按输入顺序返回
    print('squares:', [r for r, _ in results])
    print('done by %d different worker process(es) (pool size 5)' % len({pid for _, pid in results}))
    poll.close()
    poll.join()
