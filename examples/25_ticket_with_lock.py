"""
25 - Grabbing tickets WITH a lock: the last ticket is sold once
抢票（加锁）：最后一张票只卖一次

Shows / 演示:
  Same buyers as 24, but get() (read, decide, write) runs while holding a Lock, so the second
  buyer reads the file only after the first has written {"count": 0}: exactly one '购票成功',
  the others print 'sorry, 没票了亲!'. search() stays outside the lock, like in the tutorial, so
  the numbers it prints may be 1 or 0.
  get()（读、判断、写）在锁内执行，后一个买家读文件时前一个已经写回 0：只有一个人抢到票。
In Process View / 在 Process View 里看:
  The Lock: acquire/release by one buyer at a time, the others waiting on acquire.
  锁依次被每个买家获取，其他买家在 acquire 上等待。
Tutorial / 教程:
  seed 001 "加锁保证数据安全，不出现混乱" (second ticket program, task(lock)).
Fixed / 修正:
  The db file lives in a temporary folder and is removed at the end; it is replaced atomically,
  because search() reads it without the lock while a buyer may be writing it.
  db 文件在临时目录中；原子替换写入，因为 search() 不加锁读取时可能有人正在写。
  release() is in a `finally`, so a buyer whose get() raises does not leave the lock held.
  release() 放在 finally 里，get() 出错时也不会一直占着锁。
"""
from multiprocessing import Process, Lock
import time
import json
import os
import shutil
import tempfile


# 查看剩余票数
def search(db):
    with open(db) as f:
        dic = json.load(f)
    print('\033[43m剩余票数%s\033[0m' % dic['count'])


def save(db, dic):
    tmp = '%s.%d' % (db, os.getpid())
    with open(tmp, 'w') as f:
        json.dump(dic, f)
    os.replace(tmp, db)  # atomic: readers see the old or the new file, never half of it


# 抢票
def get(db):
    with open(db) as f:
        dic = json.load(f)
    time.sleep(0.1)  # 模拟读数据的网络延迟
    if dic['count'] > 0:
        dic['count'] -= 1
        time.sleep(0.2)  # 模拟写数据的网络延迟
        save(db, dic)
        print('\033[43m购票成功\033[0m')
    else:
        print('sorry, 没票了亲! ')


def task(db, lock):
    search(db)
    # 因为抢票的时候是发生数据变化的时候，所有我们将锁加到这里
    lock.acquire()
    try:
        get(db)
    finally:
        lock.release()


if __name__ == '__main__':
    folder = tempfile.mkdtemp(prefix='process-view-')
    db = os.path.join(folder, 'db')
    try:
        save(db, {"count": 1})
        lock = Lock()  # 创建一个锁
        ps = []
        for i in range(3):  # 模拟并发100个客户端抢票
            p = Process(target=task, args=(db, lock))  # 将锁作为参数传给task函数
            p.start()
            ps.append(p)
        for p in ps:
            p.join()
        with open(db) as f:
            print('db after the sale:', f.read())
    finally:
        shutil.rmtree(folder, ignore_errors=True)

# 看结果分析：只有一个人抢到了票
# 剩余票数1
# 剩余票数1
# 剩余票数1
# 购票成功  #幸运的人儿
# sorry, 没票了亲!
# sorry, 没票了亲!
