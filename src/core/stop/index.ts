/**
 * Stop: end every process of a run — its descendants, its orphans (re-parented to init or a
 * subreaper), and processes that moved into sessions or process groups of their own — first with
 * SIGTERM (plus SIGCONT so a stopped process can act on it), then SIGKILL after a grace period,
 * then check that none is left. A pid is only signalled while it still names the same process
 * (same start time), so a reused pid is never hit.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { readStatByPath } from '../sampler/procfs';

export interface StopTarget {
  readonly pid: number;
  /** Start time as the sampler reported it; when given, a pid with another start time is left alone. */
  readonly startTicks?: number;
}

export interface StopOptions {
  /** Every process the run ever had (e.g. ProcessSampler.known() plus the pids the tracer announced), alive or not. */
  readonly processes: readonly StopTarget[];
  /** Time between SIGTERM and SIGKILL. Default 3000 ms. */
  readonly graceMs?: number;
  /** How long to wait for SIGKILLed processes to disappear. Default 2000 ms. */
  readonly killWaitMs?: number;
  readonly procRoot?: string;
}

export interface StopResult {
  /** Ended after SIGTERM. */
  readonly terminated: number[];
  /** Needed SIGKILL. */
  readonly killed: number[];
  /** Still running after SIGKILL (should never happen; a process in uninterruptible sleep can). */
  readonly leftovers: number[];
  /** Dead but not yet reaped by a parent outside the run (harmless: they hold no resources but a pid). */
  readonly zombies: number[];
}

interface Row {
  pid: number;
  ppid: number;
  pgrp: number;
  session: number;
  state: string; // one letter
  startTicks: number;
}

const POLL_MS = 25;

export async function stopRun(opts: StopOptions): Promise<StopResult> {
  if (process.platform === 'win32') return stopOnWindows(opts);
  const graceMs = opts.graceMs ?? 3000;
  const killWaitMs = opts.killWaitMs ?? 2000;
  const table = process.platform === 'linux' && fs.existsSync(`${opts.procRoot ?? '/proc'}/self/stat`)
    ? new ProcTable(opts.procRoot ?? '/proc')
    : new PsTable();
  const everPids = new Set(opts.processes.map((p) => p.pid));
  const startOf = new Map<number, number>();
  for (const p of opts.processes) if (p.startTicks !== undefined) startOf.set(p.pid, p.startTicks);

  /** The run's live processes now (zombies excluded: they are already dead). */
  const sweep = async (): Promise<Map<number, Row>> => {
    const rows = await table.all();
    const byPid = new Map(rows.map((r) => [r.pid, r]));
    const members = new Map<number, Row>();
    const isSame = (r: Row): boolean => {
      const st = startOf.get(r.pid);
      return st === undefined || st === r.startTicks || table.startsAreApprox;
    };
    for (const pid of everPids) {
      const r = byPid.get(pid);
      if (r && isSame(r)) members.set(pid, r);
    }
    // Descendants of members, and members of groups/sessions led by any pid the run ever had.
    let grew = true;
    while (grew) {
      grew = false;
      for (const r of rows) {
        if (members.has(r.pid) || !safeToSignal(r.pid)) continue;
        if (members.has(r.ppid) || (everPids.has(r.pgrp) && r.pgrp > 1) || (everPids.has(r.session) && r.session > 1)) {
          members.set(r.pid, r);
          grew = true;
        }
      }
    }
    for (const [pid, r] of members) if (!safeToSignal(pid) || r.state === 'Z') members.delete(pid);
    return members;
  };

  const terminated: number[] = [];
  const killed: number[] = [];
  const signalled = new Map<number, Row>();
  const send = (rows: Iterable<Row>, sig: NodeJS.Signals): void => {
    for (const r of rows) {
      try {
        process.kill(r.pid, sig);
        if (sig === 'SIGTERM') process.kill(r.pid, 'SIGCONT');
      } catch {
        // already gone
      }
    }
  };

  let alive = await sweep();
  for (const r of alive.values()) signalled.set(r.pid, r);
  send(alive.values(), 'SIGTERM');
  const termDeadline = Date.now() + graceMs;
  while (alive.size > 0 && Date.now() < termDeadline) {
    await delay(POLL_MS);
    alive = await sweep();
    // Children forked while the run was being stopped get the same treatment.
    const fresh = [...alive.values()].filter((r) => !signalled.has(r.pid));
    for (const r of fresh) signalled.set(r.pid, r);
    send(fresh, 'SIGTERM');
  }
  for (const pid of signalled.keys()) if (!alive.has(pid)) terminated.push(pid);
  if (alive.size > 0) {
    for (const r of alive.values()) killed.push(r.pid);
    send(alive.values(), 'SIGKILL');
    const killDeadline = Date.now() + killWaitMs;
    while (alive.size > 0 && Date.now() < killDeadline) {
      await delay(POLL_MS);
      alive = await sweep();
      const fresh = [...alive.values()].filter((r) => !killed.includes(r.pid));
      for (const r of fresh) killed.push(r.pid);
      send(alive.values(), 'SIGKILL');
    }
  }
  const zombies = (await table.all()).filter((r) => signalled.has(r.pid) && r.state === 'Z').map((r) => r.pid);
  return { terminated: terminated.sort((a, b) => a - b), killed: killed.sort((a, b) => a - b), leftovers: [...alive.keys()], zombies };
}

