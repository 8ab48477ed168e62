"""
03 - os.getpid() and os.getppid() in the parent and the child
父进程与子进程的 os.getpid() / os.getppid()

Shows / 演示:
  The child's parent PID is the main process's PID: whoever starts a process is its parent
  ("谁打开的子进程，谁就是子进程的爹"). The main process's own parent is whatever launched it
  (a shell, PyCharm, or the Process View launcher).
  One exception: with the forkserver start method (the default on Linux from Python 3.14) the
  OS parent of the child is the fork server, a helper process the main process started; then
  os.getppid() differs, while multiprocessing.parent_process() still names the main process.
  子进程的父进程号就是主进程的进程号；主进程的父进程是启动它的程序（终端、PyCharm 或 Process View）。
  例外：forkserver 启动方式下（Linux 上 Python 3.14 起的默认方式），子进程在操作系统里的父进程是 fork server
  （主进程启动的辅助进程），此时 os.getppid() 不同，而 multiprocessing.parent_process() 仍然是主进程。
In Process View / 在 Process View 里看:
  The tree: the child sits under the main process (under the fork server with forkserver);
  compare its PPID with the main PID printed here. 进程树：子进程挂在主进程下面（forkserver 时挂在
  fork server 下面）；对照打印出的 PID/PPID。
Tutorial / 教程:
  seed 001 "七 multiprocessing模块 · 1.process模块介绍" (func: aaaa / 子进程>>);
  seed 003 "5.getpid() 与 getppid()".
"""
import time
import os

# os.getpid() 获取自己进程的ID号
# os.getppid() 获取自己进程的父进程的ID号

import multiprocessing
from multiprocessing import Process


def func():
    print('aaaa')
    time.sleep(1)
    print('子进程>>', os.getpid())
    print('该子进程的父进程>>', os.getppid())
    print('multiprocessing.parent_process()>>', multiprocessing.parent_process().pid)
    print(12345)


if __name__ == '__main__':
    # 首先我运行当前这个文件，运行的这个文件的程序，那么就产生了主进程
    p = Process(target=func,)
    p.start()
    print('*' * 10)
    print('父进程>>', os.getpid())
    print('父进程的父进程>>', os.getppid())
    print('start method:', multiprocessing.get_start_method())
    p.join()
