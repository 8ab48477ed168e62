"""Finds the multiprocessing mistakes the seed tutorials warn about, with Python's own parser.

Used by Process View's language server (src/server/), which keeps one of these running per
window and sends it documents as JSON lines on stdin (`--serve`); it answers one JSON line per
request. Also runnable by hand: `python3 mp_lint.py FILE.py` prints the findings.

Standard library only, Python 3.8+ (needs end positions on AST nodes). Positions are 0-based
lines and columns in the LSP sense (columns counted in UTF-16 code units by the server; here in
code points, which agree for the text the tutorials use; the server converts when they differ).
"""
import ast
import json
import sys

# Every finding has a stable code; messages are kept here in both languages the product speaks.
MESSAGES = {
    "main-guard": (
        "Processes are started when this file is imported. Under the spawn and forkserver start "
        "methods (the default on macOS and Windows, and on Linux from Python 3.14) every child "
        "imports this file again and fails with RuntimeError. Put this code under "
        "`if __name__ == \"__main__\":`.",
        "这段代码在导入本文件时就会启动进程。在 spawn 和 forkserver 启动方式下（macOS、Windows 的默认方式，"
        "Linux 从 Python 3.14 起也是），每个子进程都会重新导入本文件并抛出 RuntimeError。"
        "请把这段代码放到 `if __name__ == \"__main__\":` 之下。",
    ),
    "args-not-tuple": (
        "`args={src}` is not a tuple: parentheses alone do not make one. The target receives "
        "each item of {what} as a separate argument. Add a comma: `{fixed}`.",
        "`args={src}` 不是元组：只有括号不构成元组。目标函数会把 {what_zh} 的每一项当作单独的参数。"
        "请加一个逗号：`{fixed}`。",
    ),
    "daemon-after-start": (
        "`{name}.daemon` is set after `{name}.start()`: that raises AssertionError "
        "(\"process has already started\"). Set daemon before start().",
        "`{name}.daemon` 在 `{name}.start()` 之后才设置，会抛出 AssertionError"
        "（\"process has already started\"）。请在 start() 之前设置 daemon。",
    ),
    "join-in-start-loop": (
        "`{name}.join()` inside the loop that starts the processes waits for each one before "
        "starting the next: they run one after another, not at the same time. Start them all in "
        "this loop, keep them in a list, and join them in a second loop.",
        "在启动进程的循环里调用 `{name}.join()`，会等上一个进程结束后才启动下一个：它们是依次运行的，"
        "而不是同时运行。请在这个循环里只启动进程并把它们放进列表，再用第二个循环逐个 join。",
    ),
    "never-joined": (
        "Process `{name}` is started but never joined. When it ends it stays a zombie until "
        "its parent calls join() (multiprocessing reaps children lazily), and the parent cannot "
        "know it finished. Call `{name}.join()`.",
        "进程 `{name}` 启动后从未被 join。它结束后会一直是僵尸进程，直到父进程调用 join()"
        "（multiprocessing 回收子进程是惰性的），父进程也无从得知它已结束。请调用 `{name}.join()`。",
    ),
    "pool-join-before-close": (
        "`{name}.join()` before `{name}.close()` raises ValueError (\"Pool is still running\"). "
        "Call close() (no more tasks) or terminate() first.",
        "在 `{name}.close()` 之前调用 `{name}.join()` 会抛出 ValueError（\"Pool is still running\"）。"
        "请先调用 close()（不再提交任务）或 terminate()。",
    ),
    "consumer-no-sentinel": (
        "This loop takes items with `{call}` and nothing ever leaves it, so the consumer never "
        "ends and whoever joins it waits forever. Have the producer send a sentinel (for example "
        "None) and `break` when it arrives, or use a daemon consumer with JoinableQueue.task_done().",
        "这个循环用 `{call}` 取数据，却没有任何退出路径，消费者永远不会结束，join 它的进程会一直等下去。"
        "请让生产者发送一个结束标志（例如 None），收到时 `break`；或者使用守护进程消费者配合 "
        "JoinableQueue.task_done()。",
    ),
    "input-in-child": (
        "`input()` in `{func}`, which runs in a child process: a child's standard input is "
        "closed (it reads from /dev/null), so input() raises EOFError. Read input in the main "
        "process and pass it with args or a Queue.",
        "`{func}` 在子进程中运行，其中调用了 `input()`：子进程的标准输入已被关闭（读取 /dev/null），"
        "input() 会抛出 EOFError。请在主进程中读取输入，再通过 args 或 Queue 传给子进程。",
    ),
}

