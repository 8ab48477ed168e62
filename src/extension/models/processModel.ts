/**
 * The Processes view as pure data: which node sits under which, what each row says, which icon
 * and colour it gets, and the tooltip that explains zombies and orphans in words. Built from a
 * SessionSnapshot; `processTree.ts` only turns these into vscode.TreeItems.
 * No `vscode` import here (tested with node:test).
 */
import { byStart, type Channel, type ProcessNode, type ProcessState, type SessionSnapshot } from '../../core/session/model';
import type { ProcessRole } from '../../core/protocol/events';
import { adopterText, explainStall, waitText } from '../../core/session/explain';
import { formatBytes, formatDuration, formatSite, type Localize } from './format';

export interface ProcessRow {
  readonly kind: 'process';
  readonly id: string;
  readonly process: ProcessNode;
  readonly parentId: string | null;
  readonly children: TreeRow[];
}

/** The workers of one Pool, grouped under the process that created the pool. */
export interface PoolRow {
  readonly kind: 'pool';
  readonly id: string;
  readonly poolId: string;
  readonly pool: Channel | null;
  readonly parentId: string | null;
  readonly children: TreeRow[];
}

export type TreeRow = ProcessRow | PoolRow;

export interface ProcessForest {
  readonly roots: readonly TreeRow[];
  readonly byId: ReadonlyMap<string, TreeRow>;
  /** Ended processes left out because the user hid them. */
  readonly hiddenCount: number;
}

export const isEnded = (p: ProcessNode): boolean => p.state === 'exited' || p.state === 'killed';

const processRowId = (p: ProcessNode): string => `p:${p.key}`;
const poolRowId = (poolId: string, parentKey: string | null): string => `pool:${poolId}@${parentKey ?? ''}`;

/**
 * Nests processes under the process that created them (parent at creation, so an orphan stays
 * where it came from and is flagged instead), pool workers under a pool row, and leaves out
 * ended processes when `showExited` is false unless something visible lives under them.
 */
export function buildProcessForest(snapshot: SessionSnapshot, showExited: boolean): ProcessForest {
  const byPid = new Map<number, ProcessNode[]>();
  for (const p of snapshot.processes) {
    const list = byPid.get(p.pid) ?? [];
    list.push(p);
    byPid.set(p.pid, list);
  }
  // With pid reuse, the parent is the process of that pid alive when the child started.
  const parentOf = (p: ProcessNode): ProcessNode | null => {
    if (p.parentPid === null) return null;
    const candidates = byPid.get(p.parentPid);
    if (!candidates) return null;
    let best: ProcessNode | null = null;
    for (const c of candidates) {
      if (c === p || c.startedMs > p.startedMs) continue;
      if (!best || c.startedMs > best.startedMs) best = c;
    }
    return best ?? null;
  };
  const childrenOf = new Map<ProcessNode | null, ProcessNode[]>();
  for (const p of snapshot.processes) {
    const parent = parentOf(p);
    const list = childrenOf.get(parent) ?? [];
    list.push(p);
    childrenOf.set(parent, list);
  }
  const pools = new Map(snapshot.channels.filter((c) => c.kind === 'pool').map((c) => [c.id, c]));
  const byId = new Map<string, TreeRow>();
  let hiddenCount = 0;

  const build = (p: ProcessNode, parentId: string | null): ProcessRow | null => {
    const id = processRowId(p);
    const children: TreeRow[] = [];
    const row: ProcessRow = { kind: 'process', id, process: p, parentId, children };
    const kids = [...(childrenOf.get(p) ?? [])].sort(byStart);
    const poolRows = new Map<string, PoolRow>();
    // Without a pool id (the tracer could not tell which pool), workers of one parent share a row,
    // named after that parent's pool when it created exactly one.
    const ownPools = snapshot.channels.filter((c) => c.kind === 'pool' && c.createdBy === p.pid);
    for (const kid of kids) {
      const poolKey = kid.poolId ?? (kid.role === 'pool-worker' ? (ownPools.length === 1 ? ownPools[0]!.id : `workers:${p.key}`) : null);
      if (poolKey !== null) {
        let pool = poolRows.get(poolKey);
        if (!pool) {
          pool = {
            kind: 'pool',
            id: poolRowId(poolKey, p.key),
            poolId: poolKey,
            pool: pools.get(poolKey) ?? null,
            parentId: id,
            children: [],
          };
          poolRows.set(poolKey, pool);
          children.push(pool);
        }
        const built = build(kid, pool.id);
        if (built) pool.children.push(built);
      } else {
        const built = build(kid, id);
        if (built) children.push(built);
      }
    }
    // A pool whose workers are all hidden disappears with them.
    for (let i = children.length - 1; i >= 0; i--) {
      const c = children[i]!;
      if (c.kind === 'pool' && c.children.length === 0) children.splice(i, 1);
    }
    if (!showExited && isEnded(p) && children.length === 0) {
      hiddenCount++;
      return null;
    }
    for (const c of children) if (c.kind === 'pool') byId.set(c.id, c);
    byId.set(id, row);
    return row;
  };

  const roots: TreeRow[] = [];
  for (const p of [...(childrenOf.get(null) ?? [])].sort(byStart)) {
    const built = build(p, null);
    if (built) roots.push(built);
  }
  return { roots, byId, hiddenCount };
}

