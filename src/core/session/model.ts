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
  | 'waiting' // alive and blocked in an operation the tracer reported (join, get, recv, acquire...): see `wait`
  | 'stopped'
  | 'zombie' // exited, parent has not waited yet
  | 'exited' // exited and reaped (or reaping not observable), with an exit code
  | 'killed'; // ended by a signal

/** The states of a process that still runs (its Python can still act): one list for every reader. */
export const ALIVE_STATES: ReadonlySet<ProcessState> = new Set<ProcessState>(['starting', 'running', 'sleeping', 'waiting', 'stopped']);

/**
 * The order every front end lists processes in (siblings in a tree, roots): by when they started,
 * then pid. Not the Session's order of first sight, which follows how the events of different
 * processes happened to arrive (each process reports on its own connection).
 */
export const byStart = (a: ProcessNode, b: ProcessNode): number => a.startedMs - b.startedMs || a.pid - b.pid;

/** The newest process with this pid: a pid can be reused within a run, and the newest is the one that can be alive now. */
export function newestProcess(s: Pick<SessionSnapshot, 'processes'> | null | undefined, pid: number): ProcessNode | undefined {
  let found: ProcessNode | undefined;
  for (const p of s?.processes ?? []) if (p.pid === pid) found = p;
  return found;
}

/** Each pid's newest process (newestProcess), in the order of their pids' first appearance. */
export function newestProcesses(s: Pick<SessionSnapshot, 'processes'> | null | undefined): ProcessNode[] {
  const byPid = new Map<number, ProcessNode>();
  for (const p of s?.processes ?? []) byPid.set(p.pid, p);
  return [...byPid.values()];
}

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
  /** That adopter is the run's supervisor (Process View's subreaper, which adopts the run's orphans in place of init). */
  readonly adoptedBySupervisor: boolean;
  readonly cpuPercent: number | null;
  readonly rssBytes: number | null;
  /** The tracer ran inside it (false for external and never-connected processes). */
  readonly traced: boolean;
  /** Pool id when it is a pool worker. */
  readonly poolId: string | null;
  /**
   * What its main thread is blocked in now (state 'waiting'), from the tracer's reports of waits
   * that last (docs/protocol.md, "Waits in progress"); null when it is not known to wait. A
   * process whose exit event came but which still flushes a Queue at exit waits too.
   */
  readonly wait: ProcessWait | null;
}

/**
 * A wait in progress: what a process is blocked in, on what, from which line, since when.
 * Completed waits are in the TimelineLog (start and end); this is the one still open.
 */
export interface ProcessWait {
  /**
   * 'join' (Process.join: `childPid`; a Pool's or JoinableQueue's join: `channelId`), 'waitpid'
   * (os.waitpid / os.wait / Popen.wait), a channel operation ('get', 'put' on a full queue, 'recv',
   * 'acquire', 'wait' of an Event, Condition or Barrier, 'result' of a pool), or 'flush': at exit,
   * a Queue's feeder thread still writing what this process put.
   */
  readonly op: string;
  /** The channel waited on (a Pipe's id when it waits on one of its ends), or null. */
  readonly channelId: string | null;
  /** The pipe end waited on (0 or 1), when it is one. */
  readonly pipeEnd: number | null;
  /** The child waited for (join, waitpid); -1 for any child. */
  readonly childPid: number | null;
  /** The timeout given, in seconds. */
  readonly timeoutS: number | null;
  /** The line that waits (null at exit, or without a user frame). */
  readonly site: SourceSite | null;
  /** When the wait began (ms since the run started). */
  readonly sinceMs: number;
  /** The stall (SessionSnapshot.stalls) this wait is part of, once one is found. */
  readonly stallId: string | null;
}

/**
 * 'deadlock': processes waiting on each other, none of which can go on; 'never': a wait nothing
 * alive can end (every producer of an empty queue has exited, a pipe's writing end is held only
 * by the reader itself, a lock's holder is gone); 'timeout': it would be one of these without a
 * timeout: only the timeout of one of its waits can end it.
 */
export type StallKind = 'deadlock' | 'never' | 'timeout';

/** Something the waits-for graph found that explains why a step's wait cannot end. */
export type StallFact =
  /** Its message put on the queue is not read yet (a flush at exit waits for a reader). */
  | { readonly kind: 'unread'; readonly size: number | null; readonly site: SourceSite | null }
  /** The lock waited for is held by `pid` (acquired at `site`); `gone`: that process has exited. */
  | { readonly kind: 'held'; readonly pid: number; readonly site: SourceSite | null; readonly gone: boolean }
  /** It waits for EOF on a pipe whose other end it holds itself (never closed its copy). */
  | { readonly kind: 'holds-other-end' }
  /** These processes could have ended the wait but have exited. */
  | { readonly kind: 'gone'; readonly pids: readonly number[] }
  /** The queue is empty (get) or full (put). */
  | { readonly kind: 'empty' }
  | { readonly kind: 'full' };

/** One process of a stall: its wait, who could end it (all stuck themselves), and why. */
export interface StallStep {
  readonly pid: number;
  readonly wait: ProcessWait;
  /** The live processes that could end this wait; every one of them is in this stall. */
  readonly waitsOn: readonly number[];
  readonly facts: readonly StallFact[];
}

/** A deadlock, or a wait that can never end, found in the waits-for graph (waitsFor.ts). */
export interface Stall {
  readonly id: string;
  readonly kind: StallKind;
  /** One step per process, in the order the explanation reads (a cycle starts where it is entered). */
  readonly steps: readonly StallStep[];
  /** When it became true (the latest of its waits' starts). */
  readonly sinceMs: number;
  /** When it was reported: it had held, unchanged, for a settling time. */
  readonly foundMs: number;
  /** When it ended (a timeout fired, or its processes were ended), or null while it lasts. */
  readonly endedMs: number | null;
  readonly endedBy: 'timeout' | 'exit' | null;
  /** Every line involved: the waits, the creation of what they wait on, a lock's acquire, an unread put. */
  readonly sites: readonly SourceSite[];
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
  /** Events the run produced that are not in the model (nor in the recording): the sum of lostEvents. */
  readonly droppedEvents: number;
  /** Those events, by process and why (`tracer.dropped`'s reason; null from older tracers). */
  readonly lostEvents: readonly LostEvents[];
  readonly tracerErrors: number;
  readonly warnings: readonly string[];
}

/** Events of one process lost for one reason (docs/protocol.md, tracer.dropped). */
export interface LostEvents {
  readonly pid: number;
  /** 'buffer-full', 'exit', 'connection-lost', 'cut-batch', another from a newer tracer, or null. */
  readonly reason: string | null;
  readonly count: number;
}

export interface SessionSnapshot {
  readonly run: RunInfo;
  /** Milliseconds since the run started: the newest time the model has seen. */
  readonly nowMs: number;
  readonly processes: readonly ProcessNode[];
  readonly channels: readonly Channel[];
  readonly lines: readonly LineActivity[];
  /** Deadlocks and waits that can never end, found so far (ended ones included, with endedMs). */
  readonly stalls: readonly Stall[];
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
