"""
24 - Grabbing tickets WITHOUT a lock: the last ticket is sold three times
抢票（不加锁）：最后一张票被卖了三次

Shows / 演示:
  The "database" is a json file {"count": 1}. Three buyers each read it, see one ticket, take
  it, and write {"count": 0} back. Because each one reads before anyone writes, all three
  print '购票成功' for a single seat: a race on shared data.
  In the tutorial the reads happen to come first because of a 0.1 s "network delay"; here a
  Barrier makes it certain: every buyer waits at the barrier after reading until all three
  have read, so the example shows the race on every run, on any machine.
  “数据库”是 json 文件 {"count": 1}。三个买家都在别人写回之前读到了 1，于是都显示购票成功。
  原文靠 0.1 秒的“网络延迟”碰运气；这里用 Barrier 让三个买家都读完之后才继续，每次运行都能复现。
In Process View / 在 Process View 里看:
  Three buyers, the Barrier where they meet (all three 'wait' before anyone writes), and three
  writes of count 0. Compare with 25_ticket_with_lock.py.
  三个买家在 Barrier 处会合，然后各自写回 0。对比 25 号示例。
Tutorial / 教程:
  seed 001 "接下来，我们以模拟抢票为例" (first program: 并发运行,效率高,但竞争写同一文件,数据写入错乱).
Fixed / 修正:
  The db file is created in a temporary folder (no manual reset to 1 after each run) and removed
  at the end; files are closed; the file is replaced atomically so a reader never sees it half
  written. db 文件建在临时目录，运行结束删除，不用每次手动改回 1。
"""
from multiprocessing import Process, Barrier
import time
import json
import os
import shutil
import tempfile


# 查看剩余票数
def search(db):
    with open(db) as f:
        dic = json.load(f)  # 打开文件，直接load文件中的内容，拿到文件中的包含剩余票数的字典
    print('\033[43m剩余票数%s\033[0m' % dic['count'])


def save(db, dic):
    tmp = '%s.%d' % (db, os.getpid())
    with open(tmp, 'w') as f:
        json.dump(dic, f)
    os.replace(tmp, db)  # atomic: readers see the old or the new file, never half of it


# 抢票
def get(db, everyone_has_read):
    with open(db) as f:
        dic = json.load(f)
    time.sleep(0.1)  # 模拟读数据的网络延迟
    everyone_has_read.wait(10)  # nobody goes on until all buyers have read {"count": 1} (10 s: never hang)
    if dic['count'] > 0:
        dic['count'] -= 1
        time.sleep(0.2)  # 模拟写数据的网络延迟
        save(db, dic)
        # 最终结果导致，每个人显示都抢到了票，这就出现了问题~
        print('\033[43m购票成功\033[0m')


def task(db, everyone_has_read):
    search(db)
    get(db, everyone_has_read)


if __name__ == '__main__':
    folder = tempfile.mkdtemp(prefix='process-view-')
    db = os.path.join(folder, 'db')
    try:
        save(db, {"count": 1})  # 文件db的内容为：{"count":1}
        buyers = 3
        barrier = Barrier(buyers)
        ps = []
        for i in range(buyers):  # 模拟并发100个客户端抢票
            p = Process(target=task, args=(db, barrier))
            p.start()
            ps.append(p)
        for p in ps:
            p.join()
        with open(db) as f:
            print('db after the sale:', f.read())
    finally:
        shutil.rmtree(folder, ignore_errors=True)

# 看结果分析：由于网络延迟等原因使得进程切换，导致每个人都抢到了这最后一张票
# 剩余票数1
# 剩余票数1
# 剩余票数1
# 购票成功
# 购票成功
# 购票成功
