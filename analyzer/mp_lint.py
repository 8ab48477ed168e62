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
    # The checks below come from "Programming guidelines" in Python's multiprocessing
    # documentation; docs/checks.md says which tutorial section each one comes from.
    "join-before-drain": (
        "`{join}` waits for {proc} to exit, but {proc} puts items on `{queue}`, which is read only "
        "later (line {line}). A process that has put items on a Queue does not exit until they have "
        "all been written to the queue's pipe, and the pipe holds little (64 KB on Linux): while "
        "nobody reads, {proc} waits for a reader and this join waits for {proc}, a deadlock "
        "(\"Joining processes that use queues\" in Python's programming guidelines). Read the "
        "queue first, then join.",
        "`{join}` 等待 {proc_zh} 退出，但 {proc_zh} 往 `{queue}` 里放了数据，而这个队列到后面第 {line} 行"
        "才读取。往 Queue 里放过数据的进程，要等数据全部写进队列底层的管道后才会退出，而管道只能容纳很少的数据"
        "（Linux 上 64 KB）：没有人读取时，{proc_zh} 等读者，这里的 join 又等 {proc_zh}，就是死锁"
        "（Python 编程指南“联接使用队列的进程”）。请先读取队列，再 join。",
    ),
    "pipe-end-not-closed": (
        "`{recv}` waits for EOFError, which is raised only once every copy of `{other}`, the other "
        "end of this Pipe, is closed. This process still holds its own copy of `{other}` (it is not "
        "closed before this point), so when the sender is done, recv() blocks forever instead of "
        "raising EOFError. Close it before waiting: `{other}.close()`.",
        "`{recv}` 在等待 EOFError，而只有这个管道另一端 `{other}` 的所有副本都关闭后才会抛出 EOFError。"
        "本进程自己还持有一个 `{other}` 副本（在这之前没有关闭），所以发送方结束后 recv() 会永远阻塞，"
        "而不是抛出 EOFError。请在等待之前关闭它：`{other}.close()`。",
    ),
    "terminate-shared": (
        "`{call}` kills {proc} at once, with no clean-up, but {proc} uses {objs}. If it is in the "
        "middle of using one (inside a Queue's get() or put(), holding a lock, half-way through a "
        "message), that object stays broken for every other process: a lock never released, a "
        "message cut in half. Python's programming guidelines: terminate only processes that use no "
        "shared resources. Ask {proc} to stop instead (a sentinel such as None, or an Event) and "
        "join it.",
        "`{call}` 立即杀死 {proc_zh}，不做任何清理，但 {proc_zh} 使用了 {objs_zh}。如果它此刻正在使用其中之一"
        "（在 Queue 的 get()/put() 里、持有锁、消息发送到一半），这个对象对其他所有进程来说就坏掉了："
        "锁永远不会释放，消息只有半条。Python 编程指南：只对不使用共享资源的进程调用 terminate()。"
        "请改为通知 {proc_zh} 结束（发送 None 之类的结束标志，或者用 Event），再 join 它。",
    ),
    "acquire-without-finally": (
        "`{name}.acquire()` is released by `{name}.release()` at line {line}, but not in a `finally`: "
        "if anything in between raises, the lock is never released and every process that waits "
        "for it waits forever. Use `with {name}:`, or release it in "
        "`try: ... finally: {name}.release()`.",
        "`{name}.acquire()` 之后在第 {line} 行用 `{name}.release()` 释放，但不在 `finally` 中："
        "中间任何一行抛出异常，锁就永远不会被释放，所有等这把锁的进程都会一直等下去。"
        "请使用 `with {name}:`，或者用 `try: ... finally: {name}.release()` 释放。",
    ),
    "manager-after-with": (
        "`{name}` {what} the Manager `{manager}`, whose server process was shut down when its "
        "`with` block ended (line {line}). Using it here fails (BrokenPipeError; printed, it shows "
        "\"'__str__()' failed\"). Keep every use of `{name}` inside the `with` block.",
        "`{name}` {what_zh} Manager `{manager}`，而它的服务进程在 `with` 块结束时（第 {line} 行）已经关闭。"
        "在这里使用会失败（BrokenPipeError；打印时显示 \"'__str__()' failed\"）。"
        "请把所有用到 `{name}` 的代码都放在 `with` 块内。",
    ),
    "module-level-sync-object": (
        "`{name}` (a {kind}) is created when this file is imported, outside "
        "`if __name__ == \"__main__\":`, and `{func}` uses it in a child process (line {line}). "
        "A forked child shares it, but a child started with spawn or forkserver (the default on "
        "macOS and Windows, and on Linux from Python 3.14) imports this file again and gets a new, "
        "different {kind}: {consequence}. Create it under the main guard and pass it to the child "
        "with args.",
        "`{name}`（{kind}）在导入本文件时创建，位于 `if __name__ == \"__main__\":` 之外，而 `{func}` 在子进程中"
        "使用它（第 {line} 行）。fork 出的子进程与父进程共享它；但用 spawn 或 forkserver 启动的子进程"
        "（macOS、Windows 的默认方式，Linux 从 Python 3.14 起也是）会重新导入本文件，得到一个新的、不同的 {kind}："
        "{consequence_zh}。请在 main 保护之下创建它，并通过 args 传给子进程。",
    ),
}

