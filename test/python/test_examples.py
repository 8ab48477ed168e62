"""Every program of examples/ runs, ends by itself, leaves nothing behind, and shows what it
teaches: checked on its output when run plainly, again when run under the tracer
(`process-view record`, whose output must not differ), from the recorded events, in a debug
session paused before every multiprocessing operation (the debug adapter over stdio; output
unchanged, no process left), and (on the newest Python here) under the forkserver and spawn start
methods.

Environment knobs: PV_EXAMPLE_WORKERS (runs at a time, default 4), PV_EXAMPLES_MATRIX=all|off
(start-method runs: default on the newest Python only), PV_EXAMPLES_SPAWN=all (every example under
spawn, not a subset), PV_EXAMPLES_TRACED=0|all (no tracer or debugger runs | every example on every Python;
default: every example on the `python3` of PATH, a subset on other versions).
"""
import collections
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from test.python import examples_support as ex

NAMES = ex.example_names()


def pids_in(line):
    return [int(x) for x in re.findall(r'\d+', line)]


def find(run, prefix):
    """The lines of run's stdout that start with prefix."""
    return [l for l in run.lines if l.startswith(prefix)]


def one(tc, run, prefix):
    found = find(run, prefix)
    tc.assertEqual(len(found), 1, 'one line starting with %r expected\n%s' % (prefix, run.describe()))
    return found[0]


# ------------------------------------------------------------------------------------------------
# What each example teaches, checked on its output. Each check gets (TestCase, Run); it must
# hold for a plain run, a traced run and any start method.

CHECKS = {}


def check(name):
    def register(fn):
        assert name not in CHECKS, name
        CHECKS[name] = fn
        return fn
    return register


NAMES4 = ('qian', 'ze', 'liang', 'duoduo')


@check('01_process_function')
def _(tc, run):
    for n in NAMES4:
        tc.assertIn('%s run' % n, run.lines)
        tc.assertIn('%s run end' % n, run.lines)
    tc.assertIn('主线程', run.lines)


@check('02_process_subclass')
def _(tc, run):
    CHECKS['01_process_function'](tc, run)


def start_method(run):
    """The start method the run used: the one forced by the matrix, else this Python's default."""
    if run.mode in ('fork', 'spawn', 'forkserver'):
        return run.mode
    import multiprocessing
    return multiprocessing.get_context().get_start_method()


@check('03_pid_ppid')
def _(tc, run):
    main = pids_in(one(tc, run, '父进程>>'))[0]
    child = pids_in(one(tc, run, '子进程>>'))[0]
    os_parent = pids_in(one(tc, run, '该子进程的父进程>>'))[0]
    tc.assertEqual(one(tc, run, 'start method:'), 'start method: ' + start_method(run))
    # whoever starts a process is its parent, for multiprocessing always ...
    tc.assertEqual(pids_in(one(tc, run, 'multiprocessing.parent_process()>>'))[0], main)
    # ... and for the OS too, except under forkserver, where the fork server forks it
    if start_method(run) == 'forkserver':
        tc.assertNotEqual(os_parent, main)
    else:
        tc.assertEqual(os_parent, main)
    tc.assertNotEqual(child, main)
    tc.assertNotEqual(pids_in(one(tc, run, '父进程的父进程>>'))[0], main)


@check('04_info_title')
def _(tc, run):
    method = one(tc, run, 'start method:').split(':', 1)[1].strip()
    # fork copies the main module; spawn/forkserver re-import it as __mp_main__
    tc.assertIn('__main__' if method == 'fork' else '__mp_main__', run.lines)
    tc.assertNotEqual(pids_in(one(tc, run, 'father'))[0], pids_in(one(tc, run, 'self'))[0])
    tc.assertEqual(run.lines.index('hello python') < run.lines.index('hello word'), True)


@check('05_args_kwargs')
def _(tc, run):
    main = pids_in(one(tc, run, '主进程'))[0]
    for n in ('alex', 'wupeiqi', 'yuanhao'):  # kwargs and args reach piao(name) alike
        tc.assertIn('%s is piaoing' % n, run.lines)
        tc.assertIn('%s is piao end' % n, run.lines)
    parents = [pids_in(l) for l in run.lines if re.fullmatch(r'\d+ \d+', l)]
    tc.assertEqual(len(parents), 3)
    if start_method(run) != 'forkserver':  # (there the fork server is their OS parent, see 03)
        tc.assertEqual({p[0] for p in parents}, {main})
    tc.assertLess(run.lines.index('姑娘'), run.lines.index('来玩啊! '))
    tc.assertIn('父进程执行结束! ', run.lines)


@check('06_args_missing_comma')
def _(tc, run):
    tc.assertIn("('egon') is 'egon' - ('egon',) is ('egon',)", run.lines)
    tc.assertIn('TypeError: piao() takes 1 positional argument but 4 were given', run.stderr)
    tc.assertIn('without the comma: exitcode = 1', run.lines)  # the child died, not the parent
    tc.assertIn('with the comma:    exitcode = 0', run.lines)
    tc.assertIn('egon is piaoing', run.lines)


@check('07_memory_isolation_global')
def _(tc, run):
    tc.assertEqual(run.lines, ['子进程内:  0', '主进程内:  100'])


@check('08_memory_isolation_list')
def _(tc, run):
    main = one(tc, run, 'main ')
    child = one(tc, run, 'p ')
    tc.assertTrue(main.endswith("['a', 'b', 'c']"), main)
    tc.assertTrue(child.endswith('[1, 2, 3]'), child)
    tc.assertNotEqual(pids_in(main)[0], pids_in(child)[0])


@check('09_join_one')
def _(tc, run):
    L = run.lines
    tc.assertLess(L.index('duoduo is run end'), L.index('开始'))  # join waited for duoduo
    tc.assertLess(L.index('姑娘'), L.index('来玩啊! '))
    tc.assertEqual(L[-1], '父进程执行结束! ')
    tc.assertIn('我这里是异步的啊! ', L)


@check('10_join_many')
def _(tc, run):
    for n in ('egon', 'alex', 'yuanhao', 'wupeiqi'):
        tc.assertIn('%s is piao end' % n, run.lines)
    total, longest, joins = [float(x) for x in re.findall(r'\d+\.\d', one(tc, run, 'sum of sleeps'))]
    tc.assertGreaterEqual(joins, longest - 0.05)  # the joins waited for the slowest child
    tc.assertEqual(run.lines.index('主线程'), run.lines.index(one(tc, run, 'sum of sleeps')) - 1)


@check('11_join_in_loop_serial')
def _(tc, run):
    # Round 1: every child ends before the next one is created, so its two lines are adjacent.
    expected = []
    for i in range(10):
        expected += ['姑娘%d' % i, '来玩啊！']
    tc.assertEqual(run.lines[:20], expected)
    tc.assertTrue(run.lines[20].startswith('join inside the loop'), run.describe())
    serial = float(re.findall(r'\d+\.\d+', one(tc, run, 'join inside the loop'))[0])
    concurrent = float(re.findall(r'\d+\.\d+', one(tc, run, 'join after the loop'))[0])
    tc.assertGreaterEqual(serial, 1.0)  # ten 0.1 s sleeps, one after the other
    tc.assertLess(concurrent, serial)
    tc.assertEqual(sorted(l for l in run.lines[21:] if l.startswith(('姑娘', '来玩啊'))), sorted(expected))


@check('12_join_timeout')
def _(tc, run):
    line = one(tc, run, 'join(0.3) returned after')
    tc.assertTrue(line.endswith('is_alive=True exitcode=None'), line)  # join(timeout) did not end it
    tc.assertGreaterEqual(float(re.findall(r'\d+\.\d', line)[1]), 0.3)
    tc.assertIn('join() returned: is_alive=False exitcode=0', run.lines)
    tc.assertIn('child: done', run.lines)


