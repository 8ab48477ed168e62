"""The language server's analyzer: each mistake the seeds warn about is found, fixes apply
cleanly, and correct programs (all of examples/) get no warnings or errors."""
import glob
import json
import os
import subprocess
import sys
import textwrap
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "analyzer"))
import mp_lint  # noqa: E402


def codes(src, lang="en"):
    return [f["code"] for f in mp_lint.analyze(textwrap.dedent(src), lang)]


def apply_fix(src, finding):
    """Apply a finding's edits (0-based LSP positions) to the source, last edit first."""
    lines = src.splitlines(keepends=True)
    offsets = [0]
    for l in lines:
        offsets.append(offsets[-1] + len(l))
    def off(p):
        return offsets[p["line"]] + p["character"] if p["line"] < len(lines) else offsets[-1]
    edits = sorted(finding["fix"]["edits"], key=lambda e: off(e["range"]["start"]), reverse=True)
    for e in edits:
        src = src[: off(e["range"]["start"])] + e["newText"] + src[off(e["range"]["end"]):]
    return src


class Findings(unittest.TestCase):
    def test_process_at_module_level_needs_main_guard_and_fix_wraps_it(self):
        src = textwrap.dedent("""\
            from multiprocessing import Process
            def run(name):
                print(name)
            p = Process(target=run, args=('qian',))
            p.start()
            p.join()
            """)
        found = mp_lint.analyze(src)
        self.assertEqual([f["code"] for f in found], ["main-guard", "main-guard"])
        fixed = apply_fix(src, found[0])
        self.assertIn('if __name__ == "__main__":\n    p = Process', fixed)
        compile(fixed, "fixed.py", "exec")
        self.assertEqual(codes(fixed), [])

    def test_guarded_program_is_clean(self):
        self.assertEqual(codes("""\
            from multiprocessing import Process
            def run(name):
                print(name)
            if __name__ == '__main__':
                p = Process(target=run, args=('qian',))
                p.start()
                p.join()
            """), [])

    def test_args_without_comma(self):
        src = textwrap.dedent("""\
            import multiprocessing as mp
            def run(name):
                print(name)
            if __name__ == '__main__':
                p = mp.Process(target=run, args=('egon'))
                p.start()
                p.join()
            """)
        found = mp_lint.analyze(src)
        self.assertEqual([f["code"] for f in found], ["args-not-tuple"])
        self.assertIn("('egon',)", found[0]["message"])
        fixed = apply_fix(src, found[0])
        self.assertIn("args=('egon',))", fixed)
        self.assertEqual(codes(fixed), [])

    def test_args_tuple_is_fine(self):
        self.assertEqual(codes("""\
            from multiprocessing import Process
            def f(a, b): pass
            if __name__ == '__main__':
                p = Process(target=f, args=('a', 'b'))
                p.start(); p.join()
            """), [])

    def test_daemon_after_start_and_fix_moves_it(self):
        src = textwrap.dedent("""\
            from multiprocessing import Process
            def f(): pass
            if __name__ == '__main__':
                p = Process(target=f)
                p.start()
                p.daemon = True
                p.join()
            """)
        found = mp_lint.analyze(src)
        self.assertEqual([f["code"] for f in found], ["daemon-after-start"])
        fixed = apply_fix(src, found[0])
        self.assertLess(fixed.index("p.daemon = True"), fixed.index("p.start()"))
        self.assertEqual(codes(fixed), [])

    def test_join_inside_start_loop(self):
        self.assertEqual(codes("""\
            from multiprocessing import Process
            def f(i): pass
            if __name__ == '__main__':
                for i in range(4):
                    p = Process(target=f, args=(i,))
                    p.start()
                    p.join()
            """), ["join-in-start-loop"])

    def test_join_in_second_loop_is_fine(self):
        self.assertEqual(codes("""\
            from multiprocessing import Process
            def f(i): pass
            if __name__ == '__main__':
                ps = []
                for i in range(4):
                    p = Process(target=f, args=(i,))
                    p.start()
                    ps.append(p)
                for p in ps:
                    p.join()
            """), [])

    def test_never_joined(self):
        self.assertEqual(codes("""\
            from multiprocessing import Process
            import time
            def f(): pass
            if __name__ == '__main__':
                p = Process(target=f)
                p.start()
                time.sleep(1)
            """), ["never-joined"])

    def test_daemon_needs_no_join(self):
        self.assertEqual(codes("""\
            from multiprocessing import Process
            def f(): pass
            if __name__ == '__main__':
                p = Process(target=f, daemon=True)
                p.start()
            """), [])

    def test_pool_join_before_close_and_fix(self):
        src = textwrap.dedent("""\
            from multiprocessing import Pool
            def f(x): return x * x
            if __name__ == '__main__':
                pool = Pool(3)
                res = pool.map(f, range(10))
                pool.join()
            """)
        found = mp_lint.analyze(src)
        self.assertEqual([f["code"] for f in found], ["pool-join-before-close"])
        fixed = apply_fix(src, found[0])
        self.assertIn("    pool.close()\n    pool.join()", fixed)
        self.assertEqual(codes(fixed), [])

    def test_consumer_without_sentinel(self):
        self.assertEqual(codes("""\
            from multiprocessing import Process, Queue
            def consumer(q):
                while True:
                    res = q.get()
                    print(res)
            """), ["consumer-no-sentinel"])

    def test_consumer_with_sentinel_or_task_done_is_fine(self):
        self.assertEqual(codes("""\
            def consumer(q):
                while True:
                    res = q.get()
                    if res is None:
                        break
            def consumer2(q):
                while True:
                    res = q.get()
                    q.task_done()
            def reader(conn):
                while True:
                    try:
                        print(conn.recv())
                    except EOFError:
                        conn.close()
                        break
            """), [])

    def test_break_in_inner_loop_does_not_end_outer(self):
        self.assertEqual(codes("""\
            def consumer(q):
                while True:
                    item = q.get()
                    for x in item:
                        if x:
                            break
            """), ["consumer-no-sentinel"])

    def test_input_in_child(self):
        self.assertEqual(codes("""\
            from multiprocessing import Process
            def ask():
                name = input('name? ')
            if __name__ == '__main__':
                p = Process(target=ask)
                p.start(); p.join()
            """), ["input-in-child"])

    def test_process_subclass_counts_as_process(self):
        self.assertEqual(codes("""\
            from multiprocessing import Process
            class Piao(Process):
                def run(self):
                    input()
            p = Piao()
            p.start()
            """), ["input-in-child", "main-guard", "main-guard", "never-joined"])

    def test_columns_count_characters_not_bytes(self):
        src = "from multiprocessing import Process\ndef f(x): pass\nif __name__ == '__main__':\n    p = Process(target=f, name='主进程', args=('x'))\n    p.start(); p.join()\n"
        found = mp_lint.analyze(src)
        self.assertEqual([f["code"] for f in found], ["args-not-tuple"])
        line = src.splitlines()[3]
        start = found[0]["range"]["start"]["character"]
        self.assertEqual(line[start:start + 5], "('x')")
        self.assertIn("args=('x',))", apply_fix(src, found[0]))

    def test_chinese_messages(self):
        found = mp_lint.analyze("from multiprocessing import Pool\nif __name__ == '__main__':\n    p = Pool()\n    p.join()\n", "zh-cn")
        self.assertIn("ValueError", found[0]["message"])
        self.assertIn("请先调用", found[0]["message"])
        self.assertEqual(found[0]["fix"]["title"], "在 join() 之前调用 close()")

    def test_syntax_error_gives_nothing_not_a_crash(self):
        self.assertEqual(codes("def f(:\n"), [])

    def test_examples_are_flagged_only_where_they_teach_a_mistake(self):
        """Our examples teach good practice: no errors, except those that show a mistake on
        purpose, which must be caught (a lesson the editor can point at)."""
        expected_errors = {"comma": "args-not-tuple"}  # file-name fragment -> the mistake it shows
        paths = sorted(glob.glob(os.path.join(ROOT, "examples", "**", "*.py"), recursive=True))
        for path in paths:
            with open(path, encoding="utf-8") as f:
                found = mp_lint.analyze(f.read())
            errors = sorted({f["code"] for f in found if f["severity"] == 1})
            name = os.path.basename(path)
            wanted = sorted({code for frag, code in expected_errors.items() if frag in name})
            with self.subTest(example=name):
                self.assertEqual(errors, wanted, path)

    def test_examples_break_the_programming_guidelines_only_where_they_teach_it(self):
        """Every example, every guideline check: 31 terminates a consumer stuck in get() (the
        mistake its lesson is about forces it), 39 forgets to close its pipe end (its lesson)."""
        guideline_codes = {"join-before-drain", "pipe-end-not-closed", "terminate-shared",
                           "acquire-without-finally", "manager-after-with", "module-level-sync-object"}
        expected = {"31_producer_consumer_forever.py": ["terminate-shared"],
                    "39_pipe_forgot_close.py": ["pipe-end-not-closed"]}
        paths = sorted(glob.glob(os.path.join(ROOT, "examples", "**", "*.py"), recursive=True))
        self.assertGreater(len(paths), 50)
        for path in paths:
            with open(path, encoding="utf-8") as f:
                found = [f["code"] for f in mp_lint.analyze(f.read()) if f["code"] in guideline_codes]
            name = os.path.basename(path)
            with self.subTest(example=name):
                self.assertEqual(found, expected.get(name, []), path)


