"""
37 - Pipe, both directions: the child and the parent each send and receive
管道双向通信：子进程和父进程都既发送又接收

Shows / 演示:
  The child sends ['Joker is a good man'] on conn_a and then receives [1..7]; the main process
  sends [1..7] on conn_b and receives the child's list. Each end is one side of a duplex pipe.
  子进程在 conn_a 上发送再接收；主进程在 conn_b 上发送再接收。两端各是双工管道的一侧。
In Process View / 在 Process View 里看:
  Two messages crossing: conn_a -> conn_b and conn_b -> conn_a, with their payload previews.
  两条方向相反的消息及其内容预览。
Tutorial / 教程:
  seed 002 "pipe" (func(conn), conn_a, conn_b).
Fixed / 修正:
  The seed wrote `p1 = Process(...).start()` (start() returns None) and never joined; here p1
  is the Process and is joined. 原文 p1 = Process(...).start() 得到 None 且没有 join；这里修正。
"""
import multiprocessing


def func(conn):
    conn.send(['Joker is a good man'])
    print('{} 发送了..'.format(multiprocessing.current_process().name))
    print('{} 接受了 {}'.format(multiprocessing.current_process().name, conn.recv()))
    conn.close()


if __name__ == "__main__":
    conn_a, conn_b = multiprocessing.Pipe()
    p1 = multiprocessing.Process(target=func, args=(conn_a,))
    p1.start()
    conn_b.send([1, 2, 3, 4, 5, 6, 7])  # 发送数据给conn_a
    print('main', conn_b.recv())
    p1.join()