@check('13_start_vs_run')
def _(tc, run):
    main = pids_in(one(tc, run, '主进程'))[0]
    taibai = one(tc, run, '太白 ')
    tc.assertIn('os.getpid()=%d self.pid=None' % main, taibai)  # run() ran in the main process
    for n in ('Jedan', 'alexDSB'):
        pid, self_pid = pids_in(one(tc, run, n + ' '))
        tc.assertEqual(pid, self_pid)
        tc.assertNotEqual(pid, main)
    tc.assertIn('p2.join(): can only join a started process', run.lines)


@check('14_terminate_is_alive')
def _(tc, run):
    tc.assertIn('duoduo is running', run.lines)
    tc.assertNotIn('duoduo is running end', run.lines)  # killed during its sleep
    tc.assertIn('after join: is_alive = False', run.lines)
    tc.assertIn('exitcode = -15', run.lines)  # SIGTERM
    tc.assertEqual(len(find(run, 'right after terminate(): is_alive =')), 1)
    # (Its 5 s sleep was cut short: 'running end' never printed. How long the run took says
    # nothing more, and on a loaded machine it says less.)


@check('15_name_and_pid')
def _(tc, run):
    tc.assertIn('before start: pid = None', run.lines)
    tc.assertIn('开始 duoduo', run.lines)
    tc.assertTrue(any(re.fullmatch(r'\d+', l) for l in run.lines))
    tc.assertIn('duoduo is running end', run.lines)
    tc.assertIn('WrongOrder name: WrongOrder-2', run.lines)  # overwritten by Process.__init__


@check('16_daemon')
def _(tc, run):
    tc.assertIn('太白正在和女主播聊天', run.lines)
    tc.assertNotIn('太白聊天结束', run.out)  # killed when the main code ended
    tc.assertEqual(run.lines[-1], '主')
    pid = pids_in(one(tc, run, 'daemon pid'))[0]
    tc.assertFalse(os.path.exists('/proc/%d' % pid) and _cmdline_mentions(pid, '16_daemon'),
                   'the daemon outlived its run')


def _cmdline_mentions(pid, text):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            return text.encode() in f.read()
    except OSError:
        return False


@check('17_daemon_no_children')
def _(tc, run):
    tc.assertEqual(run.lines, ['AssertionError: daemonic processes are not allowed to have children',
                               '主, daemon exitcode = 0'])


@check('18_zombie')
def _(tc, run):
    child = pids_in(one(tc, run, '子'))[0]
    tc.assertNotEqual(child, pids_in(one(tc, run, '主'))[0])
    if sys.platform.startswith('linux'):
        tc.assertIn('child state before join: Z (Z = zombie)', run.lines)
        tc.assertIn('child state after join: None (None = gone)', run.lines)  # join reaped it
    tc.assertIn('exitcode 0', run.lines)


@check('19_orphan')
def _(tc, run):
    father = pids_in(one(tc, run, 'im father'))[0]
    tc.assertIn('father died..', run.lines)
    child, new_parent = pids_in(one(tc, run, 'im child'))
    tc.assertNotEqual(child, father)
    tc.assertNotEqual(new_parent, father)  # adopted: by init (1) or the nearest subreaper


@check('20_no_main_guard')
def _(tc, run):
    greetings = find(run, '太白老司机~~~~')
    tc.assertEqual(len(greetings), 2)  # module-level code ran again in the spawned child
    tc.assertNotEqual(pids_in(greetings[0]), pids_in(greetings[1]))
    tc.assertIn('child exitcode: 1', run.lines)
    tc.assertIn('RuntimeError', run.stderr)
    tc.assertIn('bootstrapping phase', run.stderr)
    # one child failed; no endless spawning
    tc.assertEqual(len(re.findall(r'^RuntimeError:', run.stderr, re.M)), 1, run.stderr)


@check('21_print_without_lock')
def _(tc, run):
    for i in range(5):
        tc.assertEqual(len([l for l in run.lines if re.fullmatch(r'%d: \d+ is running' % i, l)]), 1)
        tc.assertEqual(len([l for l in run.lines if re.fullmatch(r'%d: \d+ is done' % i, l)]), 1)


@check('22_print_with_lock')
def _(tc, run):
    seen = set()
    for a, b in zip(run.lines[0::2], run.lines[1::2]):
        n, pid = re.fullmatch(r'(\d): (\d+) is running', a).groups()
        tc.assertEqual(b, '%s:%s is done' % (n, pid))  # nobody printed in between
        seen.add(n)
    tc.assertEqual(seen, set('01234'))
    tc.assertGreaterEqual(run.seconds, 5 * 0.2)  # five 0.2 s turns, one at a time


@check('23_file_write_many')
def _(tc, run):
    summary = one(tc, run, '>>>>')
    tc.assertEqual(sorted(re.findall(r"'(\d+)'", summary), key=int), [str(i) for i in range(10)])
    tc.assertTrue(summary.endswith('.....10'), summary)
    tc.assertEqual(len(find(run, '当前进程')), 10)
    tc.assertEqual(run.lines[-1], '不要钱~~~~~! ')


@check('24_ticket_without_lock')
def _(tc, run):
    tc.assertEqual(run.lines.count('剩余票数1'), 3)  # everybody read before anybody wrote
    tc.assertEqual(run.lines.count('购票成功'), 3)  # one seat, sold three times
    tc.assertIn('db after the sale: {"count": 0}', run.lines)


@check('25_ticket_with_lock')
def _(tc, run):
    tc.assertEqual(run.lines.count('购票成功'), 1)  # sold once
    tc.assertEqual(run.lines.count('sorry, 没票了亲! '), 2)
    tc.assertEqual(len(find(run, '剩余票数')), 3)
    tc.assertIn('db after the sale: {"count": 0}', run.lines)


@check('26_rlock_write')
def _(tc, run):
    wrote = [re.fullmatch(r'(\S+) wrote 今天天气好晴朗 (\d)', l) for l in run.lines if ' wrote ' in l]
    tc.assertEqual(sorted(m.group(2) for m in wrote), [str(i) for i in range(10)])
    tc.assertIn('joker.txt has 10 lines', run.lines)


@check('27_queue_basics')
def _(tc, run):
    tc.assertEqual(run.lines, ['队列已经满了', 'True', '3', '2', '1', '队列已经空了', 'True'])


@check('28_queue_full_no_consumer')
def _(tc, run):
    tc.assertEqual(run.lines.count('放入..'), 11)  # ten fit, the eleventh waits and fails
    tc.assertEqual(len(find(run, '队列满了')), 1)
    tc.assertEqual(run.lines.count('100'), 10)
    tc.assertEqual(run.lines[-1], 'queue empty again: True')


@check('29_queue_two_processes')
def _(tc, run):
    tc.assertIn('》》》》》》》》', run.lines)
    got = [l for l in run.lines if l in ('小鬼', '姑娘，多少钱~')]
    tc.assertEqual(sorted(got), sorted(['小鬼', '姑娘，多少钱~']))  # each message got exactly once


@check('30_queue_input_output')
def _(tc, run):
    gets = [re.fullmatch(r'(\d+)\(get\):(\d+)\(put\):.+', l) for l in run.lines]
    tc.assertTrue(all(gets), run.describe())
    tc.assertEqual(len(gets), 10)
    tc.assertEqual(len({m.group(1) for m in gets}), 10)  # ten getters
    tc.assertEqual(len({m.group(2) for m in gets}), 10)  # ten putters, each message once


