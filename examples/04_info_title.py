"""
04 - info(title): who is my father, who am I, and what is __name__ in the child?
info(title)：父进程是谁，我是谁，子进程里的 __name__ 是什么？

Shows / 演示:
  The child prints `__name__`. With the fork start method the child is a copy of the main module,
  so it prints '__main__'; with spawn or forkserver the child re-imports your file as
  '__mp_main__', which is why the `if __name__ == "__main__":` guard keeps the start code out of it.
  fork 下子进程是主进程的拷贝，打印 __main__；spawn/forkserver 下子进程把本文件当作 __mp_main__ 重新导入。
In Process View / 在 Process View 里看:
  The start method of the child (fork / spawn / forkserver) and its PPID.
  子进程的启动方式与 PPID。
Tutorial / 教程:
  seed 002 "multiprocessing" (info('hello python')).
"""
import multiprocessing
import os


def info(title):
    print(title)
    print(__name__)
    print('father', os.getppid())
    print('self', os.getpid())
    print('--------')


if __name__ == "__main__":  # 除了创建的子进程和子进程调用函数，其他的都是脚本主进程
    # info('hello')
    # 创建一个子进程调用函数
    P = multiprocessing.Process(target=info, args=('hello python',))
    P.start()
    P.join()  # 和多线程一样，也是等待的意思
    print('hello word')  # 若没有join则会独立运行
    print('start method:', multiprocessing.get_start_method())
