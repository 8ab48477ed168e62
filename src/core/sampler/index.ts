/**
 * The process-table sampler: every `intervalMs` it reports the state, parent, CPU and memory of
 * every process the run has (see types.ts), including processes re-parented away from the root
 * and processes in sessions of their own. Linux reads /proc; other platforms use pidtree and
 * pidusage (see linux.ts and portable.ts for what each costs).
 */
import * as fs from 'node:fs';
import type { Snapshot } from './types';
import type { KnownProcess, ProcTable } from './table';
import { LinuxProcTable } from './linux';
import { PortableProcTable } from './portable';

export type { KnownProcess } from './table';
export type { OsState, ProcessSample, Snapshot } from './types';

export interface Disposable {
  dispose(): void;
}

export interface ProcessSamplerOptions {
  /** Milliseconds since the run started, on the tracer's clock; defaults to ms since start(). */
  readonly clock?: () => number;
  /** 'auto' picks procfs on Linux when /proc is readable. */
  readonly backend?: 'auto' | 'procfs' | 'portable';
  readonly procRoot?: string;
  readonly maxOpenFiles?: number;
}

export class ProcessSampler implements Disposable {
  private readonly table: ProcTable;
  private readonly listeners = new Set<(s: Snapshot) => void>();
  private clock: () => number;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<Snapshot> | null = null;
  private disposed = false;
  private intervalMs = 100;

  constructor(opts: ProcessSamplerOptions = {}) {
    const backend = opts.backend ?? 'auto';
    const procRoot = opts.procRoot ?? '/proc';
    const useProc =
      backend === 'procfs' || (backend === 'auto' && process.platform === 'linux' && fs.existsSync(`${procRoot}/self/stat`));
    this.table = useProc
      ? new LinuxProcTable({ procRoot, ...(opts.maxOpenFiles !== undefined ? { maxOpenFiles: opts.maxOpenFiles } : {}) })
      : new PortableProcTable();
    const t0 = performance.now();
    this.clock = opts.clock ?? (() => performance.now() - t0);
  }

  /** Which reader is in use, for logs and benchmarks. */
  get backend(): 'procfs' | 'portable' {
    return this.table instanceof LinuxProcTable ? 'procfs' : 'portable';
  }

  /** Start sampling the run rooted at rootPid. Ticks never overlap; the timer never keeps Node alive. */
  start(rootPid: number, intervalMs = 100): void {
    this.table.setRoot(rootPid);
    this.intervalMs = intervalMs;
    if (this.timer === null && intervalMs > 0) this.schedule(0);
  }

  /**
   * Watch this pid too (the tracer announced it); it stays watched after re-parenting. Pass the
   * start time from the process's `hello` (`startTicks`) so a reused pid is never taken for it.
   */
  track(pid: number, startTicks?: number): void {
    this.table.track(pid, startTicks);
  }

  /** Sample now (also what the timer calls). Concurrent callers share one pass. */
  tick(): Promise<Snapshot> {
    if (this.inFlight) return this.inFlight;
    const run = async (): Promise<Snapshot> => {
      const t = this.clock();
      const read = await this.table.sample(t);
      const snap: Snapshot = { ...read, tEnd: Math.max(t, this.clock()) };
      for (const l of this.listeners) l(snap);
      return snap;
    };
    this.inFlight = run().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  onSnapshot(listener: (s: Snapshot) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Every process the run ever had (alive or not), for Stop. */
  known(): KnownProcess[] {
    return this.table.known();
  }

  /** Stop the timer (the last snapshot stays delivered); the sampler can still tick() by hand. */
  stop(): void {
    this.intervalMs = 0; // an in-flight tick must not schedule another
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
    this.listeners.clear();
    this.table.dispose();
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick()
        .catch(() => undefined) // a failed pass is retried at the next tick
        .finally(() => {
          if (!this.disposed && this.timer === null && this.intervalMs > 0) this.schedule(this.intervalMs);
        });
    }, delay);
    this.timer.unref();
  }
}