def _eaten_and_made(run):
    made = [l.split(' 生产了 ')[1] for l in run.lines if ' 生产了 ' in l]
    eaten = [l.split(' 吃 ')[1] for l in run.lines if ' 吃 ' in l]
    return made, eaten


@check('31_producer_consumer_forever')
def _(tc, run):
    made, eaten = _eaten_and_made(run)
    tc.assertEqual(made, ['包子%d' % i for i in range(10)])
    # One consumer: in order. A prefix: it has the example's join(1) to eat the last one before it
    # is terminated, which a busy machine can starve it of.
    tc.assertTrue(eaten and eaten == made[:len(eaten)], (eaten, made))
    tc.assertIn('consumer is still blocked in q.get() on an empty queue: nobody told it to stop', run.lines)
    tc.assertIn('consumer exitcode -15', run.lines)


@check('32_producer_consumer_sentinel')
def _(tc, run):
    made, eaten = _eaten_and_made(run)
    tc.assertEqual(made, ['包子%d' % i for i in range(5)])
    tc.assertEqual(eaten, made)
    tc.assertIn('主', run.lines)


@check('33_producer_consumer_main_sentinel')
def _(tc, run):
    made, eaten = _eaten_and_made(run)
    tc.assertEqual(made, ['包子0', '包子1'])
    tc.assertEqual(eaten, made)
    tc.assertIn('主', run.lines)


@check('34_producer_consumer_many')
def _(tc, run):
    made, eaten = _eaten_and_made(run)
    expected = sorted('%s%d' % (k, i) for k in ('包子', '骨头', '泔水') for i in range(2))
    tc.assertEqual(sorted(made), expected)
    tc.assertEqual(sorted(eaten), expected)  # every message eaten exactly once
    tc.assertEqual(len({l.split()[0] for l in run.lines if ' 吃 ' in l}) <= 2, True)
    tc.assertEqual(run.lines[-1], '主')


@check('35_joinable_queue')
def _(tc, run):
    made, eaten = _eaten_and_made(run)
    expected = sorted('%s%d' % (k, i) for k in ('包子', '骨头', '泔水') for i in range(10))
    tc.assertEqual(sorted(made), expected)
    tc.assertEqual(sorted(eaten), expected)
    tc.assertEqual(run.lines[-1], '主')  # after every item was eaten (q.join in the producers)
    for k in ('包子', '骨头', '泔水'):
        tc.assertIn('%s生产结束~~~~~' % k, run.lines)


@check('36_pipe_basics')
def _(tc, run):
    tc.assertEqual(run.lines, ['Hello 妹妹', '123456'])


@check('37_pipe_both_ends')
def _(tc, run):
    out = run.out
    tc.assertIn('Process-1 发送了..', out)
    tc.assertIn('Process-1 接受了 [1, 2, 3, 4, 5, 6, 7]', out)
    tc.assertIn("main ['Joker is a good man']", out)


@check('38_pipe_eof')
def _(tc, run):
    tc.assertEqual(run.lines, ['hello', 'EOFError: every copy of parent_conn is closed', 'child exitcode 0'])


@check('39_pipe_forgot_close')
def _(tc, run):
    tc.assertEqual(run.lines[0], 'hello')
    tc.assertTrue(run.lines[1].startswith('no data and no EOF after 1 s'), run.describe())
    tc.assertNotIn('EOFError', run.out)  # the forgotten end keeps the EOF from coming
    tc.assertEqual(run.lines[-1], 'child exitcode 0')


@check('40_pipe_sentinel')
def _(tc, run):
    tc.assertEqual(run.lines, ['约吧'] * 10)


@check('41_pipe_producer_consumer')
def _(tc, run):
    tc.assertEqual(run.lines, ['c1 收到包子:%d' % i for i in range(10)] + ['主进程'])


@check('42_manager_dict_list')
def _(tc, run):
    tc.assertEqual(run.lines, ['[0, 1, 2, 3, 4, 11, 22, 33]', "{'胡旺': '牛皮', 'lalal': '大美女'}"])


@check('43_manager_with_lock')
def _(tc, run):
    tc.assertEqual(run.lines, ["{'count': 0}"])


@check('44_manager_without_lock')
def _(tc, run):
    tc.assertEqual(run.lines, ["{'count': 2} - 3 decrements, but the count only went down by 1"])


@check('45_shared_array')
def _(tc, run):
    tc.assertEqual(run.lines, ['[1, 2, 3]', '[10000, 10000, 3]'])


@check('46_shared_value')
def _(tc, run):
    tc.assertEqual(run.lines, ['counter.value = 1000'])


@check('47_semaphore_ktv')
def _(tc, run):
    users = ['user%d' % i for i in range(13)]
    tc.assertEqual(sorted(l.split()[0] for l in find(run, 'user') if '占到' in l), sorted(users))
    tc.assertEqual(sorted(l.split()[0] for l in find(run, 'user') if '走了' in l), sorted(users))
    most = pids_in(one(tc, run, 'at most'))[0]
    tc.assertGreaterEqual(most, 1)
    tc.assertLessEqual(most, 4)  # four rooms


@check('48_event_basics')
def _(tc, run):
    tc.assertEqual(run.lines, ['False', 'look here! ', 'True', 'False', 'wait(0.5) -> False',
                               'child: e.set()', 'give me! !'])


@check('49_event_traffic_lights')
def _(tc, run):
    gone = sorted(pids_in(l)[0] for l in find(run, '车开远了,car'))
    tc.assertEqual(gone, list(range(10)))  # every car got through
    tc.assertEqual(run.lines[-1], 'all cars gone; the traffic light (a daemon) is switched off now')
    tc.assertIn('预备~~~~开始!!!', run.lines)


@check('50_pool_map')
def _(tc, run):
    tc.assertIn('(1, 2)', run.lines)  # one argument per task: the tuple arrives whole
    tc.assertIn('alex', run.lines)
    tc.assertIn('squares: [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]', run.lines)
    workers = pids_in(one(tc, run, 'done by'))[0]
    tc.assertTrue(1 <= workers <= 5, workers)


@check('51_pool_vs_processes_timing')
def _(tc, run):
    t1 = float(one(tc, run, 't1>>').split()[-2])
    t2 = float(one(tc, run, 't2>>').split()[-2])
    tc.assertLess(t1, t2)  # five reused processes beat one new process per task


@check('52_pool_apply')
def _(tc, run):
    tc.assertIn('[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]', run.lines)
    tc.assertEqual(len([l for l in run.lines if l.endswith(' run')]), 10)
    secs = float(re.findall(r'\d+\.\d', one(tc, run, '10 tasks with apply'))[0])
    tc.assertGreaterEqual(secs, 1.0)  # ten 0.1 s tasks, one at a time, although 3 workers


@check('53_pool_apply_async')
def _(tc, run):
    runs = [l for l in run.lines if l.endswith(' run')]
    tc.assertEqual(len(runs), 10)
    tc.assertLessEqual(len(set(runs)), 3)  # three workers did all ten tasks
    tc.assertEqual([l for l in run.lines if not l.endswith(' run')], [str(i * i) for i in range(10)])


@check('54_pool_async_vs_sync_msg')
def _(tc, run):
    tc.assertEqual(run.lines.count('=====>'), 2)
    tc.assertEqual(len(re.findall(r'ApplyResult object at', run.out)), 10)
    tc.assertIn(str(['hello %d' % i for i in range(10)]), run.lines)
    tc.assertEqual(run.out.count('msg:'), 20)
    tc.assertEqual(run.lines[-10:], ['hello %d' % i for i in range(10)])


@check('55_pool_callback')
def _(tc, run):
    main = pids_in(one(tc, run, '主进程'))[0]
    worker = pids_in(one(tc, run, 'func1>>'))[-1]
    callback = pids_in(one(tc, run, 'func2>>'))[-1]
    tc.assertNotEqual(worker, main)
    tc.assertEqual(callback, main)  # the callback ran in the main process
    tc.assertIn('100', run.lines)


