"""
12 - join(timeout): stop waiting after a while; the child keeps running
join(timeout)：等一段时间就不再等了，子进程继续运行

Shows / 演示:
  p.join(0.3) returns after 0.3 s although the child needs 1 s: is_alive() is still True and
  exitcode is None. join() does not stop the child; a second join() without a timeout waits
  for the end (exitcode 0).
  p.join(0.3) 0.3 秒后返回，子进程仍然存活（exitcode 为 None）；join 不会结束子进程，
  再调用一次不带超时的 join() 才等到它结束。
In Process View / 在 Process View 里看:
  Two joins on the same child: the first one timed out (child still alive), the second one
  reaped it. 同一个子进程被 join 两次：第一次超时，第二次回收。
Tutorial / 教程:
  seed 000 / 001 "方法介绍 · p.join([timeout]) ... timeout是可选的超时时间".
"""
from multiprocessing import Process
import time


def task():
    print('child: working for 1 s')
    time.sleep(1)
    print('child: done')


if __name__ == '__main__':
    p = Process(target=task)
    p.start()

    start = time.time()
    p.join(0.3)  # wait at most 0.3 s 最多等 0.3 秒
    print('join(0.3) returned after %.1f s: is_alive=%s exitcode=%s'
          % (time.time() - start, p.is_alive(), p.exitcode))

    p.join()  # now wait for the end 这次一直等到结束
    print('join() returned: is_alive=%s exitcode=%s' % (p.is_alive(), p.exitcode))
