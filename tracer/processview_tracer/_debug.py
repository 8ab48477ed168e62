"""The in-process debugger of a debug run (docs/debugging.md).

Active only when the launcher offered the control channel (PROCESS_VIEW_DEBUG_SOCKET, or
PROCESS_VIEW_DEBUG_PORT): then each traced process opens its own control connection to the debug
adapter (a Unix socket, or loopback TCP; the run's token), takes its
configuration (breakpoints, the operation kinds to pause before, stop on entry) before the
program's code runs, and serves the adapter's commands from a reader thread of its own.

Where the program can stop:
- breakpoints and steps: on 3.12+ through sys.monitoring, with LINE events only for code objects
  of files that have breakpoints (PY_START enables them or says DISABLE) and, while a thread
  steps or a pause waits, for all code; on 3.9-3.11 through sys.settrace, whose global function
  gives a local tracer only to frames whose code has a breakpoint line (or to all frames while a
  thread steps or a pause waits). There a trace function slows every thread that has one
  (x2-x3, even a C no-op), so with breakpoints alone a thread traces only while it runs code of a
  file with breakpoints: that code is compiled with an entry hook (`_enter`) and the thread's
  tracing ends when the frame that turned it on returns ("entry hooks", below);
- before a multiprocessing operation (`pause_before`, called by the tracer's wrappers before the
  public call, so no lock of multiprocessing's or ours is held), in the thread making the call.

A stopped thread waits on a lock (which releases the GIL: Queue feeder threads, Pool handler
threads and the tracer's sender go on) for the commands the reader thread hands it; it runs
stackTrace/variables/evaluate itself. One thread of a process is stopped at a time; another
that reaches a stop waits for it to resume. A lost control connection resumes everything and
turns the debugger off in that process: it never waits for an adapter that is gone.
"""
import ast
import itertools
import json
import os
import re
import socket
import sys
import threading
import types

from . import _core, _protocol
from ._core import state

CONFIG_TIMEOUT = 10.0  # seconds a new process waits for its configuration before running undebugged
SEND_TIMEOUT = 10.0
KINDS = ("process", "queue", "pipe", "lock", "event", "pool", "manager")
# Where an exception ends a process or a thread; where a pool task raised; where the user's code
# raises one (or one raised in a library first reaches it), caught or not.
EXCEPTION_FILTERS = ("uncaught", "task", "raised")
TRACEBACK_MAX = 20_000  # characters of a stop's traceback text
HELPER_ROLES = ("forkserver", "resource-tracker", "manager")
REPR_MAX = 200
CHILDREN_MAX = 300  # children listed when the client asks for all of them
TOOL_NAME = "process-view-debugger"

_getframe = sys._getframe
get_ident = threading.get_ident
_MONITORING = sys.version_info >= (3, 12) and hasattr(sys, "monitoring")


# ---------------------------------------------------------------------------------------------
# Pure parts (unit-tested in test/python/test_debugger.py)

def norm_path(p):
    """The form breakpoints are keyed by: absolute, symlinks resolved, case folded where the
    file system folds case."""
    try:
        return os.path.normcase(os.path.realpath(os.path.abspath(p)))
    except Exception:
        return p


_HIT = re.compile(r"^\s*(==|>=|<=|>|<|%)?\s*(\d+)\s*$")


def parse_hit_condition(text):
    """A DAP hitCondition as (op, n): "5" and "==5" break on the 5th hit, ">5", ">=5", "<5",
    "<=5" compare, "%3" breaks on every 3rd. None when it cannot be read."""
    if text is None or not str(text).strip():
        return None
    m = _HIT.match(str(text))
    if not m:
        return None
    return (m.group(1) or "==", int(m.group(2)))


def hit_matches(cond, hits):
    op, n = cond
    if op == "==":
        return hits == n
    if op == ">=":
        return hits >= n
    if op == ">":
        return hits > n
    if op == "<=":
        return hits <= n
    if op == "<":
        return hits < n
    return n > 0 and hits % n == 0


def split_log_message(text):
    """A logpoint's message as ["text", ("expr",), "text", ...]: `{expr}` is evaluated, `{{` and
    `}}` are literal braces."""
    parts, buf, i = [], [], 0
    while i < len(text):
        c = text[i]
        if c == "{" and text.startswith("{{", i):
            buf.append("{")
            i += 2
        elif c == "}" and text.startswith("}}", i):
            buf.append("}")
            i += 2
        elif c == "{":
            depth, j = 1, i + 1
            while j < len(text) and depth:
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                j += 1
            if depth:  # unbalanced: literal
                buf.append(text[i:])
                break
            if buf:
                parts.append("".join(buf))
                buf = []
            parts.append((text[i + 1:j - 1],))
            i = j
        else:
            buf.append(c)
            i += 1
    if buf:
        parts.append("".join(buf))
    return parts


def function_name_parts(name):
    """A function breakpoint's name as its dotted parts (`worker`, `Counter.increment`,
    `tasks.worker`; a trailing `()` is forgiven), or None when it is not a dotted name."""
    text = str(name or "").strip()
    if text.endswith("()"):
        text = text[:-2].rstrip()
    parts = tuple(p.strip() for p in text.split("."))
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return parts


def function_names(module, qualname, filename):
    """The dotted names a function is known by, as tuples of parts: its module's name and its
    qualified name (`<locals>` left out); the main module's also by its file's name, as a user
    calls the script (`demo.worker` for demo.py's worker)."""
    qual = [p for p in qualname.split(".") if p != "<locals>"]
    out = []
    if module:
        out.append(tuple(module.split(".")) + tuple(qual))
    stem = os.path.splitext(os.path.basename(filename or ""))[0]
    if stem == "__init__":
        stem = os.path.basename(os.path.dirname(filename))
    if stem and (not module or module in ("__main__", "__mp_main__") or module.rsplit(".", 1)[-1] != stem):
        out.append((stem,) + tuple(qual))
    if not out:
        out.append(tuple(qual))
    return out


def function_name_matches(parts, names):
    """A breakpoint's name matches a function when its parts end one of the function's names."""
    k = len(parts)
    return any(len(n) >= k and n[-k:] == parts for n in names)


def assignment_target(expr):
    """`expr` as the target of an assignment (a name, an attribute, an item, a slice, or a tuple or
    list of those), or ValueError in the user's words."""
    try:
        node = ast.parse(expr.strip(), "<watch>", "eval").body
    except SyntaxError as e:
        raise ValueError("%r is not an expression: %s" % (expr, e.msg))

    def store(n):
        if isinstance(n, (ast.Name, ast.Attribute, ast.Subscript)):
            n.ctx = ast.Store()
        elif isinstance(n, (ast.Tuple, ast.List)) and n.elts:
            n.ctx = ast.Store()
            for e in n.elts:
                store(e)
        elif isinstance(n, ast.Starred):
            n.ctx = ast.Store()
            store(n.value)
        else:
            raise ValueError("%r cannot be assigned to: only a name, an attribute (x.y) or an item (x[i]) can" % expr)
    store(node)
    return node


# The parts of a compound statement that run on its own line (its body's statements have theirs).
_HEADER_FIELDS = {"If": ("test",), "While": ("test",), "For": ("target", "iter"), "AsyncFor": ("target", "iter"),
                  "With": ("items",), "AsyncWith": ("items",), "Try": (), "FunctionDef": ("decorator_list",),
                  "AsyncFunctionDef": ("decorator_list",), "ClassDef": ("decorator_list", "bases", "keywords")}


def call_targets(source, line):
    """Step Into Target: the calls the statement at `line` makes, in the order Python makes them
    (arguments before the call they are passed to), as (label, name, line, col, end_line, end_col)
    with 1-based columns; `name` is what the called function's code is named (`put` for q.put).
    A call in a lambda or a comprehension is listed (`sorted(xs, key=lambda v: f(v))` calls f
    here); one that this line does not make in the end is stepped over."""
    tree = ast.parse(source)
    stmt = None
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and node.lineno == line:
            stmt = node
            break
    if stmt is None:
        return []
    fields = _HEADER_FIELDS.get(type(stmt).__name__)
    roots = [stmt] if fields is None else []
    for f in fields or ():
        v = getattr(stmt, f, None)
        roots.extend(v if isinstance(v, list) else [v] if v is not None else [])
    calls = []
    todo = list(roots)
    while todo:
        n = todo.pop()
        if isinstance(n, ast.stmt) and n is not stmt:
            continue  # another line's
        if isinstance(n, ast.Call):
            f = n.func
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
            if name is not None:
                text = ast.get_source_segment(source, f) or name
                calls.append(("%s()" % " ".join(text.split()), name, n.lineno, n.col_offset + 1, n.end_lineno, n.end_col_offset + 1))
        todo.extend(ast.iter_child_nodes(n))
    calls.sort(key=lambda c: (c[4], c[5]))
    return calls


_lines_cache = {}


def executable_lines(path):
    """Lines of a source file where code starts (a breakpoint can stop there), or raises."""
    st = os.stat(path)
    key = (path, st.st_mtime_ns, st.st_size)
    got = _lines_cache.get(key)
    if got is not None:
        return got
    import tokenize
    with tokenize.open(path) as f:
        src = f.read()
    code = compile(src, path, "exec", dont_inherit=True)
    lines = set()
    todo = [code]
    while todo:
        c = todo.pop()
        if hasattr(c, "co_lines"):
            for _, _, ln in c.co_lines():
                if ln is not None:
                    lines.add(ln)
        else:
            import dis
            for _, ln in dis.findlinestarts(c):
                lines.add(ln)
        todo.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    # A function's header line is where its code object starts, not a line a step stops at
    # (its body's first line is); module-level `def` lines stay (the def statement runs there).
    got = frozenset(lines)
    _lines_cache[key] = got
    return got


def verify_line(path, line):
    """(line, None) where a breakpoint asked for at `line` will stop (the next line with code),
    or (None, reason)."""
    try:
        lines = executable_lines(path)
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError) as e:
        return None, "%s: %s" % (type(e).__name__, e)
    if line in lines:
        return line, None
    later = [ln for ln in lines if ln > line]
    if not later:
        return None, "no code at or after line %d" % line
    return min(later), None


_repr_obj = None


def safe_repr(v, limit=REPR_MAX):
    """A bounded repr that never raises and never talks to another process (a Manager proxy's
    repr asks its server, which may itself be paused)."""
    global _repr_obj
    try:
        if _is_proxy(v):
            return "<%s proxy of %r>" % (type(v).__name__, getattr(getattr(v, "_token", None), "typeid", "?"))
        if _is_process(v):
            return _process_repr(v)
        if _process_method(v):
            name = getattr(v.__func__, "__name__", "?")  # the class that has it, as Python says it (not our wrapper's place)
            owner = next((c.__name__ for c in type(v.__self__).__mro__ if name in c.__dict__), type(v.__self__).__name__)
            return "<bound method %s.%s of %s>" % (owner, name, _process_repr(v.__self__))
        t = type(v)
        if t in (int, float, bool, type(None), complex):
            s = repr(v)
        elif t is str or t is bytes or t is bytearray:
            s = repr(v[:limit + 1] if len(v) > limit else v)
        elif t in (list, tuple, dict, set, frozenset):
            if _repr_obj is None:
                import reprlib
                r = reprlib.Repr()
                r.maxstring = 60
                r.maxother = 60
                r.maxlevel = 2
                r.maxlist = r.maxtuple = r.maxset = r.maxfrozenset = r.maxdict = 20
                _repr_obj = r
            s = _repr_obj.repr(v)
        else:
            s = repr(v)
        if len(s) > limit:
            s = s[:limit] + "…"
        return s
    except BaseException as e:  # a __repr__ that raises, even SystemExit
        return "<unprintable %s: %s>" % (type(v).__name__, type(e).__name__)


CLIPBOARD_MAX = 1_000_000  # characters of a value copied (Copy Value): whole, where the views show a bounded repr


def clipboard_repr(v):
    """The whole repr of v, for Copy Value: never a Manager proxy's (it would ask its server),
    never raising; bounded all the same."""
    if _is_proxy(v) or _is_process(v) or _process_method(v):
        return safe_repr(v)
    try:
        s = repr(v)
    except BaseException as e:
        return "<unprintable %s: %s>" % (type(v).__name__, type(e).__name__)
    return s if len(s) <= CLIPBOARD_MAX else s[:CLIPBOARD_MAX] + "…"


