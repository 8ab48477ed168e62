"""
56 - No callback needed: wait for the pool, then handle all results in the main process
不需要回调：等进程池全部完成后，在主进程中统一处理结果

Shows / 演示:
  Ten apply_async tasks on Pool() (one worker per CPU by default); after close() and join() the
  main process collects every result with get() and prints [0, 1, 4, ..., 81].
  Pool() 默认每个 CPU 一个工作进程；close()、join() 之后主进程用 get() 收集全部结果。
In Process View / 在 Process View 里看:
  As many pool workers as CPUs, ten tasks, ten results. 工作进程数等于 CPU 数，十个任务，十个结果。
Tutorial / 教程:
  seed 001 "如果在主进程中等待进程池中所有任务都执行完毕后，再统一处理结果，则无需回调函数".
Fixed / 修正:
  Tasks sleep 0.1 s instead of 1 s. 任务睡 0.1 秒而不是 1 秒。
"""
from multiprocessing import Pool
import time


def work(n):
    time.sleep(0.1)  # tutorial: 1 s
    return n ** 2


if __name__ == '__main__':
    p = Pool()

    res_l = []
    for i in range(10):
        res = p.apply_async(work, args=(i,))
        res_l.append(res)

    p.close()
    p.join()  # 等待进程池中所有进程执行完毕

    nums = []
    for res in res_l:
        nums.append(res.get())  # 拿到所有结果
    print(nums)  # 主进程拿到所有的处理结果,可以在主进程中进行统一进行处理
