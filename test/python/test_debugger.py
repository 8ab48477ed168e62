"""The in-process debugger's pure parts (tracer/processview_tracer/_debug.py): hit conditions,
logpoint messages, where breakpoints can stop, bounded reprs, children of variables. The debugger
end to end (control connection, stops, steps) is tested through the real adapter in test/debug/."""
import os
import sys
import tempfile
import textwrap
import unittest

from test.python.test_tracer import TRACER  # noqa: F401  (puts tracer/ on sys.path)
from processview_tracer import _debug


class HitConditions(unittest.TestCase):
    def test_parse(self):
        self.assertEqual(_debug.parse_hit_condition("5"), ("==", 5))
        self.assertEqual(_debug.parse_hit_condition(" >= 3 "), (">=", 3))
        self.assertEqual(_debug.parse_hit_condition("%2"), ("%", 2))
        self.assertEqual(_debug.parse_hit_condition("<4"), ("<", 4))
        self.assertIsNone(_debug.parse_hit_condition(""))
        self.assertIsNone(_debug.parse_hit_condition(None))
        self.assertIsNone(_debug.parse_hit_condition("i > 3"))

    def test_matches(self):
        hits = lambda cond: [n for n in range(1, 11) if _debug.hit_matches(_debug.parse_hit_condition(cond), n)]
        self.assertEqual(hits("3"), [3])
        self.assertEqual(hits(">8"), [9, 10])
        self.assertEqual(hits(">=9"), [9, 10])
        self.assertEqual(hits("<3"), [1, 2])
        self.assertEqual(hits("<=2"), [1, 2])
        self.assertEqual(hits("%4"), [4, 8])
        self.assertEqual(hits("%0"), [])


class LogMessages(unittest.TestCase):
    def test_split(self):
        self.assertEqual(_debug.split_log_message("x={x} y={d['k']}!"), ["x=", ("x",), " y=", ("d['k']",), "!"])
        self.assertEqual(_debug.split_log_message("{{literal}} {a}"), ["{literal} ", ("a",)])
        self.assertEqual(_debug.split_log_message("{ {1: 2}[1] }"), [(" {1: 2}[1] ",)])
        self.assertEqual(_debug.split_log_message("open {brace"), ["open {brace"])
        self.assertEqual(_debug.split_log_message(""), [])


class FunctionNames(unittest.TestCase):
    def test_a_name_is_dotted_identifiers(self):
        self.assertEqual(_debug.function_name_parts("worker"), ("worker",))
        self.assertEqual(_debug.function_name_parts(" Counter.increment "), ("Counter", "increment"))
        self.assertEqual(_debug.function_name_parts("worker()"), ("worker",))
        self.assertEqual(_debug.function_name_parts("工作"), ("工作",))
        for bad in ("", "  ", "worker(1)", "a..b", "1st", "a.b.", "lambda x: x", None):
            self.assertIsNone(_debug.function_name_parts(bad), bad)

    def test_names_a_function_is_known_by(self):
        self.assertEqual(_debug.function_names("tasks", "Counter.increment", "/w/tasks.py"), [("tasks", "Counter", "increment")])
        self.assertEqual(_debug.function_names("__main__", "outer.<locals>.inner", "/w/demo.py"),
                         [("__main__", "outer", "inner"), ("demo", "outer", "inner")])
        self.assertEqual(_debug.function_names("__mp_main__", "worker", "/w/demo.py"), [("__mp_main__", "worker"), ("demo", "worker")])
        self.assertEqual(_debug.function_names("pkg", "setup", "/w/pkg/__init__.py"), [("pkg", "setup")])
        self.assertEqual(_debug.function_names(None, "f", "/w/pkg/__init__.py"), [("pkg", "f")])

    def test_a_name_matches_the_end_of_a_functions_name(self):
        names = _debug.function_names("__main__", "Counter.increment", "/w/demo.py")
        match = lambda n: _debug.function_name_matches(_debug.function_name_parts(n), names)
        for yes in ("increment", "Counter.increment", "demo.Counter.increment", "__main__.Counter.increment"):
            self.assertTrue(match(yes), yes)
        for no in ("Counter", "counter.increment", "other.Counter.increment", "demo.increment", "x.demo.Counter.increment"):
            self.assertFalse(match(no), no)


