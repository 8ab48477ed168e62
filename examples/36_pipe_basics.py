"""
36 - Pipe basics: a child sends, the parent receives
管道基础：子进程发送，父进程接收

Shows / 演示:
  Pipe() returns two connected ends. The child gets one end and sends "Hello 妹妹"; the parent
  receives it on the other end. Then, in one process, conn1.send('123456') is received on conn2:
  a pipe is duplex by default, any end can send and receive.
  Pipe() 返回相连的两端。子进程用一端发送“Hello 妹妹”，父进程从另一端接收。
  然后在同一个进程里，conn1 发送、conn2 接收：管道默认是双工的。
In Process View / 在 Process View 里看:
  The pipe with its two ends; one message child -> main, one message main -> main.
  管道的两端；一条消息从子进程到主进程，一条在主进程内部。
Tutorial / 教程:
  seed 001 "6.管道（了解）" (f(conn): "Hello 妹妹"; conn1.send('123456')).
"""
from multiprocessing import Process, Pipe


def f(conn):
    conn.send("Hello 妹妹")  # 子进程发送了消息
    conn.close()


if __name__ == '__main__':
    parent_conn, child_conn = Pipe()  # 建立管道，拿到管道的两端，双工通信方式，两端都可以收发消息
    p = Process(target=f, args=(child_conn,))  # 将管道的一段给予进程
    p.start()  # 开启子进程
    print(parent_conn.recv())  # 主进程接受了消息
    p.join()

    conn1, conn2 = Pipe()
    conn1.send('123456')
    print(conn2.recv())
