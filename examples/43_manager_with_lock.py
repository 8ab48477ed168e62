"""
43 - Manager dict with a Lock: every decrement counts
Manager 字典加锁：每一次减 1 都生效

Shows / 演示:
  Twenty processes each do d['count'] -= 1 on a Manager dict that starts at 20, holding a Lock.
  The result is always {'count': 0}. Without the lock some decrements get lost: see 44.
  二十个进程在锁的保护下各自执行 d['count'] -= 1，结果总是 {'count': 0}。不加锁会丢失更新，见 44 号示例。
In Process View / 在 Process View 里看:
  The Manager server process; each child's lock acquire/release around its two proxy calls
  (__getitem__ then __setitem__). 每个子进程在两次代理调用（读、写）前后获取/释放锁。
Tutorial / 教程:
  seed 001 "7.数据共享（了解）" (work(d, lock), m.dict({'count': 100})).
Fixed / 修正:
  The tutorial starts 100 processes from 100; 20 from 20 teach the same in a fraction of the
  time. The seed's lines after `dic = m.dict(...)` lost their indentation; they belong inside
  the `with Manager() as m:` block (the manager must still run while the children use it).
  原文用 100 个进程；这里 20 个，道理相同、更快。原文 with 块后面的代码缩进丢失了，它们应在 with 块内。
"""
from multiprocessing import Manager, Process, Lock

N = 20  # tutorial: 100


def work(d, lock):
    with lock:  # 不加锁而操作共享的数据,肯定会出现数据错乱
        d['count'] -= 1


if __name__ == '__main__':
    lock = Lock()
    with Manager() as m:
        dic = m.dict({'count': N})
        p_l = []
        for i in range(N):
            p = Process(target=work, args=(dic, lock))
            p_l.append(p)
            p.start()
        for p in p_l:
            p.join()
        print(dic)