@check('56_pool_collect_results')
def _(tc, run):
    tc.assertEqual(run.lines, ['[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]'])


def _echoes(tc, run, clients):
    for i in range(clients):
        tc.assertIn('client%d << HELLO FROM CLIENT%d' % (i, i), run.out)
        tc.assertIn('client%d << CLIENT%d SAYS BYE' % (i, i), run.out)


@check('57_socket_server_processes')
def _(tc, run):
    _echoes(tc, run, 3)
    talkers = {pids_in(l)[0] for l in re.findall(r'进程pid: \d+', run.out)}
    tc.assertEqual(len(talkers), 3)  # one process per connection
    tc.assertEqual(run.lines[-1], 'server shut down')


@check('58_socket_server_pool')
def _(tc, run):
    _echoes(tc, run, 6)
    workers = {pids_in(l)[0] for l in re.findall(r'进程pid: \d+', run.out)}
    tc.assertLessEqual(len(workers), 4)  # six clients, at most four worker processes
    tc.assertEqual(re.findall(r'进程pid: \d+', run.out).__len__(), 6)
    served = pids_in(one(tc, run, '6 clients served by'))[1]
    tc.assertEqual(served, len(workers))


@check('59_pool_crawler_callback')
def _(tc, run):
    gets = [l for l in run.lines if ' get http://127.0.0.1:' in l]
    parses = [l for l in run.lines if ' parse http://127.0.0.1:' in l]
    tc.assertEqual(len(gets), 5)
    tc.assertEqual(len(parses), 5)
    parse_pids = {pids_in(l)[0] for l in parses}
    tc.assertEqual(len(parse_pids), 1)  # every callback in the one main process
    tc.assertFalse(parse_pids & {pids_in(l)[0] for l in gets})  # downloads in pool workers
    tc.assertEqual(len(find(run, 'url:<http://127.0.0.1:')), 5)
    tc.assertIn("['www.baidu.com', 'www.python.org', 'www.openstack.org', 'help.github.com', "
                "'www.sina.com.cn']", run.lines)


# Only these examples write to stderr (on purpose).
EXPECTED_STDERR = {'06_args_missing_comma', '20_no_main_guard'}


# ------------------------------------------------------------------------------------------------
# Comparing the traced run with the plain one: stdout lines as a multiset (processes print in
# racy order), after hiding pids, ports, timings and addresses, and dropping lines whose content
# is random by design.

VOLATILE_LINES = {
    '14_terminate_is_alive': [r'right after terminate\(\)'],  # timing, as the example says
    '19_orphan': [r'im child'],  # adopted by init plainly, by the run's subreaper when traced
    '23_file_write_many': [r'>>>>', r'当前进程'],  # order of the appends, file offsets
    '25_ticket_with_lock': [r'剩余票数'],  # search() reads before taking the lock: before or after a sale
    '47_semaphore_ktv': [r'at most'],
    '49_event_traffic_lights': [r'红灯亮', r'看见绿灯', r'#####', r'\*\*\*\*\*'],  # when cars arrive
    '50_pool_map': [r'done by'],
    '58_socket_server_pool': [r'clients served by'],
    '10_join_many': [r'sum of sleeps'],
}


def comparable_stdout(run):
    drop = [re.compile(p) for p in VOLATILE_LINES.get(run.name, [])]
    lines = ex.normalise(run.stdout).splitlines()
    # Lines written by different processes at the same moment may be split differently.
    text = '\n'.join(l for l in lines if not any(d.search(l) for d in drop))
    return sorted(t for t in re.split(r'\n', text) if t.strip())


TRACER_FRAME = re.compile(r'  File "[^"]*processview_tracer[^"]*", line \d+, in \w+\n(    .*\n)*?(?=  File|\w)')


# ------------------------------------------------------------------------------------------------
# What the recorded events must show. Each check gets (TestCase, Run, Events).

class Events:
    def __init__(self, run):
        self.all = run.events
        main = [e for e in self.all if e['kind'] == 'hello' and e.get('role') == 'main']
        self.main_pid = main[0]['pid'] if main else None

    def of(self, kind, **fields):
        return [e for e in self.all if e['kind'] == kind and all(e.get(k) == v for k, v in fields.items())]

    def ops(self, op, **fields):
        return self.of('channel.op', op=op, **fields)


EVENT_CHECKS = {}


def events(name):
    def register(fn):
        EVENT_CHECKS[name] = fn
        return fn
    return register


def _needs(tc, ev, what, present):
    """Skip (naming the tracer gap) when the tracer does not report `what` at all yet."""
    if not present:
        tc.skipTest('the tracer does not report %s yet' % what)


@events('01_process_function')
def _(tc, run, ev):
    created = ev.of('process.created', pid=ev.main_pid)
    tc.assertEqual(len(created), 4)
    tc.assertTrue(all(e['role'] == 'child' and not e['daemon'] for e in created))
    exits = {e['pid']: e for e in ev.of('process.exit')}
    for e in created:
        tc.assertEqual(exits[e['childPid']]['exitCode'], 0)


@events('02_process_subclass')
def _(tc, run, ev):
    created = ev.of('process.created', pid=ev.main_pid)
    tc.assertEqual(sorted(e['name'] for e in created), sorted(NAMES4))
    tc.assertEqual({e['target'] for e in created}, {'Fun.run'})


@events('03_pid_ppid')
def _(tc, run, ev):
    (created,) = ev.of('process.created', pid=ev.main_pid)
    child = pids_in(one(tc, run, '子进程>>'))[0]
    tc.assertEqual(created['childPid'], child)
    tc.assertEqual([e['ppid'] for e in ev.of('hello', pid=child)], [ev.main_pid])


@events('06_args_missing_comma')
def _(tc, run, ev):
    exits = [e for e in ev.of('process.exit') if e['pid'] != ev.main_pid]
    tc.assertEqual(sorted(e['exitCode'] for e in exits), [0, 1])
    (bad,) = [e for e in exits if e['exitCode'] == 1]
    tc.assertEqual(bad['how'], 'exception')
    tc.assertIn('TypeError', bad['error'])


@events('11_join_in_loop_serial')
def _(tc, run, ev):
    created = sorted(ev.of('process.created', pid=ev.main_pid), key=lambda e: e['t'])
    exits = {e['pid']: e['t'] for e in ev.of('process.exit')}
    first = created[:10]
    for a, b in zip(first, first[1:]):  # round 1: each child exited before the next was created
        tc.assertLess(exits[a['childPid']], b['t'])


@events('12_join_timeout')
def _(tc, run, ev):
    joins = sorted(ev.of('process.joined', pid=ev.main_pid), key=lambda e: e['t'])
    tc.assertEqual([(j['timeout'], j['stillAlive']) for j in joins], [(0.3, True), (None, False)])


@events('13_start_vs_run')
def _(tc, run, ev):
    tc.assertEqual(len(ev.of('process.created', pid=ev.main_pid)), 2)  # run() starts nothing


@events('14_terminate_is_alive')
def _(tc, run, ev):
    (sig,) = ev.of('process.signal', pid=ev.main_pid)
    tc.assertEqual((sig['signal'], sig['via']), ('SIGTERM', 'terminate'))
    tc.assertEqual([j['exitCode'] for j in ev.of('process.joined', childPid=sig['targetPid'])], [-15])


@events('16_daemon')
def _(tc, run, ev):
    (created,) = ev.of('process.created', pid=ev.main_pid)
    tc.assertTrue(created['daemon'])
    (sig,) = ev.of('process.signal', targetPid=created['childPid'])
    tc.assertEqual(sig['signal'], 'SIGTERM')  # terminated at the end of the main code
    main_exit = ev.of('process.exit', pid=ev.main_pid)[0]
    tc.assertLessEqual(sig['t'], main_exit['t'])