def _process_method(v):
    """A Process's bound method (p.join): its repr is the process's, which polls (safe_repr builds it without)."""
    return type(v) is types.MethodType and _is_process(v.__self__)


def _is_process(v):
    mod = sys.modules.get("multiprocessing.process")
    return mod is not None and isinstance(v, mod.BaseProcess)


def _process_repr(p):
    """BaseProcess.__repr__ without its poll(): that is a waitpid(WNOHANG), which reaps a child
    that has exited. Looking at `p` in Variables (or hovering it) must not end a zombie."""
    mod = sys.modules["multiprocessing.process"]
    d = object.__getattribute__(p, "__dict__")
    popen = d.get("_popen")
    if p is getattr(mod, "_current_process", None):
        status = "started"
    elif d.get("_closed"):
        status = "closed"
    elif d.get("_parent_pid") != os.getpid():
        status = "unknown"
    elif popen is None:
        status = "initial"
    else:
        rc = getattr(popen, "returncode", None)
        status = "started" if rc is None else "stopped[%s]" % rc
    parts = [type(p).__name__, "name=%r" % d.get("_name"), status]
    if popen is not None:
        parts.append("pid=%s" % getattr(popen, "pid", "?"))
    if (d.get("_config") or {}).get("daemon"):
        parts.append("daemon")
    return "<%s>" % " ".join(parts)


def _is_proxy(v):
    mod = sys.modules.get("multiprocessing.managers")
    return mod is not None and isinstance(v, mod.BaseProxy)


def children(v, start=0, count=None):
    """(name, value, evaluate-name suffix) of the items shown under v, and the total: list, tuple
    and set items by index, dict items by key, other objects' attributes."""
    stop = None if not count else start + count
    if isinstance(v, (list, tuple)) and not _is_proxy(v):
        n = len(v)
        end = min(n, stop if stop is not None else start + CHILDREN_MAX)
        return [(str(i), v[i], "[%d]" % i) for i in range(start, end)], n
    if isinstance(v, (set, frozenset)):
        items = sorted(v, key=safe_repr) if len(v) <= 10000 else list(v)
        end = min(len(items), stop if stop is not None else start + CHILDREN_MAX)
        return [(str(i), items[i], None) for i in range(start, end)], len(items)
    if isinstance(v, dict):
        import itertools
        end = stop if stop is not None else start + CHILDREN_MAX
        out = []
        for k, x in itertools.islice(v.items(), start, end):
            out.append((safe_repr(k, 60), x, "[%s]" % safe_repr(k, 200)))
        return out, len(v)
    if _is_proxy(v):
        return [], 0
    attrs = []
    try:
        d = object.__getattribute__(v, "__dict__")
        if isinstance(d, (dict, types.MappingProxyType)):
            attrs.extend((str(k), x) for k, x in d.items() if not _tracers_own(k))
    except Exception:
        pass
    for cls in type(v).__mro__:
        for s in cls.__dict__.get("__slots__", ()) if isinstance(cls.__dict__.get("__slots__", ()), (tuple, list)) else ():
            try:
                attrs.append((s, object.__getattribute__(v, s)))
            except Exception:
                pass
    attrs.sort(key=lambda kv: (kv[0].startswith("__"), kv[0].startswith("_"), kv[0]))
    end = min(len(attrs), stop if stop is not None else start + CHILDREN_MAX)
    return [(k, x, "." + k) for k, x in attrs[start:end]], len(attrs)


def _tracers_own(name):
    """An attribute the tracer keeps on the program's objects (its ids, its marks): not the program's to see."""
    return type(name) is str and (name == "_pv" or name.startswith("_pv_"))


def expandable(v):
    """(named, indexed) child counts when v can be expanded, else None."""
    try:
        if _is_proxy(v):
            return None
        if isinstance(v, (list, tuple, set, frozenset)):
            return (0, len(v)) if len(v) else None
        if isinstance(v, dict):
            return (len(v), 0) if len(v) else None
        if isinstance(v, (int, float, bool, complex, str, bytes, bytearray, type(None))):
            return None
        if isinstance(v, (types.FunctionType, types.BuiltinFunctionType, types.ModuleType, type)):
            return (0, 0) if isinstance(v, (types.ModuleType, type)) else None
        n = 0
        try:
            d = object.__getattribute__(v, "__dict__")
            n = len(d) if isinstance(d, dict) else 0
        except Exception:
            pass
        if n == 0 and not any(cls.__dict__.get("__slots__") for cls in type(v).__mro__):
            return None
        return (n, 0)
    except Exception:
        return None


_DOTTED_TAIL = re.compile(r"(?<![\w.)\]'\"])((?:[^\W\d]\w*\s*\.\s*)*)([^\W\d]\w*)?$")
COMPLETIONS_MAX = 500


def completions(text, loc, glob):
    """The Debug Console's completions of what `text` (the input up to the cursor) ends with:
    a name, or a dotted name's attribute. Returns (word, [(label, type)]): `word` is the partial
    name the labels replace. Nothing is evaluated: the names are looked up in the frame's locals,
    globals and builtins, and each attribute on the way statically (a property, a proxy's remote
    attribute or a __getattr__ is not run: its completions are not offered)."""
    m = _DOTTED_TAIL.search(text)
    if m is None:
        return "", []
    chain = [p.strip() for p in m.group(1).split(".")[:-1]] if m.group(1) else []
    word = m.group(2) or ""
    if not chain and not word:
        return "", []  # an empty input, or the cursor after an operator: nothing typed to complete
    if not chain:
        import builtins
        import keyword
        names = {}
        for k in keyword.kwlist:
            names[k] = "keyword"
        for scope in (vars(builtins), glob, loc):
            for k, v in scope.items():
                if isinstance(k, str):
                    names[k] = _completion_type(v)
    else:
        missing = _UNREAD
        obj = _lookup(chain[0], loc, glob, missing)
        for name in chain[1:]:
            if obj is missing:
                break
            obj = _static_attr(obj, name, missing)
        if obj is missing:
            return word, []
        names = {}
        try:
            listed = dir(obj)
        except Exception:
            listed = []
        for k in listed:
            if isinstance(k, str):
                names[k] = _completion_type(_static_attr(obj, k, _UNREAD))
    private = word.startswith("_")
    hits = [(k, t) for k, t in names.items() if k.startswith(word)]
    hits.sort(key=lambda kt: (not private and kt[0].startswith("_"), kt[0].startswith("__"), kt[0].lower(), kt[0]))
    return word, hits[:COMPLETIONS_MAX]


def _static_attr(obj, name, default):
    """obj.name when reading it runs none of the program's code (an instance's or a class's own
    value, a method, a slot), else `default`."""
    import inspect
    try:
        v = inspect.getattr_static(obj, name)
    except Exception:
        return default
    if isinstance(v, (staticmethod, classmethod, types.FunctionType, types.MemberDescriptorType, types.GetSetDescriptorType,
                      types.MethodDescriptorType, types.ClassMethodDescriptorType, types.WrapperDescriptorType,
                      types.BuiltinFunctionType)):
        try:
            return getattr(obj, name)  # binds a method, reads a slot: nothing of the program's runs
        except Exception:
            return default
    if any("__get__" in c.__dict__ for c in type(v).__mro__):
        return default  # a property or another descriptor: reading it would run its code
    return v


_UNREAD = object()


def _lookup(name, loc, glob, default):
    """A name as the frame's code would find it: its locals, its globals, builtins."""
    for scope in (loc, glob):
        v = scope.get(name, default)
        if v is not default:
            return v
    import builtins
    return vars(builtins).get(name, default)


_DOTTED = re.compile(r"\s*([^\W\d]\w*(?:\s*\.\s*[^\W\d]\w*)*)\s*$")
# multiprocessing's own properties that only read (a Process's exitcode is not one: it polls, and
# a poll reaps a child that has exited).
_PROCESS_READS = frozenset(("name", "daemon", "pid", "ident", "sentinel"))


class HoverRefused(ValueError):
    """What a hover will not evaluate, and where to evaluate it instead: shown as the hover's text."""


def hover_value(expr, loc, glob):
    """The value a hover shows: a name or a dotted name's attribute, looked up as completions
    are, running none of the program's code (a hover is the mouse passing by, not a request to
    run anything): a call, a subscript, a property or a __getattr__ is refused (HoverRefused), in
    words that say where to evaluate it instead. As js-debug's side-effect-free hovers."""
    m = _DOTTED.match(expr)
    if m is None:
        raise HoverRefused("a hover shows names and their attributes only; evaluate %s in the Debug Console or Watch" % expr.strip())
    chain = [p.strip() for p in m.group(1).split(".")]
    missing = _UNREAD
    v = _lookup(chain[0], loc, glob, missing)
    if v is missing:
        raise NameError("name %r is not defined" % chain[0])
    for name in chain[1:]:
        if _is_process(v) and name in _PROCESS_READS:
            v = getattr(v, name)
            continue
        got = _static_attr(v, name, missing)
        if got is missing:
            if _is_process(v) and name == "exitcode":
                raise HoverRefused("a hover does not read exitcode: it calls poll(), which would reap the child if it has "
                                   "exited (end a zombie); evaluate it in the Debug Console when you mean to")
            raise HoverRefused("a hover does not run %s (a property or a computed attribute); evaluate it in the Debug Console or Watch"
                             % ".".join(chain[:chain.index(name) + 1]))
        v = got
    return v


def exception_conditions(raw):
    """{filter: (names, excluded)} from the adapter's {filter: {names, excluded}} (a filter's
    condition, src/core/debug/exceptionCondition.ts, already checked there); filters without one
    are left out."""
    out = {}
    for f, c in (raw or {}).items():
        if f in EXCEPTION_FILTERS and isinstance(c, dict):
            names = tuple(str(n) for n in c.get("names") or ())
            excluded = tuple(str(n) for n in c.get("excluded") or ())
            if names or excluded:
                out[f] = (names, excluded)
    return out


def exception_matches(exc, condition):
    """Does `exc` stop under a filter's condition (names, excluded)? A name is a class's own name
    (`Empty`), its module's and qualified name (`_queue.Empty`), or a module the program imported
    and a name in it (`queue.Empty`, looked up, not imported): it matches the class and its
    subclasses. Nothing of the program runs."""
    names, excluded = condition
    mro = type(exc).__mro__
    if any(_names_class(n, mro) for n in excluded):
        return False
    return not names or any(_names_class(n, mro) for n in names)


def _names_class(name, mro):
    mod_name, _, short = name.rpartition(".")
    for cls in mro:
        if cls.__name__ == short and (not mod_name or cls.__qualname__ == name or "%s.%s" % (cls.__module__, cls.__qualname__) == name):
            return True
    if mod_name:
        mod = sys.modules.get(mod_name)
        cls = vars(mod).get(short) if isinstance(mod, types.ModuleType) else None
        if isinstance(cls, type) and cls in mro:
            return True
    return False


def _completion_type(v):
    """The kind of a completion, as the DAP names them (the Debug Console shows its icon)."""
    if v is _UNREAD:
        return "property"
    if isinstance(v, types.ModuleType):
        return "module"
    if isinstance(v, type):
        return "class"
    if isinstance(v, (types.FunctionType, types.BuiltinFunctionType, types.MethodType, types.BuiltinMethodType)):
        return "function"
    if callable(v):
        return "function"
    return "variable"


# ---------------------------------------------------------------------------------------------
# State

class _Breakpoint:
    __slots__ = ("id", "line", "condition", "code", "hit", "log", "hits")

    def __init__(self, spec, line):
        self.id = spec.get("id")
        self.line = line
        self.condition = spec.get("condition") or None
        self.code = None
        self.hit = parse_hit_condition(spec.get("hitCondition"))
        msg = spec.get("logMessage")
        self.log = split_log_message(msg) if msg else None
        self.hits = 0


class _Step:
    __slots__ = ("mode", "frame", "depth", "extra", "target")

    def __init__(self, mode, frame, depth, extra=None, target=None):
        # "in", "over", "out", "entry"; "function": a function breakpoint's frame, to its first
        # line; "into": Step Into Target, into a call of `target` made from `frame`'s line
        self.mode = mode
        self.frame = frame
        self.depth = depth
        self.extra = extra  # added to the stop's body: a function breakpoint's id and name; the children a Step Into started
        self.target = target