// ---------------------------------------------------------------------------------------------
// What a row says

/** Icon (a codicon id) and colour (a theme colour id) for a state: never a hard-coded colour. */
export interface StateLook {
  readonly icon: string;
  readonly color: string;
}

export function stateLook(p: ProcessNode): StateLook {
  switch (p.state) {
    case 'starting':
      return { icon: 'loading~spin', color: 'charts.blue' };
    case 'running':
      return { icon: 'circle-large-filled', color: 'charts.green' };
    case 'sleeping':
      return { icon: 'circle-large-outline', color: 'charts.green' };
    case 'waiting':
      return p.wait?.stallId ? { icon: 'error', color: 'list.errorForeground' } : { icon: 'watch', color: 'charts.orange' };
    case 'stopped':
      return { icon: 'debug-pause', color: 'charts.yellow' };
    case 'zombie':
      return { icon: 'warning', color: 'list.warningForeground' };
    case 'killed':
      return { icon: 'zap', color: 'list.errorForeground' };
    case 'exited':
      return p.exitCode !== null && p.exitCode !== 0
        ? { icon: 'error', color: 'list.errorForeground' }
        : { icon: 'pass', color: 'disabledForeground' };
  }
}

export function roleText(role: ProcessRole, t: Localize): string {
  switch (role) {
    case 'main':
      return t('main');
    case 'child':
      return t('child');
    case 'pool-worker':
      return t('pool worker');
    case 'manager':
      return t('Manager server');
    case 'forkserver':
      return t('forkserver');
    case 'resource-tracker':
      return t('resource tracker');
    case 'external':
      return t('non-Python child');
  }
}

export function stateText(p: ProcessNode, t: Localize): string {
  const state: ProcessState = p.state;
  switch (state) {
    case 'starting':
      return t('starting');
    case 'running':
      return t('running');
    case 'sleeping':
      return t('sleeping');
    case 'waiting':
      return t('waiting');
    case 'stopped':
      return t('stopped');
    case 'zombie':
      return t('zombie');
    case 'exited':
      return p.exitCode === null ? t('exited') : t('exited ({0})', p.exitCode);
    case 'killed':
      return p.signal ? t('killed by {0}', p.signal) : t('killed');
  }
}

/** The exception's type out of the tracer's summary ("ValueError: bad input" → "ValueError"). */
export function exceptionType(error: string): string {
  const colon = error.indexOf(':');
  return colon > 0 ? error.slice(0, colon) : error;
}

/** The row: "4313 Process-1" and "sleeping · orphan · daemon · child · 0.3% · 11.2 MB". */
export function processLabel(p: ProcessNode): string {
  return `${p.pid} ${p.name}`;
}

export function processDescription(p: ProcessNode, t: Localize): string {
  // State and flags first: the sidebar is often narrow and the end of the text gets cut.
  const parts = [stateText(p, t)];
  if (p.state === 'waiting' && p.wait) parts.push(p.wait.stallId ? `${p.wait.op} ⚠` : p.wait.op);
  if (p.error) parts.push(t('raised {0}', exceptionType(p.error)));
  if (p.orphaned) parts.push(t('orphan'));
  if (p.daemon) parts.push(t('daemon'));
  parts.push(roleText(p.role, t));
  if (!isEnded(p) && p.state !== 'zombie') {
    if (p.cpuPercent !== null) parts.push(`${p.cpuPercent.toFixed(1)}%`);
    if (p.rssBytes !== null) parts.push(formatBytes(p.rssBytes));
  }
  return parts.join(' · ');
}