def found_of(src, code, lang="en"):
    return [f for f in mp_lint.analyze(textwrap.dedent(src), lang) if f["code"] == code]


class JoinBeforeDrain(unittest.TestCase):
    STUCK = """\
        from multiprocessing import Process, Queue
        def f(q):
            q.put('X' * 1000000)
        if __name__ == '__main__':
            queue = Queue()
            p = Process(target=f, args=(queue,))
            p.start()
            p.join()                    # this deadlocks
            obj = queue.get()
        """

    def test_the_guidelines_example_is_found_and_the_fix_swaps_the_lines(self):
        src = textwrap.dedent(self.STUCK)
        found = found_of(src, "join-before-drain")
        self.assertEqual(len(found), 1)
        self.assertEqual(found[0]["range"]["start"]["line"], 7)
        self.assertIn("line 9", found[0]["message"])
        self.assertIn("`queue`", found[0]["message"])
        fixed = apply_fix(src, found[0])
        self.assertLess(fixed.index("obj = queue.get()"), fixed.index("p.join()"))
        compile(fixed, "fixed.py", "exec")
        self.assertEqual(codes(fixed), [])

    def test_a_list_of_producers_joined_in_a_loop_then_read(self):
        src = textwrap.dedent("""\
            import multiprocessing as mp
            def work(i, out):
                out.put(i * i)
            if __name__ == '__main__':
                results = mp.Queue()
                ps = [mp.Process(target=work, args=(i, results)) for i in range(4)]
                for p in ps:
                    p.start()
                for p in ps:
                    p.join()
                total = sum(results.get() for _ in ps)
                print(total)
            """)
        found = found_of(src, "join-before-drain")
        self.assertEqual(len(found), 1)
        self.assertIn("the processes in `p`", found[0]["message"])
        fixed = apply_fix(src, found[0])
        self.assertLess(fixed.index("total = sum"), fixed.index("for p in ps:\n        p.join()"))
        self.assertEqual(codes(fixed), [])

    def test_the_put_can_be_in_a_helper_the_target_calls(self):
        self.assertEqual(len(found_of("""\
            from multiprocessing import Process, Queue
            def send(box, item):
                box.put(item)
            def f(q):
                send(q, 'x' * 100000)
            if __name__ == '__main__':
                q = Queue()
                p = Process(target=f, kwargs={'q': q})
                p.start()
                p.join(timeout=3)
                print(q.get())
            """, "join-before-drain")), 1)

    def test_reading_first_then_joining_is_fine(self):
        self.assertEqual(codes("""\
            from multiprocessing import Process, Queue
            def f(q):
                q.put('X' * 1000000)
            if __name__ == '__main__':
                queue = Queue()
                p = Process(target=f, args=(queue,))
                p.start()
                obj = queue.get()
                p.join()
            """), [])

    def test_a_child_that_only_reads_or_cancels_its_feeder_is_not_waited_on(self):
        self.assertEqual(codes("""\
            from multiprocessing import Process, Queue
            def reader(q):
                print(q.get())
            def writer(q):
                q.cancel_join_thread()
                q.put('X' * 1000000)
            if __name__ == '__main__':
                q = Queue()
                q.put('hello')
                r = Process(target=reader, args=(q,))
                r.start()
                r.join()
                w = Process(target=writer, args=(q,))
                w.start()
                w.join()
                print(q.get())
            """), [])

    def test_a_manager_queue_has_no_feeder_thread(self):
        self.assertEqual(codes("""\
            from multiprocessing import Process, Manager
            def f(q):
                q.put('X' * 1000000)
            if __name__ == '__main__':
                with Manager() as m:
                    q = m.Queue()
                    p = Process(target=f, args=(q,))
                    p.start()
                    p.join()
                    print(len(q.get()))
            """), [])

    def test_no_fix_when_something_between_looks_at_the_process(self):
        src = """\
            from multiprocessing import Process, Queue
            def f(q):
                q.put(1)
            if __name__ == '__main__':
                q = Queue()
                p = Process(target=f, args=(q,))
                p.start()
                p.join()
                print(p.exitcode)
                print(q.get())
            """
        found = found_of(src, "join-before-drain")
        self.assertEqual(len(found), 1)
        self.assertNotIn("fix", found[0])

    def test_chinese(self):
        found = found_of(self.STUCK, "join-before-drain", "zh-cn")
        self.assertIn("死锁", found[0]["message"])
        self.assertEqual(found[0]["fix"]["title"], "先读取队列，再 join()")


