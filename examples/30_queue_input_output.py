"""
30 - Ten putters and ten getters on one Queue(3)
十个放数据的进程和十个取数据的进程共用一个 Queue(3)

Shows / 演示:
  Each inputQ process puts one line "pid(put):time"; each outputQ process gets one and prints
  it in green with its own pid. A queue is process-safe: every message is taken exactly once.
  The queue holds at most 3, so some putters wait until a getter makes room.
  每个 inputQ 进程放入一条，每个 outputQ 进程取出一条并打印。队列是进程安全的：每条消息只被取一次。
  队列最多 3 条，有的放数据进程要等取数据进程腾出位置。
In Process View / 在 Process View 里看:
  Twenty short-lived children around one queue; ten messages, each from one putter to one getter.
  二十个子进程围绕一个队列；十条消息，各自从一个放数据进程到一个取数据进程。
Tutorial / 教程:
  seed 001 "接下来看一个稍微复杂一些的例子" (inputQ / outputQ, freeze_support).
"""
import os
import time
import multiprocessing


# 向queue中输入数据的函数
def inputQ(queue):
    info = str(os.getpid()) + '(put):' + str(time.asctime())
    queue.put(info)


# 向queue中输出数据的函数
def outputQ(queue):
    info = queue.get()
    print('%s%s\033[32m%s\033[0m' % (str(os.getpid()), '(get):', info))


# Main
if __name__ == '__main__':
    # windows下，如果开启的进程比较多的话，程序会崩溃，为了防止这个问题，使用freeze_support()方法来解决。知道就行啦
    # (freeze_support() only matters for frozen Windows executables; it does nothing here.)
    multiprocessing.freeze_support()
    record1 = []  # store input processes
    record2 = []  # store output processes
    queue = multiprocessing.Queue(3)

    # 输入进程
    for i in range(10):
        process = multiprocessing.Process(target=inputQ, args=(queue,))
        process.start()
        record1.append(process)

    # 输出进程
    for i in range(10):
        process = multiprocessing.Process(target=outputQ, args=(queue,))
        process.start()
        record2.append(process)

    for p in record1:
        p.join()

    for p in record2:
        p.join()
