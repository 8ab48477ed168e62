"""A real run of the size issue 15 benchmarks: 500 processes and 100,000 messages.

The main process starts 499 workers in waves of 50 (a wave's workers live together), puts tasks
on a Queue, each worker gets tasks and puts a result on another Queue, which main gets; every
tenth task a worker takes a Lock. Half the messages are tasks, half results.

    process-view record --out run.jsonl bench/replay-workload.py [PROCESSES] [MESSAGES]
"""
import multiprocessing as mp
import sys


def worker(tasks, results, lock):
    while True:
        task = tasks.get()
        if task is None:
            return
        n, _ = task
        if n % 10 == 0:
            with lock:
                pass
        results.put([n, None, 'hello'])


def main():
    processes = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    messages = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    ctx = mp.get_context('fork' if 'fork' in mp.get_all_start_methods() else 'spawn')
    tasks, results, lock = ctx.Queue(), ctx.Queue(), ctx.Lock()
    workers = processes - 1
    wave = 50
    per_wave = (messages // 2) // ((workers + wave - 1) // wave)
    sent = 0
    started = 0
    while started < workers:
        crew = [ctx.Process(target=worker, args=(tasks, results, lock)) for _ in range(min(wave, workers - started))]
        for p in crew:
            p.start()
        started += len(crew)
        todo = min(per_wave, messages // 2 - sent) if started < workers else messages // 2 - sent
        for n in range(todo):
            tasks.put((n, 'task'))
        for _ in range(todo):
            results.get()
        sent += todo
        for _ in crew:
            tasks.put(None)
        for p in crew:
            p.join()
    print('processes', started + 1, 'messages', 2 * sent)


if __name__ == '__main__':
    main()
