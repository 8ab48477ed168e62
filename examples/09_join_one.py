"""
09 - join(): the main process waits for one child
join()：主进程等待一个子进程结束

Shows / 演示:
  Part 1: p.join() blocks the MAIN process until duoduo has ended, so '开始' is printed last.
  Part 2: code before join() still runs at the same time as the child ('我这里是异步的啊!' comes
  before '姑娘'); only the line after join() waits.
  第一部分：join 让主进程等 duoduo 结束，所以“开始”最后打印。第二部分：join 之前的代码仍与子进程并发。
In Process View / 在 Process View 里看:
  The main process is sleeping (blocked in join) while the child runs; the join is recorded
  with how long it waited, and the child is reaped right away (never a zombie).
  主进程阻塞在 join 上；子进程结束后立刻被回收，不会成为僵尸。
Tutorial / 教程:
  seed 000 "Process对象的join方法" (Fun('duoduo')); seed 001 "join方法的例子" (func 姑娘/来玩啊).
Fixed / 修正:
  seed 000 wrote `p=run('duoduo')` (no such function); it means `Fun('duoduo')`. The guard is added.
  原文 p=run('duoduo') 是笔误，应为 Fun('duoduo')。
"""
from multiprocessing import Process
import time
import random


class Fun(Process):
    def __init__(self, name):
        super().__init__()  # first, or Process.__init__ would overwrite self.name
        self.name = name

    def run(self):
        print('%s is run' % self.name)
        time.sleep(random.randrange(1, 3) / 2)  # tutorial: 1-2 s
        print('%s is run end' % self.name)


def func(x, y):
    print(x)
    time.sleep(1)
    print(y)


if __name__ == '__main__':
    # Part 1 (seed 000)
    p = Fun('duoduo')
    p.start()
    p.join()  # 等待p停止
    print('开始')

    # Part 2 (seed 001)
    p = Process(target=func, args=('姑娘', '来玩啊! '))
    p.start()
    print('我这里是异步的啊! ')  # 这里相对于子进程还是异步的
    p.join()  # 只有在join的地方才会阻塞住，将子进程和主进程之间的异步改为同步
    print('父进程执行结束! ')
