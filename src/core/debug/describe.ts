/**
 * What the debugger says about processes and stops, from the Session's model: thread names,
 * stop descriptions, the Process and Operation scopes. Pure functions (unit-tested); strings go
 * through `t` so the extension can localize them (the command line passes `plain`).
 */
import * as path from 'node:path';
import type { OperationInfo } from '../protocol/control';
import type { ChannelKind, SourceSite } from '../protocol/events';
import { formatDuration, formatMoment } from '../replay/describe';
import { plain, type Localize } from '../localize';
import { adopterText, explainStall, waitText } from '../session/explain';
import { newestProcess, type Channel, type ChannelState, type ProcessNode, type SessionSnapshot } from '../session/model';
import type { FactRow, StopReason } from './backend';

/** A stop filter's words in the Breakpoints view (a DAP exception filter): a recording's, a live run's. */
/** What an exception filter's condition is (Breakpoints view, Edit Condition): exceptionCondition.ts. */
export function exceptionConditionText(t: Localize = plain): string {
  return t('Exception types to stop for, separated by commas (ValueError, queue.Empty); !Name never stops for that one. Subclasses count.');
}

export function stopFilterText(id: string, t: Localize = plain): { label: string; description: string } {
  switch (id) {
    case 'zombie':
      return { label: t('A process becomes a zombie'), description: t('It has exited and its parent has not joined (waited for) it yet.') };
    case 'orphaned':
      return { label: t('A process is orphaned'), description: t('Its parent ended while it was still running; it was adopted.') };
    case 'killed':
      return { label: t('A process is killed by a signal'), description: t('terminate(), kill(), os.kill() or a signal from outside.') };
    case 'error':
      return { label: t('A process fails'), description: t('It dies of an uncaught exception or exits with a non-zero code.') };
    case 'failed':
      return { label: t('An operation fails or times out'), description: t('queue.Empty or Full, a timed-out acquire, join or wait, EOFError.') };
    case 'raised':
      return {
        label: t('Raised exceptions'),
        description: t('Pause where your code raises an exception, or where one raised in a library first reaches your code, whether or not it will be caught: in that frame, still running.'),
      };
    case 'uncaught':
      return {
        label: t('Uncaught exceptions'),
        description: t('Pause where an exception is about to end a process or a thread, before its traceback is printed: in the frame that raised it, its locals as they were.'),
      };
    case 'task':
      return {
        label: t('Exceptions in pool tasks'),
        description: t('Pause in the worker where a task of a Pool, a ThreadPool or an executor raised, before the exception goes back to the caller of get() or result(): in the frame that raised it, its locals as they were.'),
      };
    default:
      return { label: id, description: '' };
  }
}

/** "MainProcess · pid 4241", "Process-1 · pid 4242 · child of 4241". */
export function threadName(p: { name: string; pid: number; ppid: number | null; role: string }, t: Localize = plain): string {
  const name = p.name && p.name !== '?' ? p.name : roleName(p.role, t);
  if (p.role === 'main' || p.ppid === null) return t('{0} · pid {1}', name, p.pid);
  return t('{0} · pid {1} · child of {2}', name, p.pid, p.ppid);
}

function roleName(role: string, t: Localize): string {
  switch (role) {
    case 'main':
      return t('MainProcess');
    case 'pool-worker':
      return t('Pool worker');
    case 'manager':
      return t('Manager');
    case 'forkserver':
      return t('ForkServer');
    case 'resource-tracker':
      return t('ResourceTracker');
    case 'external':
      return t('Program');
    default:
      return t('Process');
  }
}

const KIND_TEXT: Readonly<Record<ChannelKind, string>> = {
  queue: 'Queue',
  'joinable-queue': 'JoinableQueue',
  'simple-queue': 'SimpleQueue',
  pipe: 'Pipe',
  connection: 'Connection',
  lock: 'Lock',
  rlock: 'RLock',
  semaphore: 'Semaphore',
  'bounded-semaphore': 'BoundedSemaphore',
  event: 'Event',
  condition: 'Condition',
  barrier: 'Barrier',
  pool: 'Pool',
  manager: 'Manager',
  proxy: 'Manager proxy',
  value: 'Value',
  array: 'Array',
};

/** The channel an operation's object is (a pipe end's ops are on its pipe). */
export function findChannel(snapshot: SessionSnapshot, id: string | null): Channel | undefined {
  if (!id) return undefined;
  return snapshot.channels.find((c) => c.id === id || c.detail.end0 === id || c.detail.end1 === id);
}

