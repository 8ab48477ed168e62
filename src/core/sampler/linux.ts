/**
 * The process table on Linux, read straight from /proc.
 *
 * Cost is what matters here (the sampler runs inside the extension host at ~10 Hz), so:
 * - each run process's `stat` file is opened once and re-read with pread(…, 0), which regenerates
 *   it (≈5 µs instead of ≈30 µs for readFileSync); the open descriptor is tied to that very
 *   process, so a read failing with ESRCH means "reaped", and a reused pid can never be mistaken
 *   for the old one;
 * - new processes are found without listing /proc on most ticks: the fifth field of /proc/loadavg
 *   is the last pid the kernel handed out, and pids are handed out in order, so the pids created
 *   since the previous tick are exactly the range between the two values; only those are looked
 *   at. A listing of /proc (reading `stat` only for pids not listed the time before) is the
 *   fallback when the range is large or wrapped, and a safety net once a second.
 *   (`/proc/<pid>/task/<tid>/children` is not available on every kernel, so it is not used.)
 * - a full scan (reading every pid) happens only on the first tick.
 */
import * as fs from 'node:fs';
import type { ProcessSample, Snapshot } from './types';
import {
  CLOCK_TICKS_PER_SECOND,
  osStateFromLetter,
  pageSizeBytes,
  parseStatBytes,
  readCmdline,
  readStatByPath,
  readStatOrThrow,
  type ProcStat,
} from './procfs';
import type { KnownProcess, ProcTable } from './table';

interface Tracked {
  readonly pid: number;
  readonly startTicks: number;
  /** Open descriptor of /proc/<pid>/stat, or -1 when over the descriptor budget (then read by path). */
  fd: number;
  cpuTicks: number;
  sampledAtMs: number;
  comm: string;
  command: string;
  last: ProcessSample | null;
}

export interface LinuxProcTableOptions {
  readonly procRoot?: string;
  /** Upper bound on stat descriptors kept open; beyond it, files are opened per read. */
  readonly maxOpenFiles?: number;
  /** Longest time between two listings of /proc (default 1000 ms); see the file comment. */
  readonly listEveryMs?: number;
}

const GONE = 'gone' as const;
const UNKNOWN = 'unknown' as const;

export class LinuxProcTable implements ProcTable {
  private readonly procRoot: string;
  private readonly maxOpenFiles: number;
  private readonly buf = Buffer.alloc(4096);
  private readonly pageSize: number;
  private rootPid = -1;
  private readonly live = new Map<number, Tracked>();
  private readonly ended: KnownProcess[] = [];
  /** Process groups and sessions led by a run process: members belong to the run even when orphaned to init. */
  private readonly groups = new Set<number>();
  /** Pids named by setRoot()/track() (the tracer announced them): the run's even if their parent is not known. */
  private readonly requested = new Set<number>();
  /** Start times the tracer gave for requested pids: a different process behind the pid is not ours. */
  private readonly requestedStart = new Map<number, number>();
  private lastListing: Set<number> | null = null;
  private lastListingMs = -Infinity;
  private lastPidSeen: number | null = null;
  private loadavgFd = -1;
  private openFiles = 0;
  /** Longest time between two listings of /proc. */
  private readonly listEveryMs: number;

  constructor(opts: LinuxProcTableOptions = {}) {
    this.procRoot = opts.procRoot ?? '/proc';
    this.maxOpenFiles = opts.maxOpenFiles ?? 2000;
    this.listEveryMs = opts.listEveryMs ?? 1000;
    this.pageSize = pageSizeBytes(this.procRoot);
  }

  setRoot(pid: number): void {
    this.rootPid = pid;
    this.requested.add(pid);
  }

  track(pid: number, startTicks?: number): void {
    if (this.live.has(pid)) return;
    this.requested.add(pid);
    if (startTicks !== undefined) this.requestedStart.set(pid, startTicks);
  }

  known(): KnownProcess[] {
    const out = [...this.ended];
    for (const t of this.live.values()) out.push({ pid: t.pid, startTicks: t.startTicks, alive: true, command: t.command });
    return out;
  }