class PipeEndNotClosed(unittest.TestCase):
    def test_the_parent_waits_for_eof_while_it_holds_the_writing_end(self):
        src = textwrap.dedent("""\
            from multiprocessing import Process, Pipe
            def produce(conn):
                for i in range(3):
                    conn.send(i)
                conn.close()
            if __name__ == '__main__':
                reader, writer = Pipe(duplex=False)
                p = Process(target=produce, args=(writer,))
                p.start()
                while True:
                    try:
                        print(reader.recv())
                    except EOFError:
                        break
                p.join()
            """)
        found = found_of(src, "pipe-end-not-closed")
        self.assertEqual(len(found), 1)
        self.assertEqual(found[0]["range"]["start"]["line"], 11)
        self.assertIn("`writer`", found[0]["message"])
        fixed = apply_fix(src, found[0])
        self.assertIn("    p.start()\n    writer.close()\n    while True:", fixed)
        self.assertEqual(codes(fixed), [])

    def test_the_child_that_forgot_its_copy_seed_001(self):
        src = textwrap.dedent("""\
            from multiprocessing import Process, Pipe
            def f(parent_conn, child_conn):
                #parent_conn.close() #不写close将不会引发EOFError
                while True:
                    try:
                        print(child_conn.recv())
                    except EOFError:
                        child_conn.close()
                        break
            if __name__ == '__main__':
                parent_conn, child_conn = Pipe()
                p = Process(target=f, args=(parent_conn, child_conn,))
                p.start()
                child_conn.close()
                parent_conn.send('hello')
                parent_conn.close()
                p.join()
            """)
        found = found_of(src, "pipe-end-not-closed")
        self.assertEqual([f["message"].split("`")[1] for f in found], ["child_conn.recv()"])
        fixed = apply_fix(src, found[0])
        self.assertIn("    parent_conn.close()\n    while True:", fixed)
        self.assertEqual(codes(fixed), [])

    def test_ends_unpacked_from_a_tuple_argument(self):
        self.assertEqual(len(found_of("""\
            from multiprocessing import Process, Pipe
            def consumer(p, name):
                produce, consume = p
                while True:
                    try:
                        print(name, consume.recv())
                    except EOFError:
                        break
            if __name__ == '__main__':
                produce, consume = Pipe()
                c1 = Process(target=consumer, args=((produce, consume), 'c1'))
                c1.start()
                produce.close()
                consume.close()
                c1.join()
            """, "pipe-end-not-closed")), 1)

    def test_closed_first_or_a_sentinel_is_fine(self):
        self.assertEqual(codes("""\
            from multiprocessing import Process, Pipe
            def consumer(p, name):
                produce, consume = p
                produce.close()
                while True:
                    try:
                        baozi = consume.recv()
                    except EOFError:
                        break
            def func(conn):
                while True:
                    msg = conn.recv()
                    if msg is None:
                        break
            if __name__ == '__main__':
                produce, consume = Pipe()
                c1 = Process(target=consumer, args=((produce, consume), 'c1'))
                c1.start()
                produce.close()
                consume.close()
                c1.join()
            """), [])

    def test_no_fix_when_the_end_is_still_used_after_the_loop(self):
        found = found_of("""\
            from multiprocessing import Pipe
            def echo(a, b):
                while True:
                    try:
                        a.recv()
                    except EOFError:
                        break
                b.send('done')
            if __name__ == '__main__':
                a, b = Pipe()
                echo(a, b)
            """, "pipe-end-not-closed")
        self.assertEqual(len(found), 1)
        self.assertNotIn("fix", found[0])