/** "Queue@line 9" (created in the file shown), "Queue@tasks.py:9" (elsewhere), "Queue". */
export function channelLabel(c: Channel | undefined, fallback: string, here: string | null): string {
  if (!c) return fallback;
  const kind = KIND_TEXT[c.kind] ?? c.kind;
  if (!c.createdAt) return kind;
  const same = here !== null && samePath(c.createdAt.file, here);
  return same ? `${kind}@line ${c.createdAt.line}` : `${kind}@${path.basename(c.createdAt.file)}:${c.createdAt.line}`;
}

function samePath(a: string, b: string): boolean {
  return path.resolve(a) === path.resolve(b);
}

function processByPid(snapshot: SessionSnapshot, pid: number | null | undefined): ProcessNode | undefined {
  return typeof pid === 'number' ? newestProcess(snapshot, pid) : undefined;
}

const SENDING = new Set(['put', 'put_nowait', 'send', 'send_bytes']);
const RECEIVING = new Set(['get', 'get_nowait', 'recv', 'recv_bytes']);

/** The stop's description, as the editor shows it next to the paused thread. */
export function stopDescription(
  reason: StopReason,
  op: OperationInfo | null,
  snapshot: SessionSnapshot,
  site: SourceSite | null,
  t: Localize = plain,
): string {
  switch (reason) {
    case 'breakpoint':
      return t('Paused on breakpoint');
    case 'step':
      return t('Paused after a step');
    case 'pause':
      return t('Paused');
    case 'entry':
      return t('Paused on entry');
    case 'operation':
      return op ? t('Paused before {0}', operationText(op, snapshot, site, t)) : t('Paused before an operation');
    case 'exception':
      return t('Paused on a stop filter');
    case 'end':
      return t('End of the recording');
    case 'goto':
      return t('Paused');
  }
}

/** "Queue.put([42, None, 'hello']) to Queue@line 9", "Process.join() of Process-1 · pid 4242". */
export function operationText(op: OperationInfo, snapshot: SessionSnapshot, site: SourceSite | null, t: Localize = plain): string {
  const facts = op.facts ?? {};
  const here = site?.file ?? null;
  if (op.kind === 'process') {
    const target = processByPid(snapshot, typeof facts.pid === 'number' ? facts.pid : null);
    const who = typeof facts.name === 'string' ? facts.name : target?.name;
    const whoPid = typeof facts.pid === 'number' ? t('{0} · pid {1}', who ?? t('process'), facts.pid) : (who ?? t('a process'));
    switch (op.op) {
      case 'exit':
        return typeof facts.exitcode === 'number' ? t('exit (exit code {0})', facts.exitcode) : t('exit');
      case '_exit':
        return `os._exit(${typeof facts.exitcode === 'number' ? facts.exitcode : ''})`;
      case 'kill':
        if (op.type === 'os') return `os.kill(${String(facts.pid ?? '?')}, ${String(facts.signal ?? '?')})`;
        return t('{0}.{1}() of {2}', op.type, op.op, whoPid);
      case 'start':
        return t('{0}.start() of {1}', op.type, who ?? t('a process'));
      default:
        return t('{0}.{1}() of {2}', op.type, op.op, whoPid);
    }
  }
  const channel = findChannel(snapshot, op.id);
  const label = channelLabel(channel, op.type, here);
  if (op.kind === 'pool') {
    const call = op.preview !== undefined ? `${op.preview}${op.args !== undefined ? `, ${op.args}` : ''}` : '';
    return t('{0}.{1}({2}) on {3}', op.type, op.op, call, label);
  }
  const payload = op.preview ?? '';
  if (SENDING.has(op.op)) return t('{0}.{1}({2}) to {3}', op.type, op.op, payload, label);
  if (RECEIVING.has(op.op)) return t('{0}.{1}() from {2}', op.type, op.op, label);
  if (op.kind === 'manager') return t('{0}.{1}({2}) on {3}', op.type, op.op, payload, label);
  return t('{0}.{1}() on {2}', op.type, op.op, label);
}

function formatSite(s: Pick<SourceSite, 'file' | 'line'> | null): string | null {
  return s ? `${path.basename(s.file)}:${s.line}` : null;
}

/**
 * The Process scope, live and in a recording: what the Session knows about one process at the
 * moment shown (`moment`, for its wait). `pausedIn`: the thread the live debugger holds it in,
 * said right after its state.
 */
