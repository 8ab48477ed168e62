"""
47 - Semaphore: a KTV with 4 rooms and 13 guests
信号量：4 间 KTV 小屋，13 位客人

Shows / 演示:
  Semaphore(4) lets at most four processes past acquire() at the same time; the fifth waits
  until someone leaves (release()). Each guest prints when they get a room and when they leave;
  at no moment are more than four inside (the example counts and prints the maximum).
  Semaphore(4) 同一时间最多让 4 个进程通过 acquire()，第 5 个要等有人 release()。
  示例统计并打印同时在房间里的最大人数，永远不超过 4。
In Process View / 在 Process View 里看:
  Thirteen children; four holding the semaphore, the rest sleeping in acquire() until a
  release. 十三个子进程：四个持有信号量，其余阻塞在 acquire() 上。
Tutorial / 教程:
  seed 001 "8.信号量（了解）" (go_ktv(sem, user), Semaphore(4), 13 users).
Fixed / 修正:
  Guests stay a tenth of the tutorial's random 0-3 s. 停留时间为原文的 1/10。
  The shared Value `inside` only exists to count guests for the printout (not in the seed).
  release() is in a `finally`, so a guest who fails still gives the room back.
  release() 放在 finally 里，出错的客人也会把房间还回来。
"""
from multiprocessing import Process, Semaphore, Value
import time
import random


def go_ktv(sem, user, inside, most):
    sem.acquire()
    try:
        with inside.get_lock():
            inside.value += 1
            most.value = max(most.value, inside.value)
        print('%s 占到一间ktv小屋' % user)
        time.sleep(random.randint(0, 3) / 10)  # 模拟每个人在ktv中待的时间不同 (tutorial: 0-3 s)
        with inside.get_lock():
            inside.value -= 1
        print('%s 走了' % user)
    finally:
        sem.release()


if __name__ == '__main__':
    sem = Semaphore(4)
    inside, most = Value('i', 0), Value('i', 0)
    p_l = []
    for i in range(13):
        p = Process(target=go_ktv, args=(sem, 'user%s' % i, inside, most))
        p.start()
        p_l.append(p)

    for i in p_l:
        i.join()
    print('=====》')
    print('at most %d guests were inside at the same time' % most.value)
