"""
38 - Closing pipe ends: recv() raises EOFError once EVERY copy of the other end is closed
关闭管道端点：另一端的所有副本都关闭后，recv() 才会抛出 EOFError

Shows / 演示:
  Both ends exist in both processes (the child got both as arguments). The child only receives
  on child_conn, so it closes its copy of parent_conn first; the parent only sends on
  parent_conn, so it closes child_conn. After the parent sends 'hello' and closes parent_conn,
  no open copy of parent_conn is left anywhere: the child's recv() raises EOFError and its loop
  ends. 39_pipe_forgot_close.py shows what happens when the child forgets its close().
  两个进程里都有管道的两端。子进程只在 child_conn 上接收，所以先关闭自己的 parent_conn 副本；
  父进程发送 hello 后关闭 parent_conn。此时任何地方都没有打开的 parent_conn，子进程的 recv() 抛出 EOFError，循环结束。
In Process View / 在 Process View 里看:
  Close events on both ends in both processes, one message, then the EOF in the child.
  两个进程对两端的 close、一条消息，然后子进程收到 EOF。
Tutorial / 教程:
  seed 001 "应该特别注意管道端点的正确管理问题" (f(parent_conn, child_conn), EOFError).
Fixed / 修正:
  The seed leaves `parent_conn.close()` in the child commented out ("不写close将不会引发EOFError"):
  with it commented out the child waits forever. Here the close is in.
  原文把子进程里的 parent_conn.close() 注释掉了，那样子进程会永远等待；这里加上了。
"""
from multiprocessing import Process, Pipe


def f(parent_conn, child_conn):
    parent_conn.close()  # 不写close将不会引发EOFError
    while True:
        try:
            print(child_conn.recv())
        except EOFError:
            print('EOFError: every copy of parent_conn is closed')
            child_conn.close()
            break


if __name__ == '__main__':
    parent_conn, child_conn = Pipe()
    p = Process(target=f, args=(parent_conn, child_conn,))
    p.start()
    child_conn.close()
    parent_conn.send('hello')
    parent_conn.close()
    p.join()
    print('child exitcode', p.exitcode)
