"""
10 - join() several processes: the total wait is the longest child, not the sum
join 多个进程：总共等待的时间是最慢的那个子进程，而不是所有时间之和

Shows / 演示:
  All four children are started first, then joined one by one. They run concurrently, so the
  four joins together take about as long as the slowest child. The example prints the times.
  先全部 start，再逐个 join。四个子进程并发运行，四次 join 的总耗时约等于最慢的那个。
In Process View / 在 Process View 里看:
  Four lanes overlapping in time; while p1.join() waits, p2..p4 keep running; later joins return
  at once for children that already ended. 四个子进程时间上重叠；后面的 join 对已结束的子进程立即返回。
Tutorial / 教程:
  seed 000 "join的一些误区" (piao egon/alex/yuanhao/wupeiqi).
"""
from multiprocessing import Process
import time
import random


def piao(name, seconds):
    print('%s is piaoing' % name)
    time.sleep(seconds)
    print('%s is piao end' % name)


if __name__ == '__main__':
    # The tutorial sleeps random.randint(1, 3) seconds; tenths here, drawn in the parent so
    # we can print what the slowest child took. 睡眠时间在父进程中抽取，便于对比。
    secs = {name: random.randint(1, 3) / 10 for name in ('egon', 'alex', 'yuanhao', 'wupeiqi')}
    p1 = Process(target=piao, args=('egon', secs['egon']))
    p2 = Process(target=piao, args=('alex', secs['alex']))
    p3 = Process(target=piao, args=('yuanhao', secs['yuanhao']))
    p4 = Process(target=piao, args=('wupeiqi', secs['wupeiqi']))

    start = time.time()
    p1.start()
    p2.start()
    p3.start()
    p4.start()

    # join是让主线程等，而p1-p4仍然是并发执行的，p1.join的时候，其余p2,p3,p4仍然在运行，
    # 所以4个join花费的总时间仍然是耗费时间最长的那个进程运行的时间
    p1.join()
    p2.join()
    p3.join()
    p4.join()

    print('主线程')
    print('sum of sleeps %.1f s, longest %.1f s, joins took %.1f s'
          % (sum(secs.values()), max(secs.values()), time.time() - start))

    # 上述启动进程与join进程可以简写为
    # p_l=[p1,p2,p3,p4]
    # for p in p_l:
    #     p.start()
    # for p in p_l:
    #     p.join()
