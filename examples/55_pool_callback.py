"""
55 - apply_async with a callback: the callback runs in the MAIN process
apply_async 的回调函数：回调在主进程中执行

Shows / 演示:
  func1 runs in a pool worker (its pid differs from the main pid) and returns 10*10. The pool
  then calls func2(100) in the main process (func2 prints the main pid). Use this to keep slow
  work (I/O) in the pool and quick handling of its results in the main process.
  func1 在工作进程中执行（pid 与主进程不同），返回 100；随后进程池在主进程中调用 func2(100)
  （func2 打印的是主进程的 pid）。把耗时的任务放进进程池，结果交给主进程里的回调处理。
In Process View / 在 Process View 里看:
  The task submitted by main, run by a worker, its result, then the callback event in main.
  任务由主进程提交、工作进程执行，结果返回后回调在主进程中发生。
Tutorial / 教程:
  seed 001 "然后再提一个回调函数" (func1 / func2).
"""
import os
from multiprocessing import Pool


def func1(n):
    print('func1>>', os.getpid())
    print('func1')
    return n * n


def func2(nn):
    print('func2>>', os.getpid())
    print('func2')
    print(nn)


if __name__ == '__main__':
    print('主进程: ', os.getpid())
    p = Pool(5)
    # args里面的10给了func1，func1的返回值作为回调函数的参数给了callback对应的函数，不能直接给回调函数直接传参数
    p.apply_async(func1, args=(10,), callback=func2)

    p.close()
    p.join()

# 结果
# 主进程:  11852  # 发现回调函数是在主进程中完成的
# func1>> 17332
# func1
# func2>> 11852
# func2
# 100
