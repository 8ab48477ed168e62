"""
15 - Process name and pid
进程的 name 与 pid

Shows / 演示:
  Set self.name AFTER super().__init__(): Process.__init__ gives every process a default name
  ('Fun-1', 'Fun-2', ...), which would overwrite a name set before it. p.pid is None until
  start(), then it is the child's PID.
  要在 super().__init__() 之后设置 self.name，否则会被默认名字（Fun-1 ...）覆盖。
  p.pid 在 start() 之前为 None，之后是子进程的 PID。
In Process View / 在 Process View 里看:
  The child called duoduo, and the one that lost its name (Fun-1), with their PIDs.
  一个叫 duoduo 的子进程，以及丢失名字的 Fun-1。
Tutorial / 教程:
  seed 000 "name和pid" (Fun('duoduo')); seed 001 (Piao('egon')).
"""
from multiprocessing import Process
import time
import random


class Fun(Process):
    def __init__(self, name):
        # self.name=name
        # super().__init__() #Process的__init__方法会执行self.name=Fun-1,
        # 所以加到这里,会覆盖我们的self.name=name

        # 为我们开启的进程设置名字的做法
        super().__init__()
        self.name = name

    def run(self):
        print('%s is running' % self.name)
        time.sleep(random.randrange(1, 3) / 10)  # tutorial: 1-2 s
        print('%s is running end' % self.name)


class WrongOrder(Process):
    def __init__(self, name):
        self.name = name      # set first ... 先设置名字
        super().__init__()    # ... then overwritten with the default 'WrongOrder-N' 再被覆盖

    def run(self):
        print('my name is %s, not duoduo' % self.name)


if __name__ == "__main__":
    p = Fun('duoduo')
    print('before start: pid =', p.pid)
    p.start()
    print('开始', p.name)
    print(p.pid)  # 查看pid
    p.join()

    w = WrongOrder('duoduo')
    w.start()
    w.join()
    print('WrongOrder name:', w.name)
