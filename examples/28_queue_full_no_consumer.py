"""
28 - A producer with no consumer: the bounded queue fills up and put() blocks
只有生产者、没有消费者：有界队列被放满，put() 阻塞

Shows / 演示:
  func1 puts 100 into a Queue(maxsize=10) forever. Nobody takes anything out ("一定是要一个放,
  一个取"), so after ten puts the queue is full and put() blocks. With timeout=1, put raises
  queue.Full after waiting 1 s; the producer reports it and stops. Then the consumer func2
  (commented out in the tutorial) drains the ten items, so the program ends.
  func1 不停地往 maxsize=10 的队列里放 100，没人取，放满 10 个后 put() 阻塞；timeout=1 时等 1 秒后抛出
  queue.Full，生产者报告后停止。然后消费者 func2 取走这 10 个，程序结束。
In Process View / 在 Process View 里看:
  Ten puts, then one put that waited 1 s and failed (Full); the producer sleeping while it
  blocks; then ten gets by the consumer. 十次 put，一次等待 1 秒后失败的 put，然后消费者的十次 get。
Tutorial / 教程:
  seed 002 "queue" (func1 / func2, maxsize=10).
Fixed / 修正:
  The seed's producer loops forever (its put(timeout=3) then dies with an uncaught queue.Full);
  here it catches Full and stops, and the queue is created under the guard and passed as an
  argument (a module-level Queue is a different queue in each spawned child).
  原文的生产者无限循环（最终以未捕获的 queue.Full 崩溃）；这里捕获 Full 后停止。队列在 __main__ 中创建并作为参数传入。
"""
import multiprocessing
import queue
import time

# https://docs.python.org/zh-cn/3/library/queue.html#queue.Queue.task_done


def func1(queue_):
    while 1:
        print('放入..')
        try:
            queue_.put(100, timeout=1)  # tutorial: timeout=3
        except queue.Full:
            print('队列满了: put() waited 1 s and gave up (nobody is taking items out)')
            break


def func2(queue_, n):
    for _ in range(n):
        res = queue_.get()
        print(res)


if __name__ == "__main__":
    # 一定是要一个放,一个取
    # maxsize 设置队列的最大长度.
    queue_ = multiprocessing.Queue(maxsize=10)
    p1 = multiprocessing.Process(target=func1, args=(queue_,))
    p1.start()
    p1.join()

    time.sleep(0.1)
    p2 = multiprocessing.Process(target=func2, args=(queue_, 10))
    p2.start()
    p2.join()
    print('queue empty again:', queue_.empty())