class AssignmentTargets(unittest.TestCase):
    def test_what_python_can_assign_to(self):
        import ast
        for expr in ("x", " a.b ", "d['k']", "xs[1:3]", "a, b", "[a, b.c]"):
            node = _debug.assignment_target(expr)
            ns = {"a": type("A", (), {})(), "b": type("B", (), {})(), "d": {}, "xs": [0, 1, 2, 3]}
            value = ast.parse("(1, 2)" if isinstance(node, (ast.Tuple, ast.List)) else "[7]", mode="eval").body
            stmt = ast.fix_missing_locations(ast.Module(body=[ast.Assign(targets=[node], value=value)], type_ignores=[]))
            exec(compile(stmt, "<t>", "exec"), ns)

    def test_what_it_cannot_is_refused_in_words(self):
        for expr, words in (("x + 1", "cannot be assigned to"), ("f()", "cannot be assigned to"), ("()", "cannot be assigned to"),
                            ("x = 1", "is not an expression"), ("", "is not an expression")):
            with self.assertRaises(ValueError) as cm:
                _debug.assignment_target(expr)
            self.assertIn(words, str(cm.exception), expr)


class StepInTargets(unittest.TestCase):
    SOURCE = textwrap.dedent("""\
        import x
        q.put(square(n), timeout=f(1))
        if check(v) and other.ok(w):
            do(1)
        for i in range(len(xs)):
            pass
        z = sorted(xs, key=lambda v: k(v))
        y = 1
        with open(p) as fh:
            fh.read()
        """)

    def targets(self, line):
        return [(c[0], c[1]) for c in _debug.call_targets(self.SOURCE, line)]

    def test_the_calls_of_a_line_in_the_order_python_makes_them(self):
        self.assertEqual(self.targets(2), [("square()", "square"), ("f()", "f"), ("q.put()", "put")])
        self.assertEqual(self.targets(7), [("k()", "k"), ("sorted()", "sorted")])
        self.assertEqual(_debug.call_targets(self.SOURCE, 2)[2][2:], (2, 1, 2, 31))

    def test_a_compound_statement_makes_its_headers_calls_not_its_bodys(self):
        self.assertEqual(self.targets(3), [("check()", "check"), ("other.ok()", "ok")])
        self.assertEqual(self.targets(5), [("len()", "len"), ("range()", "range")])
        self.assertEqual(self.targets(9), [("open()", "open")])

    def test_no_calls(self):
        self.assertEqual(self.targets(8), [])
        self.assertEqual(self.targets(1), [])
        self.assertEqual(self.targets(99), [])


def _square(n):
    return n * n


class _Shape:
    def area(self):
        return 1

    def __call__(self, n):
        return n


class SteppedTasks(unittest.TestCase):
    """Step Into a pool submission: which functions are stepped into, and the pickled task."""

    def test_the_users_functions_and_no_others(self):
        import functools
        import json
        import math
        from concurrent.futures import process
        for f in (abs, math.sqrt, str.upper, json.dumps, functools.partial(process._process_chunk, abs)):
            self.assertTrue(_debug._not_users(f), f)
        for f in (_square, _Shape().area, _Shape(), functools.partial(_square, 2), functools.partial(process._process_chunk, _square)):
            self.assertFalse(_debug._not_users(f), f)

    def test_the_task_unpickles_as_the_function_itself(self):
        import pickle
        from multiprocessing.reduction import ForkingPickler
        task = _debug._SteppedTask(_square, "1:1")
        self.assertIs(pickle.loads(ForkingPickler.dumps(task)), _square)
        self.assertEqual(task(3), 9)
        self.assertEqual(_debug._steps, {}, "not debugged here: nothing is armed")


class BreakpointLines(unittest.TestCase):
    def setUp(self):
        fd, self.path = tempfile.mkstemp(suffix=".py")
        with os.fdopen(fd, "w") as f:
            f.write(textwrap.dedent('''\
                # a comment
                import os

                def f(a,
                      b):
                    """doc"""
                    return a + b  # 7


                x = f(1,
                      2)
                '''))

    def tearDown(self):
        os.unlink(self.path)

    def test_code_lines_stay(self):
        self.assertEqual(_debug.verify_line(self.path, 2), (2, None))
        self.assertEqual(_debug.verify_line(self.path, 7), (7, None))

    def test_blank_and_comment_lines_move_to_the_next_line_with_code(self):
        self.assertEqual(_debug.verify_line(self.path, 1), (2, None))
        self.assertEqual(_debug.verify_line(self.path, 8), (10, None))

    def test_after_the_last_line_or_unreadable(self):
        line, why = _debug.verify_line(self.path, 50)
        self.assertIsNone(line)
        self.assertIn("no code", why)
        line, why = _debug.verify_line(self.path + ".missing", 1)
        self.assertIsNone(line)
        self.assertIn("FileNotFoundError", why)

    def test_syntax_error_is_reported(self):
        with open(self.path, "w") as f:
            f.write("def broken(:\n")
        line, why = _debug.verify_line(self.path, 1)
        self.assertIsNone(line)
        self.assertIn("SyntaxError", why)


