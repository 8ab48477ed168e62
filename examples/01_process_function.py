"""
01 - Start a process, way 1: a function as the target
开启子进程的方式一：把函数交给 Process(target=..., args=...)

Shows / 演示:
  Four children run `run(name)` at the same time. The main process prints '主线程' first,
  because start() only asks the OS for a process and returns at once.
  四个子进程同时执行 run(name)。主进程先打印“主线程”：start() 只是通知操作系统开进程，立即返回。
In Process View / 在 Process View 里看:
  One main process with four children (PPID = main's PID), each created by a `p.start()` line,
  each exiting with code 0 after its sleep. 一个主进程，四个子进程，退出码都是 0。
Tutorial / 教程:
  seed 000 "三 Process类的使用 · 开进程的方法一" (also seeds 003, 004 "开启进程的两种方式").
Fixed / 修正:
  The seed starts processes at module level; here they are under `if __name__ == "__main__":`
  so the example also works with the spawn and forkserver start methods.
  原文在模块顶层开进程；这里放进 __main__ 保护下，spawn/forkserver 下也能运行。
  Sleeps are tenths of the tutorial's seconds. 睡眠时间缩短为原文的十分之一。
"""
import time
import random
from multiprocessing import Process


def run(name):
    print('%s run' % name)
    time.sleep(random.randrange(1, 5) / 10)  # tutorial: 1-4 s
    print('%s run end' % name)


if __name__ == '__main__':
    p1 = Process(target=run, args=('qian',))  # 必须加,号 (the comma makes it a tuple)
    p2 = Process(target=run, args=('ze',))
    p3 = Process(target=run, args=('liang',))
    p4 = Process(target=run, args=('duoduo',))

    p1.start()
    p2.start()
    p3.start()
    p4.start()
    print('主线程')
    # No join: the main code ends here, but Python waits for non-daemon children before the
    # interpreter exits (multiprocessing joins them at exit). 不 join，解释器退出前也会等子进程结束。
