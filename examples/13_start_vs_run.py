"""
13 - start() versus calling run() yourself
start() 与直接调用 run() 的区别

Shows / 演示:
  p1.start() and p3.start() create new processes that call run() there. p2.run() is an ordinary
  method call: it runs in the MAIN process (same PID as the main process, self.pid is None
  because no process was started for p2), and p2.join() would fail: "can only join a started
  process". 直接调用 p2.run() 只是普通的方法调用，在主进程里执行（PID 与主进程相同，self.pid 为 None），
  也不能对它 join。
In Process View / 在 Process View 里看:
  Only two children (Jedan, alexDSB). 太白 chats inside the main process.
  只有两个子进程（Jedan、alexDSB）；太白在主进程里聊天。
Tutorial / 教程:
  seed 001 "进程的创建第二种方法（继承）" (MyProcess: Jedan / 太白 / alexDSB, "# p2.run()");
  seed 000 "p.join只能join住start开启的进程，而不能join住run开启的进程".
"""
import os
from multiprocessing import Process


class MyProcess(Process):  # 自己写一个类，继承Process类
    # 我们通过init方法可以传参数，如果只写一个run方法，那么没法传参数
    def __init__(self, person):
        super().__init__()
        self.person = person

    def run(self):
        print('%s 正在和女主播聊天: os.getpid()=%s self.pid=%s' % (self.person, os.getpid(), self.pid))


if __name__ == '__main__':
    print('主进程', os.getpid())
    p1 = MyProcess('Jedan')
    p2 = MyProcess('太白')
    p3 = MyProcess('alexDSB')

    p1.start()  # start内部会自动调用run方法
    p1.join()   # one at a time, so the output reads in order 逐个运行，输出按顺序
    p2.run()    # no new process: run() executes right here 不开新进程，就在主进程里执行
    p3.start()
    p3.join()

    try:
        p2.join()
    except AssertionError as e:
        print('p2.join():', e)
