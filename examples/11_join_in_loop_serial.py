"""
11 - The mistake: join() inside the start loop makes everything serial
误区：把 join() 写在 for 循环里，所有子进程就变成串行的了

Shows / 演示:
  Round 1 calls p.join() right after each p.start(): the next child is not even created until
  the previous one has ended, so 10 children take 10 x 0.1 s. Round 2 starts all ten first and
  joins them afterwards ([ap.join() for ap in p_list]): about 0.1 s in total.
  第一轮在循环里 start 后立刻 join：下一个子进程要等上一个结束才创建，10 个共约 1 秒。
  第二轮先全部 start 再统一 join：总共约 0.1 秒。
In Process View / 在 Process View 里看:
  Round 1: ten lanes one after the other, never overlapping; round 2: ten lanes side by side.
  第一轮：子进程首尾相接，互不重叠；第二轮：十个子进程并排运行。
Tutorial / 教程:
  seed 001 "怎么样开启多个进程呢？for循环" (func('姑娘%s' % i, '来玩啊！')).
Fixed / 修正:
  The seed's args=('姑娘%s%i', ...) left the % inside the string; it means '姑娘%s' % i.
  原文 '姑娘%s%i' 把 % 写进了字符串里，应为 '姑娘%s' % i。
"""
import time
from multiprocessing import Process


def func(x, y):
    print(x)
    time.sleep(0.1)  # the work; the tutorial comments this sleep out
    print(y)


if __name__ == '__main__':
    # Round 1: the mistake 错误写法
    start = time.time()
    for i in range(10):
        p = Process(target=func, args=('姑娘%s' % i, '来玩啊！'))
        p.start()
        p.join()  # 1、如果加到for循环里面，那么所有子进程包括父进程就全部变为同步了
    serial = time.time() - start
    print('join inside the loop: %.2f s' % serial)

    # Round 2: start them all, then join them all 正确写法
    start = time.time()
    p_list = []
    for i in range(10):
        p = Process(target=func, args=('姑娘%s' % i, '来玩啊！'))
        p_list.append(p)
        p.start()
    [ap.join() for ap in p_list]  # 4、这是解决办法
    concurrent = time.time() - start
    print('join after the loop:  %.2f s' % concurrent)
    print('不要钱~~~~~! ')
