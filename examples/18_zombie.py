"""
18 - Zombie process: the child has exited, the parent has not waited for it yet
僵尸进程：子进程已经退出，父进程还没有 wait 它

Shows / 演示:
  The child prints its PID and exits at once. The parent waits until it has exited, does not
  join it, and sleeps 2 s (the tutorial sleeps 1000 s): during that time the child is a zombie, state "Z" in
  /proc/<pid>/stat, `[python3] <defunct>` in `ps aux`. Then p.join() reaps it (join calls
  waitpid) and the zombie is gone. The example reads /proc itself to show both states (Linux).
  子进程打印 PID 后立即退出；父进程不 join，睡 2 秒（原文 1000 秒）：这段时间子进程是僵尸（Z 状态）。
  之后 p.join() 调用 waitpid 回收它，僵尸消失。示例自己读取 /proc 展示前后两种状态（Linux）。
In Process View / 在 Process View 里看:
  The child turns "zombie" while the main process sleeps, with the p.start() line that created
  it and "not joined yet"; it disappears when p.join() reaps it.
  主进程睡眠期间子进程显示为僵尸；p.join() 回收后消失。
Tutorial / 教程:
  seed 000 / 001 "僵尸进程与孤儿进程 · 四：测试 (test.py)" and "解决方法二：join会回收僵尸进程".
Start method / 启动方式:
  fork (or spawn): the child must be a direct child of this process. Under forkserver the
  child's parent is the fork server, which reaps it at once, so no zombie would be seen here.
  使用 fork：forkserver 下子进程的父进程是 fork server，会立即回收，看不到僵尸。
"""
import multiprocessing.connection  # also imports multiprocessing
import os
import time
import sys


def run():
    print('子', os.getpid(), flush=True)


def state(pid):
    """The one-letter state of a process from /proc (Linux only); None when it is gone."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0]
    except OSError:
        return None


if __name__ == '__main__':
    method = 'fork' if 'fork' in multiprocessing.get_all_start_methods() else 'spawn'
    ctx = multiprocessing.get_context(method)
    p = ctx.Process(target=run)
    p.start()

    print('主', os.getpid(), flush=True)
    # Until the child has exited (its sentinel is readable), without joining it: on a busy
    # machine it may take a moment. 等子进程退出（但不 join 它）。
    multiprocessing.connection.wait([p.sentinel])
    time.sleep(2)  # tutorial: time.sleep(1000) -- run `ps aux | grep Z` now 现在执行 ps aux | grep Z
    if sys.platform.startswith('linux'):
        print('child state before join:', state(p.pid), '(Z = zombie)', flush=True)
    p.join()  # join调用了wait，告诉系统释放僵尸进程
    if sys.platform.startswith('linux'):
        print('child state after join:', state(p.pid), '(None = gone)')
    print('exitcode', p.exitcode)
