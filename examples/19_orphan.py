"""
19 - Orphan process: the parent exits first and the child is adopted
孤儿进程：父进程先退出，子进程被收养

Shows / 演示:
  os.fork() makes a child; the father prints 'father died..' and exits at once. The child
  waits until its father is gone, then prints its new parent: pid 1 (init) on a plain system,
  or the nearest "subreaper" (a process that asked the kernel to adopt orphans in its subtree,
  e.g. a container's init, systemd --user, or the Process View launcher).
  os.fork() 生成子进程；父进程打印 'father died..' 后立即退出。子进程等父进程消失后打印新的父进程：
  普通系统上是 1 号 init 进程，或者最近的 subreaper（如容器的 init、systemd --user 或 Process View 启动器）。
In Process View / 在 Process View 里看:
  The child is flagged "orphan": its PPID changes from the dead father to its adopter; it is
  still tracked after it leaves the father's subtree. 子进程带有“孤儿”标记，PPID 从父进程变为收养者。
Tutorial / 教程:
  seed 000 / 001 "二：孤儿进程（无害）" (im father / father died.. / im child).
Fixed / 修正:
  Python 2 prints became print(); output is flushed before fork() so it is not printed twice;
  the child polls for its father's death instead of hoping 1 s is enough. POSIX only (os.fork).
  Python 2 的 print 改为 print()；fork 前刷新输出；子进程轮询父进程是否已退出，而不是只睡 1 秒。
"""
import os
import sys
import time

if __name__ == '__main__':
    pid = os.getpid()
    ppid = os.getppid()
    print('im father', 'pid', pid, 'ppid', ppid, flush=True)
    father = pid
    pid = os.fork()
    # 执行pid=os.fork()则会生成一个子进程
    # 返回值pid有两种值：
    #    如果返回的pid值为0，表示在子进程当中
    #    如果返回的pid值>0，表示在父进程当中
    if pid > 0:
        print('father died..', flush=True)
        sys.exit(0)

    # 保证主线程退出完毕: wait (at most 5 s) until the kernel has re-parented us
    deadline = time.monotonic() + 5
    while os.getppid() == father and time.monotonic() < deadline:
        time.sleep(0.01)
    print('im child', os.getpid(), os.getppid(), flush=True)
    os._exit(0)  # a forked child leaves without running the father's exit handlers