_live = False  # the control connection is up: this process is being debugged
_sock = None
_send_lock = threading.Lock()
_slot = threading.Lock()  # one stopped thread per process
_bps = {}  # norm path -> {line: _Breakpoint}
_norms = {}  # raw co_filename -> norm path
# 3.9-3.11: id(code) -> (code, a breakpoint is on one of its lines, _user_code(code), the function
# breakpoint it matches or None); rebuilt when breakpoints change. By identity: equal code objects
# of two files compare equal, and hashing a code object costs more than the rest of the global
# trace function. One lookup per call serves all three.
_want = {}
_WANT_MAX = 50_000
_steps = {}  # thread ident -> _Step
# Function breakpoints: [(name parts, _Breakpoint)]; the user's functions they match, by code
# identity (id(code) -> (code, the _Breakpoint or None)), rebuilt when they change.
_fbps = []
_fwant = {}
_pause = False
_trace_all = False
_busy = set()  # threads serving the adapter while stopped: never stopped again meanwhile
_own = set()  # the debugger's own threads
_current = None  # the _Stop being served
_exceptions = frozenset()  # EXCEPTION_FILTERS turned on
_conditions = {}  # filter -> (names, excluded): the exception types it stops for (exception_conditions)
_raised = False  # "raised" is on: exception events in the user's code
_entry_thread = None


def _norm(raw):
    n = _norms.get(raw)
    if n is None:
        n = norm_path(raw) if raw and not raw.startswith("<") else ""
        _norms[raw] = n
    return n


_mine = {}  # id(code) -> (code, _user_code's answer); by identity, as _core's entries
_package_roots = None


def _user_code(code):
    """The user's own code, where steps, pauses and "Raised exceptions" stop, shown plainly in the
    Call Stack: not the standard library, multiprocessing or the tracer (_core's entries), and not
    installed packages (site-packages, dist-packages, the user site; debugpy's "just my code"),
    which raise and catch their own exceptions all the time and are not what a user steps through.
    A breakpoint set in any file still stops there."""
    got = _mine.get(id(code))
    if got is not None and got[0] is code:
        return got[1]
    e = _core._entries.get(id(code))
    if e is None or e[0] is not code:
        e = _core._entry(code)
    yes = bool(e[1]) and not _installed(e[1])
    if len(_mine) > _WANT_MAX:
        _mine.clear()  # code made at run time (exec, namedtuple) must not pile up here
    _mine[id(code)] = (code, yes)
    return yes


def _installed(path):
    global _package_roots
    if _package_roots is None:
        _package_roots = _package_dirs()
    return path.startswith(_package_roots) or os.path.realpath(path).startswith(_package_roots)


def _package_dirs():
    """Where installed packages live, for this interpreter (a virtual environment's own)."""
    dirs = set()
    try:
        import sysconfig
        for key in ("purelib", "platlib"):
            dirs.add(sysconfig.get_paths()[key])
    except Exception:
        pass
    try:
        import site
        dirs.update(site.getsitepackages())
        dirs.add(site.getusersitepackages())
    except Exception:
        pass
    out = set()
    for d in dirs:
        if d:
            out.add(os.path.abspath(d) + os.sep)
            out.add(os.path.realpath(d) + os.sep)
    return tuple(out)


def _depth(f):
    n = 0
    while f is not None:
        n += 1
        f = f.f_back
    return n


def _ours(f):
    return f.f_globals.get("__name__", "").startswith("processview_tracer")


_helper_threads = {}


def _helper_thread():
    """Threads multiprocessing and concurrent.futures run for themselves (a Queue's feeder, a
    Pool's handlers, an executor's manager) and ours: never paused by a pause request or before
    an operation (a breakpoint in the user's own code still stops them)."""
    tid = get_ident()
    got = _helper_threads.get(tid)
    if got is not None:
        return got
    if tid in _own or (state.thread is not None and tid == state.thread.ident):
        return True
    t = threading._active.get(tid)
    helper = False
    if t is not None:
        target = getattr(t, "_target", None)
        mod = getattr(target, "__module__", "") or ""
        name = getattr(target, "__qualname__", "") or ""
        cls_mod = type(t).__module__ or ""
        if mod.startswith("multiprocessing") and name == "worker":
            helper = False  # a ThreadPool's workers (multiprocessing.dummy's threads) run the user's tasks
        elif mod.startswith("multiprocessing") or cls_mod.startswith(("multiprocessing", "concurrent.futures.process")):
            helper = True
        _helper_threads[tid] = helper
    return helper


def _helper_process():
    return state.role in HELPER_ROLES


# ---------------------------------------------------------------------------------------------
# The control connection

def _send(msg):
    """One JSON line to the adapter; a failure loses the connection (never raises)."""
    sock = _sock
    if sock is None:
        return False
    try:
        data = (json.dumps(msg, default=str) + "\n").encode()
        if not _send_lock.acquire(timeout=SEND_TIMEOUT):
            raise OSError("send lock")
        try:
            sock.sendall(data)
        finally:
            _send_lock.release()
        return True
    except Exception:
        _lost()
        return False


def _reply(msg, ok=True, body=None, err=None):
    seq = msg.get("seq")
    if seq is None:
        return
    out = {"re": seq, "ok": ok}
    if body is not None:
        out["body"] = body
    if err is not None:
        out["error"] = err
    _send(out)


def _connect():
    s = _protocol.connect(_protocol.CONTROL, SEND_TIMEOUT)
    try:
        hs = {"pv": _core.PROTOCOL_VERSION, "token": os.environ.get("PROCESS_VIEW_TOKEN", ""), "pid": os.getpid(),
              "client": "debugger"}
        s.sendall((json.dumps(hs) + "\n").encode())
    except BaseException:
        s.close()
        raise
    return s


class _Lines:
    """JSON lines read from the socket; socket timeouts are waited through."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def next(self, deadline=None):
        import time
        while True:
            i = self.buf.find(b"\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 1:]
                if line.strip():
                    return json.loads(line.decode("utf-8"))
                continue
            if deadline is not None and time.monotonic() > deadline:
                raise socket.timeout("configuration")
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                raise EOFError
            self.buf += chunk


def start():
    """Called by activate() when the run is a debug run: connect, take the configuration, serve."""
    if not _protocol.offered(_protocol.CONTROL, os.environ):
        return
    state.debug_hook = pause_before_op
    state.child_step = (_stepping_in, _step_into_child, _step_start_failed)
    state.task_step = _step_task
    state.exit_told = _exit_told
    _hook_thread_exceptions()
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_child)
    _install_tracing()
    _open()


def _open():
    """Connect and wait (bounded) for the configuration. On any failure the process runs on
    without the debugger."""
    global _sock, _live
    import time
    try:
        sock = _connect()
    except Exception as e:
        _core.error("debugger connect", e)
        return
    _sock = sock
    sock.settimeout(0.5)  # while waiting for the configuration: the deadline below is checked between reads
    lines = _Lines(sock)
    _send({"event": "process", "body": {"pid": os.getpid(), "ppid": os.getppid(), "role": state.role, "name": state.name,
                                        "startMethod": state.start_method, "python": "%d.%d.%d" % sys.version_info[:3]}})
    deadline = time.monotonic() + CONFIG_TIMEOUT
    try:
        while True:
            msg = lines.next(deadline)
            if msg.get("command") == "configure":
                _live = True
                _reply(msg, body=_configure(msg.get("arguments") or {}))
                break
            _reply(msg, ok=False, err="not configured yet")
    except Exception as e:
        _core.error("debugger configure", e)
        _close_socket()
        return
    sock.settimeout(SEND_TIMEOUT)
    _start_reader(lines)


def _close_socket():
    global _sock
    s = _sock
    _sock = None
    if s is not None:
        try:
            s.close()
        except Exception:
            pass


def _start_reader(lines):
    t = threading.Thread(target=_reader, args=(lines,), name="process-view-debugger", daemon=True)
    _core.start_deaf(t.start)
    _own.add(t.ident)
    try:
        with threading._active_limbo_lock:
            threading._active.pop(t.ident, None)  # as the sender: invisible to the program
    except Exception:
        pass


def _reader(lines):
    if not _MONITORING:
        sys.settrace(None)
    _own.add(get_ident())
    sock = lines.sock
    while _sock is sock:
        try:
            msg = lines.next()
        except Exception:
            break
        try:
            _dispatch(msg)
        except Exception as e:
            _core.error("debugger command", e)
            _reply(msg, ok=False, err="%s: %s" % (type(e).__name__, e))
    if _sock is sock:
        _lost()


def _exit_told():
    """The process has told its exit (the tracer's atexit function, the last to run): only the
    interpreter's teardown follows, which empties modules (ours too: their globals become None)
    while weakref callbacks and finalizers still run. A trace function or monitoring callback of
    ours called there would fail, and Python would print that failure in the program's stderr (a
    Pause still pending as the program ended did). Tracing stops here, in every thread."""
    try:
        _want_nothing()
        if _MONITORING and _mon is not None:
            E = _mon.events
            _mon.set_events(_tool, 0)
            for event in (E.PY_START, E.LINE, E.PY_RETURN, E.PY_YIELD, E.RAISE):
                _mon.register_callback(_tool, event, None)  # also the LINE events left on code objects
        else:
            threading.settrace(None)
            sys.settrace(None)
    except Exception as e:
        _core.error("debugger at exit", e)


def _want_nothing():
    """No breakpoint, step, pause or exception filter left in this process: nothing to stop for."""
    global _pause, _bps, _want, _steps, _fbps, _fwant
    _bps, _want, _steps, _fbps, _fwant = {}, {}, {}, [], {}
    _pause = False
    _set_exceptions(())  # after the rest: nothing left for it to turn tracing on for
    _update_tracing()


def _lost():
    """The adapter is gone (or the connection broke): resume everything, debug no more here."""
    global _live
    if not _live and _sock is None:
        return
    _live = False
    _close_socket()
    state.stop_on = frozenset()
    _want_nothing()
    cur = _current
    if cur is not None:
        cur.wake()


# ---------------------------------------------------------------------------------------------
# Commands

_STOPPED_COMMANDS = ("continue", "next", "stepIn", "stepOut", "stackTrace", "scopes", "variables", "evaluate", "setVariable", "setExpression",
                     "completions", "goto", "stepInTargets")


def _dispatch(msg):
    cmd = msg.get("command")
    args = msg.get("arguments") or {}
    if cmd in _STOPPED_COMMANDS:
        cur = _current
        if cur is None or (args.get("stop") is not None and args.get("stop") != cur.number):
            _reply(msg, ok=False, err="running")
        else:
            cur.post(msg)
    elif cmd == "setBreakpoints":
        _reply(msg, body={"breakpoints": _set_breakpoints(args.get("path") or "", args.get("breakpoints") or [])})
    elif cmd == "setFunctionBreakpoints":
        _reply(msg, body={"breakpoints": _set_function_breakpoints(args.get("breakpoints") or [])})
    elif cmd == "setStopOn":
        _set_stop_on(args.get("kinds") or [])
        _reply(msg)
    elif cmd == "setExceptions":
        _set_exceptions(args.get("filters") or [], args.get("conditions"))
        _reply(msg)
    elif cmd == "pause":
        _request_pause()
        _reply(msg, body={"helper": _helper_process()})
    elif cmd == "where":
        _reply(msg, body=_main_thread_site())
    elif cmd == "configure":
        _reply(msg, body=_configure(args))
    elif cmd == "detach":
        _reply(msg)
        _lost()
    else:
        _reply(msg, ok=False, err="unknown command %r" % (cmd,))


def _configure(args):
    global _entry_thread
    out = {}
    for path, specs in (args.get("breakpoints") or {}).items():
        out[path] = _set_breakpoints(path, specs)
    if args.get("functionBreakpoints") or _fbps:  # a fork child's inherited ones are replaced too
        _set_function_breakpoints(args.get("functionBreakpoints") or [])
    _set_stop_on(args.get("stopOn") or [])
    _set_exceptions(args.get("exceptions") or [], args.get("exceptionConditions"))
    if args.get("stopOnEntry") and not _helper_process():
        _entry_thread = get_ident()
        _steps[_entry_thread] = _Step("entry", None, 0)
        _update_tracing()
    _tracing_wanted()
    return {"breakpoints": out}


def _set_stop_on(kinds):
    state.stop_on = frozenset(k for k in kinds if k in KINDS)


def _set_exceptions(filters, conditions=None):
    global _exceptions, _raised, _want, _conditions
    _exceptions = frozenset(f for f in filters if f in EXCEPTION_FILTERS)
    _conditions = exception_conditions(conditions)
    state.uncaught_hook = _on_uncaught if _exceptions else None
    was, _raised = _raised, "raised" in _exceptions
    if _raised != was:
        _want = {}  # its third field is _raised's
        _update_tracing()
        _tracing_wanted()


def _set_breakpoints(path, specs):
    global _bps, _want
    n = norm_path(path)
    table = {}
    results = []
    for spec in specs:
        try:
            line, why = verify_line(path, int(spec.get("line", 0)))
        except Exception as e:
            line, why = None, str(e)
        if line is None:
            results.append({"id": spec.get("id"), "verified": False, "message": why})
            continue
        bp = _Breakpoint(spec, line)
        old = _bps.get(n, {}).get(line)
        if old is not None and old.condition == bp.condition and old.hit == bp.hit:
            bp.hits = old.hits
        table.setdefault(line, bp)
        results.append({"id": spec.get("id"), "verified": True, "line": line})
    new = dict(_bps)
    if table:
        new[n] = table
    else:
        new.pop(n, None)
    _bps = new
    _want = {}
    _breakpoints_changed(n)
    _tracing_wanted()
    return results


def _set_function_breakpoints(specs):
    """Stop on entering the user's functions of these names (in any module, class or process),
    at the function's first line. Names that are not dotted names are refused."""
    global _fbps, _fwant, _want
    old = {(parts, bp.condition, bp.hit): bp.hits for parts, bp in _fbps}
    table, results = [], []
    for spec in specs:
        parts = function_name_parts(spec.get("name"))
        if parts is None:
            results.append({"id": spec.get("id"), "verified": False, "message": "not a function's name"})
            continue
        bp = _Breakpoint(spec, None)
        bp.hits = old.get((parts, bp.condition, bp.hit), 0)
        table.append((parts, bp))
        results.append({"id": spec.get("id"), "verified": True})
    _fbps, _fwant, _want = table, {}, {}
    _update_tracing(restart=True)  # 3.12+: PY_START again where it said DISABLE
    _tracing_wanted()
    return results


