"""
44 - Manager dict WITHOUT a lock: lost updates
Manager 字典不加锁：更新丢失

Shows / 演示:
  `d['count'] -= 1` on a proxy is two messages to the Manager server: read the value
  (__getitem__), then write value - 1 (__setitem__). If several processes read before any of
  them writes, they all write the same number and the other decrements are lost.
  Here three workers read, then meet at a Barrier, then write: all three read 3 and write 2,
  so three decrements leave {'count': 2} instead of 0, on every run (the same race as 24).
  代理上的 d['count'] -= 1 是发给 Manager 服务进程的两条消息：先读，再写回减 1 后的值。
  如果几个进程都在别人写之前读，它们写回同一个数，其余的减法就丢了。这里三个进程读完后在 Barrier
  会合再写：都读到 3、都写回 2，结果是 {'count': 2} 而不是 0，每次都能复现（与 24 号示例同理）。
In Process View / 在 Process View 里看:
  The proxy calls on the Manager server: three __getitem__ before any __setitem__; compare with
  43, where each read-write pair is inside the lock.
  Manager 服务进程上的代理调用：三次读都在写之前；对比 43 号示例。
Tutorial / 教程:
  seed 001 "7.数据共享 · 不加锁而操作共享的数据,肯定会出现数据错乱".
"""
from multiprocessing import Manager, Process, Barrier

N = 3


def work(d, everyone_has_read):
    # d['count'] -= 1 is exactly these two steps: 下面两步就是 d['count'] -= 1
    n = d['count']              # message 1: read 读
    everyone_has_read.wait(10)  # make the unlucky timing certain 让“不走运”的时序必然发生
    d['count'] = n - 1          # message 2: write 写


if __name__ == '__main__':
    barrier = Barrier(N)
    with Manager() as m:
        dic = m.dict({'count': N})
        p_l = []
        for i in range(N):
            p = Process(target=work, args=(dic, barrier))
            p_l.append(p)
            p.start()
        for p in p_l:
            p.join()
        print(dic, '- %d decrements, but the count only went down by %d'
              % (N, N - dic['count']))