/** The zombie and orphan explanations in words (for the tooltip and for screen readers). */
export function explainProcess(p: ProcessNode, snapshot: SessionSnapshot, t: Localize): string[] {
  const lines: string[] = [];
  const created = formatSite(p.createdAt);
  const parentPid = p.parentPid;
  const now = snapshot.nowMs;
  if (p.state === 'waiting' && p.wait) {
    // What it waits on, from where, for how long; and, once it is part of one, the stall in words.
    const w = p.wait;
    const at = w.site ? t(' at {0}', formatSite(w.site) ?? '') : '';
    lines.push(t('Waiting for {0}: {1}{2}.', formatDuration(Math.max(0, now - w.sinceMs)), waitText(w, snapshot, t), at));
    const stall = w.stallId !== null ? snapshot.stalls.find((s) => s.id === w.stallId) : undefined;
    if (stall) lines.push(explainStall(stall, snapshot, t));
  }
  if (p.state === 'zombie') {
    const since = p.zombieSinceMs ?? p.exitedMs;
    const ago = since !== null ? formatDuration(now - since) : null;
    const who = parentPid !== null ? t('its parent {0}', parentPid) : t('its parent');
    const base =
      ago !== null
        ? t('Zombie: exited {0} ago; {1} has not called join() (or wait()) yet, so the process table still holds its exit status.', ago, who)
        : t('Zombie: it has exited; {0} has not called join() (or wait()) yet, so the process table still holds its exit status.', who);
    lines.push(created ? `${base} ${t('Started at {0}.', created)}` : base);
  } else if (p.zombie && p.reapedMs !== null && p.zombieSinceMs !== null) {
    lines.push(
      t('Was a zombie for {0} until {1} reaped it.', formatDuration(p.reapedMs - p.zombieSinceMs), p.reapedBy ?? parentPid ?? '?'),
    );
  }
  if (p.orphaned) {
    const adopter = adopterText(p, t);
    const when = p.orphanedMs !== null ? t(' {0} ago', formatDuration(now - p.orphanedMs)) : '';
    lines.push(
      t('Orphan: its parent {0} exited while it was still running{1}; it was adopted by {2}.', parentPid ?? '?', when, adopter),
    );
  }
  return lines;
}

/**
 * The tooltip, as plain sentences (the view layer puts them in a MarkdownString with escaping).
 * The first line names the process; the others explain its state and flags in words.
 */
export function processTooltipLines(p: ProcessNode, snapshot: SessionSnapshot, t: Localize): string[] {
  const lines: string[] = [];
  lines.push(t('{0} (pid {1}) — {2}, {3}', p.name, p.pid, roleText(p.role, t), stateText(p, t)));
  const created = formatSite(p.createdAt);
  const parentPid = p.parentPid;
  const now = snapshot.nowMs;
  lines.push(...explainProcess(p, snapshot, t));

  if (p.daemon) {
    lines.push(t('Daemon: its parent terminates it when the parent\'s main code ends, and it cannot start children of its own.'));
  }
  if (created && p.state !== 'zombie') lines.push(t('Started at {0}.', created));
  if (p.target) lines.push(t('Target: {0}', p.target));
  if (p.startMethod) lines.push(t('Start method: {0}', p.startMethod));
  if (p.ppid !== null && p.ppid !== parentPid) lines.push(t('Parent now: {0} (at creation: {1})', p.ppid, parentPid ?? '?'));
  if (p.exitedMs !== null) {
    if (p.state === 'killed') lines.push(t('Killed by {0} {1} ago.', p.signal ?? '?', formatDuration(now - p.exitedMs)));
    else if (p.state === 'exited') lines.push(t('Exited with code {0} {1} ago.', p.exitCode ?? '?', formatDuration(now - p.exitedMs)));
  }
  if (p.error) lines.push(t('Uncaught exception: {0}', p.error));
  if (p.reapedMs !== null && p.state !== 'zombie') {
    lines.push(t('Reaped (joined) by {0} at {1}.', p.reapedBy ?? '?', formatDuration(p.reapedMs)));
  }
  if (!p.traced) lines.push(t('Not traced: seen in the process table only (no messages are logged for it).'));
  if (!isEnded(p) && p.state !== 'zombie' && (p.cpuPercent !== null || p.rssBytes !== null)) {
    lines.push(
      t('CPU {0}, memory {1}', p.cpuPercent !== null ? `${p.cpuPercent.toFixed(1)}%` : '?', p.rssBytes !== null ? formatBytes(p.rssBytes) : '?'),
    );
  }
  if (p.argv.length > 0) lines.push(t('Command: {0}', p.argv.join(' ')));
  return lines;
}

export function poolLabel(row: PoolRow, t: Localize): string {
  const site = formatSite(row.pool?.createdAt);
  return site ? t('Pool at {0}', site) : t('Pool');
}

export function poolDescription(row: PoolRow, t: Localize): string {
  const alive = row.children.filter((c) => c.kind === 'process' && !isEnded(c.process)).length;
  return t('{0} workers, {1} alive', row.children.length, alive);
}

// ---------------------------------------------------------------------------------------------
// Counts for the status bar

export interface ProcessCounts {
  readonly alive: number;
  readonly zombies: number;
  readonly orphans: number;
  readonly ended: number;
}

export function countProcesses(snapshot: SessionSnapshot): ProcessCounts {
  let alive = 0;
  let zombies = 0;
  let orphans = 0;
  let ended = 0;
  for (const p of snapshot.processes) {
    if (p.state === 'zombie') zombies++;
    else if (isEnded(p)) ended++;
    else alive++;
    if (p.orphaned && !isEnded(p)) orphans++;
  }
  return { alive, zombies, orphans, ended };
}
