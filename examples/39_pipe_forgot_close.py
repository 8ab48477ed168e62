"""
39 - The mistake: forgetting to close a pipe end, so recv() waits forever (made safe)
错误：忘了关闭管道的一端，recv() 永远等待（安全演示版）

Shows / 演示:
  Same program as 38, but the child does NOT close its copy of parent_conn. The parent sends
  'hello' and closes its parent_conn, yet an open copy of parent_conn still exists: in the
  child itself. So no EOF ever arrives and a plain recv() would block forever.
  To keep the example finite the child asks child_conn.poll(1) before each recv(): poll says
  True for data or EOF, False when recv() would still be waiting after 1 s. Then it reports
  the hang and stops.
  与 38 相同，但子进程没有关闭自己的 parent_conn 副本。父进程发送 hello 并关闭 parent_conn 后，
  子进程自己手里还有一个打开的 parent_conn，所以 EOF 永远不会到来，普通的 recv() 会永远阻塞。
  为了让示例能结束，子进程在 recv() 前先 poll(1)：1 秒内既没有数据也没有 EOF，就报告卡死并退出。
In Process View / 在 Process View 里看:
  One message, the parent closing its ends, and the child waiting on a recv that sees no EOF.
  Compare with 38, where the child closes parent_conn first.
  一条消息、父进程关闭两端，子进程等不到 EOF。对比 38 号示例。
Tutorial / 教程:
  seed 001 "如果忘记执行这些步骤，程序可能在消费者中的recv()操作上挂起".
  The editor flags the recv() that waits for an EOF this process itself prevents, with a quick
  fix that closes parent_conn first. 编辑器会标出这个 recv()，快速修复会先关闭 parent_conn。
"""
from multiprocessing import Process, Pipe


def f(parent_conn, child_conn):
    # parent_conn.close()  # forgotten! 忘了关闭
    while True:
        if not child_conn.poll(1):  # a plain recv() would block here forever 普通 recv() 会永远阻塞
            print('no data and no EOF after 1 s: recv() would hang, because this process '
                  'still holds an open parent_conn')
            break
        try:
            print(child_conn.recv())
        except EOFError:
            print('EOFError')  # never happens here 这里不会发生
            break
    child_conn.close()
    parent_conn.close()


if __name__ == '__main__':
    parent_conn, child_conn = Pipe()
    p = Process(target=f, args=(parent_conn, child_conn,))
    p.start()
    child_conn.close()
    parent_conn.send('hello')
    parent_conn.close()
    p.join()
    print('child exitcode', p.exitcode)
