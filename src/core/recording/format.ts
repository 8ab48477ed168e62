/**
 * The session file (`.jsonl`): one JSON object per line, written as the run goes, so a file cut
 * short (crash, full disk) still holds everything up to its last complete line. Format 1 has one
 * line per event and sample; format 2 (written since) has blocks of records, each a line holding
 * the tracer's batches as they arrived, compressed (blocks.ts). Readers read both.
 * docs/session-format.md is the specification; change both together.
 */
import type { TracerEvent } from '../protocol/events';
import type { Snapshot } from '../sampler/types';

export const SESSION_FORMAT = 'process-view-session';
/** Bumped when a reader of the previous version could misread a new file (new record types are not a bump). */
export const SESSION_FORMAT_VERSION = 2;

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
  /**
   * Format 2: process.hrtime.bigint() when the run started, as a decimal string. A batch's event
   * times are its monotonic nanoseconds minus this, in milliseconds (as the receiver computed them).
   */
  readonly startNs?: string;
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

/** Format 2: a block of records (blocks.ts), one line. */
export interface WireBlockRecord {
  readonly type: 'wire';
  /** Compression of `data`: 'br' (Brotli). */
  readonly z: string;
  /** Records in the block. */
  readonly n: number;
  /** Bytes of the records uncompressed. */
  readonly raw: number;
  /** The compressed records, base64. */
  readonly data: string;
}

export type BodyRecord = EventRecord | SampleRecord;
export type SessionRecord = HeaderRecord | BodyRecord | EndRecord;