class Reprs(unittest.TestCase):
    def test_bounded(self):
        self.assertEqual(_debug.safe_repr(42), "42")
        s = _debug.safe_repr("x" * 1000)
        self.assertLessEqual(len(s), _debug.REPR_MAX + 1)
        self.assertTrue(s.endswith("…"))
        self.assertLessEqual(len(_debug.safe_repr(list(range(10000)))), _debug.REPR_MAX + 1)

    def test_copy_value_is_whole_and_still_bounded(self):
        self.assertEqual(_debug.clipboard_repr(list(range(300))), repr(list(range(300))))
        huge = "y" * (_debug.CLIPBOARD_MAX + 10)
        self.assertEqual(len(_debug.clipboard_repr(huge)), _debug.CLIPBOARD_MAX + 1)

        class Bad:
            def __repr__(self):
                raise SystemExit(3)
        self.assertEqual(_debug.clipboard_repr(Bad()), "<unprintable Bad: SystemExit>")

    def test_a_repr_that_raises_or_exits(self):
        class Bad:
            def __repr__(self):
                raise ValueError("no")

        class Exits:
            def __repr__(self):
                raise SystemExit(3)

        self.assertEqual(_debug.safe_repr(Bad()), "<unprintable Bad: ValueError>")
        self.assertEqual(_debug.safe_repr(Exits()), "<unprintable Exits: SystemExit>")

    def test_a_manager_proxy_is_not_asked(self):
        from multiprocessing.managers import BaseProxy

        class FakeToken:
            typeid = "dict"

        class P(BaseProxy):
            def __init__(self):
                self._token = FakeToken()

            def __repr__(self):
                raise AssertionError("would talk to the manager")

        self.assertEqual(_debug.safe_repr(P()), "<P proxy of 'dict'>")
        self.assertIsNone(_debug.expandable(P()))


    @unittest.skipUnless(sys.platform.startswith("linux"), "reads /proc")
    def test_a_process_repr_does_not_reap_a_zombie(self):
        # Process.__repr__ calls poll() (waitpid): showing `p` in Variables would end the zombie
        # the zombie lesson is about. safe_repr must leave it for join().
        import multiprocessing as mp
        import time

        ctx = mp.get_context("fork")
        p = ctx.Process(target=int, name="Kid")
        p.start()
        deadline = time.monotonic() + 30
        state = None
        while time.monotonic() < deadline:
            with open("/proc/%d/stat" % p.pid) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            if state == "Z":
                break
            time.sleep(0.02)
        self.assertEqual(state, "Z")
        r = _debug.safe_repr(p)
        self.assertIn("name='Kid'", r)
        self.assertIn("pid=%d" % p.pid, r)
        self.assertTrue(os.path.exists("/proc/%d" % p.pid), "still a zombie after its repr")
        # Its methods' reprs show the process's (p.join hovered, in Watch, copied): not a poll either.
        self.assertEqual(_debug.safe_repr(p.join), "<bound method BaseProcess.join of %s>" % r)
        self.assertEqual(_debug.clipboard_repr(p.is_alive), "<bound method BaseProcess.is_alive of %s>" % r)
        # A hover reads names and attributes, p.pid and p.name too, never exitcode (a poll) nor a call.
        loc = {"p": p}
        self.assertEqual(_debug.hover_value("p.pid", loc, {}), p.pid)
        self.assertEqual(_debug.hover_value(" p . name ", loc, {}), "Kid")
        self.assertIsNone(_debug.hover_value("p._popen.returncode", loc, {}))
        with self.assertRaisesRegex(ValueError, "does not read exitcode: it calls poll"):
            _debug.hover_value("p.exitcode", loc, {})
        with self.assertRaisesRegex(ValueError, "names and their attributes only"):
            _debug.hover_value("p.is_alive()", loc, {})
        self.assertTrue(os.path.exists("/proc/%d" % p.pid), "still a zombie after the hovers")
        p.join(30)
        self.assertEqual(p.exitcode, 0)
        self.assertEqual(_debug.safe_repr(p), "<%s name='Kid' stopped[0] pid=%d>" % (type(p).__name__, p.pid))
        self.assertIn("started", _debug.safe_repr(mp.current_process()))