FIX_TITLES = {
    "main-guard": ("Move under if __name__ == \"__main__\":", "移到 if __name__ == \"__main__\": 之下"),
    "args-not-tuple": ("Add the comma that makes a tuple", "加上构成元组的逗号"),
    "daemon-after-start": ("Set daemon before start()", "在 start() 之前设置 daemon"),
    "pool-join-before-close": ("Call close() before join()", "在 join() 之前调用 close()"),
}

SEVERITY = {  # LSP: 1 error, 2 warning, 3 information, 4 hint
    "main-guard": 2,
    "args-not-tuple": 1,
    "daemon-after-start": 1,
    "join-in-start-loop": 2,
    "never-joined": 3,
    "pool-join-before-close": 1,
    "consumer-no-sentinel": 2,
    "input-in-child": 2,
}

PROCESS_FACTORIES = {"Process"}
POOL_FACTORIES = {"Pool"}
STARTS_PROCESSES = {"Process", "Pool", "Manager", "ProcessPoolExecutor"}


def _pos(line, col):
    return {"line": line, "character": col}


def _dotted(node):
    """`a.b.c` for a chain of names, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _method_call(node):
    """(receiver dotted name, method) for `x.y.method(...)`, else (None, None)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return _dotted(node.func.value), node.func.attr
    return None, None


def _is_main_guard(node):
    if not isinstance(node, ast.If):
        return False
    test = node.test
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    has_name = any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
    has_main = any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides)
    return has_name and has_main


def _own_nodes(body):
    """Walk statements without descending into nested functions, classes or lambdas."""
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _NEW_SCOPES):
            continue  # its body is a scope of its own
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


_NEW_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
# Top-level statements a child process needs when it re-imports the file: never moved under the guard.
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)


