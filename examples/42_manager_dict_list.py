"""
42 - Manager: a dict and a list shared between processes
Manager：进程之间共享的字典和列表

Shows / 演示:
  Manager() starts a server process that holds the real dict and list; the main process and the
  child get proxies, and every mydict[...] = ... or mylist.append(...) is a message to that
  server. So the child's changes are visible in the parent afterwards (unlike 07 / 08).
  Manager() 启动一个服务进程，真正的字典和列表在它那里；主进程和子进程拿到的是代理，每次修改都是发给
  服务进程的一条消息。所以子进程的修改在父进程里可见（与 07、08 号示例不同）。
In Process View / 在 Process View 里看:
  A process labelled "Manager server" (SyncManager-1) next to the child, and the proxy calls
  (__setitem__, append) going from the child to it.
  一个标为 Manager 服务进程（SyncManager-1）的进程，以及子进程发给它的代理调用。
Tutorial / 教程:
  seed 002 "进程字典列表共享" (func(mydict, mylist), 胡旺 / lalal).
Fixed / 修正:
  The seed called multiprocessing.Manager() twice (two server processes, never shut down
  explicitly); it already shows the better form in a comment: one `with Manager() as MG:`.
  原文调用了两次 Manager()（两个服务进程）；这里用注释中给出的 with Manager() as MG: 写法，只有一个。
"""
import multiprocessing


def func(mydict, mylist):
    mydict["胡旺"] = "牛皮"
    mydict["lalal"] = "大美女"
    mylist.append(11)
    mylist.append(22)
    mylist.append(33)


if __name__ == "__main__":
    with multiprocessing.Manager() as MG:
        mydict = MG.dict()
        mylist = MG.list(range(5))  # [0,1,2,3,4]

        p = multiprocessing.Process(target=func, args=(mydict, mylist))
        p.start()
        p.join()

        print(mylist)
        print(mydict)
        # print(list(range(5)))  # 很牛逼的list
