"""
57 - A concurrent echo server: one process per connection (with automatic clients)
多进程实现套接字并发：每个连接一个进程（客户端自动运行）

Shows / 演示:
  The main process accepts connections; for each one it starts a talk() process that echoes
  what the client sends in upper case, so several clients are served at the same time.
  Three client processes connect, send two lines each (instead of typing at input('>>: ')),
  print the replies and close. The server accepts exactly three connections and then shuts
  down cleanly: it closes the listening socket and joins everybody.
  主进程负责 accept，每来一个连接就开一个 talk() 进程，把客户端发来的内容转成大写发回，多个客户端可同时服务。
  三个客户端进程自动连接、各发两行（代替 input('>>: ')）、打印回复后关闭。服务端只接受三个连接，
  然后关闭监听套接字、join 所有进程，干净地结束。
In Process View / 在 Process View 里看:
  The main server, three client processes, and three talk() processes, one per connection,
  each printing its own pid. 主服务进程、三个客户端进程、三个 talk() 进程（每个连接一个）。
Tutorial / 教程:
  seed 003 "4.多进程实现套接字并发通信"; seed 001 "练习：...通过多进程来实现一下同时和多个客户端进行连接通信";
  seed 004 "五、多进程实现套接字并发".
Fixed / 修正:
  Port 0 lets the OS pick a free port (the tutorials use 8080 / 8088); only 127.0.0.1 is used.
  The socket is created under the guard (seed 003 created it at module level, so a spawned
  child would bind again); setsockopt comes before bind (seed 004 had it after); the parent
  closes its copy of each connection; `while True` accept loops became a known number of
  clients, with a 10 s accept timeout as a safety net.
  端口 0 让系统选空闲端口（原文 8080/8088），只用 127.0.0.1；套接字在 __main__ 中创建（原文在模块顶层，spawn
  子进程会再次 bind）；setsockopt 放在 bind 之前；父进程关闭自己的连接副本；无限 accept 循环改为固定客户端数。
"""
from socket import socket, AF_INET, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR
from multiprocessing import Process
import os
import time


def talk(conn, client_addr):
    print('进程pid: %s 服务 %s' % (os.getpid(), client_addr[1]))
    while True:  # 通信循环
        try:
            msg = conn.recv(1024)
            if not msg:
                break
            print('客户端消息>>', msg)
            conn.send(msg.upper())
        except Exception:
            break
    conn.close()


def client(port, name):
    c = socket(AF_INET, SOCK_STREAM)
    c.connect(('127.0.0.1', port))
    for msg in ('hello from %s' % name, '%s says bye' % name):  # was: msg=input('>>: ').strip()
        c.send(msg.encode('utf-8'))
        data = c.recv(1024)
        print(name, '<<', data.decode('utf-8'))
        time.sleep(0.1)
    c.close()


if __name__ == '__main__':
    s = socket(AF_INET, SOCK_STREAM)
    s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)  # 就是它，在bind前加
    s.bind(('127.0.0.1', 0))  # 0: any free port (tutorial: 8088 / 8080)
    s.listen(5)
    s.settimeout(10)  # safety net: never wait forever for a client that did not come
    port = s.getsockname()[1]
    print('server listening on 127.0.0.1:%d' % port)

    clients = [Process(target=client, args=(port, 'client%d' % i)) for i in range(3)]
    for c in clients:
        c.start()

    talkers = []
    for _ in clients:  # 链接循环 (the tutorial: while True, forever)
        conn, addr = s.accept()
        p = Process(target=talk, args=(conn, addr))
        p.start()
        conn.close()  # the talk process has its own copy 子进程有自己的副本
        talkers.append(p)
    s.close()

    for p in clients + talkers:
        p.join()
    print('server shut down')