/**
 * Windows has no signals to ask politely with and no re-parenting: `taskkill /T /F` ends each
 * known process with its tree. Unverified here (no Windows machine); leftovers are not checked.
 */
async function stopOnWindows(opts: StopOptions): Promise<StopResult> {
  const killed: number[] = [];
  for (const { pid } of opts.processes) {
    const ok = await new Promise<boolean>((resolve) => {
      execFile('taskkill', ['/PID', String(pid), '/T', '/F'], { windowsHide: true }, (err) => resolve(!err));
    });
    if (ok) killed.push(pid);
  }
  return { terminated: [], killed, leftovers: [], zombies: [] };
}

/** Never signal init, ourselves, or our ancestors (which a wrong pid list could name). */
function safeToSignal(pid: number): boolean {
  return pid > 1 && pid !== process.pid && pid !== process.ppid;
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

interface Table {
  /** True when start times are only approximate (ps): do not use them to tell pids apart. */
  readonly startsAreApprox: boolean;
  all(): Promise<Row[]>;
}

/** Linux: one pass over /proc/*\/stat (a Stop is rare; its cost does not matter). */
class ProcTable implements Table {
  readonly startsAreApprox = false;
  private readonly buf = Buffer.alloc(4096);
  constructor(private readonly root: string) {}
  all(): Promise<Row[]> {
    const rows: Row[] = [];
    for (const name of fs.readdirSync(this.root)) {
      const c = name.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const s = readStatByPath(this.root, Number(name), this.buf);
      if (s) rows.push({ pid: s.pid, ppid: s.ppid, pgrp: s.pgrp, session: s.session, state: s.state, startTicks: s.startTicks });
    }
    return Promise.resolve(rows);
  }
}

/** macOS and other Unixes: `ps` (no session column everywhere; the process group is enough). */
class PsTable implements Table {
  readonly startsAreApprox = true;
  all(): Promise<Row[]> {
    return new Promise((resolve) => {
      execFile('ps', ['-A', '-o', 'pid=,ppid=,pgid=,stat='], (_err, stdout) => {
        const rows: Row[] = [];
        for (const line of String(stdout ?? '').split('\n')) {
          const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)/.exec(line);
          if (m) rows.push({ pid: +m[1]!, ppid: +m[2]!, pgrp: +m[3]!, session: 0, state: m[4]![0]!, startTicks: 0 });
        }
        resolve(rows);
      });
    });
  }
}

