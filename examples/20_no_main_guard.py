"""
20 - What happens without `if __name__ == "__main__":` (under spawn)
没有 if __name__ == "__main__": 会怎样（spawn 启动方式下）

Shows / 演示:
  This file deliberately creates its process at module level, with NO guard, and uses the
  spawn start method (the default on Windows and macOS; forkserver, the default on Linux from
  Python 3.14, behaves the same way). A spawned child starts a fresh Python and IMPORTS this
  file (as '__mp_main__') to find func. So the child runs the module-level code again:
  '太白老司机~~~~' is printed twice, and the child tries to start a process of its own.
  multiprocessing stops that with RuntimeError ("An attempt has been made to start a new
  process before the current process has finished its bootstrapping phase ..."), so the child
  dies with exit code 1 instead of spawning processes forever. The parent waits and ends.
  With the fork start method none of this happens: the child is a copy and imports nothing.
  本文件故意在模块顶层开进程、不加保护，并使用 spawn 启动方式（Windows/macOS 默认；Linux 上 Python 3.14
  起默认的 forkserver 也一样）。spawn 的子进程会重新导入本文件（名为 __mp_main__），于是再次执行顶层代码：
  “太白老司机~~~~”打印两次，子进程还想再开进程，被 multiprocessing 以 RuntimeError 拦下，
  子进程退出码为 1，而不是无限开进程。fork 方式下子进程是拷贝，不会重新导入。
In Process View / 在 Process View 里看:
  One child, started with spawn, ending with exit code 1 (RuntimeError) at the Process(...)
  line at module level; '太白老司机' comes from both processes.
  一个 spawn 子进程，退出码 1（RuntimeError），出错行是模块顶层的 start()。
Tutorial / 教程:
  seed 001 "print('太白老司机~~~~') ... 否则会出现子进程中运行的时候还开启子进程，那就出现无限循环的创建进程了";
  seeds 000 / 001 "在windows中Process()必须放到 if __name__ == '__main__': 下".
The fix / 正确写法:
  Put the last four lines under `if __name__ == "__main__":` (every other example does).
  把最后几行放进 if __name__ == "__main__": 之下（其他示例都是这样写的）。
"""
import time
import os
import multiprocessing


def func():
    print('aaaa')
    time.sleep(1)
    print('子进程>>', os.getpid())
    print('该子进程的父进程>>', os.getppid())
    print(12345)


print('太白老司机~~~~', os.getpid())  # 如果我在这里加了一个打印，你会发现运行结果中会出现两次打印出来的太白老司机

# NO `if __name__ == '__main__':` here, on purpose. 这里故意不加保护。
ctx = multiprocessing.get_context('spawn')
p = ctx.Process(target=func)
p.start()   # in the child (re-importing this file) this line raises RuntimeError 子进程里这一行抛出 RuntimeError
p.join()
print('child exitcode:', p.exitcode)