  sample(tMs: number): Snapshot {
    this.discover(tMs);
    const processes: ProcessSample[] = [];
    const gone: number[] = [];
    for (const t of this.live.values()) {
      const stat = this.readTracked(t);
      if (stat === GONE) {
        gone.push(t.pid);
        this.forget(t);
        continue;
      }
      // Unreadable this pass but not known gone (an interrupted read): no word on it this time.
      if (stat === UNKNOWN) continue;
      processes.push(this.toSample(t, stat, tMs));
    }
    return { t: tMs, processes, gone };
  }

  dispose(): void {
    for (const t of this.live.values()) this.closeFd(t);
    this.live.clear();
    if (this.loadavgFd >= 0) fs.closeSync(this.loadavgFd);
    this.loadavgFd = -1;
  }

  // -------------------------------------------------------------------------------------------

  /** Find processes of the run that appeared since the previous tick. */
  private discover(tMs: number): void {
    const lastPid = this.readLastPid();
    const prev = this.lastPidSeen;
    this.lastPidSeen = lastPid;
    if (
      this.lastListing !== null &&
      lastPid !== null &&
      prev !== null &&
      lastPid >= prev &&
      lastPid - prev <= 512 &&
      tMs - this.lastListingMs < this.listEveryMs
    ) {
      const fresh = [...this.requested].filter((pid) => !this.live.has(pid));
      for (let pid = prev + 1; pid <= lastPid; pid++) if (!this.live.has(pid)) fresh.push(pid);
      // Thread ids share the pid space and /proc/<tid> answers too (unlisted): keep processes only.
      this.examine(fresh, tMs, true);
      return;
    }
    this.lastListingMs = tMs;
    let names: string[];
    try {
      names = fs.readdirSync(this.procRoot);
    } catch {
      return;
    }
    const listing = new Set<number>();
    const fresh: number[] = [];
    const previous = this.lastListing;
    for (const name of names) {
      const c = name.charCodeAt(0);
      if (c < 48 || c > 57) continue; // not a pid directory
      const pid = Number(name);
      listing.add(pid);
      if (this.live.has(pid)) continue;
      if (previous === null || !previous.has(pid) || this.requested.has(pid)) fresh.push(pid);
    }
    this.lastListing = listing;
    this.examine(fresh, tMs);
  }

  /** Read the stat of candidate pids and adopt those that belong to the run. */
  private examine(fresh: readonly number[], tMs: number, mayBeThreads = false): void {
    if (fresh.length === 0) {
      this.requested.clear();
      this.requestedStart.clear();
      return;
    }
    const stats: ProcStat[] = [];
    for (const pid of fresh) {
      const s = readStatByPath(this.procRoot, pid, this.buf);
      if (s !== null) stats.push(s);
    }
    // A child may be listed before its parent is adopted: repeat until nothing more joins.
    let adopted = true;
    const pending = new Set(stats);
    while (adopted && pending.size > 0) {
      adopted = false;
      for (const s of pending) {
        if (!this.belongsToRun(s)) continue;
        pending.delete(s);
        // Checked only for the run's candidates: most new pids on a busy host are not ours.
        if (mayBeThreads && !this.isProcess(s.pid)) continue;
        this.adopt(s, tMs);
        adopted = true;
      }
    }
    // A requested pid that was not found is gone; a later process reusing the number is not ours.
    this.requested.clear();
    this.requestedStart.clear();
  }

  /** A thread group leader (a process), not another thread of one: its Tgid is itself. */
  private isProcess(pid: number): boolean {
    try {
      const status = fs.readFileSync(`${this.procRoot}/${pid}/status`, 'latin1');
      const m = /\nTgid:\s*(\d+)/.exec(status);
      return m !== null && Number(m[1]) === pid;
    } catch {
      return false;
    }
  }

  /** The last pid handed out (/proc/loadavg, fifth field "running/total lastpid"), or null. */
  private readLastPid(): number | null {
    try {
      if (this.loadavgFd < 0) this.loadavgFd = fs.openSync(`${this.procRoot}/loadavg`, 'r');
      const n = fs.readSync(this.loadavgFd, this.buf, 0, 256, 0);
      const text = this.buf.toString('latin1', 0, n);
      const v = Number(text.slice(text.lastIndexOf(' ') + 1));
      return Number.isInteger(v) && v > 0 ? v : null;
    } catch {
      return null;
    }
  }

