"""
58 - The echo server with a Pool of 4: six clients, at most four served at once
进程池版的并发服务端：Pool(4)，六个客户端，同一时间最多服务四个

Shows / 演示:
  Instead of a new process per connection, each accepted connection becomes a talk() task on a
  Pool(4). Six clients connect at once; four are served right away, the other two wait until a
  worker is free, and all of them are served by at most four distinct worker pids.
  每个连接作为一个 talk() 任务交给 Pool(4)。六个客户端同时连接：四个立即被服务，另外两个等有空闲的
  工作进程；所有客户端最多由四个不同的 pid 服务。
In Process View / 在 Process View 里看:
  Four pool workers (and six clients); each worker runs several talk() tasks one after another.
  四个进程池工作进程（和六个客户端）；每个工作进程先后执行多个 talk() 任务。
Tutorial / 教程:
  seed 001 "进程池版的socket并发聊天代码示例" (Pool(4), talk(conn), 6 clients).
Fixed / 修正:
  Port 0 on 127.0.0.1; the socket is created under the guard; the clients run automatically
  (two lines each instead of input()); the server accepts six connections, waits for the six
  tasks, then closes the connections, the pool and the listening socket.
  端口 0、只用 127.0.0.1；套接字在 __main__ 中创建；客户端自动运行；服务端接受六个连接，等六个任务完成后，
  关闭连接、进程池和监听套接字。
"""
from socket import socket, AF_INET, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR
from multiprocessing import Pool, Process
import os
import time


def talk(conn):
    print('进程pid: %s' % os.getpid())
    while True:
        try:
            msg = conn.recv(1024)
            if not msg:
                break
            conn.send(msg.upper())
        except Exception:
            break
    conn.close()
    return os.getpid()


def client(port, name):
    c = socket(AF_INET, SOCK_STREAM)
    c.connect(('127.0.0.1', port))
    for msg in ('hello from %s' % name, '%s says bye' % name):  # was: msg=input('>>: ').strip()
        c.send(msg.encode('utf-8'))
        data = c.recv(1024)
        print(name, '<<', data.decode('utf-8'))
        time.sleep(0.2)  # keep the worker busy a little, so the fifth client has to wait
    c.close()


if __name__ == '__main__':
    server = socket(AF_INET, SOCK_STREAM)
    server.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
    server.bind(('127.0.0.1', 0))  # tutorial: 8080
    server.listen(5)
    server.settimeout(10)  # safety net: never wait forever for a client that did not come
    port = server.getsockname()[1]

    p = Pool(4)  # Pool内的进程数默认是cpu核数; 4, like the tutorial
    clients = [Process(target=client, args=(port, 'client%d' % i)) for i in range(6)]
    for c in clients:
        c.start()

    conns, results = [], []
    for _ in clients:  # the tutorial: while True, forever
        conn, *_ = server.accept()
        conns.append(conn)  # keep it open until its task has picked it up 任务取走之前保持打开
        results.append(p.apply_async(talk, args=(conn,)))
        # p.apply(talk,args=(conn,client_addr))  # 同步的话，则同一时间只有一个客户端能访问

    pids = {r.get(timeout=10) for r in results}
    print('6 clients served by %d worker pids' % len(pids))
    for conn in conns:
        conn.close()
    p.close()
    p.join()
    server.close()
    for c in clients:
        c.join()
