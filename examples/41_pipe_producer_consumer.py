"""
41 - Producer and consumer over a Pipe, each closing the end it does not use
用管道实现生产者消费者：各自关闭不用的一端

Shows / 演示:
  The consumer (child c1) closes `produce`, the producer (the main process) closes `consume`.
  When the producer has sent its ten 包子 and closes `produce`, no copy of it is open anywhere,
  so the consumer's recv() raises EOFError and it stops.
  消费者关闭 produce 端，生产者（主进程）关闭 consume 端。生产者发完 10 个包子并关闭 produce 后，
  任何地方都没有打开的 produce，消费者的 recv() 抛出 EOFError 并停止。
In Process View / 在 Process View 里看:
  Ten messages main -> c1, the closes in both processes, then EOF in c1.
  十条消息从主进程到 c1，两边的 close，然后 c1 收到 EOF。
Tutorial / 教程:
  seed 001 "6.管道" (consumer(p, name) / producer(seq, p), 包子).
"""
from multiprocessing import Process, Pipe


def consumer(p, name):
    produce, consume = p
    produce.close()
    while True:
        try:
            baozi = consume.recv()
            print('%s 收到包子:%s' % (name, baozi))
        except EOFError:
            break


def producer(seq, p):
    produce, consume = p
    consume.close()
    for i in seq:
        produce.send(i)


if __name__ == '__main__':
    produce, consume = Pipe()

    c1 = Process(target=consumer, args=((produce, consume), 'c1'))
    c1.start()

    seq = (i for i in range(10))
    producer(seq, (produce, consume))

    produce.close()
    consume.close()

    c1.join()
    print('主进程')
