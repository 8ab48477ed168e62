/**
 * A stall (waits.ts) in words, naming the lines: "Deadlock: MainProcess waits at line 12 for
 * Process-1 to exit; Process-1 cannot exit until its 1.0 MB message on the Queue created at line 9
 * is read, and only MainProcess reads that Queue". Pure; strings go through `t` so the extension
 * can localize them (the command line passes `plain`). Every report carries the word "deadlock"
 * or "can never end", which scripts and CI look for.
 */
import type { ChannelKind, SourceSite } from '../protocol/events';
import { newestProcess, type Channel, type ProcessNode, type ProcessWait, type SessionSnapshot, type Stall, type StallStep } from './model';

import { plain, type Localize } from '../localize';

type Snap = Pick<SessionSnapshot, 'processes' | 'channels'>;

/** The stall's heading: what kind of stall it is. */
export function stallTitle(s: Stall, t: Localize = plain): string {
  switch (s.kind) {
    case 'deadlock':
      return t('Deadlock');
    case 'never':
      return t('A wait that can never end');
    default:
      return t('Would deadlock without its timeout');
  }
}

/** One sentence per step, in the stall's order. */
export function stallSteps(s: Stall, snap: Snap, t: Localize = plain): string[] {
  return s.steps.map((st) => stepText(st, snap, t));
}

/** The whole report in one line: "Deadlock: …; …". */
export function explainStall(s: Stall, snap: Snap, t: Localize = plain): string {
  const text = t('{0}: {1}', stallTitle(s, t), stallSteps(s, snap, t).join(t('; ')));
  return s.endedMs !== null && s.endedBy === 'timeout' && s.kind === 'timeout' ? t('{0} (its timeout ended it)', text) : text;
}

/** What one process of a stall waits for, and why that cannot come. */
export function stepText(st: StallStep, snap: Snap, t: Localize = plain): string {
  const w = st.wait;
  const me = procName(st.pid, snap, t);
  const at = w.site ? lineText(w.site, t) : null;
  const ch = w.channelId ? snap.channels.find((c) => c.id === w.channelId) : undefined;
  const obj = ch ? channelText(ch, t) : w.channelId ? t('a channel') : '';
  const others = (pids: readonly number[]) => names(pids, snap, t);
  let s: string;
  if ((w.op === 'join' || w.op === 'waitpid') && w.childPid !== null && !w.channelId) {
    const child = w.childPid > 0 ? procName(w.childPid, snap, t) : t('a child');
    s = at ? t('{0} waits at {1} for {2} to exit', me, at, child) : t('{0} waits for {1} to exit', me, child);
  } else if (w.op === 'flush') {
    const unread = st.facts.find((f) => f.kind === 'unread');
    const size = unread && unread.kind === 'unread' && unread.size !== null ? bytesText(unread.size, t) : null;
    const put = unread && unread.kind === 'unread' && unread.site ? lineText(unread.site, t) : null;
    s = size
      ? t('{0} cannot exit until its {1} message on {2} is read', me, size, obj)
      : t('{0} cannot exit until what it put on {1} is read', me, obj);
    if (put) s = t('{0} (put at {1})', s, put);
    if (st.waitsOn.length > 0) s = t('{0}, and only {1} could read it', s, others(st.waitsOn));
  } else if (w.op === 'get') {
    s = at ? t('{0} waits at {1} for a message on {2}, which is empty', me, at, obj) : t('{0} waits for a message on {1}, which is empty', me, obj);
  } else if (w.op === 'put') {
    s = at ? t('{0} waits at {1} to put on {2}, which is full', me, at, obj) : t('{0} waits to put on {1}, which is full', me, obj);
  } else if (w.op === 'recv' || w.op === 'recv_bytes') {
    s = at ? t('{0} waits at {1} to receive on {2}', me, at, obj) : t('{0} waits to receive on {1}', me, obj);
  } else if (w.op === 'acquire') {
    s = at ? t('{0} waits at {1} to acquire {2}', me, at, obj) : t('{0} waits to acquire {1}', me, obj);
  } else if (w.op === 'result') {
    s = at ? t('{0} waits at {1} for a result of {2}', me, at, obj) : t('{0} waits for a result of {1}', me, obj);
  } else {
    s = at ? t('{0} waits at {1} in {2} on {3}', me, at, w.op, obj) : t('{0} waits in {1} on {2}', me, w.op, obj);
  }
  for (const f of st.facts) {
    if (f.kind === 'held') {
      const holder = procName(f.pid, snap, t);
      const since = f.site ? lineText(f.site, t) : null;
      if (f.gone) s = since ? t('{0}, held since {1} by {2}, which has exited', s, since, holder) : t('{0}, held by {1}, which has exited', s, holder);
      else s = since ? t('{0}, held since {1} by {2}', s, since, holder) : t('{0}, held by {1}', s, holder);
    } else if (f.kind === 'holds-other-end') {
      s = t('{0}; it still holds the other end itself, so EOFError can never come', s);
    } else if (f.kind === 'gone') {
      s = t('{0}; everyone who sent on it ({1}) has exited', s, others(f.pids));
    }
  }
  if (w.op !== 'flush' && w.op !== 'acquire' && !(w.op === 'join' && !w.channelId) && w.op !== 'waitpid' && st.waitsOn.length > 0) {
    s = t('{0}, and only {1} could end that', s, others(st.waitsOn));
  }
  if (w.op !== 'flush' && st.waitsOn.length === 0 && !st.facts.some((f) => f.kind === 'held')) s = t('{0}, and nobody alive could end that', s);
  if (w.timeoutS !== null) s = t('{0} (timeout {1} s)', s, w.timeoutS);
  return s;
}

