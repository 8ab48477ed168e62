"""What `strace -f -e trace=%process` says happened in a run, as plain data, to compare with the
model Process View builds (test_strace_model.py). Pure parsing: no process is started here.

A process is created by fork/vfork/clone/clone3 without CLONE_THREAD; its creator is the thread
group that made the call. Thread groups are resolved after the whole trace is read: strace can
print a new thread's own calls (a fork, say) before the `clone3(...) = tid` line that created it,
and a tid seen that early could be mistaken for a process (or, after pids wrap, for an earlier
process with the same number). It ends at its "+++ exited with N +++" / "+++ killed by SIG +++" line and
is reaped when wait4/waitid returns its pid somewhere.
"""
import re

_LINE = re.compile(r'^(\d+)\s+(\d+\.\d+)\s+(.*)$')
_CALL = re.compile(r'^(\w+)\((.*)\)\s+=\s+(-?\d+|\?)')
_EXITED = re.compile(r'^\+\+\+ exited with (\d+) \+\+\+')
_KILLED = re.compile(r'^\+\+\+ killed by (SIG\w+)')
_UNFINISHED = ' <unfinished ...>'
_RESUMED = re.compile(r'^<\.\.\. (\w+) resumed>(.*)$')
_FORKS = ('fork', 'vfork', 'clone', 'clone3')
_WAITS = ('wait4', 'waitpid', 'waitid')


class Proc:
    def __init__(self, pid, creator, t):
        self.pid = pid
        self.creator = creator  # tgid of the process that created it (None for the first)
        self.created = t
        self.argv0 = None
        self.exit_code = None
        self.signal = None
        self.ended = None  # time of its +++ line
        self.exit_call = None  # time it called exit_group (the start of dying; strace may report +++ later)
        self.reaped = None
        self.reaper = None

    def __repr__(self):
        return 'Proc(%d by %s, code=%s sig=%s ended=%s reaped=%s by %s)' % (
            self.pid, self.creator, self.exit_code, self.signal, self.ended, self.reaped, self.reaper)


class Trace:
    def __init__(self):
        self.procs = {}  # pid -> Proc (the newest holder of the pid)
        self.tgid = {}  # tid -> thread group id
        self.kills = []  # (t, sender tgid, target pid, signal)

    def group(self, tid):
        return self.tgid.get(tid, tid)

    def descendants(self, root):
        """root and every process created, directly or not, by it."""
        out = {root} if root in self.procs else set()
        grew = True
        while grew:
            grew = False
            for p in self.procs.values():
                if p.pid not in out and p.creator in out:
                    out.add(p.pid)
                    grew = True
        return out

    def zombie_ms(self, pid, upper=False):
        """How long it was dead but not reaped, or None if unknown. strace cannot say exactly when
        a process became a zombie: between its exit_group call and the +++ line, which under load
        strace can print late (holding the process meanwhile). upper=False measures from the +++
        line (at most the truth), upper=True from exit_group (at least the truth; unknown for a
        process killed by a signal, which never calls exit_group)."""
        p = self.procs[pid]
        died = p.exit_call if upper else p.ended
        if died is None or p.reaped is None:
            return None
        return (p.reaped - died) * 1000.0

    def orphaned(self, pid):
        """Its creator ended while it was alive. A child its creator reaped was dead first, whatever
        the order of their +++ lines: under load strace can print a child's +++ line after its
        parent's, although the parent's wait had already returned it."""
        p = self.procs[pid]
        c = self.procs.get(p.creator)
        if c is None or c.ended is None:
            return False
        if p.reaper is not None and p.reaper == p.creator:
            return False
        return p.ended is None or c.ended < p.ended


def parse(text):
    tr = Trace()
    pending = {}  # tid -> first half of an unfinished call
    for raw in text.splitlines():
        m = _LINE.match(raw)
        if not m:
            continue
        tid, t, rest = int(m.group(1)), float(m.group(2)), m.group(3)
        if rest.endswith(_UNFINISHED):
            pending[tid] = rest[:-len(_UNFINISHED)]
            # Dying begins when exit_group is called, not when strace prints its end (under load,
            # seen 115 ms later: strace holds an exiting process until it has taken its event).
            if rest.startswith('exit_group('):
                p = tr.procs.get(tr.group(tid))
                if p is not None and p.exit_call is None:
                    p.exit_call = t
            continue
        r = _RESUMED.match(rest)
        if r:
            rest = pending.pop(tid, r.group(1) + '(') + r.group(2)
        if tid not in tr.procs and tid not in tr.tgid and not tr.procs:
            tr.procs[tid] = Proc(tid, None, t)  # the first process of the trace
        e = _EXITED.match(rest)
        k = _KILLED.match(rest)
        if e or k:
            p = tr.procs.get(tid)
            if p is not None and tid not in tr.tgid:
                p.ended = t
                if e:
                    p.exit_code = int(e.group(1))
                else:
                    p.signal = k.group(1)
            continue
        if rest.startswith('exit_group('):
            p = tr.procs.get(tr.group(tid))
            if p is not None and p.exit_call is None:
                p.exit_call = t
            continue
        c = _CALL.match(rest)
        if not c:
            continue
        name, args, ret = c.group(1), c.group(2), c.group(3)
        if ret == '?':
            continue
        ret = int(ret)
        if name in _FORKS and ret > 0:
            if 'CLONE_THREAD' in args:
                tr.tgid[ret] = tr.group(tid)
            else:
                tr.procs[ret] = Proc(ret, tid, t)  # the calling tid: its group is resolved at the end
        elif name == 'execve' and ret == 0:
            p = tr.procs.get(tr.group(tid))
            a = re.match(r'"([^"]*)", \["([^"]*)"', args)
            if p is not None and a:
                p.argv0 = a.group(1)
        elif name in _WAITS:
            pid = ret
            if name == 'waitid':
                s = re.search(r'si_pid=(\d+)', args)
                pid = int(s.group(1)) if (ret == 0 and s) else 0
            p = tr.procs.get(pid)
            if pid > 0 and p is not None and p.reaped is None:
                p.reaped = t
                p.reaper = tid
        elif name == 'kill' and ret == 0:
            a = re.match(r'(-?\d+), (SIG\w+)', args)
            if a:
                tr.kills.append((t, tid, int(a.group(1)), a.group(2)))
    # Now that every thread's creation has been read: the thread groups of the callers.
    for p in tr.procs.values():
        if p.creator is not None:
            p.creator = tr.group(p.creator)
        if p.reaper is not None:
            p.reaper = tr.group(p.reaper)
    tr.kills = [(t, tr.group(sender), target, sig) for t, sender, target, sig in tr.kills]
    return tr
