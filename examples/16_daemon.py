"""
16 - Daemon process: killed as soon as the main code ends
守护进程：主进程代码执行结束，守护进程随即终止

Shows / 演示:
  太白's process is a daemon (p.daemon = True, set before start()). It would chat for 3 s, but
  the main code prints '主' and ends after 0.5 s, and multiprocessing terminates the daemon at
  that moment: '聊天结束' is never printed.
  守护进程本来要运行 3 秒，但主进程代码 0.5 秒后结束，守护进程随之被终止，“聊天结束”不会打印。
In Process View / 在 Process View 里看:
  The child is flagged daemon; it ends "killed by SIGTERM" right when the main code ends,
  not by itself. 子进程带有 daemon 标记；主进程代码结束时它被 SIGTERM 杀死。
Tutorial / 教程:
  seed 001 "3.守护进程" (Myprocess('太白')); seed 000 "四 守护进程".
Fixed / 修正:
  The main code waits until the daemon has started chatting (an Event, then the tutorial's
  commented-out sleep, 0.5 s) so you see the daemon before it is killed.
  主进程先等守护进程开始聊天（Event），再睡 0.5 秒，这样能看到守护进程被杀之前的输出。
"""
import os
import time
from multiprocessing import Process, Event


class Myprocess(Process):
    def __init__(self, person):
        super().__init__()
        self.person = person
        self.chatting = Event()

    def run(self):
        print(os.getpid(), self.name, flush=True)
        print('%s正在和女主播聊天' % self.person, flush=True)
        self.chatting.set()
        time.sleep(3)
        print('%s聊天结束' % self.person, flush=True)  # never printed: killed first 不会打印


if __name__ == '__main__':
    p = Myprocess('太白')
    p.daemon = True  # 一定要在p.start()前设置,设置p为守护进程,禁止p创建子进程,并且父进程代码执行结束,p即终止运行
    p.start()
    p.chatting.wait(10)  # a spawned child needs a moment to start 等守护进程真正运行起来
    time.sleep(0.5)  # 在sleep时linux下查看进程id对应的进程 ps -ef | grep id
    print('daemon pid', p.pid, flush=True)
    print('主')