/** "the Queue created at line 9". */
export function channelText(c: Pick<Channel, 'kind' | 'createdAt'>, t: Localize = plain): string {
  const kind = channelKindText(c.kind, t);
  return c.createdAt ? t('the {0} created at {1}', kind, lineText(c.createdAt, t)) : t('the {0}', kind);
}

/**
 * Who adopted an orphan, for every front end: init, the run's supervisor (under Process View the
 * orphan's new parent is not init: the supervisor adopts the run's orphans so they stay observable
 * and Stop can end them; a learner sees that pid in the program's own output), another subreaper.
 */
export function adopterText(p: Pick<ProcessNode, 'adoptedBy' | 'adoptedBySupervisor'>, t: Localize = plain): string {
  if (p.adoptedBy === null) return t('an unknown process');
  if (p.adoptedBy === 1) return t('{0} (init)', 1);
  if (p.adoptedBySupervisor) return t('{0} (Process View\'s run supervisor, in place of init)', p.adoptedBy);
  return t('{0} (a subreaper)', p.adoptedBy);
}

/** What a waiting process waits on, short, for a tree row: "get on the Queue created at line 9". */
export function waitText(w: ProcessWait, snap: Snap, t: Localize = plain): string {
  if ((w.op === 'join' || w.op === 'waitpid') && w.childPid !== null && !w.channelId) {
    return w.childPid > 0 ? t('join {0}', procName(w.childPid, snap, t)) : t('wait for a child');
  }
  const ch = w.channelId ? snap.channels.find((c) => c.id === w.channelId) : undefined;
  if (!ch) return w.op;
  return t('{0} on {1}', w.op, channelText(ch, t));
}

/** A channel kind's name in the user's words (the Channels view, the timeline, the editor and the explanations). */
export function channelKindText(kind: ChannelKind, t: Localize): string {
  switch (kind) {
    case 'queue':
      return t('Queue');
    case 'joinable-queue':
      return t('JoinableQueue');
    case 'simple-queue':
      return t('SimpleQueue');
    case 'pipe':
      return t('Pipe');
    case 'connection':
      return t('Connection');
    case 'lock':
      return t('Lock');
    case 'rlock':
      return t('RLock');
    case 'semaphore':
      return t('Semaphore');
    case 'bounded-semaphore':
      return t('BoundedSemaphore');
    case 'event':
      return t('Event');
    case 'condition':
      return t('Condition');
    case 'barrier':
      return t('Barrier');
    case 'pool':
      return t('Pool');
    case 'manager':
      return t('Manager');
    case 'proxy':
      return t('Manager proxy');
    case 'value':
      return t('Value');
    case 'array':
      return t('Array');
  }
}

function lineText(s: SourceSite, t: Localize): string {
  return t('line {0}', s.line);
}

function procName(pid: number, snap: Snap, t: Localize): string {
  const n = newestProcess(snap, pid);
  return n && n.name && n.name !== '?' ? n.name : t('pid {0}', pid);
}

function names(pids: readonly number[], snap: Snap, t: Localize): string {
  const ns = pids.map((p) => procName(p, snap, t));
  if (ns.length <= 1) return ns[0] ?? '';
  return t('{0} and {1}', ns.slice(0, -1).join(t(', ')), ns[ns.length - 1]!);
}

function bytesText(n: number, t: Localize): string {
  if (n < 1024) return t('{0} bytes', n);
  if (n < 1024 * 1024) return t('{0} KB', (n / 1024).toFixed(n < 10 * 1024 ? 1 : 0));
  return t('{0} MB', (n / (1024 * 1024)).toFixed(1));
}