def _function_bp(code, frame):
    """The function breakpoint `code` (running in `frame`) matches, or None; kept by code."""
    got = _fwant.get(id(code))
    if got is not None and got[0] is code:
        return got[1]
    bp = None
    name = qual = code.co_name
    if not name.startswith("<") and any(parts[-1] == name for parts, _ in _fbps) and _user_code(code):
        qual = getattr(code, "co_qualname", None) or _qualname_of(code)
        names = function_names(frame.f_globals.get("__name__"), qual, code.co_filename)
        for parts, b in _fbps:
            if function_name_matches(parts, names):
                bp = b
                break
    if len(_fwant) > _WANT_MAX:
        _fwant.clear()
    _fwant[id(code)] = (code, bp, qual)
    return bp


def _qualname_of(code):
    """3.9-3.10 (no co_qualname): the qualified name of the function that runs `code`."""
    try:
        import gc
        for o in gc.get_referrers(code):
            if type(o) is types.FunctionType and o.__code__ is code:
                return o.__qualname__
    except Exception:
        pass
    return code.co_name


def _first_entry(frame):
    """The frame starts (not a generator or coroutine resumed: those get a new 'call' event on
    3.9-3.11 each time they resume)."""
    if not frame.f_code.co_flags & _GENERATOR_FLAGS:
        return True
    if sys.version_info < (3, 11):
        return frame.f_lasti < 0
    try:
        return frame.f_code.co_code[frame.f_lasti + 1] == 0  # RESUME 0: the start, not after a yield or await
    except Exception:
        return False


def _on_function_entry(frame, bp):
    """A function breakpoint's function starts: if its condition and hit count say so, the thread
    stops at the frame's first line (a step into it: its arguments are bound by then)."""
    tid = get_ident()
    if tid in _busy or tid in _own or not _live or _helper_thread():
        return
    stop, why = _hit(frame, bp)
    if not stop:
        return
    got = _fwant.get(id(frame.f_code))
    extra = {"breakpoints": [bp.id], "function": got[2] if got is not None else frame.f_code.co_name}
    if why:
        extra["text"] = why
    _steps[tid] = _Step("function", frame, 0, extra)
    _update_tracing()


def _request_pause():
    global _pause
    if _helper_process():
        return
    _pause = True
    _update_tracing()
    _tracing_wanted()
    if not _MONITORING:
        # Frames already running get no 'call' event: give them the local tracer now.
        for tid, f in sys._current_frames().items():
            if tid in _own or (state.thread is not None and tid == state.thread.ident):
                continue
            while f is not None:
                if _user_code(f.f_code):
                    _trace_lines(f)
                f = f.f_back


def _main_thread_site():
    """Where the main thread is now, for a Pause that has not stopped it yet (it is in a call that
    has not returned: `time.sleep`, `accept()`, `input()`): its innermost frame of the program's
    own code, that line's text, and the library function it is inside, if any. Read from another
    thread (the reader's), so nothing of the main thread's is touched but its frames."""
    main = threading.main_thread()
    f = sys._current_frames().get(main.ident)
    while f is not None and _ours(f):
        f = f.f_back
    inner = f
    while f is not None and not _user_code(f.f_code):  # the tracer's own code is not the user's
        f = f.f_back
    if f is None:
        return {}
    code = f.f_code
    out = {"file": code.co_filename, "line": f.f_lineno, "function": code.co_name}
    try:
        import linecache
        text = linecache.getline(code.co_filename, f.f_lineno, f.f_globals).strip()
        if text:
            out["text"] = text if len(text) <= 120 else text[:119] + "\u2026"
    except Exception:
        pass
    if inner is not f:
        out["inner"] = "%s.%s" % (inner.f_globals.get("__name__", "?"), inner.f_code.co_name)
    return out


# ---------------------------------------------------------------------------------------------
# Stopping

class _Stop:
    counter = 0

    def __init__(self, frame, reason):
        _Stop.counter += 1
        self.number = _Stop.counter
        self.cond = threading.Condition(threading.Lock())
        self.inbox = []
        self.refs = [None]
        self.frame_of = {}  # ref -> the frame a value set under it is evaluated in
        self.frames = []
        f = frame
        while f is not None:
            fn = f.f_code.co_filename
            if not _ours(f) and not fn.startswith("<frozen"):
                self.frames.append(f)
            f = f.f_back
        self.reason = reason
        self.target = None  # Step Into Target: the name of the function to step into
        self.woken = False
        self.jump = None  # the frame Jump to Cursor can move: stopped in its line event

    def post(self, msg):
        with self.cond:
            self.inbox.append(msg)
            self.cond.notify()

    def wake(self):
        with self.cond:
            self.woken = True
            self.cond.notify()

    def ref(self, kind, value, frame=None):
        self.refs.append((kind, value))
        if frame is not None:
            self.frame_of[len(self.refs) - 1] = frame
        return len(self.refs) - 1

    def serve(self):
        """Answer the adapter until it resumes this thread: the resume command, or None when
        the connection is lost."""
        while True:
            with self.cond:
                while not self.inbox and not self.woken:
                    self.cond.wait(1.0)
                if self.woken and not self.inbox:
                    return None
                msg = self.inbox.pop(0)
            cmd = msg.get("command")
            args = msg.get("arguments") or {}
            if cmd in ("continue", "next", "stepIn", "stepOut"):
                self.target = args.get("target") if cmd == "stepIn" else None
                _reply(msg)
                return cmd
            try:
                if cmd == "stackTrace":
                    body = self.stack_trace(args)
                elif cmd == "scopes":
                    body = self.scopes(args)
                elif cmd == "variables":
                    body = self.variables(args)
                elif cmd == "evaluate":
                    body = self.evaluate(args)
                elif cmd == "setVariable":
                    body = self.set_variable(args)
                elif cmd == "setExpression":
                    body = self.set_expression(args)
                elif cmd == "goto":
                    body = self.goto(args)
                elif cmd == "stepInTargets":
                    body = self.step_in_targets(args)
                elif cmd == "completions":
                    f = self._frame(args)
                    word, hits = completions(str(args.get("text") or ""), f.f_locals, f.f_globals)
                    body = {"word": word, "targets": [{"label": k, "type": t} for k, t in hits]}
                else:
                    raise ValueError("unknown command %r" % (cmd,))
            except Exception as e:
                _reply(msg, ok=False, err="%s: %s" % (type(e).__name__, e))
                continue
            _reply(msg, body=body)

    def stack_trace(self, args):
        start = int(args.get("startFrame") or 0)
        levels = int(args.get("levels") or 0)
        frames = self.frames[start:start + levels] if levels else self.frames[start:]
        out = []
        for i, f in enumerate(frames, start):
            code = f.f_code
            fn = code.co_filename
            path = os.path.abspath(fn) if fn and not fn.startswith("<") else None
            out.append({"id": i, "name": getattr(code, "co_qualname", code.co_name), "path": path, "line": f.f_lineno,
                        "user": _user_code(code)})
        return {"frames": out, "total": len(self.frames)}

    def _frame(self, args):
        i = int(args.get("frame", 0))
        if not 0 <= i < len(self.frames):
            raise ValueError("no frame %d" % i)
        return self.frames[i]

    def scopes(self, args):
        f = self._frame(args)
        out = []
        if f.f_code.co_name != "<module>" or f.f_locals is not f.f_globals:
            loc = dict(f.f_locals)
            out.append({"name": "Locals", "ref": self.ref("dict", loc, f), "named": len(loc)})
        g = {k: v for k, v in f.f_globals.items() if k != "__builtins__"}
        out.append({"name": "Globals", "ref": self.ref("globals", g, f), "named": len(g), "expensive": False})
        return {"scopes": out}

    def variables(self, args):
        ref = int(args.get("ref", 0))
        if not 0 < ref < len(self.refs):
            raise ValueError("no variable reference %d" % ref)
        kind, value = self.refs[ref]
        start = int(args.get("start") or 0)
        count = int(args.get("count") or 0)
        prefix = args.get("evaluateName")
        if kind in ("dict", "globals"):
            items = sorted(value.items(), key=lambda kv: (str(kv[0]).startswith("__"), str(kv[0])))
            end = start + count if count else start + max(CHILDREN_MAX, len(items))
            kids = [(str(k), v, str(k)) for k, v in items[start:end]]
            total = len(items)
            named = True
        else:
            kids, total = children(value, start, count)
            kids = [(k, v, (prefix + s) if (prefix and s) else None) for k, v, s in kids]
            named = False
        frame = self.frame_of.get(ref)
        out = [self.describe(name, v, ev, frame) for name, v, ev in kids]
        return {"variables": out, "total": total, "named": named}

    def describe(self, name, v, evaluate_name=None, frame=None):
        d = {"name": name, "value": safe_repr(v), "type": type(v).__name__}
        if evaluate_name:
            d["evaluateName"] = evaluate_name
        ex = expandable(v)
        if ex is not None:
            d["ref"] = self.ref("obj", v, frame)
            if ex[1]:
                d["indexed"] = ex[1]
            if ex[0]:
                d["named"] = ex[0]
        return d

    def evaluate(self, args):
        f = self._frame(args)
        expr = args.get("expression") or ""
        loc = f.f_locals
        if args.get("context") == "hover":
            try:
                v = hover_value(expr, loc, f.f_globals)
            except HoverRefused as e:  # said in the hover itself (a failed hover shows nothing)
                return {"result": "(%s)" % e, "type": None}
            d = self.describe(expr.strip(), v, expr.strip(), f)
            return {"result": d["value"], "type": d["type"], "ref": d.get("ref"), "named": d.get("named"), "indexed": d.get("indexed")}
        try:
            code = compile(expr, "<debug console>", "eval")
        except SyntaxError:
            if args.get("context") not in ("repl", None):
                raise
            try:
                exec(compile(expr, "<debug console>", "exec"), f.f_globals, loc)
            finally:
                _write_back(f, loc)  # `x = 5` in a function's frame stays assigned
            return {"result": "", "type": None}
        try:
            v = eval(code, f.f_globals, loc)
        finally:
            _write_back(f, loc)  # (x := 5) too
        if args.get("context") == "clipboard":
            return {"result": clipboard_repr(v), "type": type(v).__name__}
        d = self.describe(expr, v, expr, f)
        return {"result": d["value"], "type": d["type"], "ref": d.get("ref"), "named": d.get("named"), "indexed": d.get("indexed")}

    def goto(self, args):
        """Jump to Cursor: the next line the stopped frame runs is `line` (Python's own rules,
        its own words when it refuses: into a loop's or a with's body, out of a finally...)."""
        f = self.jump
        if f is None:
            raise ValueError("Jump to Cursor moves a process paused at a line (a breakpoint, a step, a pause), "
                             "not one paused before an operation, on an exception or after a return")
        path = args.get("path")
        if path and norm_path(path) != norm_path(f.f_code.co_filename):
            raise ValueError("the line is in another file than the one the process is paused in (%s)"
                             % os.path.basename(f.f_code.co_filename))
        import warnings
        with warnings.catch_warnings():  # 3.12+ warns on stderr of locals a jump leaves unbound: not the program's output
            warnings.simplefilter("ignore")
            f.f_lineno = int(args.get("line") or 0)
        return {"line": f.f_lineno}

    def set_variable(self, args):
        """Set Value in the Variables view: `value` evaluated in the frame the variable was shown
        from, then assigned where the view found it (a local, a global, a list item, a dict item,
        an attribute). Raises with Python's own words when it cannot."""
        ref = int(args.get("ref", 0))
        if not 0 < ref < len(self.refs):
            raise ValueError("no variable reference %d" % ref)
        kind, container = self.refs[ref]
        name = str(args.get("name") or "")
        f = self.frame_of.get(ref) or (self.frames[0] if self.frames else None)
        if f is None:
            raise ValueError("no frame of the program to evaluate the value in")
        loc = f.f_locals
        try:
            v = eval(compile(str(args.get("value") or ""), "<set value>", "eval"), f.f_globals, loc)
            if kind == "dict":  # a frame's locals (the view holds a copy)
                if name not in container:
                    raise KeyError(name)
                loc[name] = v
                container[name] = v
            elif kind == "globals":
                f.f_globals[name] = v
                container[name] = v
            elif isinstance(container, list) and not _is_proxy(container):
                container[int(name)] = v
            elif isinstance(container, dict):
                for k in container:
                    if safe_repr(k, 60) == name:
                        container[k] = v
                        break
                else:
                    raise KeyError(name)
            elif isinstance(container, (tuple, set, frozenset)) or _is_proxy(container):
                raise TypeError("the items of a %s cannot be set one by one" % type(container).__name__)
            else:
                setattr(container, name, v)
        finally:
            _write_back(f, loc)
        return self.describe(name, v, None, f)

    def step_in_targets(self, args):
        """Step Into Target: the calls the top frame's line makes (another frame's: none, a step
        goes on from the top frame)."""
        f = self._frame(args)
        if f is not self.frames[0]:
            return {"targets": []}
        import linecache
        source = "".join(linecache.getlines(f.f_code.co_filename, f.f_globals))
        try:
            calls = call_targets(source, f.f_lineno)
        except (SyntaxError, ValueError):
            calls = []
        return {"targets": [{"label": c[0], "name": c[1], "line": c[2], "column": c[3], "endLine": c[4], "endColumn": c[5]} for c in calls]}

    def set_expression(self, args):
        """Set Value on a Watch expression: `expression = value` run in the frame, as Python
        assigns (the value first, then the target's parts), then the expression read again."""
        f = self._frame(args)
        target = assignment_target(str(args.get("expression") or ""))
        value = ast.parse(str(args.get("value") or "").strip(), "<set value>", "eval").body
        stmt = ast.Module(body=[ast.Assign(targets=[target], value=value)], type_ignores=[])
        loc = f.f_locals
        try:
            exec(compile(ast.fix_missing_locations(stmt), "<set value>", "exec"), f.f_globals, loc)
        finally:
            _write_back(f, loc)
        expr = str(args.get("expression")).strip()
        loc = f.f_locals
        v = eval(compile(expr, "<watch>", "eval"), f.f_globals, loc)
        return self.describe(expr, v, expr, f)


