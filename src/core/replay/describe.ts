/**
 * What time travel says in words: a step ("pid 4243 Queue.get → [42, None, 'hello'], waited
 * 12 ms"), a channel's contents at a moment, a process's facts. Strings go through `t` (the
 * extension passes l10n.t; the command line and the stdio adapter pass `plain`).
 *
 * No `vscode` import here, ever.
 */
import type { ChannelKind, ChannelOpEvent, TracerEvent } from '../protocol/events';
import type { ChannelState, Message, ProcessNode } from '../session/model';
import { adopterText } from '../session/explain';
import type { Replay, StateChange, Step } from './replay';

import { plain, type Localize } from '../localize';

/** The class name a Python programmer knows each channel kind by. */
export const CHANNEL_CLASS: Readonly<Record<ChannelKind, string>> = {
  queue: 'Queue',
  'joinable-queue': 'JoinableQueue',
  'simple-queue': 'SimpleQueue',
  pipe: 'Connection',
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
  proxy: 'proxy',
  value: 'Value',
  array: 'Array',
};

/** "12 ms", "0.2 ms", "1.50 s". */
export function formatDuration(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  if (ms >= 0.05) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** "3.214 s" since the run started. */
export function formatMoment(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

/** What happened at a step, in one line. */
export function describeStep(replay: Replay, step: Step, t: Localize = plain): string {
  const parts: string[] = [];
  const e = step.event;
  if (e) parts.push(describeEvent(replay, e, t));
  for (const c of step.changes) {
    // A process's own exit event already says it ended.
    if (e?.kind === 'process.exit' && e.pid === c.pid && (c.kind === 'exited' || c.kind === 'killed')) continue;
    parts.push(describeChange(c, t));
  }
  return parts.join('; ');
}

export function describeEvent(replay: Replay, e: TracerEvent, t: Localize = plain): string {
  const who = t('pid {0}', e.pid);
  switch (e.kind) {
    case 'hello':
      return e.role === 'main' ? t('{0} starts: the main process', who) : t('{0} starts (child of {1})', who, e.ppid);
    case 'process.running':
      return t('{0} runs as {1}', who, e.name);
    case 'process.created':
      return e.target ? t('{0} starts pid {1} ({2}, target {3})', who, e.childPid, e.name, e.target) : t('{0} starts pid {1} ({2})', who, e.childPid, e.name);
    case 'process.exit':
      if (e.how === 'exception') return t('{0} exits: {1}', who, e.error ?? t('an uncaught exception'));
      if (e.how === 'signal') return t('{0} exits on {1}', who, e.signal ?? t('a signal'));
      return e.exitCode === null ? t('{0} exits', who) : t('{0} exits with code {1}', who, e.exitCode);
    case 'process.joined':
      if (e.stillAlive) return t('{0} join of pid {1} timed out (still running), waited {2}', who, e.childPid, formatDuration(e.waitedMs));
      return e.exitCode === null || e.exitCode === undefined
        ? t('{0} joined pid {1}, waited {2}', who, e.childPid, formatDuration(e.waitedMs))
        : t('{0} joined pid {1} (exit code {2}), waited {3}', who, e.childPid, e.exitCode, formatDuration(e.waitedMs));
    case 'process.died':
      return t('{0} sees pid {1} dead and not yet reaped', who, e.childPid);
    case 'process.signal':
      return t('{0} sends {1} to pid {2} ({3})', who, e.signal, e.targetPid, e.via === 'os.kill' ? 'os.kill()' : `${e.via}()`);
    case 'process.adopted':
      return t('pid {0} is adopted by the run supervisor (its parent ended)', e.childPid);
    case 'process.reaped':
      if (e.signal) return t('pid {0} is reaped by the run supervisor (killed by {1})', e.childPid, e.signal);
      return t('pid {0} is reaped by the run supervisor (exit code {1})', e.childPid, e.exitCode ?? '?');
    case 'channel.created':
      return t('{0} creates {1} {2}', who, CHANNEL_CLASS[e.channel] ?? e.channel, e.id);
    case 'channel.op':
      return describeOp(replay, e, t);
    case 'wait.begin': {
      const on = e.childPid !== null && e.childPid !== undefined ? (e.childPid === -1 ? t(' for any child') : t(' for pid {0}', e.childPid)) : '';
      const kind = e.id ? replay.channelKind(e.id) : null;
      const what = kind ? `${CHANNEL_CLASS[kind]}.${e.op}` : e.op;
      const limit = e.timeout !== null && e.timeout !== undefined ? t(' (timeout {0} s)', e.timeout) : '';
      return t('{0} starts waiting in {1}{2}{3}', who, what, on, limit);
    }
    case 'wait.end':
      return t('{0} stops waiting in {1}', who, e.op);
    case 'tracer.dropped':
      return t('{0}: the tracer dropped {1} event(s)', who, e.count);
    case 'tracer.error':
      return t('{0}: tracer error: {1}', who, e.message);
    default:
      // A newer tracer's event kind.
      return `${who} ${(e as { kind: string }).kind}`;
  }
}

function describeOp(replay: Replay, e: ChannelOpEvent, t: Localize): string {
  const kind = replay.channelKind(e.id);
  const cls = kind ? CHANNEL_CLASS[kind] : 'channel';
  const detail = e.detail ?? {};
  const method = e.op === 'call' && typeof detail.method === 'string' ? detail.method : e.op;
  const call = `${cls}.${method}`;
  const who = t('pid {0}', e.pid);
  const waited = e.waitedMs !== null && e.waitedMs !== undefined && e.waitedMs >= 0.05 ? t(', waited {0}', formatDuration(e.waitedMs)) : '';
  if (e.ok === false) {
    const why = typeof detail.error === 'string' ? detail.error : t('timed out');
    return t('{0} {1} failed ({2}){3}', who, call, why, waited);
  }
  const preview = e.preview ?? null;
  switch (e.op) {
    case 'get':
    case 'recv':
    case 'recv_bytes':
    case 'result':
      return preview !== null ? `${who} ${call} → ${preview}${waited}` : `${who} ${call}${waited}`;
    case 'put':
    case 'send':
    case 'send_bytes':
    case 'submit':
    case 'call':
      return `${who} ${call}(${preview ?? ''})${waited}`;
    default:
      return `${who} ${call}${waited}`;
  }
}

export function describeChange(c: StateChange, t: Localize = plain): string {
  const n = c.node;
  switch (c.kind) {
    case 'zombie':
      return t('pid {0} is a zombie: it has exited, and its parent {1} has not joined (waited for) it', c.pid, n.parentPid ?? n.ppid ?? '?');
    case 'orphaned':
      return t('pid {0} is orphaned: its parent {1} ended; adopted by {2}', c.pid, n.parentPid ?? '?', adopterText(n, t));
    case 'killed':
      return t('pid {0} was killed by {1}', c.pid, n.signal ?? t('a signal'));
    case 'exited':
      return n.exitCode === null ? t('pid {0} has exited', c.pid) : t('pid {0} has exited (exit code {1})', c.pid, n.exitCode);
  }
}

/** "Process-1 · pid 4242 · child of 4241" (the live debugger's thread names). */
export function threadName(p: Pick<ProcessNode, 'name' | 'pid' | 'ppid' | 'role'>, t: Localize = plain): string {
  const name = p.name && p.name !== '?' ? p.name : p.role === 'main' ? 'MainProcess' : t('Process');
  if (p.role === 'main' || p.ppid === null) return t('{0} · pid {1}', name, p.pid);
  return t('{0} · pid {1} · child of {2}', name, p.pid, p.ppid);
}

/** One message as a line: "[42, None, 'hello'] from pid 4242 at 1.204 s". */
export function describeMessage(m: Message, t: Localize = plain): string {
  return t('{0} from pid {1} at {2}', m.preview ?? t('(no preview)'), m.fromPid, formatMoment(m.sentMs));
}

/** A channel's contents at a moment, as short lines (the CLI prints them; the debugger shows them as variables). */
export function describeChannelState(c: ChannelState, t: Localize = plain): string[] {
  const lines: string[] = [];
  const carries = c.kind.includes('queue') || c.kind === 'pipe' || c.kind === 'connection' || c.kind === 'proxy';
  if (carries) {
    if (c.inFlightCount === 0) lines.push(t('empty (nothing put and not yet got)'));
    else lines.push(t('{0} message(s) waiting, oldest first:', c.inFlightCount));
    for (const m of c.inFlight) lines.push(`  ${describeMessage(m, t)}`);
    if (c.inFlightCount > c.inFlight.length) lines.push(`  ${t('… and {0} more', c.inFlightCount - c.inFlight.length)}`);
    if (!c.complete) lines.push(t('(older messages are no longer in memory: some waiting ones may be missing)'));
  }
  if (c.unfinishedTasks !== null) lines.push(t('unfinished tasks (put, not yet task_done): {0}', c.unfinishedTasks));
  if (c.holders.length > 0 || ['lock', 'rlock', 'semaphore', 'bounded-semaphore', 'condition'].includes(c.kind)) {
    lines.push(
      c.holders.length === 0
        ? t('held by nobody')
        : t('held by {0}', c.holders.map((h) => (h.count > 1 ? t('pid {0} ({1} times)', h.pid, h.count) : t('pid {0}', h.pid))).join(', ')),
    );
  }
  if (c.isSet !== null) lines.push(c.isSet ? t('set') : t('not set'));
  for (const w of c.waiters) lines.push(t('pid {0} waiting in {1} since {2}', w.pid, w.op, formatMoment(w.sinceMs)));
  return lines;
}