class TerminateShared(unittest.TestCase):
    def test_terminating_a_process_that_uses_a_queue_or_lock(self):
        found = found_of("""\
            from multiprocessing import Process, Queue, Lock
            def consumer(q, lock):
                while True:
                    with lock:
                        item = q.get()
            if __name__ == '__main__':
                q, lock = Queue(), Lock()
                cs = [Process(target=consumer, args=(q, lock)) for _ in range(2)]
                for c in cs:
                    c.start()
                for c in cs:
                    c.terminate()
                    c.join()
            """, "terminate-shared")
        self.assertEqual(len(found), 1)
        self.assertIn("`q` (a Queue), `lock` (a Lock)", found[0]["message"])
        self.assertNotIn("fix", found[0])

    def test_terminating_a_process_that_shares_nothing_is_fine(self):
        self.assertEqual(codes("""\
            from multiprocessing import Process
            import time
            def sleeper(n):
                time.sleep(n)
            if __name__ == '__main__':
                p = Process(target=sleeper, args=(5,))
                p.start()
                p.terminate()
                p.join()
            """), [])

    def test_chinese(self):
        found = found_of("""\
            from multiprocessing import Process, Pipe
            def f(conn):
                conn.recv()
            if __name__ == '__main__':
                a, b = Pipe()
                p = Process(target=f, args=(b,))
                p.start()
                p.kill()
                p.join()
            """, "terminate-shared", "zh-cn")
        self.assertIn("`b`（管道端）", found[0]["message"])