export function processFacts(p: ProcessNode | undefined, pid: number, t: Localize = plain, moment?: WaitMoment, pausedIn?: string): FactRow[] {
  const paused: FactRow[] = pausedIn === undefined ? [] : [{ name: t('debugger'), value: t('paused in thread {0}', pausedIn) }];
  if (!p) return [{ name: t('pid'), value: String(pid) }, ...paused];
  const rows: FactRow[] = [
    { name: t('pid'), value: String(p.pid) },
    { name: t('parent pid'), value: p.ppid === null ? '—' : String(p.ppid) },
    { name: t('name'), value: p.name },
    { name: t('role'), value: p.role },
    { name: t('daemon'), value: p.daemon ? t('yes') : t('no') },
    { name: t('start method'), value: p.startMethod ?? '—' },
    { name: t('state'), value: p.state },
    ...paused,
  ];
  if (moment) rows.push(...waitFacts(p, moment, t));
  if (p.target) rows.push({ name: t('target'), value: p.target });
  const created = formatSite(p.createdAt);
  if (created) rows.push({ name: t('started at'), value: created });
  rows.push({ name: t('started'), value: formatMoment(p.startedMs) });
  if (p.exitedMs !== null) rows.push({ name: t('exited'), value: formatMoment(p.exitedMs) });
  if (p.exitCode !== null) rows.push({ name: t('exit code'), value: String(p.exitCode) });
  if (p.signal) rows.push({ name: t('signal'), value: p.signal });
  if (p.error) rows.push({ name: t('error'), value: p.error });
  if (p.zombie || p.state === 'zombie') rows.push({ name: t('zombie'), value: p.zombieSinceMs !== null ? t('since {0}', formatMoment(p.zombieSinceMs)) : t('yes') });
  if (p.orphaned) rows.push({ name: t('orphan'), value: t('adopted by {0}', adopterText(p, t)) });
  return rows;
}

/** The moment a Process scope shows: its processes, channels and stalls, and its time. */
export type WaitMoment = Pick<SessionSnapshot, 'processes' | 'channels' | 'stalls' | 'nowMs'>;

/**
 * The rows about the wait a process is blocked in (issue 18), for the Process scope of the live
 * debugger and of a recording: on what ("get on the Queue created at line 9"), from which line,
 * since when and for how long at the moment shown, its timeout, and the stall it is part of in
 * words (explain.ts), when the Session found one. None when it is not known to wait.
 */
export function waitFacts(p: ProcessNode, snapshot: WaitMoment, t: Localize = plain): FactRow[] {
  const w = p.wait;
  if (!w) return [];
  const rows: FactRow[] = [{ name: t('waiting in'), value: waitText(w, snapshot, t) }];
  const at = formatSite(w.site);
  if (at) rows.push({ name: t('waiting at'), value: at });
  rows.push({ name: t('waiting since'), value: t('{0} ({1} so far)', formatMoment(w.sinceMs), formatDuration(Math.max(0, snapshot.nowMs - w.sinceMs))) });
  if (w.timeoutS !== null) rows.push({ name: t('timeout'), value: `${w.timeoutS} s` });
  const stall = w.stallId ? snapshot.stalls.find((s) => s.id === w.stallId) : undefined;
  if (stall) rows.push({ name: t('stalled'), value: explainStall(stall, snapshot, t) });
  return rows;
}

/**
 * What a Pause of a process blocked in a wait says at once (null when it is not known to wait):
 * the pause takes effect only when the call returns, since Python runs none of the process's code
 * meanwhile, and a Pause with nothing to show looks like a Pause that failed. Says what it waits
 * in, from which line, since when, and the stall it is part of, if any.
 */
export function pauseWaitNote(p: ProcessNode, snapshot: WaitMoment, t: Localize = plain): string | null {
  const w = p.state === 'waiting' ? p.wait : null;
  if (!w) return null;
  const at = formatSite(w.site);
  const since = formatDuration(Math.max(0, snapshot.nowMs - w.sinceMs));
  const what = waitText(w, snapshot, t);
  const head = at
    ? t('{0} waits in {1} at {2} (for {3} so far): it pauses when that call returns, at the next line of your code.', threadName(p, t), what, at, since)
    : t('{0} waits in {1} (for {2} so far): it pauses when that call returns, at the next line of your code.', threadName(p, t), what, since);
  const stall = w.stallId ? snapshot.stalls.find((s) => s.id === w.stallId) : undefined;
  return stall ? `${head} ${explainStall(stall, snapshot, t)}` : head;
}

/**
 * What a Pause that has not stopped a process after a while says (the tracer's `where`): the line
 * of the program's its main thread is in a call from, and the library function it is in, if any.
 */
export function pauseWhereNote(p: ProcessNode | undefined, pid: number, at: { file: string; line: number; text?: string; inner?: string }, t: Localize = plain): string {
  const name = p ? threadName(p, t) : t('pid {0}', pid);
  const site = `${formatSite(at)}${at.text ? ` (${at.text})` : ''}`;
  return at.inner
    ? t('{0} has not reached a line of your code since the Pause: its main thread is in {1}, called at {2}. It pauses when that call returns, at the next line of your code.', name, at.inner, site)
    : t('{0} has not reached a line of your code since the Pause: its main thread is in a call at {1}. It pauses when that call returns, at the next line of your code.', name, site);
}

