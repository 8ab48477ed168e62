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