class AcquireWithoutFinally(unittest.TestCase):
    def test_the_tutorial_lock_and_its_fix(self):
        src = textwrap.dedent("""\
            from multiprocessing import Process, Lock
            def work(n, lock):
                lock.acquire()  # 加锁
                print(n)
                # 解锁
                lock.release()
            if __name__ == '__main__':
                lock = Lock()
                ps = [Process(target=work, args=(i, lock)) for i in range(3)]
                for p in ps:
                    p.start()
                for p in ps:
                    p.join()
            """)
        found = found_of(src, "acquire-without-finally")
        self.assertEqual(len(found), 1)
        self.assertIn("line 6", found[0]["message"])
        fixed = apply_fix(src, found[0])
        self.assertIn("    lock.acquire()  # 加锁\n    try:\n        print(n)\n    finally:\n        # 解锁\n        lock.release()\n", fixed)
        self.assertEqual(codes(fixed), [])

    def test_with_or_finally_is_guaranteed(self):
        self.assertEqual(codes("""\
            def a(lock):
                with lock:
                    print(1)
            def b(lock):
                lock.acquire()
                try:
                    print(2)
                finally:
                    lock.release()
            def c(sem):
                try:
                    sem.acquire()
                    print(3)
                finally:
                    sem.release()
            def d(lock):
                lock.acquire()   # released by whoever calls done()
            def done(lock):
                lock.release()
            """), [])

    def test_no_fix_across_blocks_or_multiline_strings(self):
        found = found_of('''\
            def a(lock, x):
                lock.acquire()
                if x:
                    print("""two
            lines""")
                lock.release()
            def b(lock, x):
                lock.acquire()
                if x:
                    print(x)
                    lock.release()
            ''', "acquire-without-finally")
        self.assertEqual(len(found), 2)
        self.assertFalse(any("fix" in f for f in found))