class Analyzer:
    def __init__(self, source, lang="en"):
        self.source = source
        self.lines = source.splitlines(keepends=True)
        self.lang = 1 if lang.lower().startswith("zh") else 0
        self.findings = []
        self.factories = {}  # local name -> multiprocessing factory it stands for
        self.process_classes = set()  # user classes derived from Process

    # -- reporting ----------------------------------------------------------------------------

    def report(self, code, rng, fix_edits=None, **fmt):
        text = MESSAGES[code][self.lang]
        finding = {
            "code": code,
            "severity": SEVERITY[code],
            "range": rng,
            "message": text.format(**fmt) if fmt else text,
        }
        if fix_edits:
            finding["fix"] = {"title": FIX_TITLES[code][self.lang], "edits": fix_edits}
        self.findings.append(finding)

    def cp(self, line0, byte_col):
        """The AST counts columns in UTF-8 bytes; editors count characters."""
        if line0 >= len(self.lines):
            return byte_col
        return len(self.lines[line0].encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    def rng(self, node, end_node=None):
        end = end_node or node
        return {
            "start": _pos(node.lineno - 1, self.cp(node.lineno - 1, node.col_offset)),
            "end": _pos(end.end_lineno - 1, self.cp(end.end_lineno - 1, end.end_col_offset)),
        }

    def segment(self, node):
        return ast.get_source_segment(self.source, node) or ""

    # -- what names mean ----------------------------------------------------------------------

    def learn_imports(self, tree):
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and (
                node.module == "multiprocessing"
                or node.module.startswith("multiprocessing.")
                or node.module == "concurrent.futures"
            ):
                for alias in node.names:
                    self.factories[alias.asname or alias.name] = alias.name
            elif isinstance(node, ast.ClassDef):
                for base in node.bases:
                    if self.factory_of(base) == "Process":
                        self.process_classes.add(node.name)

    def factory_of(self, func):
        """Which multiprocessing factory an expression names: `Process`, `mp.Pool`, `ctx.Queue`..."""
        if isinstance(func, ast.Name):
            if func.id in self.process_classes:
                return "Process"
            return self.factories.get(func.id)
        if isinstance(func, ast.Attribute):
            base = _dotted(func.value) or ""
            root = base.split(".")[0]
            # mp.Process, multiprocessing.Pool, ctx.Process, multiprocessing.pool.Pool ...
            if func.attr in STARTS_PROCESSES | {"Queue", "JoinableQueue", "Pipe", "Lock"}:
                if root in ("multiprocessing", "mp", "ctx", "context") or self.factories.get(root) or "multiprocessing" in base:
                    return func.attr
                if func.attr in ("Process", "Pool", "ProcessPoolExecutor"):
                    return func.attr
        return None

    def creates(self, node, kinds):
        return isinstance(node, ast.Call) and self.factory_of(node.func) in kinds

    # -- rules --------------------------------------------------------------------------------

    def run(self, tree):
        self.learn_imports(tree)
        self.check_main_guard(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                self.check_args_tuple(node)
        for scope in self.scopes(tree):
            self.check_scope(scope)
        self.check_input_in_child(tree)
        self.findings.sort(key=lambda f: (f["range"]["start"]["line"], f["range"]["start"]["character"]))
        return self.findings

    def scopes(self, tree):
        yield tree.body
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield node.body

    def starts_processes(self, stmt):
        for node in _own_nodes([stmt]):
            if self.creates(node, STARTS_PROCESSES):
                return True
            _, method = _method_call(node)
            if method == "start" and isinstance(node, ast.Call) and not node.args:
                return True
        return False

    def check_main_guard(self, tree):
        offenders = [
            s for s in tree.body
            if not isinstance(s, _DEFINITIONS)
            and not _is_main_guard(s)
            and self.starts_processes(s)
        ]
        if not offenders:
            return
        first = offenders[0]
        tail = tree.body[tree.body.index(first):]
        fix = None
        movable = all(
            not isinstance(s, _DEFINITIONS)
            and not _is_main_guard(s)
            for s in tail
        )
        if movable and first.col_offset == 0:
            start_line = first.lineno - 1
            end_line = tail[-1].end_lineno  # exclusive, 0-based
            body = self.lines[start_line:end_line]
            newline = "\r\n" if body and body[0].endswith("\r\n") else "\n"
            indented = "".join(("    " + l) if l.strip() else l for l in body)
            if not indented.endswith(("\n", "\r")):
                indented += newline
            fix = [{
                "range": {"start": _pos(start_line, 0), "end": _pos(end_line, 0)}
                if end_line < len(self.lines) else
                {"start": _pos(start_line, 0), "end": _pos(len(self.lines) - 1, len(self.lines[-1]))},
                "newText": 'if __name__ == "__main__":' + newline + indented,
            }]
        for stmt in offenders:
            self.report("main-guard", self.rng(stmt, stmt) if stmt.lineno == stmt.end_lineno else
                        {"start": _pos(stmt.lineno - 1, self.cp(stmt.lineno - 1, stmt.col_offset)),
                         "end": _pos(stmt.lineno - 1, len(self.lines[stmt.lineno - 1].rstrip("\r\n")))},
                        fix if stmt is first else None)

    def check_args_tuple(self, call):
        kind = self.factory_of(call.func)
        _, method = _method_call(call)
        if kind != "Process" and method not in ("apply", "apply_async") and _dotted(call.func) not in ("Thread", "threading.Thread"):
            return
        for kw in call.keywords:
            if kw.arg != "args":
                continue
            value = kw.value
            if isinstance(value, (ast.Tuple, ast.List, ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Starred, ast.ListComp, ast.GeneratorExp)):
                return
            src = self.segment(value)
            # The parenthesised form: the node's own segment excludes the parentheses.
            line = self.lines[value.lineno - 1]
            start_col = self.cp(value.lineno - 1, value.col_offset)
            end_col = self.cp(value.end_lineno - 1, value.end_col_offset)
            before = line[:start_col].rstrip()
            end_line = self.lines[value.end_lineno - 1]
            after = end_line[end_col:].lstrip()
            parenthesised = before.endswith("(") and after.startswith(")")
            shown = "(" + src + ")" if parenthesised else src
            fixed = "(" + src + ",)"
            what = "the string" if isinstance(value, ast.Constant) and isinstance(value.value, str) else "the value"
            what_zh = "这个字符串" if what == "the string" else "这个值"
            if parenthesised:
                close_col = end_col + (len(end_line[end_col:]) - len(after))
                edits = [{"range": {"start": _pos(value.end_lineno - 1, end_col),
                                    "end": _pos(value.end_lineno - 1, end_col)}, "newText": ","}]
                rng = {"start": _pos(value.lineno - 1, len(before) - 1), "end": _pos(value.end_lineno - 1, close_col + 1)}
            else:
                edits = [{"range": self.rng(value), "newText": fixed}]
                rng = self.rng(value)
            self.report("args-not-tuple", rng, edits, src=shown, fixed=fixed, what=what, what_zh=what_zh)

    def check_scope(self, body):
        nodes = list(_own_nodes(body))
        calls = [n for n in nodes if isinstance(n, ast.Call)]
        # Names bound to processes and pools in this scope.
        processes, pools = {}, {}
        for n in nodes:
            targets = []
            if isinstance(n, ast.Assign):
                targets, value = n.targets, n.value
            elif isinstance(n, ast.withitem):
                targets, value = ([n.optional_vars] if n.optional_vars else []), n.context_expr
            else:
                continue
            for t in targets:
                name = _dotted(t)
                if not name:
                    continue
                if self.creates(value, PROCESS_FACTORIES):
                    processes.setdefault(name, n)
                elif self.creates(value, POOL_FACTORIES):
                    pools.setdefault(name, n)

        by_name = {}
        for c in calls:
            recv, method = _method_call(c)
            if recv:
                by_name.setdefault((recv, method), []).append(c)

        # daemon set after start, by source order in this scope.
        for n in nodes:
            if isinstance(n, ast.Assign):
                for t in n.targets:
                    if isinstance(t, ast.Attribute) and t.attr == "daemon":
                        name = _dotted(t.value)
                        starts = [c for c in by_name.get((name, "start"), []) if c.lineno < n.lineno]
                        if name and starts:
                            self.report("daemon-after-start", self.rng(n), self.move_before(n, starts[-1]), name=name)

        # join inside the loop that starts.
        for n in nodes:
            if isinstance(n, (ast.For, ast.While)):
                inner = list(_own_nodes(n.body))
                started = {_method_call(c)[0] for c in inner if isinstance(c, ast.Call) and _method_call(c)[1] == "start"}
                for c in inner:
                    recv, method = _method_call(c)
                    if method == "join" and recv in started and recv not in pools:
                        self.report("join-in-start-loop", self.rng(c), name=recv)

        # Pool.join() without an earlier close()/terminate().
        for name in pools:
            for join in by_name.get((name, "join"), []):
                closed = [c for m in ("close", "terminate") for c in by_name.get((name, m), []) if c.lineno <= join.lineno]
                if not closed:
                    self.report("pool-join-before-close", self.rng(join), self.insert_before(join, name + ".close()"), name=name)

        # Processes started but never joined (only simple, unambiguous cases).
        for name, assign in processes.items():
            if "." in name or not by_name.get((name, "start")):
                continue
            if by_name.get((name, "join")) or self.daemon_true(nodes, name) or self.escapes(nodes, name, assign):
                continue
            start = by_name[(name, "start")][0]
            self.report("never-joined", self.rng(start), name=name)

        # Consumer loops that never end.
        for n in nodes:
            if isinstance(n, ast.While) and isinstance(n.test, ast.Constant) and n.test.value is True:
                inner = list(_own_loop_nodes(n.body))
                gets = [c for c in inner if isinstance(c, ast.Call) and _method_call(c)[1] in ("get", "recv")
                        and _method_call(c)[0] is not None and not c.args]
                if not gets:
                    continue
                exits = any(isinstance(x, (ast.Break, ast.Return, ast.Raise)) for x in inner) or any(
                    isinstance(x, ast.Call) and (_dotted(x.func) or "") in ("sys.exit", "exit", "os._exit", "quit")
                    for x in inner)
                handled = any(isinstance(x, ast.Try) for x in inner)
                task_done = any(isinstance(x, ast.Call) and _method_call(x)[1] == "task_done" for x in inner)
                if not exits and not task_done and not handled:
                    call = gets[0]
                    self.report("consumer-no-sentinel", self.rng(n, n) if n.lineno == n.end_lineno else
                                {"start": _pos(n.lineno - 1, self.cp(n.lineno - 1, n.col_offset)),
                                 "end": _pos(n.lineno - 1, self.cp(n.lineno - 1, n.col_offset) + 5)},
                                call=self.segment(call))

    def daemon_true(self, nodes, name):
        for n in nodes:
            if isinstance(n, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr == "daemon" and _dotted(t.value) == name for t in n.targets):
                return True
            if isinstance(n, ast.Call) and self.creates(n, PROCESS_FACTORIES):
                for kw in n.keywords:
                    if kw.arg == "daemon" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                        return True
        return False

    def escapes(self, nodes, name, assign):
        """The process object is handed elsewhere (a list, a function, returned): joins may happen there."""
        for n in nodes:
            if isinstance(n, ast.Call) and any(isinstance(a, ast.Name) and a.id == name for a in n.args):
                return True
            if isinstance(n, (ast.Return, ast.Yield)) and isinstance(n.value, ast.Name) and n.value.id == name:
                return True
            if isinstance(n, (ast.List, ast.Tuple, ast.Dict)) and n is not assign and any(
                    isinstance(e, ast.Name) and e.id == name for e in ast.iter_child_nodes(n)):
                return True
        return False

    def check_input_in_child(self, tree):
        targets = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and self.creates(node, PROCESS_FACTORIES):
                for kw in node.keywords:
                    if kw.arg == "target" and isinstance(kw.value, ast.Name):
                        targets.add(kw.value.id)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in self.process_classes:
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and item.name == "run":
                        self.flag_input(item, node.name + ".run")
            elif isinstance(node, ast.FunctionDef) and node.name in targets:
                self.flag_input(node, node.name)

    def flag_input(self, func, label):
        for n in _own_nodes(func.body):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "input":
                self.report("input-in-child", self.rng(n), func=label)

    # -- edits --------------------------------------------------------------------------------

    def line_of(self, node):
        return self.lines[node.lineno - 1]

    def move_before(self, stmt, call):
        """Move a one-line statement to just before the line holding `call`."""
        if stmt.lineno != stmt.end_lineno:
            return None
        text = self.line_of(stmt)
        target_line = call.lineno - 1
        target_indent = self.line_of(call)[: len(self.line_of(call)) - len(self.line_of(call).lstrip())]
        moved = target_indent + text.lstrip()
        if not moved.endswith("\n"):
            moved += "\n"
        return [
            {"range": {"start": _pos(target_line, 0), "end": _pos(target_line, 0)}, "newText": moved},
            {"range": {"start": _pos(stmt.lineno - 1, 0), "end": _pos(stmt.lineno, 0)}, "newText": ""},
        ]

    def insert_before(self, call, code):
        line = self.line_of(call)
        indent = line[: len(line) - len(line.lstrip())]
        return [{"range": {"start": _pos(call.lineno - 1, 0), "end": _pos(call.lineno - 1, 0)},
                 "newText": indent + code + "\n"}]


def _own_loop_nodes(body):
    """Like _own_nodes, but a break/return inside a nested loop does not leave this loop."""
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.For, ast.While, ast.AsyncFor)):
            # Only its calls matter (a get() there still feeds this loop); its breaks do not.
            for sub in _own_nodes(node.body + node.orelse):
                if isinstance(sub, ast.Call):
                    yield sub
            continue
        yield node
        if isinstance(node, _NEW_SCOPES):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def analyze(source, lang="en"):
    """Findings for one Python source text; a file that does not parse has none (the parser's
    own error is reported by the Python extension and by the run itself)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    return Analyzer(source, lang).run(tree)


def has_main_guard(source):
    """Line (0-based) of `if __name__ == "__main__":`, or None; for the "Run" code lens."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    for node in tree.body:
        if _is_main_guard(node):
            return node.lineno - 1
    return None


