"""
53 - Pool.apply_async: submit all, close(), join(), then get() the results
Pool.apply_async：全部提交，close()、join()，再用 get() 取结果

Shows / 演示:
  apply_async() returns at once with an AsyncResult; up to three tasks run at the same time.
  close() says "no more tasks", join() waits for the workers to finish them (join without
  close is an error), and res.get() returns each result (it would wait if it were not ready).
  apply_async() 立即返回 AsyncResult；最多三个任务同时执行。close() 表示不再提交任务，join() 等待工作进程
  完成（不先 close 就 join 会报错），res.get() 取得每个结果。
In Process View / 在 Process View 里看:
  Tasks overlapping on three workers; ten results coming back to the main process.
  任务在三个工作进程上重叠执行；十个结果返回主进程。
Tutorial / 教程:
  seed 001 "同步与异步两种执行方式" (second program: p.apply_async(work, args=(i,)), res.get()).
Fixed / 修正:
  Sleeps are a fifth of the tutorial's random.random(). 睡眠为原文的 1/5。
"""
import os
import time
import random
from multiprocessing import Pool


def work(n):
    print('%s run' % os.getpid())
    time.sleep(random.random() / 5)  # tutorial: random.random()
    return n ** 2


if __name__ == '__main__':
    p = Pool(3)  # 进程池中从无到有创建三个进程,以后一直是这三个进程在执行任务
    res_l = []
    for i in range(10):
        res = p.apply_async(work, args=(i,))  # 异步运行，根据进程池中有的进程数，每次最多3个子进程在异步执行
        # 返回结果之后，将结果放入列表，归还进程，之后再执行新的任务
        # 需要注意的是，进程池中的三个进程不会同时开启或者同时结束
        # 而是执行完一个就释放一个进程，这个进程就去接收新的任务。
        res_l.append(res)

    # 异步apply_async用法：如果使用异步提交的任务，主进程需要使用join，等待进程池内任务都处理完，然后可以用get收集结果
    # 否则，主进程结束，进程池可能还没来得及执行，也就跟着一起结束了
    p.close()  # 不是关闭进程池，而是结束进程池接收任务，确保没有新任务再提交过来。
    p.join()  # 感知进程池中的任务已经执行结束，只有当没有新的任务添加进来的时候，才能感知到任务结束了，所以在join之前必须加上close方法
    for res in res_l:
        print(res.get())  # 使用get来获取apply_async的结果,如果是apply,则没有get方法,因为apply是同步执行,立刻获取结果