class Children(unittest.TestCase):
    def test_sequences_by_index_with_paging(self):
        kids, total = _debug.children(list(range(1000)), 10, 5)
        self.assertEqual(total, 1000)
        self.assertEqual([(k, v, e) for k, v, e in kids], [(str(i), i, "[%d]" % i) for i in range(10, 15)])
        kids, total = _debug.children(tuple(range(1000)))
        self.assertEqual(len(kids), _debug.CHILDREN_MAX)

    def test_dicts_by_key(self):
        kids, total = _debug.children({"a": 1, 2: "b"})
        self.assertEqual(total, 2)
        self.assertEqual(kids, [("'a'", 1, "['a']"), ("2", "b", "[2]")])

    def test_objects_by_attribute_public_first(self):
        class O:
            __slots__ = ("s",)

        class D:
            def __init__(self):
                self._p = 1
                self.z = 2
                self.a = 3

        self.assertEqual([k for k, _, _ in _debug.children(D())[0]], ["a", "z", "_p"])
        d = D()
        d._pv_id, d._pv = "process:1:1", object()  # the tracer's marks on the program's objects
        self.assertEqual([k for k, _, _ in _debug.children(d)[0]], ["a", "z", "_p"])
        o = O()
        o.s = 5
        self.assertEqual(_debug.children(o)[0], [("s", 5, ".s")])

    def test_expandable(self):
        self.assertEqual(_debug.expandable([1, 2]), (0, 2))
        self.assertEqual(_debug.expandable({"a": 1}), (1, 0))
        self.assertIsNone(_debug.expandable([]))
        self.assertIsNone(_debug.expandable("text"))
        self.assertIsNone(_debug.expandable(len))
        self.assertEqual(_debug.expandable(os), (0, 0))


class Completions(unittest.TestCase):
    """The Debug Console's completions: looked up, never evaluated."""

    def setUp(self):
        self.ran = []
        ran = self.ran

        class Meter:
            __slots__ = ("reading", "__weakref__")

            def __init__(self):
                self.reading = 1

            @property
            def danger(self):
                ran.append("property")
                return self

            def __getattr__(self, name):
                ran.append("getattr " + name)
                return self

            def check(self):
                return True

        self.loc = {"meter": Meter(), "total_sent": 0}
        self.glob = {"Meter": Meter, "os": os}

    def labels(self, text):
        return [k for k, _ in _debug.completions(text, self.loc, self.glob)[1]]

    def test_names_come_from_locals_globals_builtins_and_keywords(self):
        word, hits = _debug.completions("print(tot", self.loc, self.glob)
        self.assertEqual((word, hits), ("tot", [("total_sent", "variable")]))
        self.assertEqual(dict(_debug.completions("Me", self.loc, self.glob)[1])["Meter"], "class")
        self.assertIn(("len", "function"), _debug.completions("le", self.loc, self.glob)[1])
        self.assertIn(("while", "keyword"), _debug.completions("whi", self.loc, self.glob)[1])

    def test_attributes_of_a_dotted_name(self):
        word, hits = _debug.completions("meter.", self.loc, self.glob)
        kinds = dict(hits)
        self.assertEqual(word, "")
        self.assertEqual(kinds["reading"], "variable")
        self.assertEqual(kinds["check"], "function")
        self.assertEqual(kinds["danger"], "property")
        self.assertLess(self.labels("meter.").index("reading"), self.labels("meter.").index("__class__"))
        self.assertEqual(self.labels("os.path.joi"), ["join"])
        self.assertEqual(dict(_debug.completions("os.pa", self.loc, self.glob)[1])["path"], "module")
        self.assertEqual(self.labels("meter . rea"), ["reading"])

    def test_nothing_of_the_program_runs(self):
        self.assertEqual(self.labels("meter.danger."), [])
        self.assertEqual(self.labels("meter.missing."), [])  # __getattr__ would answer: not asked
        self.assertEqual(self.ran, [])

    def test_a_hover_runs_nothing_of_the_program(self):
        self.assertEqual(_debug.hover_value("meter.reading", self.loc, self.glob), 1)
        self.assertIs(_debug.hover_value("Meter", self.loc, self.glob), self.glob["Meter"])
        self.assertIs(_debug.hover_value("len", self.loc, self.glob), len)
        with self.assertRaisesRegex(ValueError, "does not run meter.danger"):
            _debug.hover_value("meter.danger", self.loc, self.glob)
        with self.assertRaisesRegex(ValueError, "does not run meter.missing"):
            _debug.hover_value("meter.missing", self.loc, self.glob)  # __getattr__ would answer
        with self.assertRaises(NameError):
            _debug.hover_value("nothing_here", self.loc, self.glob)
        for expr in ("meter.check()", "total_sent + 1", "items[0]"):
            with self.assertRaisesRegex(ValueError, "names and their attributes only"):
                _debug.hover_value(expr, self.loc, self.glob)
        self.assertEqual(self.ran, [])

    def test_what_cannot_be_known_without_running_code_offers_nothing(self):
        for text in ("str(meter).", "items[0].", '"abc".up', "meter.check().", "nothing_here.", "", "1 + ", "3.1"):
            self.assertEqual(self.labels(text), [], text)

    def test_private_names_last_unless_asked_for(self):
        labels = self.labels("meter.")
        self.assertTrue(all(not k.startswith("_") for k in labels[:3]))
        self.assertEqual(self.labels("meter.__cla"), ["__class__"])


