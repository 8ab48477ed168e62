"""
05 - Passing arguments to the child: args (a tuple) and kwargs (a dict)
给子进程传参数：args（元组）与 kwargs（字典）

Shows / 演示:
  Part 1: `kwargs={'name': 'alex'}` and `args=('wupeiqi',)` reach piao(name) the same way.
  Part 2: func(x, y) gets two positional arguments; the parent's print comes first, because the
  child sleeps between its two prints.
  第一部分：kwargs 与 args 两种传参方式效果一样。第二部分：func(x, y) 收到两个位置参数；父进程先打印。
In Process View / 在 Process View 里看:
  The children's PPID is the main PID printed at the end of part 1; hover the Process(...) lines.
  子进程的 PPID 等于第一部分最后打印的主进程 PID。
Tutorial / 教程:
  seed 003 "part1:创建并开启子进程的两种方式" (piao with kwargs/args);
  seed 001 "给要执行的函数传参数" (func('姑娘', '来玩啊! ')).
"""
from multiprocessing import Process
import time
import os


def piao(name):
    print(os.getppid(), os.getpid())
    print('%s is piaoing' % name)
    # time.sleep(random.randint(1,3))
    print('%s is piao end' % name)


def func(x, y):
    print(x)
    time.sleep(1)
    print(y)


if __name__ == '__main__':
    # Part 1 (seed 003)
    p1 = Process(target=piao, kwargs={'name': 'alex', })
    p2 = Process(target=piao, args=('wupeiqi',))
    p3 = Process(target=piao, kwargs={'name': 'yuanhao', })
    p1.start()
    p2.start()
    p3.start()
    print('主进程', os.getpid())
    for p in (p1, p2, p3):
        p.join()  # so the two parts do not mix on screen 两部分的输出不混在一起

    # Part 2 (seed 001)
    p = Process(target=func, args=('姑娘', '来玩啊! '))  # 这是func需要接收的参数的传送方式。
    p.start()
    print('父进程执行结束! ')
    p.join()