@events('17_daemon_no_children')
def _(tc, run, ev):
    tc.assertEqual(len(ev.of('process.created')), 1)


@events('18_zombie')
def _(tc, run, ev):
    child = pids_in(one(tc, run, '子'))[0]
    samples = getattr(run, 'samples', [])
    _needs(tc, ev, 'process-table samples', samples)
    states = [p['state'] for s in samples for p in s.get('processes', []) if p['pid'] == child]
    tc.assertIn('zombie', states)  # the sampler saw it dead but not waited for (2 s long)
    (joined,) = ev.of('process.joined', childPid=child)
    zombie_seen = [s['t'] for s in samples for p in s.get('processes', [])
                   if p['pid'] == child and p['state'] == 'zombie']
    tc.assertLess(min(zombie_seen), joined['t'])  # a zombie until join reaped it


@events('19_orphan')
def _(tc, run, ev):
    (created,) = ev.of('process.created', pid=ev.main_pid)
    tc.assertEqual(created['startMethod'], 'os.fork')
    child = created['childPid']
    tc.assertEqual(pids_in(one(tc, run, 'im child'))[0], child)
    tc.assertEqual(len(ev.of('process.adopted', childPid=child)), 1)  # re-parented, observed
    tc.assertEqual(pids_in(one(tc, run, 'im child'))[1], ev.of('process.adopted', childPid=child)[0]['pid'])


@events('20_no_main_guard')
def _(tc, run, ev):
    children = [e for e in ev.of('process.created', pid=ev.main_pid) if e['role'] == 'child']
    tc.assertEqual(len(children), 1)
    tc.assertEqual(children[0]['startMethod'], 'spawn')
    (exit_,) = ev.of('process.exit', pid=children[0]['childPid'])
    tc.assertEqual(exit_['exitCode'], 1)


@events('24_ticket_without_lock')
def _(tc, run, ev):
    _needs(tc, ev, 'Barrier waits', any(e.get('op') == 'wait' for e in ev.of('channel.op')))
    waits = ev.ops('wait')
    writes_after = min(e['t'] for e in ev.of('process.exit') if e['pid'] != ev.main_pid)
    tc.assertEqual(len(waits), 3)
    # Arrivals, not returns: a buyer who returns from the barrier late (starved) may do so after
    # another has written and exited; every arrival is before any write, which is the race shown.
    tc.assertTrue(all(w['t'] - (w.get('waitedMs') or 0) < writes_after for w in waits), (waits, writes_after))


@events('25_ticket_with_lock')
def _(tc, run, ev):
    acquires, releases = _lock_ops(tc, ev, 'lock', 'Lock acquire/release')
    tc.assertEqual((len(acquires), len(releases)), (3, 3))


@events('27_queue_basics')
def _(tc, run, ev):
    puts, gets = ev.ops('put'), ev.ops('get')
    tc.assertEqual([p['preview'] for p in puts if p.get('ok', True)], ['3', '2', '1'])
    tc.assertEqual([g['preview'] for g in gets if g.get('ok', True)], ['3', '2', '1'])
    _needs(tc, ev, 'failed put_nowait/get_nowait (Full/Empty)', [e for e in puts + gets if e.get('ok') is False])
    tc.assertEqual(len([e for e in puts if e.get('ok') is False]), 1)
    tc.assertEqual(len([e for e in gets if e.get('ok') is False]), 1)


@events('28_queue_full_no_consumer')
def _(tc, run, ev):
    puts = ev.ops('put')
    tc.assertEqual(len([p for p in puts if p.get('ok', True)]), 10)
    (failed,) = [p for p in puts if p.get('ok') is False]
    tc.assertGreaterEqual(failed['waitedMs'], 900)  # it blocked about 1 s before Full
    tc.assertEqual(len(ev.ops('get')), 10)


def _channel(e):
    """A queue's id, or a pipe's id without the end (a message sent on one end arrives on the other)."""
    return re.sub(r'^(pipe:.*):\d+$', r'\1', e['id'])


def _matched(tc, ev, count):
    """Every put/send has its get/recv: same channel, same digest, as many times."""
    sent = collections.Counter((_channel(e), e['digest']) for e in ev.ops('put') + ev.ops('send') if e.get('ok', True))
    got = collections.Counter((_channel(e), e['digest']) for e in ev.ops('get') + ev.ops('recv') if e.get('ok', True))
    tc.assertEqual(sum(sent.values()), count)
    tc.assertEqual(sent, got)


@events('29_queue_two_processes')
def _(tc, run, ev):
    _matched(tc, ev, 2)
    tc.assertEqual(len({e['pid'] for e in ev.ops('put')}), 2)  # main and f
    tc.assertEqual(len({e['pid'] for e in ev.ops('get')}), 2)  # f2 and main


@events('30_queue_input_output')
def _(tc, run, ev):
    _matched(tc, ev, 10)


@events('31_producer_consumer_forever')
def _(tc, run, ev):
    _matched(tc, ev, 10)
    (sig,) = ev.of('process.signal', pid=ev.main_pid)
    tc.assertEqual(sig['via'], 'terminate')


@events('32_producer_consumer_sentinel')
def _(tc, run, ev):
    _matched(tc, ev, 6)
    puts = sorted(ev.ops('put'), key=lambda e: e['t'])
    tc.assertEqual(puts[-1]['preview'], 'None')
    tc.assertEqual([p['preview'] for p in puts[:-1]], ["'包子%d'" % i for i in range(5)])


@events('33_producer_consumer_main_sentinel')
def _(tc, run, ev):
    _matched(tc, ev, 3)
    (none,) = [p for p in ev.ops('put') if p['preview'] == 'None']
    tc.assertEqual(none['pid'], ev.main_pid)  # the end signal came from the main process


@events('34_producer_consumer_many')
def _(tc, run, ev):
    _matched(tc, ev, 8)
    tc.assertEqual(len([p for p in ev.ops('put') if p['preview'] == 'None']), 2)


@events('35_joinable_queue')
def _(tc, run, ev):
    _needs(tc, ev, 'JoinableQueue.put', ev.ops('put'))
    _matched(tc, ev, 30)
    tc.assertEqual(len(ev.ops('task_done')), 30)
    tc.assertEqual(len(ev.ops('join')), 3)
    signalled = ev.of('process.signal', pid=ev.main_pid)
    daemons = {e['childPid'] for e in ev.of('process.created', daemon=True)}
    tc.assertEqual({s['targetPid'] for s in signalled}, daemons)  # the two consumers, killed at the end
    tc.assertEqual(len(daemons), 2)


@events('36_pipe_basics')
def _(tc, run, ev):
    _matched(tc, ev, 2)


@events('37_pipe_both_ends')
def _(tc, run, ev):
    _matched(tc, ev, 2)


@events('38_pipe_eof')
def _(tc, run, ev):
    _matched(tc, ev, 1)
    tc.assertEqual(len(ev.ops('eof')), 1)


@events('39_pipe_forgot_close')
def _(tc, run, ev):
    _matched(tc, ev, 1)
    tc.assertEqual(ev.ops('eof'), [])  # no EOF ever came


@events('40_pipe_sentinel')
def _(tc, run, ev):
    _matched(tc, ev, 11)
    tc.assertEqual(sorted(ev.ops('send'), key=lambda e: e['t'])[-1]['preview'], 'None')


@events('41_pipe_producer_consumer')
def _(tc, run, ev):
    _matched(tc, ev, 10)
    (eof,) = ev.ops('eof')
    tc.assertNotEqual(eof['pid'], ev.main_pid)