FIX_TITLES = {
    "main-guard": ("Move under if __name__ == \"__main__\":", "移到 if __name__ == \"__main__\": 之下"),
    "args-not-tuple": ("Add the comma that makes a tuple", "加上构成元组的逗号"),
    "daemon-after-start": ("Set daemon before start()", "在 start() 之前设置 daemon"),
    "pool-join-before-close": ("Call close() before join()", "在 join() 之前调用 close()"),
    "join-before-drain": ("Read the queue before join()", "先读取队列，再 join()"),
    "pipe-end-not-closed": ("Close `{other}` before waiting", "等待之前关闭 `{other}`"),
    "acquire-without-finally": ("Release in try/finally", "在 try/finally 中释放"),
    "manager-after-with": ("Move these lines into the `with` block", "把这些行移进 `with` 块"),
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
    "join-before-drain": 2,
    "pipe-end-not-closed": 2,
    "terminate-shared": 2,
    "acquire-without-finally": 2,
    "manager-after-with": 1,
    "module-level-sync-object": 2,
}

PROCESS_FACTORIES = {"Process"}
POOL_FACTORIES = {"Pool"}
STARTS_PROCESSES = {"Process", "Pool", "Manager", "ProcessPoolExecutor"}
QUEUES = {"Queue", "JoinableQueue", "SimpleQueue"}
LOCKS = {"Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition"}
SYNC_OBJECTS = QUEUES | LOCKS | {"Event", "Barrier", "Value", "Array", "Pipe"}
# What each kind of object is called in a message, and what goes wrong when a spawned child
# gets its own copy of a module-level one (module-level-sync-object).
KIND_WORDS = {
    "Queue": ("Queue", "队列 Queue"), "JoinableQueue": ("JoinableQueue", "队列 JoinableQueue"),
    "SimpleQueue": ("SimpleQueue", "队列 SimpleQueue"), "Lock": ("Lock", "锁 Lock"),
    "RLock": ("RLock", "锁 RLock"), "Semaphore": ("Semaphore", "信号量 Semaphore"),
    "BoundedSemaphore": ("BoundedSemaphore", "信号量 BoundedSemaphore"),
    "Condition": ("Condition", "条件变量 Condition"), "Event": ("Event", "事件 Event"),
    "Barrier": ("Barrier", "屏障 Barrier"), "Value": ("Value", "共享值 Value"),
    "Array": ("Array", "共享数组 Array"), "Pipe": ("Pipe end", "管道端"),
}
CONSEQUENCES = {
    "queue": ("what the child puts there nobody reads, and what it waits for never comes",
              "子进程放进去的数据没人读，它等的数据也永远不会来"),
    "lock": ("it locks only itself, so nothing is protected", "它只锁住自己，什么也保护不了"),
    "event": ("setting it in one process is never seen in another", "在一个进程里 set，另一个进程永远看不到"),
    "shared": ("its changes are not shared", "对它的修改不会共享"),
}


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
        self._walked = None
        self._scope_nodes = {}

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
            title = FIX_TITLES[code][self.lang]
            finding["fix"] = {"title": title.format(**fmt) if fmt else title, "edits": fix_edits}
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
        for node in self.walk(tree):
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
            if func.attr in STARTS_PROCESSES | SYNC_OBJECTS:
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
        for node in self.walk(tree):
            if isinstance(node, ast.Call):
                self.check_args_tuple(node)
        for scope in self.scopes(tree):
            self.check_scope(scope)
        self.check_input_in_child(tree)
        self.check_guidelines(tree)
        self.findings.sort(key=lambda f: (f["range"]["start"]["line"], f["range"]["start"]["character"]))
        return self.findings

    def walk(self, tree):
        """Every node of the file, walked once (a file is walked by many checks)."""
        if self._walked is None or self._walked[0] is not tree:
            self._walked = (tree, list(ast.walk(tree)))
        return self._walked[1]

    def scopes(self, tree):
        yield tree.body
        for node in self.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield node.body

    def scope_nodes(self, body):
        """The nodes of one scope, without nested functions and classes (computed once)."""
        key = id(body)
        if key not in self._scope_nodes:
            self._scope_nodes[key] = list(_own_nodes(body))
        return self._scope_nodes[key]

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
        nodes = self.scope_nodes(body)
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
        for node in self.walk(tree):
            if isinstance(node, ast.Call) and self.creates(node, PROCESS_FACTORIES):
                for kw in node.keywords:
                    if kw.arg == "target" and isinstance(kw.value, ast.Name):
                        targets.add(kw.value.id)
        for node in self.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in self.process_classes:
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and item.name == "run":
                        self.flag_input(item, node.name + ".run")
            elif isinstance(node, ast.FunctionDef) and node.name in targets:
                self.flag_input(node, node.name)

    def flag_input(self, func, label):
        for n in self.scope_nodes(func.body):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "input":
                self.report("input-in-child", self.rng(n), func=label)

    # -- the programming guidelines: who waits for whom ---------------------------------------

    def prepare(self, tree):
        """Parents, module-level functions and the processes each call site starts: what the
        guideline checks share."""
        self.tree = tree
        self.parent = {}
        for node in self.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parent[child] = node
        self.funcs = {}
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.funcs.setdefault(node.name, node)
        for node in self.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.funcs.setdefault(node.name, node)

    def target_binding(self, call):
        """For `Process(target=f, args=(...), kwargs={...})`, or a plain call `f(...)` of a
        function of this file: (f's FunctionDef, {parameter name: argument expression})."""
        if self.creates(call, PROCESS_FACTORIES):
            target = next((kw.value for kw in call.keywords if kw.arg == "target"), None)
            args = next((kw.value for kw in call.keywords if kw.arg == "args"), None)
            kwargs = next((kw.value for kw in call.keywords if kw.arg == "kwargs"), None)
            positional = list(args.elts) if isinstance(args, (ast.Tuple, ast.List)) else []
            named = {}
            if isinstance(kwargs, ast.Dict):
                for k, v in zip(kwargs.keys, kwargs.values):
                    if isinstance(k, ast.Constant) and isinstance(k.value, str):
                        named[k.value] = v
        elif isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in self.funcs:
            target = call.func
            positional = list(call.args)
            named = {kw.arg: kw.value for kw in call.keywords if kw.arg}
        else:
            return None, {}
        func = self.funcs.get(target.id) if isinstance(target, ast.Name) else None
        if func is None:
            return None, {}
        params = [a.arg for a in func.args.posonlyargs + func.args.args]
        binding = {}
        for name, value in zip(params, positional):
            if not isinstance(value, ast.Starred):
                binding[name] = value
        for name, value in named.items():
            if name in params or name in [a.arg for a in func.args.kwonlyargs]:
                binding[name] = value
        return func, binding

    def uses_param(self, func, param, methods, depth=3, seen=None):
        """Does `func` (or a function of this file it hands `param` to) call `param.<method>()`?"""
        seen = seen if seen is not None else set()
        if (func, param) in seen or depth < 0:
            return False
        seen.add((func, param))
        for n in self.scope_nodes(func.body):
            if not isinstance(n, ast.Call):
                continue
            recv, method = _method_call(n)
            if recv == param and method in methods:
                return True
            inner, binding = self.target_binding(n)
            if inner is not None:
                for name, value in binding.items():
                    if isinstance(value, ast.Name) and value.id == param and self.uses_param(inner, name, methods, depth - 1, seen):
                        return True
        return False

    def stmt_of(self, node):
        while node is not None and not isinstance(node, ast.stmt):
            node = self.parent.get(node)
        return node

    def block_of(self, stmt):
        """The statement list that holds `stmt` (a body, an else, a finally...)."""
        parent = self.parent.get(stmt)
        for field in ("body", "orelse", "finalbody", "handlers"):
            block = getattr(parent, field, None)
            if isinstance(block, list) and any(s is stmt for s in block):
                return block
        return None

    def ancestor_in(self, node, block):
        while node is not None:
            if any(s is node for s in block):
                return node
            node = self.parent.get(node)
        return None

    def process_groups(self, nodes):
        """Names that stand for processes started in this scope, each with the Process(...)
        calls it may hold: `p = Process(...)`, a list they were appended to, `for p in ps`."""
        groups = {}

        def add(name, calls):
            if name and calls:
                groups.setdefault(name, [])
                for c in calls:
                    if not any(c is g for g in groups[name]):
                        groups[name].append(c)

        def calls_of(value):
            if self.creates(value, PROCESS_FACTORIES):
                return [value]
            if isinstance(value, ast.Name):
                return list(groups.get(value.id, []))
            if isinstance(value, (ast.List, ast.Tuple)):
                return [c for e in value.elts for c in calls_of(e)]
            if isinstance(value, (ast.ListComp, ast.GeneratorExp)):
                return calls_of(value.elt)
            return []

        for _ in range(2):  # a second pass sees lists filled after the loop that reads them
            for n in nodes:
                if isinstance(n, ast.Assign):
                    for t in n.targets:
                        add(_dotted(t), calls_of(n.value))
                elif isinstance(n, ast.Call):
                    recv, method = _method_call(n)
                    if method in ("append", "extend", "add") and n.args:
                        add(recv, calls_of(n.args[0]))
                elif isinstance(n, ast.For) and isinstance(n.target, ast.Name):
                    add(n.target.id, calls_of(n.iter))
        return groups

    def bound_objects(self, nodes):
        """Names bound in this scope to multiprocessing objects: {name: (kind, key, end)}; a
        Pipe's two ends share a key and have end 0 and 1."""
        bound = {}
        pairs = []
        for n in nodes:
            if not isinstance(n, ast.Assign):
                continue
            for t in n.targets:
                # `q, lock = Queue(), Lock()` binds each name to its own call.
                if isinstance(t, ast.Tuple) and isinstance(n.value, ast.Tuple) and len(t.elts) == len(n.value.elts):
                    pairs.extend(zip(t.elts, n.value.elts))
                else:
                    pairs.append((t, n.value))
        for t, value in pairs:
            if isinstance(value, ast.Call):
                kind = self.factory_of(value.func)
                if kind not in SYNC_OBJECTS:
                    continue
                n = value
                if kind == "Pipe":
                    if isinstance(t, (ast.Tuple, ast.List)) and len(t.elts) == 2:
                        for end, e in enumerate(t.elts):
                            if _dotted(e):
                                bound[_dotted(e)] = ("Pipe", id(n), end)
                elif _dotted(t):
                    bound[_dotted(t)] = (kind, id(n), None)
        return bound

    def pipe_ends_by_function(self, tree):
        """Which parameters (or names unpacked from a parameter) of each function are ends of
        a Pipe created elsewhere in this file, from every call or Process(target=...) that
        hands them over: {function: {name: (key, end)}}."""
        found = {}
        conflicting = set()
        for body in self.scopes(tree):
            nodes = self.scope_nodes(body)
            bound = {k: v for k, v in self.bound_objects(nodes).items() if v[0] == "Pipe"}
            if not bound:
                continue
            for n in nodes:
                if not isinstance(n, ast.Call):
                    continue
                func, binding = self.target_binding(n)
                if func is None:
                    continue
                for param, value in binding.items():
                    pairs = []
                    if isinstance(value, ast.Name) and value.id in bound:
                        pairs.append((param, bound[value.id]))
                    elif isinstance(value, ast.Tuple) and all(isinstance(e, ast.Name) for e in value.elts):
                        # `produce, consume = p` inside the function unpacks a tuple of ends.
                        for st in self.scope_nodes(func.body):
                            if (isinstance(st, ast.Assign) and isinstance(st.value, ast.Name) and st.value.id == param
                                    and isinstance(st.targets[0], ast.Tuple) and len(st.targets[0].elts) == len(value.elts)):
                                for t, e in zip(st.targets[0].elts, value.elts):
                                    if isinstance(t, ast.Name) and e.id in bound:
                                        pairs.append((t.id, bound[e.id]))
                    for name, (_, key, end) in pairs:
                        mine = found.setdefault(func, {})
                        if name in mine and mine[name] != (key, end):
                            conflicting.add((func, name))
                        mine[name] = (key, end)
        for func, name in conflicting:
            found[func].pop(name, None)
        return found

    def check_guidelines(self, tree):
        self.prepare(tree)
        ends_of = self.pipe_ends_by_function(tree)
        for body in self.scopes(tree):
            nodes = self.scope_nodes(body)
            bound = self.bound_objects(nodes)
            groups = self.process_groups(nodes)
            self.check_join_before_drain(nodes, bound, groups)
            self.check_terminate_shared(nodes, bound, groups)
            self.check_acquire_without_finally(nodes)
            self.check_manager_after_with(nodes)
            ends = {name: (key, end) for name, (kind, key, end) in bound.items() if kind == "Pipe"}
            owner = self.parent.get(body[0]) if body else None
            ends.update(ends_of.get(owner, {}))
            self.check_pipe_end_not_closed(nodes, ends)
        self.check_module_level_sync_objects(tree)

    @staticmethod
    def _at(node):
        return (node.lineno, node.col_offset)

    def _proc_words(self, name, calls):
        if len(calls) > 1 or any(isinstance(self.parent.get(c), (ast.ListComp, ast.GeneratorExp)) for c in calls) \
                or not any(isinstance(self.parent.get(c), ast.Assign) and _dotted(self.parent[c].targets[0]) == name for c in calls):
            # A loop variable or a list: the processes it stands for.
            return "the processes in `%s`" % name, "`%s` 中的进程" % name
        return "`%s`" % name, "`%s`" % name

    def check_join_before_drain(self, nodes, bound, groups):
        queues = {name for name, (kind, _, _) in bound.items() if kind in QUEUES}
        if not queues or not groups:
            return
        reads = {}
        for n in nodes:
            recv, method = _method_call(n)
            if recv in queues and method in ("get", "get_nowait"):
                reads.setdefault(recv, []).append(n)
        for n in nodes:
            recv, method = _method_call(n)
            if method != "join" or recv not in groups:
                continue
            for q in sorted(queues):
                later = [r for r in reads.get(q, []) if self._at(r) > self._at(n)]
                if not later:
                    continue
                putters = []
                for call in groups[recv]:
                    func, binding = self.target_binding(call)
                    if func is None:
                        continue
                    for param, value in binding.items():
                        if isinstance(value, ast.Name) and value.id == q and self.uses_param(func, param, ("put", "put_nowait")) \
                                and not self.uses_param(func, param, ("cancel_join_thread",)):
                            putters.append(call)
                if not putters:
                    continue
                words, words_zh = self._proc_words(recv, groups[recv])
                self.report("join-before-drain", self.rng(n), self.move_join_after_reads(n, later, recv),
                            join=self.segment(n), proc=words, proc_zh=words_zh, queue=q, line=later[0].lineno)
                break

    def move_join_after_reads(self, join, reads, proc):
        """Move the statement that joins to just after the last statement that reads the queue,
        when both are in the same block and nothing in between looks at the processes."""
        stmt = self.stmt_of(join)
        block = self.block_of(stmt) if stmt else None
        if block is None:
            return None
        unit = stmt
        # `for p in ps: p.join()`: move the whole loop.
        loop = self.parent.get(stmt)
        if isinstance(loop, ast.For) and len(loop.body) == 1 and not loop.orelse:
            outer = self.block_of(loop)
            if outer is not None:
                unit, block = loop, outer
        last = None
        for r in reads:
            holder = self.ancestor_in(r, block)
            if holder is None:
                return None
            last = holder if last is None or holder.lineno > last.lineno else last
        start, end = block.index(unit), block.index(last)
        if end <= start:
            return None
        root = proc.split(".")[0]
        for between in block[start + 1:end + 1]:
            if any(isinstance(x, ast.Name) and x.id == root for x in ast.walk(between)):
                return None
        if not self.plain_lines(unit.lineno, unit.end_lineno):
            return None
        text = "".join(self.lines[unit.lineno - 1:unit.end_lineno])
        if not text.endswith("\n"):
            text += "\n"
        after = last.end_lineno  # 0-based line just after `last`
        if after >= len(self.lines):
            insert = {"range": {"start": _pos(after - 1, len(self.lines[-1])), "end": _pos(after - 1, len(self.lines[-1]))},
                      "newText": ("" if self.lines[-1].endswith("\n") else "\n") + text}
        else:
            insert = {"range": {"start": _pos(after, 0), "end": _pos(after, 0)}, "newText": text}
        return [
            insert,
            {"range": {"start": _pos(unit.lineno - 1, 0), "end": _pos(unit.end_lineno, 0)}, "newText": ""},
        ]

    def plain_lines(self, first, last):
        """True when lines first..last (1-based) can be moved or re-indented: each begins a
        statement or continues one, and no string spans lines (re-indenting would change it)."""
        for node in self.walk(self.tree):
            if isinstance(node, (ast.Constant, ast.JoinedStr)) and node.end_lineno > node.lineno \
                    and node.lineno <= last and node.end_lineno >= first:
                return False
        return True

    def check_terminate_shared(self, nodes, bound, groups):
        shared_kinds = QUEUES | LOCKS | {"Pipe"}
        shared = {name: kind for name, (kind, _, _) in bound.items() if kind in shared_kinds}
        if not shared:
            return
        for n in nodes:
            recv, method = _method_call(n)
            if method not in ("terminate", "kill") or recv not in groups:
                continue
            used = []
            for call in groups[recv]:
                for x in ast.walk(call):
                    if isinstance(x, ast.Name) and x.id in shared and x.id not in used:
                        used.append(x.id)
            if not used:
                continue
            objs = ", ".join("`%s` (a %s)" % (u, KIND_WORDS[shared[u]][0]) for u in used)
            objs_zh = "、".join("`%s`（%s）" % (u, KIND_WORDS[shared[u]][1]) for u in used)
            words, words_zh = self._proc_words(recv, groups[recv])
            self.report("terminate-shared", self.rng(n), call=self.segment(n), proc=words, proc_zh=words_zh,
                        objs=objs, objs_zh=objs_zh)

    def check_acquire_without_finally(self, nodes):
        releases = {}
        for n in nodes:
            recv, method = _method_call(n)
            if method == "release" and recv:
                releases.setdefault(recv, []).append(n)
        for n in nodes:
            if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)):
                continue
            name, method = _method_call(n.value)
            if method != "acquire" or not name or name not in releases:
                continue
            later = [r for r in releases[name] if self._at(r) > self._at(n)]
            if not later or self.released_in_finally(n, name):
                continue
            self.report("acquire-without-finally", self.rng(n.value), self.wrap_in_try(n, name, later),
                        name=name, line=later[0].lineno)

    def released_in_finally(self, stmt, name):
        def releases(block):
            return any(isinstance(x, ast.Call) and _method_call(x) == (name, "release") for s in block for x in ast.walk(s))
        # acquire(); try: ... finally: release()
        block = self.block_of(stmt)
        if block is not None:
            i = block.index(stmt)
            if i + 1 < len(block) and isinstance(block[i + 1], ast.Try) and releases(block[i + 1].finalbody):
                return True
        # try: acquire(); ... finally: release()
        node = stmt
        while node is not None:
            parent = self.parent.get(node)
            if isinstance(parent, ast.Try) and any(s is node for s in parent.body) and releases(parent.finalbody):
                return True
            if isinstance(parent, _NEW_SCOPES):
                break
            node = parent
        return False

    def wrap_in_try(self, acquire, name, releases):
        """acquire(); A; B; release()  ->  acquire(); try: A; B  finally: release()."""
        block = self.block_of(acquire)
        release = self.stmt_of(releases[0])
        if block is None or not any(s is release for s in block) or not (
                isinstance(release, ast.Expr) and release.value is releases[0]):
            return None
        i, j = block.index(acquire), block.index(release)
        if j <= i + 1 or acquire.end_lineno != acquire.lineno:
            return None
        if not self.plain_lines(block[i + 1].lineno, release.end_lineno):
            return None
        indent = self.line_of(acquire)[: len(self.line_of(acquire)) - len(self.line_of(acquire).lstrip())]
        first, last = acquire.lineno, release.end_lineno  # 1-based: body lines are first+1 .. release-1
        newline = "\r\n" if self.lines[first - 1].endswith("\r\n") else "\n"
        # Comments just above the release describe it: they go with it into the finally.
        split = release.lineno - 1
        while split > first and self.lines[split - 1].strip().startswith("#"):
            split -= 1
        body = "".join(("    " + l) if l.strip() else l for l in self.lines[first:split])
        tail = "".join("    " + l for l in self.lines[split:last])
        if not body.strip():
            return None
        if not tail.endswith("\n"):
            tail += newline
        text = indent + "try:" + newline + body + indent + "finally:" + newline + tail
        end = _pos(last, 0) if last < len(self.lines) else _pos(last - 1, len(self.lines[-1]))
        return [{"range": {"start": _pos(first, 0), "end": end}, "newText": text}]

    def check_manager_after_with(self, nodes):
        for w in nodes:
            if not isinstance(w, ast.With):
                continue
            for item in w.items:
                if not (self.creates(item.context_expr, {"Manager"}) and isinstance(item.optional_vars, ast.Name)):
                    continue
                manager = item.optional_vars.id
                proxies = {manager}
                for n in _own_nodes(w.body):
                    if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call) and isinstance(n.value.func, ast.Attribute) \
                            and isinstance(n.value.func.value, ast.Name) and n.value.func.value.id == manager:
                        proxies.update(t.id for t in n.targets if isinstance(t, ast.Name))
                uses = []  # every read after the block (the fix moves them all); the first is reported
                for name in sorted(proxies):
                    uses.extend((name, use) for use in self.uses_after(nodes, name, w))
                uses.sort(key=lambda u: self._at(u[1]))
                fix = self.move_into_with(w, [u for _, u in uses]) if uses else None
                seen = set()
                uses = [u for u in uses if not (u[0] in seen or seen.add(u[0]))]
                for name, use in uses:
                    what = ("is used after its `with` block:", "在 `with` 块之后被使用：") if name == manager else \
                        ("is a proxy of", "是这个对象的代理：")
                    self.report("manager-after-with", self.rng(use), fix, name=name, manager=manager,
                                what=what[0], what_zh=what[1], line=w.end_lineno)

    def uses_after(self, nodes, name, w):
        """Reads of `name` after the with block, up to where it is bound again."""
        events = []
        for n in nodes:
            if isinstance(n, ast.Name) and n.id == name and n.lineno > w.end_lineno:
                # Within one statement the reads come first: `d = dict(d)` reads the proxy.
                load = isinstance(n.ctx, ast.Load)
                events.append(((self._at(self.stmt_of(n)), not load, self._at(n)), load, n))
        uses = []
        for at, load, n in sorted(events, key=lambda e: e[0]):
            if not load:
                break
            if name != self_manager_method_exempt(self.parent.get(n), n):
                uses.append(n)
        return uses

    def move_into_with(self, w, uses):
        block = self.block_of(w)
        if block is None:
            return None
        holders = [self.ancestor_in(u, block) for u in uses]
        if any(h is None for h in holders):
            return None
        last = max(holders, key=lambda h: h.lineno)
        start, end = block.index(w) + 1, block.index(last)
        if end < start or not self.plain_lines(block[start].lineno, last.end_lineno):
            return None
        extra = " " * (w.body[0].col_offset - w.col_offset)
        if not extra:
            return None
        first, stop = block[start].lineno, last.end_lineno  # 1-based, inclusive
        text = "".join((extra + l) if l.strip() else l for l in self.lines[first - 1:stop])
        if not text.endswith("\n"):
            text += "\n"
        end_pos = _pos(stop, 0) if stop < len(self.lines) else _pos(stop - 1, len(self.lines[-1]))
        return [{"range": {"start": _pos(first - 1, 0), "end": end_pos}, "newText": text}]

    def check_pipe_end_not_closed(self, nodes, ends):
        if not ends:
            return
        closes = {}
        for n in nodes:
            recv, method = _method_call(n)
            if method == "close" and recv in ends:
                closes.setdefault(recv, []).append(n)
        flagged = set()
        for t in nodes:
            if not (isinstance(t, ast.Try) and any(_catches(h, "EOFError") for h in t.handlers)):
                continue
            for c in _own_nodes(t.body):
                recv, method = _method_call(c)
                if method not in ("recv", "recv_bytes") or recv not in ends or recv in flagged:
                    continue
                key, end = ends[recv]
                others = [name for name, (k, e) in ends.items() if k == key and e != end]
                for other in others:
                    if any(self._at(x) < self._at(t) for x in closes.get(other, [])):
                        continue
                    flagged.add(recv)
                    self.report("pipe-end-not-closed", self.rng(c), self.close_before_wait(t, other, nodes),
                                recv=self.segment(c), other=other)

    def close_before_wait(self, t, other, nodes):
        """Insert `other.close()` before the loop that waits, when nothing after it uses `other`
        (and every process that needs a copy has been started)."""
        wait = t
        node = t
        while node is not None and not isinstance(node, _NEW_SCOPES):
            if isinstance(node, (ast.While, ast.For)):
                wait = node
            node = self.parent.get(node)
        for n in nodes:
            if not hasattr(n, "lineno") or self._at(n) < self._at(wait):
                continue
            if isinstance(n, ast.Name) and n.id == other.split(".")[0]:
                parent = self.parent.get(n)
                if not (isinstance(parent, ast.Attribute) and parent.attr == "close"):
                    return None
            if _method_call(n)[1] == "start":
                return None
        return self.insert_before(wait, other + ".close()")

    def check_module_level_sync_objects(self, tree):
        names = {}
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                kind = self.factory_of(stmt.value.func)
                if kind in SYNC_OBJECTS and kind != "Pipe":
                    for t in stmt.targets:
                        if isinstance(t, ast.Name):
                            names[t.id] = (kind, stmt)
        if not names or self.only_fork(tree):
            return
        # A function that rebinds the name with `global` (a Pool initializer) hands the child the
        # parent's object: nothing to warn about.
        for node in self.walk(tree):
            if isinstance(node, ast.Global):
                for n in node.names:
                    names.pop(n, None)
        children = self.child_functions(tree)
        for name, (kind, stmt) in names.items():
            for func in children:
                use = self.global_use(func, name, set())
                if use is None:
                    continue
                family = "queue" if kind in QUEUES else "lock" if kind in LOCKS or kind == "Barrier" else \
                    "event" if kind == "Event" else "shared"
                self.report("module-level-sync-object", self.rng(stmt), name=name, kind=KIND_WORDS[kind][0] if self.lang == 0 else KIND_WORDS[kind][1],
                            func=func.name, line=use.lineno, consequence=CONSEQUENCES[family][0],
                            consequence_zh=CONSEQUENCES[family][1])
                break

    def only_fork(self, tree):
        """The program asks for fork and for no other start method: its children share module state."""
        methods = set()
        for node in self.walk(tree):
            if isinstance(node, ast.Call) and _method_call(node)[1] in ("set_start_method", "get_context"):
                if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                    methods.add(node.args[0].value)
                else:
                    methods.add("?")
        return methods == {"fork"}

    def child_functions(self, tree):
        """Functions of this file that run in a child: Process targets, Pool/executor tasks,
        the run() of a Process subclass."""
        found = []
        for node in self.walk(tree):
            if isinstance(node, ast.Call):
                cand = None
                if self.creates(node, PROCESS_FACTORIES):
                    cand = next((kw.value for kw in node.keywords if kw.arg == "target"), None)
                elif _method_call(node)[1] in ("map", "map_async", "imap", "imap_unordered", "starmap", "starmap_async",
                                               "apply", "apply_async", "submit") and node.args:
                    cand = node.args[0]
                if isinstance(cand, ast.Name) and cand.id in self.funcs and self.funcs[cand.id] not in found:
                    found.append(self.funcs[cand.id])
            elif isinstance(node, ast.ClassDef) and node.name in self.process_classes:
                found.extend(item for item in node.body if isinstance(item, ast.FunctionDef) and item.name == "run")
        return found

    def global_use(self, func, name, seen, depth=3):
        """Where `func` (or a function of this file it calls) reads the module-level `name`."""
        if func in seen or depth < 0:
            return None
        seen.add(func)
        params = {a.arg for a in func.args.posonlyargs + func.args.args + func.args.kwonlyargs}
        if func.args.vararg:
            params.add(func.args.vararg.arg)
        if func.args.kwarg:
            params.add(func.args.kwarg.arg)
        if name in params:
            return None
        own = self.scope_nodes(func.body)
        if any(isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load) for n in own):
            return None  # a local of the same name
        for n in own:
            if isinstance(n, ast.Name) and n.id == name:
                return n
        for n in own:
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in self.funcs:
                use = self.global_use(self.funcs[n.func.id], name, seen, depth - 1)
                if use is not None:
                    return n
        return None

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


def _catches(handler, name):
    """Does this `except` clause catch the exception `name` (by name; a bare except does)?"""
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return handler.type is None or any((_dotted(k) or "").split(".")[-1] in (name, "Exception", "BaseException") for k in kinds)


def self_manager_method_exempt(parent, name_node):
    """`manager.shutdown()` / `manager.join()` after the block are harmless: not a use."""
    if isinstance(parent, ast.Attribute) and parent.value is name_node and parent.attr in ("shutdown", "join"):
        return name_node.id
    return None


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
