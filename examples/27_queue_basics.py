"""
27 - Queue basics: maxsize, put/get, full(), empty(), put_nowait(), get_nowait()
队列基础：maxsize、put/get、full()、empty()、put_nowait()、get_nowait()

Shows / 演示:
  A Queue(3) holds at most three items. The fourth put() would block forever, so the example
  uses put_nowait(), which raises queue.Full instead; get_nowait() on an empty queue raises
  queue.Empty instead of blocking. All in one process, to learn the API.
  Queue(3) 最多放 3 个；第 4 次 put 会永远阻塞，所以用 put_nowait()，队列满时抛出 queue.Full；
  队列空时 get_nowait() 抛出 queue.Empty 而不是阻塞。
In Process View / 在 Process View 里看:
  The queue's log: three puts, one failed put (Full), three gets in FIFO order (3, 2, 1),
  one failed get (Empty). 三次 put、一次失败的 put（Full）、三次按先进先出顺序的 get、一次失败的 get（Empty）。
Tutorial / 教程:
  seed 001 "5. 队列（推荐使用）" (q=Queue(3) ... put_nowait / get_nowait).
Fixed / 修正:
  The seed calls q.get_nowait(3) (it takes no argument) and catches with a bare except, which
  hid that TypeError; here the exact exceptions queue.Full / queue.Empty are caught.
  原文 q.get_nowait(3) 多传了参数，被裸 except 掩盖；这里捕获 queue.Full / queue.Empty。
"""
import queue
from multiprocessing import Queue

if __name__ == '__main__':
    q = Queue(3)  # 创建一个队列对象，队列长度为3

    # put ,get ,put_nowait,get_nowait,full,empty
    q.put(3)  # 往队列中添加数据
    q.put(2)
    q.put(1)
    # q.put(4)  # 如果队列已经满了，程序就会停在这里，等待数据被别人取走，再将数据放入队列。
    #           # 如果队列中的数据一直不被取走，程序就会永远停在这里。
    try:
        q.put_nowait(4)  # 可以使用put_nowait，如果队列满了不会阻塞，但是会因为队列满了而报错。
    except queue.Full:  # 因此我们可以用一个try语句来处理这个错误。这样程序不会一直阻塞下去，但是会丢掉这个消息。
        print('队列已经满了')

    # 因此，我们再放入数据之前，可以先看一下队列的状态，如果已经满了，就不继续put了。
    print(q.full())  # 查看是否满了，满了返回True，不满返回False

    print(q.get())  # 取出数据
    print(q.get())
    print(q.get())
    # print(q.get())  # 同put方法一样，如果队列已经空了，那么继续取就会出现阻塞。
    try:
        q.get_nowait()  # 可以使用get_nowait，如果队列空了不会阻塞，但是会因为没取到值而报错。
    except queue.Empty:  # 因此我们可以用一个try语句来处理这个错误。这样程序不会一直阻塞下去。
        print("队列已经空了")

    print(q.empty())  # 空了
