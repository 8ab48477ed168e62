/** What a platform's process-table reader provides to the sampler. */
import type { Snapshot } from './types';

/** A process the run has had, alive or not: with its start time it names one process even after pid reuse. */
export interface KnownProcess {
  readonly pid: number;
  readonly startTicks: number;
  readonly alive: boolean;
  readonly command: string;
}

export interface ProcTable {
  setRoot(pid: number): void;
  /** Watch this pid as part of the run from now on (announced by the tracer); with its start time when known. */
  track(pid: number, startTicks?: number): void;
  sample(tMs: number): Snapshot | Promise<Snapshot>;
  /** Every process the run ever had, in the order they were first seen. */
  known(): KnownProcess[];
  dispose(): void;
}
