"""
40 - Pipe with an end signal: send None when done
管道 + 结束信号：发送完毕后发一个 None

Shows / 演示:
  Instead of juggling closed ends, the sender sends ten messages and then None; the receiver
  stops at None. Simple, and it does not depend on who holds which end.
  不必管理各端的关闭：发送方发 10 条消息后发送 None，接收方收到 None 就停止。
In Process View / 在 Process View 里看:
  Eleven messages main -> child on the pipe, the last one None; the child exits right after.
  管道上十一条消息，最后一条是 None；子进程随即退出。
Tutorial / 教程:
  seed 001 "信息发送完之后，再发送一个结束信号None" (func(conn), '约吧').
Fixed / 修正:
  The child is joined. 增加了 join。
"""
from multiprocessing import Pipe, Process


def func(conn):
    while True:
        msg = conn.recv()
        if msg is None:
            break
        print(msg)


if __name__ == '__main__':
    conn1, conn2 = Pipe()
    p = Process(target=func, args=(conn1,))
    p.start()
    for i in range(10):
        conn2.send('约吧')
    conn2.send(None)
    p.join()
