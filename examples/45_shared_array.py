"""
45 - Shared memory: multiprocessing.Array
共享内存：multiprocessing.Array

Shows / 演示:
  Array('i', [1, 2, 3]) lives in shared memory. Two children write 10000 into slots 0 and 1, and
  the parent sees [10000, 10000, 3] afterwards: no messages, the memory itself is shared.
  Array 放在共享内存中。两个子进程分别把第 0、1 个元素改成 10000，父进程随后看到 [10000, 10000, 3]。
In Process View / 在 Process View 里看:
  The Array object shared by the three processes (no messages: writes go straight to memory).
  三个进程共享的 Array 对象（没有消息：直接写内存）。
Tutorial / 教程:
  seed 002 "进程列表数据共享" (func(m, i), Array('i', [1,2,3])).
"""
# 创建一个共享的列表/数组
# 当你有多个进程需要同时操作某一个数组的时候，你就应该搭建一个共享数组Array.
import multiprocessing


def func(m, i):
    m[i] = 10000


def func1():
    # Array 是一个对象
    list_ = multiprocessing.Array('i', [1, 2, 3])
    return list_


if __name__ == "__main__":
    list_ = func1()
    print(list_[:])
    p1 = multiprocessing.Process(target=func, args=(list_, 0))
    p2 = multiprocessing.Process(target=func, args=(list_, 1))
    p1.start()
    p2.start()
    p1.join()
    p2.join()

    print(list_[:])
# 列表里的:(冒号)代表全选
