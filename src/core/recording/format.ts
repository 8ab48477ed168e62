/**
 * The session file (`.jsonl`): one JSON object per line, written as the run goes, so a file cut
 * short (crash, full disk) still holds everything up to its last complete line.
 * docs/session-format.md is the specification; change both together.
 */
import type { TracerEvent } from '../protocol/events';
import type { Snapshot } from '../sampler/types';

export const SESSION_FORMAT = 'process-view-session';
/** Bumped when a reader of the previous version could misread a new file (new record types are not a bump). */
export const SESSION_FORMAT_VERSION = 1;

export interface HeaderRecord {
  readonly type: 'header';
  /** 'process-view-session' (or 'process-view-events', the first `record` builds' name, read the same way). */
  readonly format: string;
  readonly version?: number;
  /** PROTOCOL_VERSION of the tracer events inside. */
  readonly protocol: number;
  readonly script: string;
  readonly args: readonly string[];
  readonly python?: string | null;
  readonly pythonVersion?: string | null;
  readonly startedAtIso: string;
  readonly platform?: string;
  /** The supervisor's pid: not part of the run's tree. */
  readonly supervisorPid?: number | null;
  readonly samplingIntervalMs?: number | null;
}

export interface EventRecord {
  readonly type: 'event';
  readonly event: TracerEvent;
}

export interface SampleRecord {
  readonly type: 'sample';
  readonly sample: Snapshot;
}

export interface EndRecord {
  readonly type: 'end';
  /** Milliseconds since the run started, when the run ended. */
  readonly t?: number;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stats?: Record<string, number>;
}

export type BodyRecord = EventRecord | SampleRecord;
export type SessionRecord = HeaderRecord | BodyRecord | EndRecord;