def _lock_ops(tc, ev, channel, what):
    ids = [c['id'] for c in ev.of('channel.created', channel=channel)]
    _needs(tc, ev, what, ids and ev.ops('acquire'))
    tc.assertEqual(len(ids), 1)
    return ev.ops('acquire', id=ids[0]), ev.ops('release', id=ids[0])


@events('22_print_with_lock')
def _(tc, run, ev):
    acquires, releases = _lock_ops(tc, ev, 'lock', 'Lock acquire/release')
    tc.assertEqual((len(acquires), len(releases)), (5, 5))
    tc.assertEqual(len({e['pid'] for e in acquires}), 5)
    # one holder at a time: each keeps the lock 0.2 s, so acquisitions are at least that far apart
    times = sorted(e['t'] for e in acquires)
    tc.assertGreaterEqual(min(b - a for a, b in zip(times, times[1:])), 150, times)


@events('26_rlock_write')
def _(tc, run, ev):
    acquires, releases = _lock_ops(tc, ev, 'rlock', 'RLock acquire/release')
    tc.assertEqual((len(acquires), len(releases)), (20, 20))  # twice each, by the same process
    tc.assertEqual(set(collections.Counter(e['pid'] for e in acquires).values()), {2})


@events('42_manager_dict_list')
def _(tc, run, ev):
    managers = ev.of('process.created', role='manager')
    _needs(tc, ev, 'the Manager server role', managers)
    tc.assertEqual(len(managers), 1)  # one server (the tutorial started two)
    calls = [e for e in ev.ops('call') if e['pid'] != ev.main_pid]
    tc.assertEqual(sorted(e['detail']['method'] for e in calls), ['__setitem__'] * 2 + ['append'] * 3)


@events('43_manager_with_lock')
def _(tc, run, ev):
    acquires, releases = _lock_ops(tc, ev, 'lock', 'Lock acquire/release')
    tc.assertEqual(len(acquires), 20)
    calls = [e['detail']['method'] for e in ev.ops('call') if e['pid'] != ev.main_pid]
    tc.assertEqual(collections.Counter(calls), {'__getitem__': 20, '__setitem__': 20})


@events('44_manager_without_lock')
def _(tc, run, ev):
    calls = sorted((e for e in ev.ops('call') if e['pid'] != ev.main_pid), key=lambda e: e['t'])
    _needs(tc, ev, 'Manager proxy calls', calls)
    methods = [e['detail']['method'] for e in calls]
    tc.assertEqual(methods, ['__getitem__'] * 3 + ['__setitem__'] * 3)  # all read before any wrote
    tc.assertEqual({e['preview'] for e in calls if e['detail']['method'] == '__setitem__'},
                   {"__setitem__('count', 2)"})  # three writes of the same stale value


@events('45_shared_array')
def _(tc, run, ev):
    arrays = ev.of('channel.created', channel='array')
    _needs(tc, ev, 'Array creation', arrays)
    tc.assertEqual([(e['pid'], e['detail']['length'], e['detail']['initial']) for e in arrays], [(ev.main_pid, 3, '[1, 2, 3]')])
    # m[i] = 10000 locks the Array for its own write: that is no operation of the program's, and
    # its lock is no channel of its own.
    tc.assertEqual(ev.of('channel.op', id=arrays[0]['id']), [])
    tc.assertEqual(ev.of('channel.created', channel='rlock'), [])


@events('46_shared_value')
def _(tc, run, ev):
    values = ev.of('channel.created', channel='value')
    _needs(tc, ev, 'Value creation', values)
    tc.assertEqual([(e['pid'], e['detail']['initial']) for e in values], [(ev.main_pid, '0')])
    # `with counter.get_lock():` is the Value's own lock, reported on the Value: 4 × 250 turns,
    # never two holders at once; `counter.value` reads and writes are not reported.
    acquires, releases = ev.ops('acquire', id=values[0]['id']), ev.ops('release', id=values[0]['id'])
    tc.assertEqual((len(acquires), len(releases)), (1000, 1000))
    tc.assertEqual(sorted(collections.Counter(e['pid'] for e in acquires).values()), [250] * 4)
    tc.assertEqual([c['channel'] for c in ev.of('channel.created')], ['value'])
    holder = None
    for e in sorted(acquires + releases, key=lambda e: (e['t'], e['op'] == 'acquire')):
        if e['op'] == 'acquire':
            tc.assertIsNone(holder)
            holder = e['pid']
        else:
            tc.assertEqual(holder, e['pid'])
            holder = None


@events('47_semaphore_ktv')
def _(tc, run, ev):
    acquires, releases = _lock_ops(tc, ev, 'semaphore', 'Semaphore acquire/release')
    tc.assertEqual((len(acquires), len(releases)), (13, 13))
    tc.assertEqual(len({e['pid'] for e in acquires}), 13)


@events('48_event_basics')
def _(tc, run, ev):
    waits = sorted(ev.ops('wait'), key=lambda e: e['t'])
    _needs(tc, ev, 'Event set/wait', waits)
    tc.assertEqual([w.get('ok') for w in waits], [False, True])  # timed out, then woken by set()
    sets = [e for e in ev.ops('set') if e['pid'] != ev.main_pid]
    tc.assertEqual(len(sets), 1)  # the child switched it on
    # The set is stamped before it can wake anyone: the wait it ended returns after it, on any load.
    tc.assertLessEqual(sets[0]['t'], waits[1]['t'])


@events('49_event_traffic_lights')
def _(tc, run, ev):
    (light,) = ev.of('process.created', daemon=True)
    tc.assertEqual([s['signal'] for s in ev.of('process.signal', targetPid=light['childPid'])], ['SIGTERM'])
    switches = ev.ops('set') + ev.ops('clear')
    if switches:  # only the traffic light switches the Event
        tc.assertEqual({e['pid'] for e in switches}, {light['childPid']})


@events('50_pool_map')
def _(tc, run, ev):
    workers = ev.of('process.created', role='pool-worker')
    _needs(tc, ev, 'the pool-worker role', workers)
    tc.assertEqual(len(workers), 5)
    submits = ev.ops('submit')
    tc.assertEqual([s['detail']['tasks'] for s in submits], [2, 10])
    tc.assertEqual(len(ev.ops('result')), 12)


@events('52_pool_apply')
def _(tc, run, ev):
    _needs(tc, ev, 'pool tasks', ev.ops('submit'))
    submits = sorted(ev.ops('submit'), key=lambda e: e['t'])
    tc.assertEqual([(s['detail']['method'], s['detail']['tasks']) for s in submits], [('apply', 1)] * 10)
    tc.assertEqual(len(ev.ops('result')), 10)
    # synchronous: each task (0.1 s) is submitted only once the previous one is done
    gaps = [b['t'] - a['t'] for a, b in zip(submits, submits[1:])]
    tc.assertGreaterEqual(min(gaps), 90, gaps)


@events('53_pool_apply_async')
def _(tc, run, ev):
    _needs(tc, ev, 'pool tasks', ev.ops('submit'))
    # Each result after its own submit (a task can finish before the tenth is submitted: its
    # sleep can be ~0 and the main loop can wait for the GIL, so no order across jobs is asserted).
    submitted = {e['detail']['job']: e['t'] for e in ev.ops('submit')}
    results = {e['detail']['job']: e['t'] for e in ev.ops('result')}
    tc.assertEqual(len(submitted), 10)
    tc.assertEqual(sorted(results), sorted(submitted))
    tc.assertTrue(all(results[j] > submitted[j] for j in submitted), (submitted, results))
    tc.assertEqual(sorted(int(e['preview']) for e in ev.ops('result')), [i * i for i in range(10)])


