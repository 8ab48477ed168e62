/**
 * The process tree and channel summary as terminal text, for `record` (live and final) and
 * `show`. Processes hang under the parent that created them; an orphan stays there, marked with
 * who adopted it.
 */
import type { Channel, ProcessNode, SessionSnapshot, Stall } from '../core/session/model';
import { adopterText, byStart, CHANNEL_OPS, stallSteps, waitText } from '../core/session';

export interface TreeStyle {
  /** ANSI colours (a terminal) or plain text. */
  readonly color: boolean;
  /** Longest line; longer lines are cut. */
  readonly width?: number;
}

const C = { dim: '\x1b[2m', red: '\x1b[31m', yellow: '\x1b[33m', green: '\x1b[32m', cyan: '\x1b[36m', reset: '\x1b[0m' };

function paint(style: TreeStyle, color: keyof typeof C, text: string): string {
  return style.color ? `${C[color]}${text}${C.reset}` : text;
}

const baseName = (f: string): string => f.slice(Math.max(f.lastIndexOf('/'), f.lastIndexOf('\\')) + 1);

export function ms(v: number): string {
  return v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(2)} s`;
}

function stateText(p: ProcessNode, style: TreeStyle): string {
  switch (p.state) {
    case 'exited':
      return paint(style, p.exitCode === 0 || p.exitCode === null ? 'dim' : 'red', `exited ${p.exitCode ?? '?'}`);
    case 'killed':
      return paint(style, 'red', `killed by ${p.signal ?? 'a signal'}`);
    case 'zombie':
      return paint(style, 'yellow', 'ZOMBIE');
    case 'stopped':
      return paint(style, 'yellow', 'stopped');
    default:
      return paint(style, 'green', p.state);
  }
}

/** One line describing a process (no tree prefix); `snap` names what a waiting process waits on. */
export function processLine(p: ProcessNode, style: TreeStyle, nowMs: number, snap?: SessionSnapshot): string {
  const parts = [`${p.pid}`, p.name || '?', paint(style, 'cyan', p.role)];
  if (p.daemon) parts.push('daemon');
  parts.push(stateText(p, style));
  if (p.state === 'waiting' && p.wait) {
    const on = snap ? waitText(p.wait, snap) : p.wait.op;
    const at = p.wait.site ? ` at ${baseName(p.wait.site.file)}:${p.wait.site.line}` : '';
    parts.push(paint(style, p.wait.stallId ? 'red' : 'yellow', `${on}${at} for ${ms(Math.max(0, nowMs - p.wait.sinceMs))}${p.wait.stallId ? ' (stuck)' : ''}`));
  }
  if (p.zombie) {
    const until = p.reapedMs ?? nowMs;
    const since = p.zombieSinceMs ?? p.exitedMs ?? until;
    parts.push(paint(style, 'yellow', `was a zombie ${ms(until - since)}${p.reapedMs === null ? ' (not joined)' : ''}`));
  }
  if (p.orphaned) parts.push(paint(style, 'yellow', `orphan, adopted by ${adopterText(p)}`));
  if (p.exitedMs === null && p.cpuPercent !== null) parts.push(paint(style, 'dim', `${p.cpuPercent.toFixed(0)}% cpu`));
  if (p.exitedMs === null && p.rssBytes !== null) parts.push(paint(style, 'dim', `${(p.rssBytes / 1048576).toFixed(1)} MB`));
  if (p.createdAt) parts.push(paint(style, 'dim', `${baseName(p.createdAt.file)}:${p.createdAt.line}`));
  return parts.join('  ');
}

/** The process tree, one line per process, children under the parent that created them, in the order they started (byStart, as the Processes view). */
export function renderTree(s: SessionSnapshot, style: TreeStyle): string[] {
  const byPid = new Map<number, ProcessNode>();
  for (const p of s.processes) byPid.set(p.pid, p);
  const children = new Map<number | null, ProcessNode[]>();
  for (const p of s.processes) {
    const parent = p.parentPid !== null && byPid.has(p.parentPid) && byPid.get(p.parentPid) !== p ? p.parentPid : null;
    const list = children.get(parent) ?? [];
    list.push(p);
    children.set(parent, list);
  }
  const out: string[] = [];
  const seen = new Set<ProcessNode>();
  const walk = (p: ProcessNode, prefix: string, last: boolean, top: boolean): void => {
    if (seen.has(p)) return; // a cycle through a reused pid
    seen.add(p);
    const branch = top ? '' : last ? '└─ ' : '├─ ';
    out.push(cut(`${prefix}${branch}${processLine(p, style, s.nowMs, s)}`, style));
    const kids = [...(children.get(p.pid) ?? [])].sort(byStart);
    const next = top ? prefix : prefix + (last ? '   ' : '│  ');
    kids.forEach((k, i) => walk(k, next, i === kids.length - 1, false));
  };
  const roots = [...(children.get(null) ?? [])].sort(byStart);
  roots.forEach((r, i) => walk(r, '', i === roots.length - 1, true));
  return out;
}

export function channelLine(c: Channel): string {
  const where = c.createdAt ? `  ${baseName(c.createdAt.file)}:${c.createdAt.line}` : '';
  // A fixed order (put before get...), whatever order the events arrived in.
  const ops = CHANNEL_OPS.filter((op) => c.ops[op] !== undefined)
    .map((op) => `${op} ${c.ops[op]}`)
    .join(' · ');
  return `${c.kind} ${c.id}${where}  ${c.messageCount} message${c.messageCount === 1 ? '' : 's'}${ops ? `  (${ops})` : ''}`;
}

export function renderChannels(s: SessionSnapshot, style: TreeStyle): string[] {
  if (s.channels.length === 0) return [];
  return ['Channels:', ...s.channels.map((c) => cut(`  ${channelLine(c)}`, style))];
}

/**
 * One stall as a line that names its kind with the words scripts look for ("deadlock", "can never
 * end"): "deadlock: MainProcess waits at line 12 for Process-1 to exit; …".
 */
export function stallLine(st: Stall, s: Pick<SessionSnapshot, 'processes' | 'channels'>): string {
  const kind = st.kind === 'deadlock' ? 'deadlock' : st.kind === 'never' ? 'a wait that can never end' : 'would deadlock without its timeout';
  const ended =
    st.endedMs === null ? '' : st.endedBy === 'timeout' ? ` (its timeout ended it at ${ms(st.endedMs)})` : ` (ended at ${ms(st.endedMs)}: a process in it ended)`;
  return `${kind}${ended}: ${stallSteps(st, s).join('; ')}`;
}

/** Every stall found in the run, one line each (none: no lines). */
export function renderStalls(s: SessionSnapshot, style: TreeStyle): string[] {
  return s.stalls.map((st) => paint(style, 'red', `${st.kind === 'timeout' ? 'Warning' : 'Stuck'} at ${ms(st.foundMs)}: ${stallLine(st, s)}`));
}

export function runLine(s: SessionSnapshot): string {
  const r = s.run;
  const script = r.script ? baseName(r.script) : 'run';
  // A script killed by a signal has no exit code: say which signal (its main process's).
  const killedBy = r.exitCode === null ? s.processes.find((p) => p.role === 'main' && p.state === 'killed')?.signal : undefined;
  const how = killedBy ? `killed by ${killedBy}` : `exit ${r.exitCode ?? '?'}`;
  const ended = r.endedMs !== null ? `ended after ${ms(r.endedMs)}, ${how}` : `running for ${ms(s.nowMs)}`;
  const n = s.processes.length;
  return `${script}: ${n} process${n === 1 ? '' : 'es'}, ${ended}`;
}

function cut(line: string, style: TreeStyle): string {
  if (!style.width) return line;
  // Width counts visible characters: strip colour codes to measure.
  const visible = line.replace(/\x1b\[[0-9;]*m/g, '');
  if (visible.length <= style.width) return line;
  return visible.slice(0, Math.max(0, style.width - 1)) + '…';
}