class _Outer:
    class Inner(Exception):
        pass


class ExceptionConditions(unittest.TestCase):
    """An exception filter's condition: the types it stops for, by name; nothing evaluated."""

    def test_names_match_the_class_and_its_subclasses(self):
        import json
        import queue
        cond = _debug.exception_conditions({"raised": {"names": ["ValueError", "queue.Empty"], "excluded": []}})["raised"]
        self.assertTrue(_debug.exception_matches(ValueError(), cond))
        self.assertTrue(_debug.exception_matches(json.JSONDecodeError("m", "d", 0), cond))  # a subclass
        self.assertTrue(_debug.exception_matches(queue.Empty(), cond))  # defined in _queue, named as imported
        self.assertFalse(_debug.exception_matches(KeyError("k"), cond))

    def test_excluded_names_win(self):
        import queue
        cond = _debug.exception_conditions({"raised": {"names": [], "excluded": ["queue.Empty"]}})["raised"]
        self.assertFalse(_debug.exception_matches(queue.Empty(), cond))
        self.assertTrue(_debug.exception_matches(KeyError("k"), cond))
        both = (("LookupError",), ("KeyError",))
        self.assertFalse(_debug.exception_matches(KeyError("k"), both))
        self.assertTrue(_debug.exception_matches(IndexError(), both))

    def test_qualified_names_and_modules_not_imported(self):
        class Local(Exception):
            pass
        self.assertTrue(_debug.exception_matches(Local(), (("Local",), ())))
        self.assertTrue(_debug.exception_matches(_Outer.Inner(), (("_Outer.Inner",), ())))  # a nested class, by its qualified name
        self.assertTrue(_debug.exception_matches(ValueError(), (("builtins.ValueError",), ())))
        self.assertFalse(_debug.exception_matches(ValueError(), (("nosuchmodule_pv.ValueError",), ())))
        self.assertNotIn("nosuchmodule_pv", sys.modules)

    def test_filters_without_a_condition_are_left_out(self):
        self.assertEqual(_debug.exception_conditions({"raised": {"names": [], "excluded": []}, "other": {"names": ["X"]}}), {})
        self.assertEqual(_debug.exception_conditions(None), {})


class Paths(unittest.TestCase):
    def test_symlinks_and_relative_paths_meet(self):
        d = tempfile.mkdtemp()
        real = os.path.join(d, "real.py")
        with open(real, "w") as f:
            f.write("x = 1\n")
        link = os.path.join(d, "link.py")
        os.symlink(real, link)
        self.assertEqual(_debug.norm_path(link), _debug.norm_path(real))
        here = os.getcwd()
        try:
            os.chdir(d)
            self.assertEqual(_debug.norm_path("real.py"), _debug.norm_path(real))
        finally:
            os.chdir(here)


if __name__ == "__main__":
    unittest.main()


