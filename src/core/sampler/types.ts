/**
 * What the process-table sampler reports. The sampler sees what the tracer cannot: non-Python
 * children, zombies, stopped processes, SIGKILL deaths and re-parenting.
 */

/** OS-level state, normalised across platforms. */
export type OsState = 'running' | 'sleeping' | 'disk-sleep' | 'stopped' | 'zombie' | 'dead' | 'idle' | 'unknown';

export interface ProcessSample {
  readonly pid: number;
  readonly ppid: number;
  readonly state: OsState;
  /** OS start time in clock ticks since boot (Linux) or ms since epoch elsewhere: with pid, identifies a process. */
  readonly startTicks: number;
  readonly command: string; // argv joined, or comm when argv is unreadable (zombies)
  /** CPU use since the previous sample, percent of one core. */
  readonly cpuPercent: number;
  /** Resident memory in bytes. */
  readonly rssBytes: number;
}

export interface Snapshot {
  /** Milliseconds since the run started (same clock as TracerEvent.t), when its reads began. */
  readonly t: number;
  /**
   * When its reads ended (absent in recordings made before it existed: read as `t`). On a busy
   * machine a sample can take hundreds of ms: a process it saw alive was alive at `t` or later,
   * one it saw dead or gone was so by `tEnd`.
   */
  readonly tEnd?: number;
  /** Every live (or zombie) process that belongs to the run. */
  readonly processes: readonly ProcessSample[];
  /** Pids the run knew of that no longer exist at all (reaped): gone since the previous snapshot. */
  readonly gone: readonly number[];
}
