"""
23 - Ten processes append to one file
十个进程同时向同一个文件追加写入

Shows / 演示:
  Each child opens the file in append mode, prints where its file position is, and writes
  '姑娘N'. The parent joins them all, reads the file back and counts the numbers: all 10 are
  there (appends of a few bytes each do not tear), in whatever order the children ran.
  每个子进程以追加模式打开同一个文件并写入“姑娘N”；主进程全部 join 后统计，10 条都在，顺序不定。
In Process View / 在 Process View 里看:
  Ten short-lived children, all from one line; none of them talks to another (a shared file is
  not a message channel). 十个短命的子进程；共享文件不是消息通道。
Tutorial / 教程:
  seed 001 "模拟两个应用场景：1、同时对一个文件进行写操作" (can_do_girl_lists.txt).
Fixed / 修正:
  The file goes to a temporary folder (removed at the end) instead of the current directory;
  '姑娘%s%i,i' and the broken '.....'%(len(all_num)) formatting are fixed; the guard covers the
  loop (the seed's loop was outside it).
  文件写到临时目录并在结束时删除；修正了 '姑娘%s%i,i' 和 '.....'%(len(all_num)) 的格式化错误。
"""
import os
import re
import shutil
import tempfile
from multiprocessing import Process


# 多进程同时对一个文件进行写操作
def func(x, y, i):
    with open(x, 'a', encoding='utf-8') as f:
        print('当前进程%s拿到的文件的光标位置>>%s' % (os.getpid(), f.tell()))
        f.write(y)


if __name__ == '__main__':
    folder = tempfile.mkdtemp(prefix='process-view-')
    path = os.path.join(folder, 'can_do_girl_lists.txt')
    try:
        p_list = []
        for i in range(10):
            p = Process(target=func, args=(path, '姑娘%s' % i, i))
            p_list.append(p)
            p.start()

        [ap.join() for ap in p_list]  # 这就是个for循环，只不过用列表生成式的形式写的
        with open(path, 'r', encoding='utf-8') as f:
            data = f.read()
        all_num = re.findall(r'\d+', data)  # 每个数据都有个数字，所以re匹配一下就行了
        print('>>>>', all_num, '.....%s' % len(all_num))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print('不要钱~~~~~! ')
