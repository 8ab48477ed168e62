"""
02 - Start a process, way 2: subclass Process and override run()
开启子进程的方式二：继承 Process，重写 run()

Shows / 演示:
  `Fun('qian').start()` runs `Fun.run` in a new process; start() calls run() for you.
  Call super().__init__() before setting self.name, or Process.__init__ overwrites the name.
  start() 会在新进程里自动调用 run()。先调用 super().__init__() 再设置 self.name。
In Process View / 在 Process View 里看:
  Four children named qian, ze, liang, duoduo (the process name, not 'Fun-1'), target "Fun.run".
  四个子进程，名字就是 qian/ze/liang/duoduo。
Tutorial / 教程:
  seed 000 "开进程的方法二" (also seed 003 class Piao, seed 004 MyProcess).
Fixed / 修正:
  Added the `if __name__ == "__main__":` guard; sleeps shortened (tenths of seconds).
  加上 __main__ 保护；睡眠缩短。
"""
import time
import random
from multiprocessing import Process


class Fun(Process):
    def __init__(self, name):
        super().__init__()
        self.name = name

    def run(self):
        print('%s run' % self.name)
        time.sleep(random.randrange(1, 5) / 10)  # tutorial: 1-4 s
        print('%s run end' % self.name)


if __name__ == '__main__':
    p1 = Fun('qian')
    p2 = Fun('ze')
    p3 = Fun('liang')
    p4 = Fun('duoduo')

    p1.start()  # start会自动调用run
    p2.start()
    p3.start()
    p4.start()
    print('主线程')
