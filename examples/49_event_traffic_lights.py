"""
49 - Event: traffic lights and cars
事件：红绿灯与汽车

Shows / 演示:
  One process is the traffic light: every 0.3 s it flips the Event (set = green, clear = red).
  Ten car processes arrive one after another; a car at a red light waits on e.wait(), drives
  off when it sees green, and if the light turned red again while it was starting, it waits
  for the next green. When every car has driven off, the main code ends and the traffic light,
  a daemon process, is switched off with it.
  红绿灯是一个进程，每 0.3 秒切换一次 Event（set 为绿灯，clear 为红灯）。十辆车陆续到达，红灯时在 e.wait()
  上等待，看到绿灯就开走；起步时又变红就等下一个绿灯。所有车都开走后主进程结束，红绿灯是守护进程，随之关闭。
In Process View / 在 Process View 里看:
  Many cars asleep in wait() on the Event; each set() by the light wakes them together; the
  light is a daemon killed at the end.
  很多车阻塞在 wait() 上；红绿灯每次 set() 同时唤醒它们；红绿灯是守护进程，最后被终止。
Tutorial / 教程:
  seed 001 "9.事件" (car(e, n), traffic_lights(e, interval)).
Fixed / 修正:
  `random.random(1, 3)` is a TypeError (random() takes no arguments): random.uniform is meant.
  The light ran forever (`while True`), so the program never ended: it is now a daemon and the
  main process joins the cars. Times are a twentieth of the tutorial's (light: 0.3 s, not 5 s).
  The light process starts before the cars, so early cars do not wait for nothing.
  random.random(1, 3) 会抛出 TypeError，应为 random.uniform；红绿灯 while True 永不结束，程序无法退出：
  现在它是守护进程，主进程 join 所有汽车。时间缩短为原文的约 1/20。
"""
from multiprocessing import Process, Event
import time
import random


def car(e, n):
    while True:
        if not e.is_set():  # 进程刚开启，is_set()的值是False，模拟信号灯为红色
            print('\033[31m红灯亮\033[0m, car%s等着' % n)
            e.wait()  # 阻塞，等待is_set()的值变成True，模拟信号灯为绿色
            print('\033[32m车%s 看见绿灯亮了\033[0m' % n)
            time.sleep(random.randint(2, 4) / 20)  # tutorial: 2-4 s; shorter than a green phase
            if not e.is_set():  # 如果is_set()的值是False，也就是红灯，仍然回到while语句开始
                continue
        print('车开远了,car', n)
        break


def traffic_lights(e, interval):
    while True:
        time.sleep(interval)
        if e.is_set():
            print('#####', e.is_set())
            e.clear()  # ---->将is_set()的值设置为False
        else:
            e.set()  # ---->将is_set()的值设置为True
            print('*****', e.is_set())


if __name__ == '__main__':
    e = Event()
    # 信号灯必须是单独的进程，因为它不管你车开到哪了，我就按照我红绿灯的规律来闪烁变换
    t = Process(target=traffic_lights, args=(e, 0.3), daemon=True)  # 创建一个进程控制红绿灯
    t.start()
    print('预备~~~~开始!!!')

    cars = []
    for i in range(10):
        p = Process(target=car, args=(e, i))  # 创建10个进程控制10辆车
        time.sleep(random.uniform(1, 3) / 20)  # 车不是一下子全过来 (seed: random.random(1, 3))
        p.start()
        cars.append(p)

    for p in cars:
        p.join()
    print('all cars gone; the traffic light (a daemon) is switched off now')