class ManagerAfterWith(unittest.TestCase):
    SEED = """\
        from multiprocessing import Manager, Process, Lock
        def work(d, lock):
            with lock:
                d['count'] -= 1
        if __name__ == '__main__':
            lock = Lock()
            with Manager() as m:
                dic = m.dict({'count': 100})
            p_l = []
            for i in range(100):
                p = Process(target=work, args=(dic, lock))
                p_l.append(p)
                p.start()
            for p in p_l:
                p.join()
            print(dic)
        """

    def test_the_seed_lines_that_lost_their_indentation(self):
        src = textwrap.dedent(self.SEED)
        found = found_of(src, "manager-after-with")
        self.assertEqual(len(found), 1)
        self.assertEqual(found[0]["severity"], 1)
        self.assertEqual(found[0]["range"]["start"]["line"], 10)
        fixed = apply_fix(src, found[0])
        self.assertIn("        dic = m.dict({'count': 100})\n        p_l = []\n", fixed)
        self.assertIn("\n        print(dic)\n", fixed)
        compile(fixed, "fixed.py", "exec")
        self.assertEqual(codes(fixed), [])

    def test_the_manager_itself_after_the_block(self):
        found = found_of("""\
            from multiprocessing import Manager
            if __name__ == '__main__':
                with Manager() as m:
                    d = m.dict()
                lst = m.list()
                m.shutdown()
            """, "manager-after-with", "zh-cn")
        self.assertEqual(len(found), 1)
        self.assertIn("`m`", found[0]["message"])

    def test_uses_inside_or_rebound_after_are_fine(self):
        self.assertEqual(codes("""\
            from multiprocessing import Manager
            if __name__ == '__main__':
                with Manager() as m:
                    d = m.dict({'a': 1})
                    snapshot = dict(d)
                print(snapshot)
                d = {}
                print(d)
            """), [])


class ModuleLevelSyncObject(unittest.TestCase):
    def test_a_module_level_lock_used_by_the_children(self):
        found = found_of("""\
            from multiprocessing import Process, Lock
            lock = Lock()
            def work(n):
                with lock:
                    print(n)
            if __name__ == '__main__':
                ps = [Process(target=work, args=(i,)) for i in range(3)]
                for p in ps:
                    p.start()
                for p in ps:
                    p.join()
            """, "module-level-sync-object")
        self.assertEqual(len(found), 1)
        self.assertEqual(found[0]["range"]["start"]["line"], 1)
        self.assertIn("`work`", found[0]["message"])
        self.assertIn("it locks only itself", found[0]["message"])

    def test_a_module_level_queue_read_by_pool_tasks_through_a_helper(self):
        found = found_of("""\
            import multiprocessing as mp
            results = mp.Queue()
            def report(x):
                results.put(x)
            def task(x):
                report(x * x)
            if __name__ == '__main__':
                with mp.Pool(2) as pool:
                    pool.map(task, range(4))
            """, "module-level-sync-object", "zh-cn")
        self.assertEqual(len(found), 1)
        self.assertIn("子进程放进去的数据没人读", found[0]["message"])

    def test_passed_as_an_argument_used_only_by_main_an_initializer_or_fork_only_is_fine(self):
        self.assertEqual(codes("""\
            from multiprocessing import Process, Lock, Pool, Queue
            import multiprocessing
            lock = Lock()
            q = Queue()
            def work(lock, n):
                with lock:
                    print(n)
            def init(l):
                global lock
                lock = l
            if __name__ == '__main__':
                p = Process(target=work, args=(lock, 1))
                p.start()
                p.join()
                q.put(1)
                print(q.get())
            """), [])
        self.assertEqual(codes("""\
            import multiprocessing
            lock = multiprocessing.Lock()
            def work(n):
                with lock:
                    print(n)
            if __name__ == '__main__':
                multiprocessing.set_start_method('fork')
                p = multiprocessing.Process(target=work, args=(1,))
                p.start()
                p.join()
            """), [])


class Serve(unittest.TestCase):
    def test_serve_answers_each_line_and_survives_bad_requests(self):
        proc = subprocess.run(
            [sys.executable, os.path.join(ROOT, "analyzer", "mp_lint.py"), "--serve"],
            input="\n".join([
                json.dumps({"id": 1, "text": "from multiprocessing import Pool\np = Pool()\np.join()\n"}),
                "this is not json",
                json.dumps({"id": 3, "text": "if __name__ == '__main__':\n    pass\n"}),
            ]) + "\n",
            capture_output=True, text=True, timeout=30,
        )
        replies = [json.loads(l) for l in proc.stdout.splitlines()]
        self.assertEqual(len(replies), 3)
        self.assertEqual(replies[0]["id"], 1)
        self.assertIn("pool-join-before-close", [f["code"] for f in replies[0]["findings"]])
        self.assertIn("error", replies[1])
        self.assertEqual(replies[2]["mainGuardLine"], 0)


if __name__ == "__main__":
    unittest.main()