_LOCALS_WRITE_THROUGH = sys.version_info >= (3, 13)  # PEP 667: a function frame's f_locals writes through
_CO_OPTIMIZED = 0x1


def _write_back(f, loc):
    """3.9-3.12: a function's locals live in its frame's fast slots, which f_locals only copies
    into a dict (refreshed from the slots on every read of f_locals). What an evaluation assigned
    in that dict is copied back, as the interpreter does after a trace function returns."""
    if _LOCALS_WRITE_THROUGH or not f.f_code.co_flags & _CO_OPTIMIZED or loc is f.f_globals:
        return
    import ctypes
    ctypes.pythonapi.PyFrame_LocalsToFast(ctypes.py_object(f), ctypes.c_int(0))


def _stop(frame, reason, extra=None, jumpable=False):
    """Stop the calling thread, `frame` on top, until the adapter resumes it. jumpable: called
    from `frame`'s own line event, where Python lets f_lineno be set (Jump to Cursor)."""
    global _current
    tid = get_ident()
    if not _live or tid in _busy:
        return
    while not _slot.acquire(timeout=1.0):
        if not _live:
            return
    _busy.add(tid)
    cmd = None
    stop = None
    try:
        if not _live:
            return
        _steps.pop(tid, None)
        stop = _Stop(frame, reason)
        if jumpable:
            stop.jump = frame
        _current = stop
        _update_tracing()
        _drain(0.5)
        body = {"stop": stop.number, "reason": reason, "tid": tid, "thread": _thread_name(tid),
                "mainThread": threading.current_thread() is threading.main_thread()}
        if stop.frames:
            top = stop.frames[0]
            body["path"] = os.path.abspath(top.f_code.co_filename)
            body["line"] = top.f_lineno
        if extra:
            body.update(extra)
        if _send({"event": "stopped", "body": body}):
            cmd = stop.serve()
    except Exception as e:
        _core.error("debugger stop", e)
    finally:
        _current = None
        _busy.discard(tid)
        _slot.release()
    if cmd in ("next", "stepIn", "stepOut") and _live and stop is not None and stop.frames:
        top = stop.frames[0]
        mode = {"next": "over", "stepIn": "in", "stepOut": "out"}[cmd]
        if cmd == "stepIn" and stop.target:
            mode = "into"
        _steps[tid] = _Step(mode, top, _depth(top), target=stop.target if mode == "into" else None)
        _update_tracing()
        _tracing_wanted()
        if not _MONITORING:
            if sys.gettrace() is None:
                sys.settrace(_global_trace)  # this thread steps: it traces from now on
            # Line and return events of the frames being stepped through.
            f = top
            while f is not None:
                if _user_code(f.f_code):
                    _trace_lines(f)
                f = f.f_back
    _update_tracing()


def _drain(limit):
    """Let the sender thread deliver what this process emitted before the stop, so the Session
    has it when the adapter describes the stop (bounded; unlike the exit path's flush, a slow
    receiver here is waited for a moment, never given up on)."""
    import time
    deadline = time.monotonic() + limit
    while (state.buf or getattr(state, "out", None) is not None) and time.monotonic() < deadline:
        time.sleep(0.005)


def _thread_name(tid):
    t = threading._active.get(tid)
    return t.name if t is not None else "Thread-%d" % tid


def _user_frame(f, internal_ok):
    """(frame, name) for an operation: the program's frame that made the call (f is the first
    frame above the wrapper) and, when the program called it through multiprocessing's own
    code (Pool.map calling _map_async, a proxy's generated put), the name of the method it
    called. None when the caller is multiprocessing's own code (unless internal_ok) or nothing
    of the program's; internal_ok == "any": the first frame that is not ours then."""
    while f is not None and _ours(f):
        f = f.f_back
    top = f
    first = True
    called = None
    while f is not None:
        code = f.f_code
        e = _core._entries.get(id(code))
        if e is None or e[0] is not code:
            e = _core._entry(code)
        where = e[1]
        if where:
            return f, called
        if where is _core.INTERNAL and first and not internal_ok:
            # put_nowait()/get_nowait() are the user's put()/get().
            if code.co_name not in ("put_nowait", "get_nowait"):
                return None, None
        called = code.co_name
        first = False
        f = f.f_back
        while f is not None and _ours(f):
            f = f.f_back
    if internal_ok == "any":
        return top, None
    return None, None


_PROCESS_CLASSES = ("ForkProcess", "SpawnProcess", "ForkServerProcess")


def _type_label(obj, kind):
    if obj is None:
        return "os" if kind == "process" else ""
    if _is_proxy(obj):
        typeid = str(getattr(getattr(obj, "_token", None), "typeid", ""))
        return "%sProxy" % (typeid[:1].upper() + typeid[1:])  # DictProxy, ListProxy, QueueProxy
    name = type(obj).__name__
    if name in _PROCESS_CLASSES:
        return "Process"
    if name in ("ApplyResult", "MapResult"):
        return "AsyncResult"
    return name


def pause_before_op(kind, op, obj, payload, internal_ok, detail):
    """Debug mode, `kind` in stopOn: stop the calling thread before the operation (the tracer's
    wrappers call this through _core.pause_before before the public call)."""
    if kind not in state.stop_on or not _live or _helper_process() or _helper_thread():
        return
    tid = get_ident()
    if tid in _busy:
        return
    try:
        caller = _getframe(1)
        while caller is not None and _ours(caller):
            caller = caller.f_back
        if caller is not None and _core.threading_plumbing(caller):
            return  # the user's Barrier.wait() has had its stop
        f, called = _user_frame(caller, internal_ok)
        if f is None and internal_ok != "any":
            return
        if called in ("put_nowait", "get_nowait") or (called and internal_ok is True and not called.startswith("_")):
            op = called  # Pool.map, not _map_async; a proxy's put; the user's put_nowait
        info = {"kind": kind, "op": op, "type": _type_label(obj, kind), "id": _object_id(obj)}
        if payload is not _core.NO_PAYLOAD:
            if kind == "manager" and isinstance(payload, tuple):
                # The call's arguments as written: d.__setitem__('k', 1), q.put(42).
                shown = _core.preview(payload)
                info["preview"] = shown[1:-1].rstrip(",") if shown.startswith("(") and shown.endswith(")") else shown
            elif kind == "pool" and isinstance(payload, tuple) and payload:
                info["preview"] = _core.qualname(payload[0])
                if len(payload) > 1:
                    info["args"] = _core.preview(payload[1])
            else:
                info["preview"] = _core.preview(payload)
        facts = _op_facts(kind, obj)
        if detail:
            facts.update(detail)
        if facts:
            info["facts"] = facts
    except Exception as e:
        _core.error("pause before", e)
        return
    _stop(f, "operation", {"op": info})


def _on_uncaught(exc, tb=None, kind="uncaught"):
    """Debug mode, "uncaught" on: `exc` is about to end this process (the main module, a
    multiprocessing child's run()) or a thread, its traceback not printed yet. "task" on: a pool
    worker caught `exc` from a task (traceback `tb`) and is about to send it back to the caller.
    Stop where it was raised, with the frames it went through (their locals as they were); when
    resumed it goes on as it would have (printed and the end of the process; sent back)."""
    if kind not in _exceptions or not _live or _helper_process() or _helper_thread():
        return
    if not isinstance(exc, Exception):
        return  # SystemExit, KeyboardInterrupt, GeneratorExit: an ending, not an error
    if kind in _conditions and not exception_matches(exc, _conditions[kind]):
        return
    import traceback
    if tb is None:
        tb = exc.__traceback__
    frames = [f for f, _ in traceback.walk_tb(tb)]
    ours = [_ours(f) for f in frames]  # the same test _Stop's stack uses; the text below skips them too
    program = [f for f, o in zip(frames, ours) if not o]
    if not program:
        return
    _stop(program[-1], "exception", {"exception": _exception_info(exc, tb, ours, kind)})


def _wrap_task_exception(cls):
    """A pool worker wraps a task's exception (with its traceback) before sending it back: that
    is where the task failed, its frames still there. cls: multiprocessing.pool's
    ExceptionWithTraceback, concurrent.futures.process's _ExceptionWithTraceback."""
    real_init = cls.__init__

    def __init__(self, exc, tb):
        _on_uncaught(exc, tb, "task")
        real_init(self, exc, tb)

    cls.__init__ = __init__


