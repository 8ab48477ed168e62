"""
07 - Memory is isolated between processes: a global variable
进程之间内存空间是隔离的：全局变量

Shows / 演示:
  The child sets the global n to 0 and prints 0; the parent still prints 100 after join(),
  because the child changed its own copy. 子进程把全局变量 n 改成 0，父进程 join 之后仍然是 100。
In Process View / 在 Process View 里看:
  Two processes, two address spaces: nothing is sent between them (no Queue, no Pipe).
  两个进程，两块内存，之间没有任何消息。
Tutorial / 教程:
  seed 000 "进程之间的内存空间是隔离的"; seed 001 "进程之间的数据是隔离的" (with p.join()).
"""
from multiprocessing import Process

n = 100  # 在windows系统中应该把全局变量定义在if __name__ == '__main__'之上就可以了


def work():
    global n
    n = 0
    print('子进程内: ', n)


if __name__ == '__main__':
    p = Process(target=work)
    p.start()
    p.join()  # 等待子进程执行完毕，如果数据共享的话，主进程的 n 也会变成 0
    print('主进程内: ', n)

# 看结果：
# 子进程内:  0
# 主进程内:  100
