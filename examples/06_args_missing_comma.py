"""
06 - The missing comma: args=('egon') is a string, not a tuple
少了逗号：args=('egon') 是字符串，不是元组

Shows / 演示:
  ('egon') is just the string 'egon'. Process calls target(*args), so piao gets four arguments
  'e', 'g', 'o', 'n' and the CHILD dies with TypeError (exit code 1). The parent goes on; the
  traceback appears on stderr, printed by the child. ('egon',) with the comma works.
  ('egon') 只是字符串，Process 会执行 target(*args)，于是 piao 收到 4 个参数，子进程抛出 TypeError，
  退出码 1；父进程照常运行。加上逗号 ('egon',) 才是元组。
In Process View / 在 Process View 里看:
  Process-1 exits with code 1 (an exception), Process-2 exits with 0; the traceback is the child's.
  第一个子进程退出码为 1（异常），第二个为 0。
Tutorial / 教程:
  seed 000 "二 Process类的介绍 · 强调: args ... 是一个元组形式，必须有逗号" and "#必须加,号".
"""
from multiprocessing import Process


def piao(name):
    print('%s is piaoing' % name)


if __name__ == '__main__':
    print("('egon') is", repr(('egon')), "- ('egon',) is", repr(('egon',)))

    wrong = Process(target=piao, args=('egon'))  # 没有逗号: a str, unpacked letter by letter
    wrong.start()
    wrong.join()
    print('without the comma: exitcode =', wrong.exitcode)  # 1: TypeError in the child

    right = Process(target=piao, args=('egon',))  # 必须加,号
    right.start()
    right.join()
    print('with the comma:    exitcode =', right.exitcode)  # 0
