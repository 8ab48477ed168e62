"""
17 - A daemon process cannot have children
守护进程内无法再开启子进程

Shows / 演示:
  The daemon tries to start a child and gets
  "AssertionError: daemonic processes are not allowed to have children"; it catches and prints
  it. (A daemon is killed when its parent's code ends, which would leave its own children
  orphaned, so multiprocessing forbids them.)
  守护进程里开子进程会抛出 AssertionError: daemonic processes are not allowed to have children。
In Process View / 在 Process View 里看:
  Only one child (the daemon); it never gets a child of its own. 只有一个守护子进程，它没有子进程。
Tutorial / 教程:
  seed 001 "3.守护进程 · 其二：守护进程内无法再开启子进程,否则抛出异常".
"""
from multiprocessing import Process


def grandchild():
    print('never runs')


def daemon_task():
    try:
        Process(target=grandchild).start()
    except AssertionError as e:
        print('AssertionError:', e)


if __name__ == '__main__':
    p = Process(target=daemon_task, daemon=True)
    p.start()
    p.join()  # wait, so the daemon is not killed before it tried 等它尝试完
    print('主, daemon exitcode =', p.exitcode)