/**
 * The Operation scope: the operation about to happen, what the process saw, and what the Session
 * knows (`state`: the channel's state now, from Session.channelStatesAt).
 */
export function operationFacts(
  op: OperationInfo,
  pid: number,
  snapshot: SessionSnapshot,
  site: SourceSite | null,
  state: ChannelState | undefined,
  t: Localize = plain,
): FactRow[] {
  const rows: FactRow[] = [{ name: t('operation'), value: `${op.type}.${op.op}` }];
  const channel = op.kind === 'process' ? undefined : findChannel(snapshot, op.id);
  if (op.kind !== 'process') rows.push({ name: t('object'), value: channelLabel(channel, op.type, site?.file ?? null) + (op.id ? ` (${op.id})` : '') });
  if (op.preview !== undefined) rows.push({ name: op.kind === 'pool' ? t('function') : t('payload'), value: op.preview });
  if (op.args !== undefined) rows.push({ name: t('arguments'), value: op.args });
  const facts = op.facts ?? {};
  const named: Record<string, string> = {
    qsize: t('items in the queue (qsize)'),
    maxsize: t('maxsize'),
    value: t('semaphore value'),
    heldHere: t('held by this process'),
    count: t('acquired by this thread (count)'),
    isSet: t('is set'),
    closed: t('closed'),
    dataWaiting: t('data waiting to be read'),
    alive: t('alive'),
    exitcode: t('exit code'),
    signal: t('signal'),
  };
  for (const [k, v] of Object.entries(facts)) {
    if (k === 'name' || (k === 'pid' && op.kind === 'process' && op.type !== 'os')) continue;
    rows.push({ name: named[k] ?? k, value: v === null ? '—' : typeof v === 'boolean' ? (v ? t('yes') : t('no')) : String(v) });
  }
  if (op.kind === 'process') {
    const target = processByPid(snapshot, typeof facts.pid === 'number' ? facts.pid : null);
    if (target) rows.push({ name: t('process'), value: `${threadName(target, t)} (${target.state})` });
  }
  if (channel) {
    if (op.kind === 'queue' || op.kind === 'manager') {
      rows.push({ name: t('messages put so far'), value: String(channel.messageCount) });
      rows.push({ name: t('messages taken so far'), value: String(channel.ops.get ?? 0) });
      if (state) rows.push({ name: t('messages in flight'), value: String(state.inFlightCount) });
      if (state?.unfinishedTasks !== null && state?.unfinishedTasks !== undefined) rows.push({ name: t('unfinished tasks'), value: String(state.unfinishedTasks) });
    }
    if (state && (op.kind === 'lock' || state.holders.length > 0)) {
      rows.push({
        name: t('held by'),
        value: state.holders.length === 0 ? t('nobody') : state.holders.map((h) => (h.count > 1 ? t('pid {0} ({1} times)', h.pid, h.count) : t('pid {0}', h.pid))).join(', '),
      });
    }
    if (state && state.waiters.length > 0) {
      rows.push({
        name: t('waiting'),
        value: state.waiters.map((w) => t('pid {0} in {1} since {2}', w.pid, w.op, formatMoment(w.sinceMs))).join(', '),
      });
    }
    if (state?.isSet !== null && state?.isSet !== undefined) rows.push({ name: t('is set (as the log shows)'), value: state.isSet ? t('yes') : t('no') });
    if (op.kind === 'pipe') {
      const peer = pipePeer(channel, pid, SENDING.has(op.op));
      if (peer !== null) rows.push({ name: t('peer'), value: t('pid {0}', peer) });
    }
    const last = channel.recentOps[channel.recentOps.length - 1];
    if (last) rows.push({ name: t('last operation'), value: `${last.op} ${t('by pid {0}', last.pid)} ${t('at {0}', formatMoment(last.t))}` });
    if (channel.createdAt) rows.push({ name: t('created at'), value: formatSite(channel.createdAt) ?? '' });
  }
  return rows;
}

/** The process at the other end of a pipe: who last received what was sent here, or sent what was received. */
export function pipePeer(channel: Channel, pid: number, sending: boolean): number | null {
  for (let i = channel.recentMessages.length - 1; i >= 0; i--) {
    const m = channel.recentMessages[i]!;
    const other = m.fromPid === pid ? m.toPid : m.fromPid;
    if (other !== null && other !== pid) return other;
  }
  for (let i = channel.recentOps.length - 1; i >= 0; i--) {
    const o = channel.recentOps[i]!;
    if (o.pid !== pid && (sending ? RECEIVING.has(o.op) : SENDING.has(o.op))) return o.pid;
  }
  return null;
}