def _on_raised(frame, exc, tb):
    """Debug mode, "raised" on: `exc` was raised in `frame`, the user's code (by its own `raise` or
    by a call it made into C), or was raised in a library and reaches `frame` first of the user's
    frames; `tb`: its traceback so far. Stop there, the frame still running, whether or not the
    exception will be caught; when resumed it goes on as it would have. Once per raise: a frame it
    reaches after a frame of the user's code has seen it does not stop again."""
    if not _live or not isinstance(exc, Exception) or isinstance(exc, _NOT_RAISED):
        return
    if _helper_process() or _helper_thread():
        return
    if "raised" in _conditions and not exception_matches(exc, _conditions["raised"]):
        return
    ours = []  # for _exception_info, one per traceback entry
    t = tb
    while t is not None:
        f = t.tb_frame
        if f is not frame and _user_code(f.f_code):
            return  # it went through the user's code deeper down: it stopped there (or that was not on)
        ours.append(_ours(f))
        t = t.tb_next
    _stop(frame, "exception", {"exception": _exception_info(exc, tb, ours, "raised")})


# Raised and caught as the language's own signals, not errors: iteration's end.
_NOT_RAISED = (StopIteration, StopAsyncIteration)


def _exception_info(exc, tb, ours, where):
    """What the exception widget shows: the type, the message, the traceback `tb` as Python prints
    it (its carets too), without the entries `ours` marks as the tracer's; `where`: the filter
    that stopped (EXCEPTION_FILTERS)."""
    import traceback
    tp = type(exc)
    mod = getattr(tp, "__module__", "") or ""
    name = tp.__qualname__ if mod in ("builtins", "__main__", "") else "%s.%s" % (mod, tp.__qualname__)
    try:
        message = str(exc)
    except Exception as e:
        message = "<str() failed: %s>" % type(e).__name__
    try:
        entries = [fs for fs, o in zip(traceback.extract_tb(tb), ours) if not o]
        text = "Traceback (most recent call last):\n" + "".join(traceback.format_list(entries)) + \
            "".join(traceback.format_exception_only(tp, exc))
    except Exception:
        text = "%s: %s\n" % (name, message)
    if len(text) > TRACEBACK_MAX:
        text = "...\n" + text[-TRACEBACK_MAX:]
    return {"type": name, "message": message[:REPR_MAX * 4], "traceback": text, "where": where}


def _hook_thread_exceptions():
    """threading.excepthook, wrapped: a thread's uncaught exception may stop first (debug runs only)."""
    real = threading.excepthook

    def excepthook(args):
        if args.exc_value is not None:
            _core.uncaught(args.exc_value)
        return real(args)

    threading.excepthook = excepthook


def _object_id(obj):
    """The id the tracer's events give this object, computed now if it has none yet (an object
    unpickled by a spawn child gets it at its first operation, which is after this pause)."""
    if obj is None:
        return None
    try:
        own = _core.own  # not obj.__dict__: reading it slows the program's later use of obj
        oid = own(obj, "_pv_id")
        if oid:
            return oid
        from . import _ipc
        if hasattr(obj, "_rlock") and hasattr(obj, "_reader"):  # Queue, JoinableQueue, SimpleQueue
            kind = "simple-queue" if type(obj).__name__ == "SimpleQueue" else _ipc._queue_kind(obj)
            return _ipc._ensure_id(obj, kind, obj._rlock)
        if hasattr(obj, "_semlock"):  # Lock, RLock, Semaphore, BoundedSemaphore
            from . import _sync
            return _ipc._ensure_id(obj, _sync._kind(obj, sys.modules["multiprocessing.synchronize"]), obj)
        if hasattr(obj, "_flag") and hasattr(obj, "_cond"):  # Event
            return _ipc._ensure_id(obj, "event", obj._flag)
        if hasattr(obj, "_cond") and hasattr(obj, "_parties"):  # Barrier
            return _ipc._ensure_id(obj, "barrier", obj._cond._lock)
        if hasattr(obj, "_lock") and hasattr(obj, "_sleeping_count"):  # Condition
            return _ipc._ensure_id(obj, "condition", obj._lock)
        if _is_proxy(obj):  # as _pool's proxy id: the manager's address and the referent's id
            tok = obj._token
            addr = tok.address
            addr = ":".join(str(x) for x in addr) if isinstance(addr, tuple) else str(addr)
            return "proxy:%s:%s" % (addr, tok.id)
        pool = own(obj, "_pool")  # an AsyncResult: its pool
        if pool is not None:
            return own(pool, "_pv_id")
        info = own(obj, "_pv")  # a Future of the program's executor: (pool id, site, job, index)
        if info:
            return info[0]
    except Exception:
        pass
    return None


def _op_facts(kind, obj):
    """What the Operation scope shows that only this process can tell (the adapter adds what
    the Session knows: who created the object, who used it last, the peer)."""
    facts = {}
    if obj is None:
        return facts
    try:
        if kind == "queue":
            try:
                facts["qsize"] = obj.qsize()
            except Exception:
                pass
            try:
                facts["maxsize"] = obj._maxsize if obj._maxsize < 2 ** 31 - 1 else None
            except Exception:
                pass
        elif kind == "lock":
            sl = getattr(obj, "_semlock", None) or getattr(getattr(obj, "_lock", None), "_semlock", None)
            if sl is not None:
                try:
                    facts["value"] = sl._get_value()
                except Exception:
                    pass
                try:
                    facts["heldHere"] = bool(sl._is_mine())
                    facts["count"] = sl._count()
                except Exception:
                    pass
        elif kind == "event":
            try:
                facts["isSet"] = obj.is_set()
            except Exception:
                pass
        elif kind == "pipe":
            try:
                facts["closed"] = obj.closed
                if not obj.closed and obj.readable:
                    facts["dataWaiting"] = obj.poll()
            except Exception:
                pass
        elif kind == "process":
            for k in ("name", "pid", "daemon", "exitcode"):
                try:
                    facts[k] = getattr(obj, k)
                except Exception:
                    pass
            try:
                facts["alive"] = obj.is_alive() if getattr(obj, "_popen", None) is not None else False
            except Exception:
                pass
    except Exception:
        pass
    return facts


def _hit(frame, bp):
    """A breakpoint's line is reached: True when the thread should stop (a logpoint logs)."""
    if bp.condition:
        try:
            if bp.code is None:
                bp.code = compile(bp.condition, "<breakpoint condition>", "eval")
            if not eval(bp.code, frame.f_globals, frame.f_locals):
                return False, None
        except Exception as e:
            return True, "Error in the breakpoint's condition %r: %s: %s" % (bp.condition, type(e).__name__, e)
    bp.hits += 1
    if bp.hit is not None and not hit_matches(bp.hit, bp.hits):
        return False, None
    if bp.log is not None:
        out = []
        for part in bp.log:
            if isinstance(part, tuple):
                try:
                    v = eval(part[0], frame.f_globals, frame.f_locals)
                    out.append(v if isinstance(v, str) else safe_repr(v))
                except Exception as e:
                    out.append("<%s: %s>" % (type(e).__name__, e))
            else:
                out.append(part)
        _send({"event": "output", "body": {"category": "console", "output": "".join(out) + "\n",
                                           "path": os.path.abspath(frame.f_code.co_filename), "line": frame.f_lineno}})
        return False, None
    return True, None


def _on_line(frame, lines, event=True):
    """A line event in `frame` (lines: the breakpoints of its file, or None). Stops if due.
    event: called from the interpreter's line event (not an entry hook's first line)."""
    tid = get_ident()
    if tid in _busy:
        return
    if lines is not None:
        bp = lines.get(frame.f_lineno)
        if bp is not None:
            stop, why = _hit(frame, bp)
            if stop:
                extra = {"breakpoints": [bp.id]}
                if why:
                    extra["text"] = why
                _stop(frame, "breakpoint", extra, event)
                return
    if not _trace_all:
        return
    st = _steps.get(tid)
    if st is not None:
        if _step_due(frame, st):
            if st.mode == "function":
                _stop(frame, "breakpoint", st.extra, event)
            else:
                _stop(frame, "entry" if st.mode == "entry" else "step", st.extra, event)
            return
    elif _pause and not _helper_thread() and _user_code(frame.f_code) and tid not in _own:
        _pause_taken()
        _stop(frame, "pause", None, event)


def _stepping_in(role):
    """The calling thread is in a Step Into (through library code: a process it starts now is
    stepped into as well). The step's stop counts the children that stop as they start (not pool
    workers: they stop at their first task, whenever it comes; nor a Manager's server: a helper
    never stops), so that the adapter can let them take the focus. The adapter holds the step's
    own stop until that many have stopped (up to a bound): one counted that never stops holds it
    for the whole bound."""
    st = _steps.get(get_ident())
    if not _live or st is None or not (st.mode == "in" or st.mode == "into" and st.target in _STARTS):
        return False
    _count_child(st, role, 1)
    return True


def _step_start_failed(role):
    """The start _stepping_in counted raised (a daemonic process may not have children): no child
    will stop for it."""
    st = _steps.get(get_ident())
    if st is not None:
        _count_child(st, role, -1)


def _count_child(st, role, n):
    """Counts a child of this role for the step's stop, if it stops as it starts."""
    if role == "pool-worker" or role in HELPER_ROLES:
        return
    extra = dict(st.extra or {})
    extra["children"] = max(0, extra.get("children", 0) + n)
    if not extra["children"]:
        del extra["children"]
    st.extra = extra or None


def _step_into_child():
    """This child was started during a Step Into: it stops at the first line of the program's own
    code it runs (its target's; a Pool worker's first task), its arguments bound."""
    if not _live or _helper_process():
        return
    _steps[get_ident()] = _Step("in", None, 0, {"child": state.role})
    _update_tracing()
    _tracing_wanted()
    if not _MONITORING and sys.gettrace() is None:
        sys.settrace(_global_trace)  # the target's frame gets the local tracer at its 'call'


# What a Step Into Target's pick names when it is a submission to a pool (its tasks are stepped into).
_SUBMITS = frozenset(("map", "map_async", "starmap", "starmap_async", "apply", "apply_async",
                      "imap", "imap_unordered", "submit"))
# A Step Into Target's picks that start processes: p.start(), Pool(2), an executor's first submit.
_STARTS = _SUBMITS | {"start", "Pool"}
_task_tokens = itertools.count(1)
_tasks_stepped = set()  # the submissions whose tasks this process has stepped into (once each)


def _step_task(func):
    """A pool submission made by a thread in a Step Into (or a Step Into Target's pick of it): the task's
    function as it goes into the pickled task, a _SteppedTask, so that each worker that takes one
    of its tasks stops at its first line of the program's code, as a worker that starts during a
    Step Into does. The submitting thread waits for nothing (a round trip to the adapter could
    come after the worker took the task); the task the worker runs is `func` itself."""
    st = _steps.get(get_ident())
    if not _live or st is None or not (st.mode == "in" or st.mode == "into" and st.target in _SUBMITS):
        return func
    if _not_users(func):
        return func  # pool.map(abs, xs): nothing of the user's to stop at; the step goes over it
    return _SteppedTask(func, "%d:%d" % (os.getpid(), next(_task_tokens)))


def _not_users(func):
    """A task's function known not to be the user's code: a builtin, or a function of the
    standard library or an installed package. Unknown (a callable object of the user's): False."""
    import functools
    for _ in range(4):
        if type(func) is not functools.partial:
            break
        # An executor's map submits partial(_process_chunk, fn): the user's function is fn.
        inner = func.func
        func = func.args[0] if getattr(inner, "__module__", None) == "concurrent.futures.process" and func.args else inner
    code = getattr(getattr(func, "__func__", func), "__code__", None)
    if type(code) is not types.CodeType:
        return type(func).__module__ == "builtins"  # abs, math.sqrt, str.upper; not a user's callable object
    return not _user_code(code)


class _SteppedTask:
    """Pickles as a call of _stepped_task, which gives back the function itself: no frame of ours
    around the task (its traceback, its result and its pickling errors are the program's)."""
    __slots__ = ("func", "token")

    def __init__(self, func, token):
        self.func, self.token = func, token

    def __reduce__(self):
        return (_stepped_task, (self.func, self.token))

    def __call__(self, *args, **kwargs):  # run without pickling (not expected: thread pools are not given one)
        return self.func(*args, **kwargs)


def _stepped_task(func, token):
    """A worker unpickles a task of a submission stepped into (in the thread that will run it):
    the first one of that submission it takes stops at its first line of the program's code."""
    try:
        if _live and not _helper_process() and token not in _tasks_stepped:
            if len(_tasks_stepped) > 10_000:
                _tasks_stepped.clear()
            _tasks_stepped.add(token)
            if get_ident() not in _steps:  # else stepping already (a worker started by this Step Into)
                _step_into_child()
    except Exception as e:
        _core.error("debugger: step into a task", e)
    return func