  private belongsToRun(s: ProcStat): boolean {
    return (
      s.pid === this.rootPid ||
      this.live.has(s.ppid) ||
      (this.requested.has(s.pid) && (this.requestedStart.get(s.pid) ?? s.startTicks) === s.startTicks) ||
      this.groups.has(s.pgrp) ||
      this.groups.has(s.session)
    );
  }

  private adopt(s: ProcStat, tMs: number): void {
    let fd = -1;
    if (this.openFiles < this.maxOpenFiles) {
      try {
        fd = fs.openSync(`${this.procRoot}/${s.pid}/stat`, 'r');
        this.openFiles++;
      } catch {
        return; // gone between the two reads
      }
    }
    const t: Tracked = {
      pid: s.pid,
      startTicks: s.startTicks,
      fd,
      cpuTicks: s.cpuTicks,
      sampledAtMs: tMs,
      comm: s.comm,
      command: readCmdline(this.procRoot, s.pid) ?? s.comm,
      last: null,
    };
    this.live.set(s.pid, t);
    // A run process that leads its own group or session (setsid, start_new_session, setpgrp)
    // brings its group along: a double-forked daemon re-parented to init still belongs to the run.
    if (s.pgrp === s.pid) this.groups.add(s.pid);
    if (s.session === s.pid) this.groups.add(s.pid);
  }

  /**
   * The process's stat now; GONE only when the system says it no longer exists (ESRCH through the
   * kept descriptor, no /proc entry, or another process behind the pid). Any other failure (a
   * read interrupted by a signal: libuv does not retry reads on EINTR) is UNKNOWN: a live
   * process reported gone would end it in the model while it still runs.
   */
  private readTracked(t: Tracked): ProcStat | typeof GONE | typeof UNKNOWN {
    if (t.fd >= 0) {
      try {
        const n = fs.readSync(t.fd, this.buf, 0, this.buf.length, 0);
        const s = n > 0 ? parseStatBytes(this.buf, n) : null;
        if (s !== null) return s;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ESRCH') return GONE; // reaped
      }
    }
    // No descriptor (over the open-file budget), or the read above failed: by path.
    try {
      const s = readStatOrThrow(this.procRoot, t.pid, this.buf);
      if (s === null) return UNKNOWN;
      return s.startTicks === t.startTicks ? s : GONE; // another process took the number
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === 'ENOENT' || code === 'ESRCH' ? GONE : UNKNOWN;
    }
  }

  private toSample(t: Tracked, s: ProcStat, tMs: number): ProcessSample {
    if (s.comm !== t.comm) {
      // exec() changed the program: argv changed with it.
      t.comm = s.comm;
      t.command = readCmdline(this.procRoot, t.pid) ?? s.comm;
    }
    const dtMs = tMs - t.sampledAtMs;
    const cpuPercent =
      t.last === null || dtMs <= 0 ? 0 : ((s.cpuTicks - t.cpuTicks) / CLOCK_TICKS_PER_SECOND / (dtMs / 1000)) * 100;
    t.cpuTicks = s.cpuTicks;
    t.sampledAtMs = tMs;
    const sample: ProcessSample = {
      pid: t.pid,
      ppid: s.ppid,
      state: osStateFromLetter(s.state),
      startTicks: t.startTicks,
      command: t.command,
      cpuPercent: Math.max(0, Math.round(cpuPercent * 10) / 10),
      rssBytes: s.rssPages * this.pageSize,
    };
    t.last = sample;
    return sample;
  }

  private forget(t: Tracked): void {
    this.closeFd(t);
    this.live.delete(t.pid);
    this.ended.push({ pid: t.pid, startTicks: t.startTicks, alive: false, command: t.command });
  }

  private closeFd(t: Tracked): void {
    if (t.fd >= 0) {
      try {
        fs.closeSync(t.fd);
      } catch {
        // already closed
      }
      t.fd = -1;
      this.openFiles--;
    }
  }
}
