"""
26 - RLock: a lock the same process may acquire again
RLock（可重入锁）：同一个进程可以多次 acquire

Shows / 演示:
  Ten processes append a line to one file while holding an RLock (one writer at a time). Each
  one takes the lock a second time inside the first `with lock:` (to log what it wrote): a
  plain Lock would deadlock right there, an RLock counts the acquisitions and is free again
  after the same number of releases. At the end the file holds ten whole lines.
  十个进程在 RLock 保护下追加写同一个文件；每个进程在锁内再次获取同一把锁（记录写入内容）：
  普通 Lock 会在这里死锁，RLock 记录获取次数，释放同样次数后才真正释放。最后文件里有完整的 10 行。
In Process View / 在 Process View 里看:
  The RLock: each child acquires it twice and releases it twice before the next one gets it.
  每个子进程获取两次、释放两次之后，下一个进程才拿到锁。
Tutorial / 教程:
  seed 002 "RLock" (_write(str_, lock), joker.txt).
Fixed / 修正:
  The seed wrote to '/Users/joker/Desktop/joker.txt'; here the file is in a temporary folder
  and removed at the end. 原文写到作者桌面上的文件；这里写到临时目录并在结束时删除。
"""
# 当进程进行文件读写操作的时候（关键性操作的时候）需要使用锁..
from multiprocessing import Process, RLock
import multiprocessing
import os
import shutil
import tempfile


def log(lock, text):
    with lock:  # the second acquire by the same process: fine for an RLock 同一进程第二次获取
        print(multiprocessing.current_process().name, 'wrote', text.strip())


def _write(str_, lock, path):
    print(multiprocessing.current_process().name)
    # with 会自己帮你关掉
    with lock:
        # 路径   模式a:追加   编码模式: utf-8, gbk, gb2312
        with open(path, mode='a', encoding='utf8') as f:
            f.write(str_)
        log(lock, str_)


if __name__ == "__main__":
    folder = tempfile.mkdtemp(prefix='process-view-')
    path = os.path.join(folder, 'joker.txt')  # seed: /Users/joker/Desktop/joker.txt
    try:
        ps = []
        # 创建一个可重入锁
        lock = RLock()
        for i in range(10):
            p = Process(target=_write, args=('今天天气好晴朗 %d\n' % i, lock, path))
            p.start()
            ps.append(p)
        for i in ps:
            i.join()
        with open(path, encoding='utf8') as f:
            lines = f.read().splitlines()
        print('joker.txt has %d lines' % len(lines))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