def _pause_taken():
    global _pause
    _pause = False


def _step_due(frame, st):
    if not _user_code(frame.f_code):
        return False
    mode = st.mode
    if mode == "in" or mode == "entry":
        return True
    if mode == "function":
        return frame is st.frame
    if mode == "into":  # in the function named (called from here, or deeper), else as Step Over
        return frame is st.frame or (frame.f_code.co_name == st.target and _depth(frame) > st.depth) or _depth(frame) < st.depth
    if mode == "over":
        return frame is st.frame or _depth(frame) < st.depth
    return _depth(frame) < st.depth


def _on_return(frame):
    """The frame being stepped returns: stop in its caller at the call's line, as other Python
    debuggers do; past library code, stop at the next line of the user's code."""
    tid = get_ident()
    st = _steps.get(tid)
    if st is None or st.frame is not frame or tid in _busy:
        return
    if st.mode == "function":  # it returned before a line of its own ran: nothing to stop at
        del _steps[tid]
        _update_tracing()
        return
    caller = frame.f_back
    while caller is not None and _ours(caller):
        caller = caller.f_back
    if caller is not None and _user_code(caller.f_code):
        _stop(caller, "step", st.extra)
        return
    _steps[tid] = _Step("in", None, 0, st.extra)


# ---------------------------------------------------------------------------------------------
# Tracing backends

def _install_tracing():
    if _MONITORING:
        _install_monitoring()
    # 3.9-3.11: a trace function costs every thread that has one about x2-x3 on Python code,
    # whatever it does (even a C no-op), so threads get ours only once the process has a
    # breakpoint, a step or a pause to serve (_tracing_wanted).


_tracing = False  # 3.9-3.11: this process has turned tracing on (threading.settrace set)


def _tracing_wanted():
    """3.9-3.11: turn tracing on in this process if something needs it now: for breakpoints alone,
    entry hooks where they serve; else a trace function in every thread. The calling thread and
    every thread started from now on get it; the main thread, when called from another thread (the
    reader), at its next instruction (a pending call); other threads already running cannot be
    reached from here (docs/debugging.md, Limits)."""
    global _tracing
    if _MONITORING or _tracing or not (_bps or _trace_all or _raised or _fbps):
        return
    if not _trace_all and not _raised and not _fbps and _hooks_serve():
        return  # function breakpoints need every call seen: entry hooks only reach files with breakpoints
    _tracing = True
    threading.settrace(_global_trace)
    state.trace_next = _global_trace  # the exit watch hands over to it (start-up not over yet)
    if threading.current_thread() is threading.main_thread():
        _trace_here()
    elif get_ident() in _own:
        _trace_main_soon()
    else:
        _trace_here()
        _trace_main_soon()


_started_up = False  # 3.9-3.11: sitecustomize is over (after_watch_main ran) in this process


def _trace_here(frame=None):
    """The calling thread traces; its running frames that need it get the local tracer."""
    if not _started_up and threading.current_thread() is threading.main_thread():
        return  # start-up: the exit watch hands over to state.trace_next, or after_watch_main installs it
    cur = sys.gettrace()
    if cur is None:
        sys.settrace(_global_trace)
    elif cur is not _global_trace and getattr(cur, "__name__", "") != "_take_main_frame":
        return  # a trace function of the program's (coverage...): leave it alone
    f = frame if frame is not None else _getframe(1)
    while f is not None:
        if not _ours(f) and _user_code(f.f_code):
            if _trace_all or _norm(f.f_code.co_filename) in _bps:
                _trace_lines(f)
            elif _raised and f.f_trace is None:
                f.f_trace_lines = False
                f.f_trace = _raise_trace
        f = f.f_back


def _trace_lines(f):
    """3.9-3.11: `f` gets the local tracer with its line events (it may have had exception events only)."""
    f.f_trace_lines = True
    f.f_trace = _local_trace


_pending = []  # ctypes callbacks kept alive until they ran


def _trace_main_soon():
    """Ask the main thread to turn its tracing on at its next instruction (Py_AddPendingCall)."""
    try:
        import ctypes
        proto = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)

        def run(_arg):
            try:
                _trace_here(_getframe(1))
            except Exception as e:
                _core.error("debugger trace main", e)
            return 0

        cb = proto(run)
        _pending.append(cb)
        add = ctypes.pythonapi.Py_AddPendingCall
        add.argtypes = [proto, ctypes.c_void_p]
        add.restype = ctypes.c_int
        if add(cb, None) != 0:
            raise RuntimeError("Py_AddPendingCall refused")
    except Exception as e:
        _core.error("debugger trace main", e)


def after_watch_main():
    """End of start-up (3.9-3.11): the exit watch hands over to our trace function when it has
    taken the main module's frame; if it did not install itself and tracing is wanted, ours now."""
    global _started_up
    if _MONITORING or not _protocol.offered(_protocol.CONTROL, os.environ):
        return
    _started_up = True
    if _hooking and not _tracing:
        _tracing_wanted()  # the exit watch's mode is known now: without it, entry hooks cannot serve
    if _tracing and sys.gettrace() is None:
        sys.settrace(_global_trace)


def _after_fork_child():
    """A fork child: its own connection, fresh locks, no stopped thread, no steps in flight."""
    global _sock, _send_lock, _slot, _current, _steps, _pause, _busy, _live, _helper_threads, _entry_thread
    try:
        s = _sock
        _sock = None
        if s is not None:
            try:
                os.close(s.detach())  # the parent's connection stays the parent's
            except Exception:
                pass
        _live = False
        _send_lock = threading.Lock()
        _slot = threading.Lock()
        _current = None
        _steps = {}
        _busy = set()
        _own.clear()
        _helper_threads = {}
        _pause = False
        _entry_thread = None
        state.stop_on = frozenset()
        _set_exceptions(())
        _update_tracing()
        _open()
        _update_tracing()
    except Exception as e:
        _core.error("debugger after fork", e)


# -- 3.9-3.11: sys.settrace

def _global_trace(frame, event, arg):
    code = frame.f_code
    w = _want.get(id(code))
    if w is None or w[0] is not code:
        w = _remember_wants(code, frame)
    if w[3] is not None and _first_entry(frame):
        _on_function_entry(frame, w[3])
    if w[1] or _trace_all:
        return _local_trace(frame, event, arg)
    if _raised and w[2]:
        # Exception events only: no line events in a frame that has no breakpoint.
        frame.f_trace_lines = False
        return _raise_trace
    return None


def _raise_trace(frame, event, arg):
    """3.9-3.11, "raised" on: the local tracer of the user's frames that need no line events."""
    if event == "exception" and _raised:
        _on_raised(frame, arg[1], arg[2])
        # What this returns becomes the frame's tracer: a step from that stop gave it the line
        # tracer (_stop), which must stay.
        return frame.f_trace
    return _raise_trace


def _remember_wants(code, frame):
    """_code_wants and the function breakpoint `code` (running in `frame`) matches, kept in _want
    (the callers look there first: a hot path)."""
    if len(_want) > _WANT_MAX:
        _want.clear()  # code made at run time (exec, namedtuple) must not pile up here
    fbp = _function_bp(code, frame) if _fbps else None
    w = _want[id(code)] = (code, _code_wants(code), _raised and _user_code(code), fbp)
    return w


def _code_wants(code):
    """A breakpoint is on a line of this code or of code nested in it (a comprehension, a lambda:
    run by this frame, they get no entry hook of their own). Frames of other code in a file with
    breakpoints (a hot loop beside them) get no local tracer: no line events, as debugpy does."""
    lines = _bps.get(_norm(code.co_filename))
    if not lines:
        return False
    todo = [code]
    while todo:
        c = todo.pop()
        if hasattr(c, "co_lines"):
            own = (ln for _, _, ln in c.co_lines())
        else:
            import dis
            own = (ln for _, ln in dis.findlinestarts(c))
        if any(ln in lines for ln in own):
            return True
        todo.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    return False


def _local_trace(frame, event, arg):
    if event == "line":
        lines = _bps.get(_norm(frame.f_code.co_filename))
        if lines is None and not _trace_all:
            return None  # nothing to do in this frame any more
        _on_line(frame, lines)
    elif event == "return":
        if _steps:
            _on_return(frame)
        if _roots and _roots.get(get_ident()) is frame:
            _root_returned()
    elif event == "exception":
        if _raised:
            _on_raised(frame, arg[1], arg[2])
    return _local_trace


# -- 3.9-3.11: entry hooks (breakpoints alone)
#
# Code of a file with breakpoints is compiled from its source with a call to `_enter` first in the
# module and in each function (after a docstring and `from __future__` imports), on the line of the
# statement it precedes, so line numbers, tracebacks and what the code computes are unchanged.
# `_enter` turns tracing on in its thread if it was off and remembers that frame as the thread's
# root; when the root returns, tracing goes off again. Code gets the hook when it is compiled
# (imports through the source loader; runpy, which spawn and forkserver children use to load the
# main module) or, if it was loaded before the file had breakpoints, by swapping the code of its
# functions (matched by name and first line, only if their code is that of the source on disk).
# Not hooked: a lambda called outside the file's functions; frames already running (the main
# thread's are reached with a pending call and trace from then on). The main module's own file
# runs for the whole program: breakpoints there use the trace function, as before.

_hooking = False  # entry hooks are on in this process (import hooks installed)
_hooked = set()  # norm paths whose loaded functions got the hook
_roots = {}  # thread ident -> the frame whose _enter turned that thread's tracing on
_GENERATOR_FLAGS = 0x20 | 0x80 | 0x200  # CO_GENERATOR, CO_COROUTINE, CO_ASYNC_GENERATOR


def _hooks_serve():
    """Entry hooks serve the breakpoints now (installed if needed), or the trace function must."""
    global _hooking
    from . import _exit
    if _started_up and _exit._mode != "frame":
        return False  # the main module's frame is not watched: it might run a file with breakpoints
    main = _exit._main_frame
    if main is not None and _norm(main.f_code.co_filename) in _bps:
        return False
    if not _hooking:
        _install_import_hooks()
        _hooking = True
    state.trace_next = _main_choice  # the exit watch hands the main module's frame over to it
    for n in list(_bps):
        if n not in _hooked:
            _hook_loaded(n)
    return True


def _main_choice(frame, event, arg):
    """The main module starts (the exit watch took its frame): trace it if its file has breakpoints."""
    _tracing_wanted()
    if _tracing:
        sys.settrace(_global_trace)
        return _global_trace(frame, event, arg)
    sys.settrace(None)
    return None


def _enter():
    """First call of hooked code: its frame traces from here on, and the thread while it runs."""
    try:
        if not _live or sys.gettrace() is not None:
            return  # traced already (its 'call' event gave it the local tracer), or by the program's tracer
        f = _getframe(1)
        code = f.f_code
        w = _want.get(id(code))
        if w is None or w[0] is not code:
            w = _remember_wants(code, f)
        if not w[1]:
            return
        lines = _bps.get(_norm(code.co_filename))
        if lines is None:
            return
        sys.settrace(_global_trace)
        if not f.f_code.co_flags & _GENERATOR_FLAGS:  # a generator comes back with no new entry: it traces on
            _roots[get_ident()] = f
        f.f_trace = _local_trace
        if f.f_lineno in lines:  # this line started before tracing did: no line event will come for it
            _on_line(f, lines, False)
    except Exception as e:
        _core.error("debugger entry hook", e)


def _root_returned():
    tid = get_ident()
    if _trace_all or tid in _steps:
        return  # stepping: the thread traces on
    del _roots[tid]
    if not _tracing:
        sys.settrace(None)


def _hook_tree(tree):
    """The module's AST with the entry hook first in the module and in each function."""
    def hook(before):
        name = ast.Name(id="__import__", ctx=ast.Load())
        mod = ast.Call(func=name, args=[ast.Constant(value="processview_tracer._debug")], keywords=[])
        fn = ast.Attribute(value=ast.Attribute(value=mod, attr="_debug", ctx=ast.Load()), attr="_enter", ctx=ast.Load())
        stmt = ast.Expr(value=ast.Call(func=fn, args=[], keywords=[]))
        stmt.lineno = stmt.end_lineno = before.lineno
        stmt.col_offset = stmt.end_col_offset = before.col_offset
        return ast.fix_missing_locations(stmt)

    def put(body, module):
        i = 0
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            i = 1  # the docstring stays the docstring
        while module and i < len(body) and isinstance(body[i], ast.ImportFrom) and body[i].module == "__future__":
            i += 1
        if i < len(body):
            body.insert(i, hook(body[i]))

    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for node in functions:
        put(node.body, False)
    put(tree.body, True)
    return tree