def serve(stdin, stdout):
    """One JSON request per line: {"id", "text", "lang"} -> {"id", "findings", "mainGuardLine"}."""
    for line in stdin:
        try:
            request = json.loads(line)
            text = request["text"]
            reply = {
                "id": request.get("id"),
                "findings": analyze(text, request.get("lang", "en")),
                "mainGuardLine": has_main_guard(text),
            }
        except Exception as exc:  # one bad request must not end the worker
            reply = {"id": None, "error": "%s: %s" % (type(exc).__name__, exc)}
            try:
                reply["id"] = json.loads(line).get("id")
            except Exception:
                pass
        stdout.write(json.dumps(reply, ensure_ascii=False) + "\n")
        stdout.flush()


def main(argv):
    if argv[1:2] == ["--serve"]:
        stdin = open(sys.stdin.fileno(), encoding="utf-8", closefd=False)
        stdout = open(sys.stdout.fileno(), "w", encoding="utf-8", closefd=False)
        serve(stdin, stdout)
        return 0
    if len(argv) < 2:
        print("usage: mp_lint.py FILE.py [--lang zh]  |  mp_lint.py --serve", file=sys.stderr)
        return 2
    lang = argv[argv.index("--lang") + 1] if "--lang" in argv else "en"
    with open(argv[1], encoding="utf-8") as f:
        source = f.read()
    for finding in analyze(source, lang):
        start = finding["range"]["start"]
        print("%s:%d:%d: %s: %s" % (argv[1], start["line"] + 1, start["character"] + 1, finding["code"], finding["message"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
