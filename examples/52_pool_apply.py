"""
52 - Pool.apply: synchronous, one task at a time
Pool.apply：同步调用，一次一个任务

Shows / 演示:
  apply() sends one task to a worker and WAITS for its result before the loop goes on, so the
  ten tasks run one after the other although the pool has three workers: about 10 x 0.1 s.
  The results are plain values (no .get()).
  apply() 把一个任务交给工作进程并原地等待结果，所以虽然池里有 3 个进程，十个任务仍是一个接一个地执行。
  结果直接是值，不需要 get()。
In Process View / 在 Process View 里看:
  Three pool workers, but never two tasks at the same time; each submit followed by its result
  before the next submit. 三个工作进程，但任务从不同时执行；每次提交后先拿到结果才提交下一个。
Tutorial / 教程:
  seed 001 "同步与异步两种执行方式" (first program: p.apply(work, args=(i,))).
Fixed / 修正:
  Tasks sleep 0.1 s instead of 1 s; the pool is closed and joined.
  任务睡 0.1 秒而不是 1 秒；结束时关闭并 join 进程池。
"""
import os
import time
from multiprocessing import Pool


def work(n):
    print('%s run' % os.getpid())
    time.sleep(0.1)  # tutorial: 1 s
    return n ** 2


if __name__ == '__main__':
    p = Pool(3)  # 进程池中从无到有创建三个进程,以后一直是这三个进程在执行任务
    res_l = []
    start = time.time()
    for i in range(10):
        res = p.apply(work, args=(i,))  # 同步调用，直到本次任务执行完毕拿到res
        # 但不管该任务是否存在阻塞，同步调用都会在原地等着
        res_l.append(res)
    print(res_l)
    print('10 tasks with apply: %.1f s' % (time.time() - start))
    p.close()
    p.join()