@events('55_pool_callback')
def _(tc, run, ev):
    _needs(tc, ev, 'pool callbacks', ev.ops('callback'))
    (cb,) = ev.ops('callback')
    tc.assertEqual(cb['pid'], ev.main_pid)  # the callback ran in the main process
    (res,) = ev.ops('result')
    tc.assertEqual(res['preview'], '100')


@events('58_socket_server_pool')
def _(tc, run, ev):
    _needs(tc, ev, 'the pool-worker role', ev.of('process.created', role='pool-worker'))
    tc.assertEqual(len(ev.of('process.created', role='pool-worker')), 4)
    tc.assertEqual(len(ev.ops('submit')), 6)


@events('59_pool_crawler_callback')
def _(tc, run, ev):
    _needs(tc, ev, 'pool callbacks', ev.ops('callback'))
    tc.assertEqual({e['pid'] for e in ev.ops('callback')}, {ev.main_pid})
    tc.assertEqual(len(ev.ops('callback')), 5)


@events('57_socket_server_processes')
def _(tc, run, ev):
    tc.assertEqual(len(ev.of('process.created', pid=ev.main_pid)), 6)  # 3 clients + 3 talkers


# ------------------------------------------------------------------------------------------------
# The test cases


class Common:
    def assert_finished_cleanly(self, run):
        # It ended by itself: not killed by the harness's deadline (ex.TIMEOUT, a hang guard). An
        # example takes a few seconds on an idle machine; how long says nothing on a loaded one.
        self.assertNotIn(ex.KILLED, run.stderr, 'an example must end by itself\n' + run.describe())
        self.assertEqual(run.returncode, 0, run.describe())
        self.assertEqual(run.leftovers, [], 'files left in the working directory')
        if run.name not in EXPECTED_STDERR and run.mode != 'traced':
            self.assertEqual(run.stderr, '', run.describe())


def _plain_test(name):
    def test(self):
        run = ex.all_runs('plain')[name]
        self.assert_finished_cleanly(run)
        CHECKS[name](self, run)
    return test


# The tracer runs every example on the main Python (the `python3` on PATH); on the other versions
# `npm test` runs this suite with, a subset covering each kind of lesson keeps the suite quick
# (PV_EXAMPLES_TRACED=all runs every example everywhere).
TRACED_SUBSET = {
    '03_pid_ppid', '06_args_missing_comma', '12_join_timeout', '16_daemon', '18_zombie', '19_orphan',
    '20_no_main_guard', '24_ticket_without_lock', '32_producer_consumer_sentinel', '35_joinable_queue',
    '38_pipe_eof', '44_manager_without_lock', '47_semaphore_ktv', '48_event_basics',
    '55_pool_callback', '57_socket_server_processes',
}


def _traced_only():
    if os.environ.get('PV_EXAMPLES_TRACED') == 'all' or _is_path_python3():
        return None
    return TRACED_SUBSET


def _is_path_python3():
    """True when this interpreter is the version `python3` on PATH runs."""
    exe = shutil.which('python3')
    if not exe:
        return False
    try:
        out = subprocess.run([exe, '-c', 'import sys; print(sys.version_info[:2])'], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=30).stdout.decode().strip()
    except (OSError, subprocess.SubprocessError):
        return False
    return out == str(sys.version_info[:2])


def _traced_test(name):
    def test(self):
        runs = self.traced()
        if name not in runs:
            self.skipTest('traced: subset on this Python (PV_EXAMPLES_TRACED=all for every example)')
        run = runs[name]
        plain = ex.all_runs('plain')[name]
        self.assert_finished_cleanly(run)
        CHECKS[name](self, run)
        self.assertEqual(run.returncode, plain.returncode)
        self.assertEqual(comparable_stdout(run), comparable_stdout(plain),
                         'the tracer changed what the example prints\n' + run.describe())
        self.assertIsNotNone(run.end, 'the recording has no end line')
        stats = run.end.get('stats') or {}
        self.assertEqual((stats.get('refused', 0), stats.get('rejected', 0)), (0, 0), stats)
        errors = Events(run).of('tracer.error')
        if errors and all(re.match(r'(Full|Empty)\b', e['message']) and e.get('where') in ('Queue.put', 'Queue.get')
                          for e in errors):
            self.skipTest('tracer bug (reported): queue.Full/queue.Empty raised by put_nowait/get_nowait '
                          'is reported as a tracer.error instead of a put/get with ok=false')
        self.assertEqual(errors, [])
        self.assertEqual(Events(run).of('tracer.dropped'), [])
        err, plain_err = ex.normalise(run.stderr), ex.normalise(plain.stderr)
        if err != plain_err and ex.normalise(TRACER_FRAME.sub('', run.stderr)) == plain_err:
            self.skipTest('tracer bug (reported): its own frames show up in the tracebacks the '
                          'example prints; otherwise stdout, stderr and exit code are unchanged')
        self.assertEqual(err, plain_err, 'the tracer changed what the example writes to stderr')
    return test


def _events_test(name):
    def test(self):
        runs = self.traced()
        if name not in runs:
            self.skipTest('traced: subset on this Python (PV_EXAMPLES_TRACED=all for every example)')
        run = runs[name]
        self.assertEqual(run.returncode, 0, run.describe())
        EVENT_CHECKS[name](self, run, Events(run))
    return test


class TestExamples(unittest.TestCase, Common):
    """Each example run plainly with this Python and its default start method."""

    def test_every_example_is_checked_and_documented(self):
        self.assertGreaterEqual(len(NAMES), 50)
        self.assertEqual(sorted(CHECKS), NAMES)
        with open(os.path.join(ex.EXAMPLES, 'README.md'), encoding='utf-8') as f:
            readme = f.read()
        for name in NAMES:
            self.assertIn(name + '.py', readme)

    def test_every_example_has_a_bilingual_header(self):
        for name in NAMES:
            with open(ex.example_path(name), encoding='utf-8') as f:
                src = f.read()
            header = src.split('"""')[1]
            for needle in ('Shows / 演示', 'In Process View / 在 Process View 里看', 'Tutorial / 教程'):
                self.assertIn(needle, header, name)
            if name != '20_no_main_guard':  # the one that shows what happens without it
                self.assertRegex(src, r"\nif __name__ == ['\"]__main__['\"]:", name)

    def test_examples_folder_stays_clean(self):
        ex.all_runs('plain')
        left = [p for p in glob.glob(os.path.join(ex.EXAMPLES, '**'), recursive=True)
                if not p.endswith(('.py', 'README.md', '.lesson.json')) and os.path.isfile(p)]  # lessons: issue 17
        left += glob.glob(os.path.join(ex.EXAMPLES, '__pycache__'))
        self.assertEqual(left, [], 'examples/ ships in the VSIX: runs must not leave files there')


for _name in NAMES:
    setattr(TestExamples, 'test_' + _name, _plain_test(_name))


class TestExamplesTraced(unittest.TestCase, Common):
    """Each example under `process-view record`: same output, and the events show the lesson."""

    @classmethod
    def setUpClass(cls):
        if os.environ.get('PV_EXAMPLES_TRACED', '1') == '0':
            raise unittest.SkipTest('PV_EXAMPLES_TRACED=0')
        reason = ex.tracer_unavailable_reason()
        if reason:
            raise unittest.SkipTest(reason)

    def traced(self):
        return ex.all_runs('traced', only=_traced_only())


for _name in NAMES:
    setattr(TestExamplesTraced, 'test_' + _name, _traced_test(_name))
for _name in EVENT_CHECKS:
    setattr(TestExamplesTraced, 'test_' + _name + '_events', _events_test(_name))


