"""
54 - apply_async versus apply, side by side ("hello 0" .. "hello 9")
apply_async 与 apply 对比（"hello 0" .. "hello 9"）

Shows / 演示:
  Part 1 (asynchronous): ten apply_async calls return at once, '=====>' is printed before the
  tasks finish; print(res_l) shows AsyncResult objects, .get() gives the messages.
  Part 2 (synchronous): apply returns each message itself, so '=====>' comes after all ten tasks
  and res_l already holds the strings.
  第一部分（异步）：十次 apply_async 立即返回，'=====>' 在任务完成前打印；res_l 里是 AsyncResult 对象，
  get() 才是结果。第二部分（同步）：apply 直接返回结果，'=====>' 在十个任务之后打印，res_l 里就是字符串。
In Process View / 在 Process View 里看:
  Part 1: tasks overlapping on three workers. Part 2: one task at a time.
  第一部分：任务在三个工作进程上重叠；第二部分：一次一个任务。
Tutorial / 教程:
  seed 001 "#一：使用进程池（异步调用,apply_async）" and "#二：使用进程池（同步调用,apply）".
Fixed / 修正:
  Part 1 sleeps 0.1 s instead of 1 s, part 2 0.05 s instead of 0.1 s. 睡眠时间缩短。
"""
# coding: utf-8
from multiprocessing import Pool
import time


def func(msg):
    print("msg:", msg)
    time.sleep(0.1)  # tutorial: 1 s
    return msg


def func_sync(msg):
    print("msg:", msg)
    time.sleep(0.05)  # tutorial: 0.1 s
    return msg


if __name__ == "__main__":
    # 一：使用进程池（异步调用,apply_async）
    pool = Pool(processes=3)
    res_l = []
    for i in range(10):
        msg = "hello %d" % (i)
        res = pool.apply_async(func, (msg, ))  # 维持执行的进程总数为processes，当一个进程执行完毕后会添加新的进程进去
        res_l.append(res)
        # s = res.get()  # 如果直接用res这个结果对象调用get方法获取结果的话，这个程序就变成了同步
    print("=====>")  # 没有后面的join，或get，则程序整体结束，进程池中的任务还没来得及全部执行完也都跟着主进程一起结束了

    pool.close()  # 关闭进程池，防止进一步操作。如果所有操作持续挂起，它们将在工作进程终止前完成
    pool.join()  # 调用join之前，先调用close函数，否则会出错。执行完close后不会有新的进程加入到pool,join函数等待所有子进程结束

    print(res_l)  # 看到的是<multiprocessing.pool.ApplyResult object at 0x10357c4e0>对象组成的列表,而非最终的结果
    for i in res_l:
        print(i.get())  # 使用get来获取apply_async的结果

    # 二：使用进程池（同步调用,apply）
    pool = Pool(processes=3)
    res_l = []
    for i in range(10):
        msg = "hello %d" % (i)
        res = pool.apply(func_sync, (msg, ))
        res_l.append(res)  # 同步执行，即执行完一个拿到结果，再去执行另外一个
    print("=====>")
    pool.close()
    pool.join()

    print(res_l)  # 看到的就是最终的结果组成的列表
    for i in res_l:  # apply是同步的，所以直接得到结果，没有get()方法
        print(i)