def _hooked_code(source, filename):
    """The module's code with entry hooks, compiled as the import system does; None if it cannot be."""
    try:
        return compile(_hook_tree(ast.parse(source, filename)), filename, "exec", dont_inherit=True)
    except Exception:
        return None


def _codes_by_key(code, out=None):
    """Every code object in a module's code, by (name, first line); a key seen twice maps to None."""
    out = {} if out is None else out
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            k = (c.co_name, c.co_firstlineno)
            out[k] = None if k in out else c
            _codes_by_key(c, out)
    return out


def _hook_loaded(n):
    """Give the hook to functions of a file already loaded (e.g. a module imported before the file
    had breakpoints), then reach its frames already running."""
    _hooked.add(n)
    try:
        import gc
        by_raw = {}
        for o in gc.get_objects():
            if type(o) is types.FunctionType and _norm(o.__code__.co_filename) == n:
                by_raw.setdefault(o.__code__.co_filename, []).append(o)
        for raw, funcs in by_raw.items():
            with open(raw, "rb") as fh:
                source = fh.read()
            hooked = _hooked_code(source, raw)
            if hooked is None:
                continue
            plain = _codes_by_key(compile(source, raw, "exec", dont_inherit=True))
            hooked = _codes_by_key(hooked)
            for fn in funcs:
                old = fn.__code__
                k = (old.co_name, old.co_firstlineno)
                p, h = plain.get(k), hooked.get(k)
                # Only code as it is on disk (not edited since it was loaded), and only where a hook went in.
                if p is None or h is None or p.co_code == h.co_code or p.co_code != old.co_code or p.co_names != old.co_names:
                    continue
                try:
                    fn.__code__ = h
                except ValueError:
                    pass
    except Exception as e:
        _core.error("debugger entry hooks", e)
    main = threading.main_thread().ident
    for tid, f in sys._current_frames().items():
        if tid in _own or tid == get_ident() or (state.thread is not None and tid == state.thread.ident):
            continue
        while f is not None:
            if _norm(f.f_code.co_filename) == n:
                if tid == main and _started_up:
                    _trace_main_soon()
                break
            f = f.f_back


def _install_import_hooks():
    """Code compiled from now on for files with breakpoints gets the hook: modules imported through
    the source loader, and main modules run by runpy (spawn and forkserver children)."""
    try:
        from importlib import _bootstrap_external as bx
        import runpy
        loader_get_code = bx.SourceLoader.get_code

        def get_code(self, fullname):
            code = loader_get_code(self, fullname)
            try:
                if code is not None and _bps and _norm(code.co_filename) in _bps:
                    return _hooked_code(self.get_data(self.get_filename(fullname)), code.co_filename) or code
            except Exception as e:
                _core.error("debugger entry hooks", e)
            return code

        bx.SourceFileLoader.get_code = get_code
        runpy_get_code = runpy._get_code_from_file

        def _get_code_from_file(run_name, fname):
            code, fname = runpy_get_code(run_name, fname)
            try:
                if _bps and _norm(code.co_filename) in _bps:
                    with open(fname, "rb") as fh:
                        code = _hooked_code(fh.read(), code.co_filename) or code
            except Exception as e:
                _core.error("debugger entry hooks", e)
            return code, fname

        runpy._get_code_from_file = _get_code_from_file
    except Exception as e:
        _core.error("debugger entry hooks", e)


# -- 3.12+: sys.monitoring

_tool = None
_mon = None
_enabled_codes = {}  # norm path -> [code objects with LINE events on]


def _install_monitoring():
    global _tool, _mon
    mon = sys.monitoring
    for tool in (mon.DEBUGGER_ID, 2):
        try:
            mon.use_tool_id(tool, TOOL_NAME)
        except ValueError:
            continue
        _tool, _mon = tool, mon
        E = mon.events
        mon.register_callback(tool, E.PY_START, _mon_start)
        mon.register_callback(tool, E.LINE, _mon_line)
        mon.register_callback(tool, E.PY_RETURN, _mon_return)
        mon.register_callback(tool, E.PY_YIELD, _mon_return)
        mon.register_callback(tool, E.RAISE, _mon_raise)
        return
    _core.error("debugger", RuntimeError("no free sys.monitoring tool id: breakpoints are off in this process"))


def _mon_start(code, offset):
    n = _norm(code.co_filename)
    if n in _bps:
        _enable_code(n, code)
    if _fbps:
        f = _getframe(1)
        if f.f_code is code:
            bp = _function_bp(code, f)
            if bp is not None:
                _on_function_entry(f, bp)
                return None  # every call of it is seen
    return _mon.DISABLE


def _enable_code(n, code):
    lst = _enabled_codes.setdefault(n, [])
    if not any(c is code for c in lst):
        lst.append(code)
    _mon.set_local_events(_tool, code, _mon.events.LINE)


def _mon_line(code, line):
    lines = _bps.get(_norm(code.co_filename))
    if lines is not None and line in lines or _trace_all and _user_code(code):
        f = _getframe(1)
        if f.f_code is code:
            _on_line(f, lines)
        return None
    # Library code never stops (unless it has a breakpoint); a line of a breakpoint's file that
    # has none needs no event until breakpoints change or a step begins (restart_events).
    return _mon.DISABLE


def _mon_return(code, offset, value):
    if not _user_code(code):
        return _mon.DISABLE
    if _steps:
        f = _getframe(1)
        if f.f_code is code:
            _on_return(f)
    return None


def _mon_raise(code, offset, exc):
    """"raised" on: an exception is raised in a frame, or reaches it from a callee (RAISE comes in
    every frame it goes through, as 3.9-3.11's exception event does)."""
    if _user_code(code):
        f = _getframe(1)
        if f.f_code is code:
            _on_raised(f, exc, exc.__traceback__)


def _breakpoints_changed(n):
    """A file's breakpoints changed: turn LINE events on or off for its code objects, running
    frames included (a loop at module level gets no new PY_START)."""
    if _MONITORING:
        if _mon is None:
            return
        if n not in _bps:
            for code in _enabled_codes.pop(n, ()):
                try:
                    _mon.set_local_events(_tool, code, 0)
                except Exception:
                    pass
        else:
            for tid, f in sys._current_frames().items():
                while f is not None:
                    if _norm(f.f_code.co_filename) == n:
                        _enable_code(n, f.f_code)
                    f = f.f_back
        _update_tracing(restart=True)
    else:
        if n in _bps:
            for tid, f in sys._current_frames().items():
                if tid in _own:
                    continue
                while f is not None:
                    if _norm(f.f_code.co_filename) == n and (f.f_trace is None or not f.f_trace_lines):
                        _trace_lines(f)
                    f = f.f_back


def _update_tracing(restart=False):
    global _trace_all
    was = _trace_all
    _trace_all = bool(_steps) or _pause
    if not _MONITORING or _mon is None:
        return
    E = _mon.events
    events = 0
    if _bps or _trace_all or _fbps:
        events |= E.PY_START
    if _trace_all:
        events |= E.LINE | E.PY_RETURN | E.PY_YIELD
    if _raised:
        events |= E.RAISE
    try:
        _mon.set_events(_tool, events)
        if restart or (_trace_all and not was):
            _mon.restart_events()
    except Exception as e:
        _core.error("debugger events", e)


# ---------------------------------------------------------------------------------------------
# Operations the tracer does not wrap (it reports them elsewhere): wrapped in debug runs only,
# so a run without the debugger is untouched.

def _reraise_hidden(call, *args):
    try:
        return call(*args)
    except BaseException as e:
        _core.hide(e)
        raise


def _patch_process(mod):
    BP = mod.BaseProcess
    real_terminate, real_kill = BP.terminate, BP.kill

    def terminate(self):
        if state.stop_on:
            _core.pause_before("process", "terminate", self)
        return _reraise_hidden(real_terminate, self)

    def kill(self):
        if state.stop_on:
            _core.pause_before("process", "kill", self)
        return _reraise_hidden(real_kill, self)

    BP.terminate, BP.kill = terminate, kill


def _patch_pool(mod):
    AR = mod.ApplyResult
    real_get = AR.get

    def get(self, timeout=None):
        if state.stop_on:
            _core.pause_before("pool", "get", self)
        return _reraise_hidden(real_get, self, timeout)

    AR.get = get
    IM = mod.IMapIterator
    real_next = IM.next

    def next(self, timeout=None):
        if state.stop_on:
            _core.pause_before("pool", "next", self)
        return _reraise_hidden(real_next, self, timeout)

    IM.next = IM.__next__ = next
    _wrap_task_exception(mod.ExceptionWithTraceback)
    _watch_thread_pool_results(mod)


def _watch_thread_pool_results(mod):
    """A ThreadPool's worker sends a failed task's exception back as it is (a process pool's
    wraps it, _wrap_task_exception): its results queue stops the worker thread first, where the
    task raised, its frames still there, when "task" is on."""
    import queue
    TP = mod.ThreadPool
    real_setup = TP._setup_queues
    reraises = getattr(mod, "_helper_reraises_exception", None)
    reraises = getattr(reraises, "__code__", None)  # not a task: the iterable of a map raised

    class _Results(queue.SimpleQueue):
        __slots__ = ()

        def put(self, item, block=True, timeout=None):
            if "task" in _exceptions:
                try:
                    failed = type(item) is tuple and len(item) == 3 and type(item[2]) is tuple and item[2][0] is False
                    exc = item[2][1] if failed else None
                    tb = getattr(exc, "__traceback__", None)
                    t = tb
                    while t is not None and t.tb_frame.f_code is not reraises:
                        t = t.tb_next
                    if tb is not None and t is None:
                        _on_uncaught(exc, tb, "task")
                except Exception as e:
                    _core.error("thread pool result", e)
            queue.SimpleQueue.put(self, item, block, timeout)

    def _setup_queues(self):
        real_setup(self)
        self._outqueue = _Results()  # nothing has used the one just made: the workers start later
        self._quick_get = self._outqueue.get

    TP._setup_queues = _setup_queues


def _patch_futures(mod):
    from concurrent.futures import _base
    F = _base.Future
    if getattr(F, "_pv_debug_patched", False):
        return
    F._pv_debug_patched = True
    real_result = F.result

    def result(self, timeout=None):
        if state.stop_on and _core.own(self, "_pv") is not None:  # a future of the program's ProcessPoolExecutor
            _core.pause_before("pool", "result", self)
        return _reraise_hidden(real_result, self, timeout)

    F.result = result
    _wrap_task_exception(mod._ExceptionWithTraceback)


def _patch_thread_executor(mod):
    """A ThreadPoolExecutor's worker catches a task's exception in _WorkItem.run and sets it on
    the future as it is: stop there, in the worker thread, when "task" is on. Told apart from any
    other set_exception by its traceback, whose first frame is that run()."""
    from concurrent.futures import _base
    run = getattr(getattr(mod, "_WorkItem", None), "run", None)
    run_code = getattr(run, "__code__", None)
    if run_code is None:
        return
    F = _base.Future
    if getattr(F, "_pv_debug_thread_tasks", False):
        return
    F._pv_debug_thread_tasks = True
    real_set_exception = F.set_exception

    def set_exception(self, exception):
        if "task" in _exceptions:
            tb = getattr(exception, "__traceback__", None)
            if tb is not None and tb.tb_frame.f_code is run_code:
                _on_uncaught(exception, tb, "task")
        return real_set_exception(self, exception)

    F.set_exception = set_exception


MODULE_PATCHES = {"multiprocessing.process": _patch_process, "multiprocessing.pool": _patch_pool,
                  "concurrent.futures.process": _patch_futures, "concurrent.futures.thread": _patch_thread_executor}


def with_patches(patches):
    """The tracer's module patches with the debugger's added (both run, the tracer's first)."""
    out = dict(patches)
    for name, extra in MODULE_PATCHES.items():
        first = out.get(name)
        if first is None:
            out[name] = extra
        else:
            def both(mod, first=first, extra=extra):
                first(mod)
                try:
                    extra(mod)
                except Exception as e:
                    _core.error("debugger patch " + mod.__name__, e)
            out[name] = both
    return out