def _debugged_test(name, mode):
    def test(self):
        if mode == 'stepped' and _traced_only() is not None:
            self.skipTest('stepped: on the python3 of PATH (PV_EXAMPLES_TRACED=all for every Python)')
        runs = ex.all_runs(mode, only=_traced_only())
        if name not in runs:
            self.skipTest('debugged: subset on this Python (PV_EXAMPLES_TRACED=all for every example)')
        run = runs[name]
        plain = ex.all_runs('plain')[name]
        self.assertEqual(run.problems, [], run.describe() + '\n--- adapter ---\n' + run.adapter_stderr[-3000:])
        self.assertEqual(run.returncode, plain.returncode, run.describe())
        self.assertEqual(run.leftovers, [], 'files left in the working directory')
        self.assertGreater(run.stops, 0, 'no stop before any operation\n' + run.describe())
        if name in TIMED and mode == 'stepped':
            return  # what it prints depends on how long its steps take (it says so)
        CHECKS[name](self, run)
        self.assertEqual(comparable_stdout(run), comparable_stdout(plain),
                         'the debugger changed what the example prints\n' + run.describe())
        self.assertEqual(ex.normalise(TRACER_FRAME.sub('', run.stderr)), ex.normalise(plain.stderr),
                         'the debugger changed what the example writes to stderr\n' + run.describe())
    return test


# Examples whose output follows the clock (a traffic light that changes every few seconds): a
# run stepped line by line prints another story, and says nothing about the debugger.
TIMED = {'49_event_traffic_lights'}


class TestExamplesDebugged(unittest.TestCase):
    """Each example in a debug session (the debug adapter over stdio, as VS Code drives it), paused
    before every multiprocessing operation in every process and continued at once ('debugged'),
    or stepped into line by line from its first line in every process ('stepped'): it ends by
    itself, prints what it prints plainly, shows its lesson, and leaves no process behind."""

    @classmethod
    def setUpClass(cls):
        TestExamplesTraced.setUpClass.__func__(cls)  # the same needs: the CLI built, not turned off


for _name in NAMES:
    setattr(TestExamplesDebugged, 'test_' + _name, _debugged_test(_name, 'debugged'))
    setattr(TestExamplesDebugged, 'test_' + _name + '_stepped', _debugged_test(_name, 'stepped'))


def _newest_python_here():
    """True when no newer CPython than this one is installed next to it (pyenv)."""
    root = os.path.join(os.path.expanduser('~'), '.pyenv', 'versions')
    versions = []
    for v in glob.glob(os.path.join(root, '3.*')):
        m = re.match(r'3\.(\d+)', os.path.basename(v))
        if m and os.path.exists(os.path.join(v, 'bin', 'python3')):
            versions.append(int(m.group(1)))
    return not versions or sys.version_info[1] >= max(versions)


def _matrix_enabled():
    setting = os.environ.get('PV_EXAMPLES_MATRIX', 'auto')
    if setting == 'off':
        return False
    return setting == 'all' or _newest_python_here()


# spawn starts a fresh interpreter per process: slow on a busy 2-core machine. By default only the
# examples where spawn changes something (objects pickled to children, module re-import, servers)
# run under it; PV_EXAMPLES_SPAWN=all runs every one.
SPAWN_SUBSET = {
    '04_info_title', '13_start_vs_run', '14_terminate_is_alive', '16_daemon', '20_no_main_guard',
    '24_ticket_without_lock', '25_ticket_with_lock', '28_queue_full_no_consumer',
    '32_producer_consumer_sentinel', '35_joinable_queue', '38_pipe_eof', '39_pipe_forgot_close',
    '41_pipe_producer_consumer', '42_manager_dict_list', '44_manager_without_lock', '45_shared_array',
    '48_event_basics', '55_pool_callback', '57_socket_server_processes', '58_socket_server_pool',
    '59_pool_crawler_callback',
}


def _method_test(name, method):
    def test(self):
        if method == 'spawn' and os.environ.get('PV_EXAMPLES_SPAWN') != 'all' and name not in SPAWN_SUBSET:
            self.skipTest('spawn runs a subset by default (PV_EXAMPLES_SPAWN=all for every example)')
        runs = ex.all_runs(method, only=None if method != 'spawn' or os.environ.get('PV_EXAMPLES_SPAWN') == 'all'
                           else SPAWN_SUBSET)
        run = runs[name]
        self.assert_finished_cleanly(run)
        CHECKS[name](self, run)
    return test


@unittest.skipUnless(sys.platform.startswith('linux') or sys.platform == 'darwin', 'POSIX start methods')
class TestExamplesForkserver(unittest.TestCase, Common):
    """forkserver: the default start method on Linux from Python 3.14."""

    @classmethod
    def setUpClass(cls):
        if not _matrix_enabled():
            raise unittest.SkipTest('start-method matrix runs on the newest Python here '
                                    '(PV_EXAMPLES_MATRIX=all to force)')


class TestExamplesSpawn(unittest.TestCase, Common):
    """spawn: the default on Windows and macOS; each child imports the example afresh."""

    @classmethod
    def setUpClass(cls):
        TestExamplesForkserver.setUpClass.__func__(cls)


for _name in NAMES:
    setattr(TestExamplesForkserver, 'test_' + _name, _method_test(_name, 'forkserver'))
    setattr(TestExamplesSpawn, 'test_' + _name, _method_test(_name, 'spawn'))


# ------------------------------------------------------------------------------------------------
# The zombie, watched live: the child must be in state Z while the parent sleeps, and gone after
# join. (The example also reports this itself; here it is seen from outside, like `ps` would.)

def _proc_state(pid):
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0]
    except OSError:
        return None


@unittest.skipUnless(sys.platform.startswith('linux'), '/proc is Linux')
class TestZombieLive(unittest.TestCase):
    def watch(self, cmd):
        env = ex.base_env()  # block-buffered: the example flushes its pid lines, whole
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                start_new_session=True, cwd=ex.EXAMPLES)
        try:
            child = None
            deadline = time.monotonic() + 20
            while child is None and time.monotonic() < deadline:
                line = proc.stdout.readline().decode('utf-8')
                if not line:
                    break
                if line.startswith('子 '):
                    child = int(line.split()[1])
            self.assertIsNotNone(child, 'the example never printed its child pid')
            # The parent waits until the child has exited, then sleeps 2 s before joining it: it
            # is a zombie for those 2 s. Poll until then (Z), or until it is gone (missed).
            states = []
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                states.append(_proc_state(child))
                if states[-1] in ('Z', None):
                    break
                time.sleep(0.02)
            self.assertEqual(states[-1], 'Z', 'child %d never became a zombie: %s' % (child, states))
            rest, err = proc.communicate(timeout=30)
            self.assertEqual(proc.returncode, 0, err)
            self.assertIn('child state before join: Z', rest.decode('utf-8'))
            self.assertNotEqual(_proc_state(child), 'Z')  # join reaped it
        finally:
            ex._kill_group(proc.pid)
            proc.communicate()

    def test_zombie_plain(self):
        self.watch([sys.executable, ex.example_path('18_zombie')])

    def test_zombie_traced(self):
        reason = os.environ.get('PV_EXAMPLES_TRACED') == '0' and 'PV_EXAMPLES_TRACED=0' or ex.tracer_unavailable_reason()
        if reason:
            self.skipTest(reason)
        rec = os.path.join(tempfile.mkdtemp(prefix='pv-zombie-'), 'run.jsonl')
        try:
            self.watch([shutil.which('node'), ex.CLI_BIN, 'record', '--quiet', '--python', sys.executable,
                        '--out', rec, ex.example_path('18_zombie')])
        finally:
            shutil.rmtree(os.path.dirname(rec), ignore_errors=True)


if __name__ == '__main__':
    unittest.main()
