"""
14 - terminate() and is_alive()
terminate() 结束进程，is_alive() 查看是否存活

Shows / 演示:
  duoduo would sleep 5 s; terminate() sends SIGTERM once it has been running for 0.5 s. terminate() does not wait:
  right after it, is_alive() may still say True (the OS has not finished killing it yet; it is
  "usually True" in the tutorial, but that is timing). A moment later it is False, and
  exitcode is -15 (killed by signal 15, SIGTERM); '... is running end' is never printed.
  terminate() 发出 SIGTERM 后立即返回，马上查看 is_alive() 可能仍为 True；稍后为 False，
  exitcode 为 -15（被 15 号信号 SIGTERM 杀死），“is running end”永远不会打印。
In Process View / 在 Process View 里看:
  The child ends "killed by SIGTERM", with the terminate() line as the cause.
  子进程状态为“被 SIGTERM 杀死”，原因是 terminate() 那一行。
Tutorial / 教程:
  seed 000 "terminate(关闭进程),is_alive(进程是否终止)"; seed 001 "Process对象的其他方法或属性".
Fixed / 修正:
  The seed terminates right after start(), before the child even printed; here the main process
  waits until the child says it is running (an Event), then 0.5 s more. Guard added.
  先等子进程开始运行（用 Event 通知），再过 0.5 秒才 terminate。
"""
from multiprocessing import Process, Event
import time


class Fun(Process):
    def __init__(self, name):
        super().__init__()
        self.name = name
        self.running = Event()  # lets the parent wait until run() has started 通知父进程已开始运行

    def run(self):
        print('%s is running' % self.name, flush=True)
        self.running.set()
        time.sleep(5)  # long enough that only terminate() can end it early
        print('%s is running end' % self.name)


if __name__ == '__main__':
    p1 = Fun('duoduo')
    p1.start()
    p1.running.wait(10)  # a spawned child needs a moment to start 等子进程真正运行起来
    time.sleep(0.5)
    p1.terminate()  # 关闭进程,不会立即关闭,所以is_alive立刻查看的结果可能还是存活
    print('right after terminate(): is_alive =', p1.is_alive())  # timing: often True

    print('开始')
    p1.join(1)  # the tutorial sleeps 1 s here; join returns as soon as the child is gone
    print('after join: is_alive =', p1.is_alive())  # 结果为False
    print('exitcode =', p1.exitcode)  # -15: killed by SIGTERM
