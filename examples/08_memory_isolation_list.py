"""
08 - Memory is isolated between processes: a global list
全局变量不共享：全局列表

Shows / 演示:
  The child appends 1, 2, 3 to its copy of `data`, the parent appends 'a', 'b', 'c' to its own:
  each prints only its own items, with different PIDs. 子进程和主进程各自修改自己的列表副本。
In Process View / 在 Process View 里看:
  Compare the two PIDs printed with the tree. 对照打印的两个 PID。
Tutorial / 教程:
  seed 002 "share" (全局变量不共享: 1809 ['a', 'b', 'c'] / 1810 [1, 2, 3]).
Fixed / 修正:
  The seed wrote `p = Process(...).start()`, which stores None (start() returns None), so it could
  never join; here p is the Process and it is joined.
  原文 p = Process(...).start() 得到的是 None，无法 join；这里保留 Process 对象并 join。
"""
import multiprocessing
import os

data = []


def List():
    global data
    data.append(1)
    data.append(2)
    data.append(3)
    print('p', os.getpid(), data)


if __name__ == '__main__':
    p = multiprocessing.Process(target=List, args=())  # 子进程
    p.start()
    data.append('a')  # 脚本主进程
    data.append('b')
    data.append('c')
    print('main', os.getpid(), data)
    p.join()
