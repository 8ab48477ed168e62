/**
 * The session model: what the views draw and what `process-view show --json` prints.
 * Produced by the reducer in this folder from tracer events and sampler snapshots. Immutable
 * snapshots of it go to the views; the views never mutate it.
 *
 * No `vscode` import here, ever.
 */
import type { ChannelKind, ChannelOp, ProcessRole, SourceSite, StartMethod } from '../protocol/events';
import type { OsState } from '../sampler/types';

/** A process's state in the user's words. */
export type ProcessState =
  | 'starting' // announced by its parent, not yet seen running
  | 'running'
  | 'sleeping'
  | 'stopped'
  | 'zombie' // exited, parent has not waited yet
  | 'exited' // exited and reaped (or reaping not observable), with an exit code
  | 'killed'; // ended by a signal

/** A key that identifies one process over a whole run even when its pid is reused. */
export type ProcessKey = string; // `${pid}@${startTicks}` or `${pid}` when start time is unknown

export interface ProcessNode {
  readonly key: ProcessKey;
  readonly pid: number;
  /** Parent at creation. */
  readonly parentPid: number | null;
  /** Last known parent (differs from parentPid once orphaned). */
  readonly ppid: number | null;
  readonly name: string;
  readonly role: ProcessRole;
  readonly startMethod: StartMethod | null;
  readonly daemon: boolean;
  readonly target: string | null;
  readonly argv: readonly string[];
  /** The user line that created it (Process.start(), os.fork(), Popen). */
  readonly createdAt: SourceSite | null;
  readonly state: ProcessState;
  readonly osState: OsState | null;
  readonly startedMs: number;
  readonly exitedMs: number | null;
  readonly exitCode: number | null;
  readonly signal: string | null; // "SIGKILL" etc.
  /** The uncaught exception it died of, as the tracer summarised it ("ValueError: bad input"). */
  readonly error: string | null;
  /** When the parent reaped it (join/wait) and who did. */
  readonly reapedMs: number | null;
  readonly reapedBy: number | null;
  /** It was a zombie for at least 100 ms at some point (even if reaped since). */
  readonly zombie: boolean;
  readonly zombieSinceMs: number | null;
  /** Its parent exited while it was alive. */
  readonly orphaned: boolean;
  readonly orphanedMs: number | null;
  /** Pid of whoever adopted it: 1 (init) or a subreaper. */
  readonly adoptedBy: number | null;
  readonly cpuPercent: number | null;
  readonly rssBytes: number | null;
  /** The tracer ran inside it (false for external and never-connected processes). */
  readonly traced: boolean;
  /** Pool id when it is a pool worker. */
  readonly poolId: string | null;
}

/** One message: a put/send matched, when possible, with its get/recv. */
export interface Message {
  readonly seq: number; // order within the channel
  readonly channelId: string;
  readonly op: ChannelOp; // the sending op: put, send, send_bytes, submit, call
  readonly fromPid: number;
  readonly toPid: number | null; // null until received
  readonly sentMs: number;
  readonly receivedMs: number | null;
  readonly preview: string | null;
  readonly size: number | null;
  readonly sentAt: SourceSite | null;
  readonly receivedAt: SourceSite | null;
}

/** Any operation on a channel, for the log and the timeline (acquire/release, set/wait, ...). */
export interface OpRecord {
  readonly channelId: string;
  readonly op: ChannelOp;
  readonly pid: number;
  readonly t: number;
  readonly site: SourceSite | null;
  readonly waitedMs: number | null;
  readonly ok: boolean;
  readonly preview: string | null;
}

export interface Channel {
  readonly id: string;
  readonly kind: ChannelKind;
  readonly createdAt: SourceSite | null;
  readonly createdBy: number;
  readonly createdMs: number;
  readonly detail: Readonly<Record<string, string | number | boolean | null>>;
  /** Count of messages ever sent (not bounded). */
  readonly messageCount: number;
  /** Counts by operation (not bounded). */
  readonly ops: Readonly<Partial<Record<ChannelOp, number>>>;
  /** The most recent messages (bounded; the recording has all). */
  readonly recentMessages: readonly Message[];
  /** The most recent operations (bounded). */
  readonly recentOps: readonly OpRecord[];
}

/** Per source line: what happened there (for editor decorations and hovers). */
export interface LineActivity {
  readonly site: SourceSite;
  readonly processesStarted: readonly number[]; // pids
  readonly sent: number;
  readonly received: number;
  readonly lastPreview: string | null;
  readonly lastMs: number;
}

export interface RunInfo {
  readonly script: string;
  readonly args: readonly string[];
  readonly python: string | null;
  readonly rootPid: number | null;
  readonly startedAtIso: string;
  readonly endedMs: number | null;
  readonly exitCode: number | null;
  readonly droppedEvents: number;
  readonly tracerErrors: number;
  readonly warnings: readonly string[];
}

export interface SessionSnapshot {
  readonly run: RunInfo;
  /** Milliseconds since the run started: the newest time the model has seen. */
  readonly nowMs: number;
  readonly processes: readonly ProcessNode[];
  readonly channels: readonly Channel[];
  readonly lines: readonly LineActivity[];
}

/**
 * What a channel held at one moment of the run (time travel: the debugger's Variables,
 * `process-view show --at`): from the complete log when a recording was opened.
 */
export interface ChannelState {
  readonly id: string;
  readonly kind: ChannelKind;
  /** Messages sent by then (successful puts and sends). */
  readonly messageCount: number;
  /** Counts by operation up to then. */
  readonly ops: Readonly<Partial<Record<ChannelOp, number>>>;
  /** Messages put or sent and not yet got or received then, oldest first (at most the limit asked). */
  readonly inFlight: readonly Message[];
  /** How many were in flight then (can exceed inFlight.length). */
  readonly inFlightCount: number;
  /** False when older messages were dropped from memory (a long live run): inFlight may miss some. */
  readonly complete: boolean;
  /** Lock-like channels: who held it then, and how many times (an RLock's depth, a semaphore's count). */
  readonly holders: readonly { readonly pid: number; readonly count: number }[];
  /** Processes blocked in an operation on it then (acquire, get, recv, join, wait), and since when. */
  readonly waiters: readonly { readonly pid: number; readonly op: ChannelOp; readonly sinceMs: number; readonly site: SourceSite | null }[];
  /** JoinableQueue: items put and not yet matched by task_done(); null for other kinds. */
  readonly unfinishedTasks: number | null;
  /** Event: set or not then; null for other kinds. */
  readonly isSet: boolean | null;
}
