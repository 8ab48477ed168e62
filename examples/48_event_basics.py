"""
48 - Event basics: is_set(), set(), clear(), wait()
事件基础：is_set()、set()、clear()、wait()

Shows / 演示:
  A new Event is not set, and wait() blocks while it is not set. In the tutorial nobody ever
  sets it, so e.wait() blocks forever and 'give me! !' never prints. Here: wait(timeout=0.5)
  returns False after 0.5 s (it would have blocked), then a child process sets the event after
  0.3 s, and the main process's wait() returns True and prints 'give me! !'.
  新建的 Event 未被设置，未设置时 wait() 会阻塞。原文没人 set，e.wait() 永远阻塞。这里先 wait(0.5)
  超时返回 False，然后子进程 0.3 秒后 set，主进程的 wait() 返回 True 并打印 'give me! !'。
In Process View / 在 Process View 里看:
  The Event: a wait that timed out, a set() by the child, a wait that returned.
  一次超时的 wait、子进程的 set()、一次成功返回的 wait。
Tutorial / 教程:
  seed 001 "9.事件（了解）" (first program: e.is_set() / e.wait() / give me).
Fixed / 修正:
  The seed's e.wait() never returns (no one calls set()); a child now sets the event.
  原文的 e.wait() 永远不会返回；这里由子进程 set。
"""
from multiprocessing import Process, Event
import time


def green_light(e):
    time.sleep(0.3)
    print('child: e.set()')
    e.set()


if __name__ == '__main__':
    e = Event()  # 创建一个事件对象
    print(e.is_set())  # is_set()查看一个事件的状态，默认为False，可通过set方法改为True
    print('look here! ')
    e.set()  # 将is_set()的状态改为True。
    print(e.is_set())
    e.clear()  # 将is_set()的状态改为False
    print(e.is_set())

    print('wait(0.5) ->', e.wait(0.5))  # not set: blocks 0.5 s and returns False 未设置：阻塞后返回 False
    p = Process(target=green_light, args=(e,))
    p.start()
    e.wait()  # 根据is_set()的状态结果来决定是否在这阻塞住，is_set()=False那么就阻塞，is_set()=True就不阻塞
    print('give me! !')
    p.join()

# set和clear 修改事件的状态 set-->True clear-->False
# is_set 用来查看一个事件的状态
# wait 依据事件的状态来决定是否阻塞 False-->阻塞 True-->不阻塞