class EntryHooks(unittest.TestCase):
    """3.9-3.11's entry hooks: the hooked code keeps what the module means, and which code wants a
    local tracer is decided by its own lines and those of code nested in it."""
    SOURCE = textwrap.dedent('''\
        """Doc."""
        from __future__ import annotations
        import sys

        def f(x: undefined_name) -> int:
            """F."""
            return [y * 2 for y in range(x)]

        def one(x): return x + 1

        def boom():
            raise ValueError("line 12")

        def gen(n):
            yield from range(n)
        ''')

    def test_hooked_code_means_the_same(self):
        code = _debug._hooked_code(self.SOURCE.encode(), "/nowhere/m.py")
        self.assertIsNotNone(code)
        called = []
        fake = type(sys)("processview_tracer._debug")
        fake._enter = lambda: called.append(sys._getframe(1).f_code.co_name)
        pkg = type(sys)("processview_tracer")
        pkg._debug = fake
        real_import = __builtins__["__import__"] if isinstance(__builtins__, dict) else __builtins__.__import__
        ns = {"__name__": "m", "__builtins__": dict(vars(__import__("builtins")), __import__=lambda name, *a, **k: pkg if name == "processview_tracer._debug" else real_import(name, *a, **k))}
        exec(code, ns)
        self.assertEqual(ns["__doc__"], "Doc.")
        self.assertEqual(ns["f"].__doc__, "F.")
        self.assertEqual(ns["f"].__annotations__, {"x": "undefined_name", "return": "int"})  # the __future__ import holds
        self.assertEqual(ns["f"](3), [0, 2, 4])
        self.assertEqual(ns["one"](1), 2)
        self.assertEqual(list(ns["gen"](3)), [0, 1, 2])
        try:
            ns["boom"]()
            self.fail("boom() returned")
        except ValueError as e:
            tb = e.__traceback__
        while tb.tb_next is not None:
            tb = tb.tb_next
        self.assertEqual(tb.tb_lineno, 12)
        self.assertEqual(called, ["<module>", "f", "one", "gen", "boom"])

    def test_code_wants_its_own_lines_and_nested_ones(self):
        code = compile(self.SOURCE, "/nowhere/m.py", "exec")
        by_name = {c.co_name: c for c in code.co_consts if hasattr(c, "co_code")}
        saved = _debug._bps
        try:
            _debug._bps = {_debug.norm_path("/nowhere/m.py"): {7: object()}}  # the comprehension's line
            self.assertTrue(_debug._code_wants(by_name["f"]))
            self.assertFalse(_debug._code_wants(by_name["one"]))
            self.assertFalse(_debug._code_wants(by_name["gen"]))
            _debug._bps = {}
            self.assertFalse(_debug._code_wants(by_name["f"]))
        finally:
            _debug._bps = saved


class MainThreadSite(unittest.TestCase):
    """Where the main thread is, read from another thread (a Pause that has not stopped it):
    its innermost frame of the program's code, the line's text, and the library function it is in."""

    def test_the_main_thread_in_a_library_call(self):
        import threading
        got = []
        ready = threading.Event()

        def look():
            ready.wait()
            # The main thread is (or soon is) in Event.wait below: read until it is.
            for _ in range(500):
                site = _debug._main_thread_site()
                if site.get("inner", "").startswith("threading."):
                    got.append(site)
                    break
                threading.Event().wait(0.01)
            done.set()

        done = threading.Event()
        t = threading.Thread(target=look)
        t.start()
        ready.set()
        done.wait(30)  # WAITS HERE
        t.join()
        self.assertEqual(len(got), 1, "the main thread was seen in threading's wait")
        site = got[0]
        self.assertEqual(site["file"], __file__)
        self.assertEqual(site["function"], "test_the_main_thread_in_a_library_call")
        self.assertEqual(site["text"], "done.wait(30)  # WAITS HERE")
        with open(__file__) as f:
            self.assertIn("# WAITS HERE", f.read().splitlines()[site["line"] - 1])
        self.assertEqual(site["inner"], "threading.wait")


class UserCode(unittest.TestCase):
    """The code steps, pauses and "Raised exceptions" stop in: the user's own, not the standard
    library, the tracer or installed packages (the user site, a venv's site-packages)."""

    def test_user_code_only(self):
        import json
        import sysconfig
        with tempfile.TemporaryDirectory() as d:
            mine = compile("x = 1", os.path.join(d, "mine.py"), "exec")
            import site
            pkg = compile("x = 1", os.path.join(sysconfig.get_paths()["purelib"], "somepkg", "mod.py"), "exec")
            user_pkg = compile("x = 1", os.path.join(site.getusersitepackages(), "otherpkg", "mod.py"), "exec")
            self.assertTrue(_debug._user_code(mine))
            self.assertFalse(_debug._user_code(pkg))
            self.assertFalse(_debug._user_code(user_pkg))  # not under the standard library's folder, unlike a venv's
            self.assertFalse(_debug._user_code(json.loads.__code__))
            self.assertFalse(_debug._user_code(_debug._on_raised.__code__))
