/**
 * The process table where there is no /proc (macOS, Windows): `pidtree` for descendants,
 * `pidusage` for CPU and memory, and `ps` for the state letter (not on Windows, which has no
 * zombie or stopped state to report). Each tick forks `ps` (6–10 ms), so it is slower than the
 * Linux reader; it is also what a Linux machine without a readable /proc falls back to.
 */
import { execFile } from 'node:child_process';
import pidusage from 'pidusage';
import type { OsState, ProcessSample, Snapshot } from './types';
import { osStateFromLetter } from './procfs';
import type { KnownProcess, ProcTable } from './table';

interface Tracked {
  readonly pid: number;
  startTicks: number; // ms since epoch (start time), 0 until first measured
  command: string;
}

export class PortableProcTable implements ProcTable {
  private rootPid = -1;
  private readonly live = new Map<number, Tracked>();
  private readonly ended: KnownProcess[] = [];

  setRoot(pid: number): void {
    this.rootPid = pid;
    this.track(pid);
  }

  track(pid: number, _startTicks?: number): void {
    if (!this.live.has(pid)) this.live.set(pid, { pid, startTicks: 0, command: '' });
  }

  known(): KnownProcess[] {
    const out = [...this.ended];
    for (const t of this.live.values()) out.push({ pid: t.pid, startTicks: t.startTicks, alive: true, command: t.command });
    return out;
  }

  async sample(tMs: number): Promise<Snapshot> {
    // Descendants of the root now; tracked pids stay even once re-parented away from it.
    // pidtree is an ES module; this file is bundled as CommonJS, hence the dynamic import.
    const { default: pidtree } = await import('pidtree');
    const tree = await pidtree(this.rootPid, { root: true }).catch(() => [] as number[]);
    for (const pid of tree) this.track(pid);
    const pids = [...this.live.keys()];
    const [usage, ps] = await Promise.all([usageOf(pids), psStates(pids)]);
    const processes: ProcessSample[] = [];
    const gone: number[] = [];
    for (const t of [...this.live.values()]) {
      const u = usage.get(t.pid);
      const p = ps.get(t.pid);
      if (u === undefined && p === undefined) {
        gone.push(t.pid);
        this.live.delete(t.pid);
        this.ended.push({ pid: t.pid, startTicks: t.startTicks, alive: false, command: t.command });
        continue;
      }
      const start = u ? Math.round((u.timestamp - u.elapsed) / 1000) * 1000 : t.startTicks;
      if (t.startTicks !== 0 && start !== 0 && Math.abs(start - t.startTicks) > 2000) {
        // Same pid, different start time: the original is gone and the number was reused.
        gone.push(t.pid);
        this.live.delete(t.pid);
        this.ended.push({ pid: t.pid, startTicks: t.startTicks, alive: false, command: t.command });
        continue;
      }
      if (t.startTicks === 0) t.startTicks = start;
      if (p?.command) t.command = p.command;
      processes.push({
        pid: t.pid,
        ppid: p?.ppid ?? u?.ppid ?? 0,
        state: p?.state ?? 'running',
        startTicks: t.startTicks,
        command: t.command,
        cpuPercent: Math.round((u?.cpu ?? 0) * 10) / 10,
        rssBytes: u?.memory ?? 0,
      });
    }
    return { t: tMs, processes, gone };
  }

  dispose(): void {
    this.live.clear();
  }
}

type Usage = { cpu: number; memory: number; ppid: number; elapsed: number; timestamp: number };

async function usageOf(pids: number[]): Promise<Map<number, Usage>> {
  const out = new Map<number, Usage>();
  if (pids.length === 0) return out;
  try {
    const all = await pidusage(pids);
    for (const [pid, u] of Object.entries(all)) if (u) out.set(Number(pid), u);
  } catch {
    // One vanished pid can fail the whole call: ask one by one.
    await Promise.all(
      pids.map(async (pid) => {
        try {
          const one = await pidusage([pid]);
          const u = one[String(pid)];
          if (u) out.set(pid, u);
        } catch {
          // gone
        }
      }),
    );
  }
  return out;
}

interface PsRow {
  ppid: number;
  state: OsState;
  command: string;
}

/** `ps` state letters (BSD and procps agree on R S D T Z). Windows has no `ps`: empty result. */
function psStates(pids: number[]): Promise<Map<number, PsRow>> {
  const out = new Map<number, PsRow>();
  if (process.platform === 'win32' || pids.length === 0) return Promise.resolve(out);
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'pid=,ppid=,stat=,command=', '-p', pids.join(',')], (_err, stdout) => {
      // ps exits 1 when some pid is missing but still prints the others.
      for (const line of String(stdout ?? '').split('\n')) {
        const m = /^\s*(\d+)\s+(\d+)\s+(\S+)\s*(.*)$/.exec(line);
        if (!m) continue;
        out.set(Number(m[1]), { ppid: Number(m[2]), state: osStateFromLetter(m[3]![0]!), command: m[4] ?? '' });
      }
      resolve(out);
    });
  });
}
