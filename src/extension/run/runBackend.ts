/**
 * What the run controller needs from the core to run a script: a recorded run feeding a Session,
 * with the script's stdio. The real implementation (coreAdapter.ts) is src/core/run's recorded
 * run; tests can pass their own. No `vscode` import.
 */
import type { PythonInfo } from '../../core/tracer';
import type { ViewableSession } from '../views/sessionStore';

export interface RunRequest {
  /** As the run controller checked it (not checked again). */
  readonly python: PythonInfo;
  readonly script: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly samplingIntervalMs: number;
  readonly payloadPreviewLength: number;
  /** Where the recording (.jsonl) is written while the run goes on. */
  readonly recordingPath: string;
  /** Called for connections the receiver refused and events it rejected (an intruder, a garbled line). */
  readonly onProblem: (reason: string) => void;
}

export interface RunOutcome {
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** Why the recording is incomplete (disk full, ...), or null. */
  readonly recordingError?: string | null;
}

export interface ActiveRun {
  readonly session: ViewableSession;
  readonly rootPid: number | null;
  onOutput(listener: (text: string, stream: 'stdout' | 'stderr') => void): void;
  writeInput(text: string): void;
  endInput(): void;
  /** Resolves once the script and every process of the run have ended. */
  readonly exited: Promise<RunOutcome>;
  /** Ends every process of the run (politely, then by force). */
  stop(): Promise<void>;
}

export type RunBackend = (request: RunRequest) => Promise<ActiveRun>;
