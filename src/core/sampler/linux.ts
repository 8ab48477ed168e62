/**
 * The process table on Linux, read straight from /proc.
 *
 * Cost is what matters here (the sampler runs inside the extension host at ~10 Hz), so:
 * - each run process's `stat` file is opened once and re-read with pread(…, 0), which regenerates
 *   it (≈5 µs instead of ≈30 µs for readFileSync); the open descriptor is tied to that very
 *   process, so a read failing with ESRCH means "reaped", and a reused pid can never be mistaken
 *   for the old one;
 * - new processes are found by listing /proc (≈0.1 ms) and reading `stat` only for pids that were
 *   not there at the previous tick; `/proc/<pid>/task/<tid>/children` is not available on every
 *   kernel (it is not on this one), so it is not relied on;
 * - a full scan (reading every pid) happens only on the first tick.
 */
import * as fs from 'node:fs';
import type { ProcessSample, Snapshot } from './types';
import {
  CLOCK_TICKS_PER_SECOND,
  osStateFromLetter,
  pageSizeBytes,
  parseStat,
  readCmdline,
  readStatByPath,
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
}

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
  private lastListing: Set<number> | null = null;
  private openFiles = 0;

  constructor(opts: LinuxProcTableOptions = {}) {
    this.procRoot = opts.procRoot ?? '/proc';
    this.maxOpenFiles = opts.maxOpenFiles ?? 2000;
    this.pageSize = pageSizeBytes(this.procRoot);
  }

  setRoot(pid: number): void {
    this.rootPid = pid;
    this.requested.add(pid);
  }

  track(pid: number): void {
    if (!this.live.has(pid)) this.requested.add(pid);
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
      if (stat === null) {
        gone.push(t.pid);
        this.forget(t);
        continue;
      }
      processes.push(this.toSample(t, stat, tMs));
    }
    return { t: tMs, processes, gone };
  }

  dispose(): void {
    for (const t of this.live.values()) this.closeFd(t);
    this.live.clear();
  }

  // -------------------------------------------------------------------------------------------

  /** Find processes of the run that appeared since the previous tick. */
  private discover(tMs: number): void {
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
    if (fresh.length === 0) {
      this.requested.clear();
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
        this.adopt(s, tMs);
        adopted = true;
      }
    }
    // A requested pid that was not found is gone; a later process reusing the number is not ours.
    this.requested.clear();
  }

  private belongsToRun(s: ProcStat): boolean {
    return (
      s.pid === this.rootPid ||
      this.live.has(s.ppid) ||
      this.requested.has(s.pid) ||
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

  private readTracked(t: Tracked): ProcStat | null {
    if (t.fd < 0) {
      const s = readStatByPath(this.procRoot, t.pid, this.buf);
      return s !== null && s.startTicks === t.startTicks ? s : null;
    }
    try {
      const n = fs.readSync(t.fd, this.buf, 0, this.buf.length, 0);
      return n > 0 ? parseStat(this.buf.toString('latin1', 0, n)) : null;
    } catch {
      return null; // ESRCH: reaped
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
