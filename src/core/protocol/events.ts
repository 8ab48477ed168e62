/**
 * Tracer events as the core sees them, after the receiver has decoded and validated the wire
 * format (docs/protocol.md). This file is the contract between the tracer (Python, `tracer/`)
 * and the session model (`src/core/session`): both sides change together, and
 * PROTOCOL_VERSION says when they did.
 *
 * No `vscode` import here, ever.
 */

export const PROTOCOL_VERSION = 1;

/** Where in the user's code an event came from (the first frame outside the stdlib and the tracer). */
export interface SourceSite {
  readonly file: string; // absolute path
  readonly line: number; // 1-based
}

// The protocol's closed lists, declared once: the types are derived from them, the wire decoder
// accepts exactly them, and test/unit/tracer/protocol.test.ts checks the tracer's copies
// (tracer/processview_tracer/_protocol.py) against them.

/** Roles a process can have, in the user's words. */
export const PROCESS_ROLES = ['main', 'child', 'pool-worker', 'manager', 'forkserver', 'resource-tracker', 'external'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

export const START_METHODS = ['fork', 'spawn', 'forkserver', 'os.fork', 'subprocess'] as const;
export type StartMethod = (typeof START_METHODS)[number];

/** How a process ended, as seen from inside (process.exit's `how`). */
export const EXIT_HOWS = ['return', 'sys.exit', 'os._exit', 'exception', 'signal'] as const;
export type ExitHow = (typeof EXIT_HOWS)[number];

/** How a signal was sent (process.signal's `via`). */
export const SIGNAL_VIAS = ['terminate', 'kill', 'os.kill'] as const;
export type SignalVia = (typeof SIGNAL_VIAS)[number];

/** Fields every event carries. */
export interface EventBase {
  /** Milliseconds since the run started, on the system monotonic clock (comparable across processes). */
  readonly t: number;
  readonly pid: number;
  readonly ppid: number;
  /** The thread that emitted it (Python's threading.get_ident()), to tell feeder threads from user threads. */
  readonly tid?: number;
  readonly site?: SourceSite | null;
}

// ---------------------------------------------------------------------------------------------
// Process lifecycle

/** First event of every traced Python process: the tracer is live in it. */
export interface HelloEvent extends EventBase {
  readonly kind: 'hello';
  readonly role: ProcessRole;
  readonly name: string; // multiprocessing name, e.g. "MainProcess", "Process-1", "SyncManager-1"
  readonly argv: readonly string[];
  readonly python: string; // sys.version_info as "3.11.7"
  readonly executable: string;
  /** Process start time as the OS knows it (Linux: /proc/<pid>/stat field 22, clock ticks). Tells a reused pid apart. */
  readonly startTicks?: number;
  readonly startMethod?: StartMethod;
}

/** A parent started a child: multiprocessing Process.start(), os.fork(), or subprocess.Popen. */
export interface ProcessCreatedEvent extends EventBase {
  readonly kind: 'process.created';
  readonly childPid: number;
  readonly name: string;
  readonly daemon: boolean;
  readonly role: ProcessRole;
  readonly startMethod: StartMethod;
  /** Qualified name of the target (e.g. "producer" or "Piao.run"), or the argv for external children. */
  readonly target?: string | null;
  readonly argv?: readonly string[];
  /** Identity of the multiprocessing.Process object, stable across processes. */
  readonly objectId?: string;
}

/** The child is about to run its target (Process._bootstrap). */
export interface ProcessRunningEvent extends EventBase {
  readonly kind: 'process.running';
  readonly name: string;
  readonly daemon: boolean;
  readonly role: ProcessRole;
}

/** The process is exiting on its own (normal end, sys.exit, os._exit, an uncaught exception, SIGTERM handler). */
export interface ProcessExitEvent extends EventBase {
  readonly kind: 'process.exit';
  readonly exitCode: number | null;
  /** How it ended as seen from inside. */
  readonly how: ExitHow;
  readonly signal?: string | null; // e.g. "SIGTERM" when how === 'signal'
  readonly error?: string | null; // exception summary when how === 'exception'
}

/** A parent waited for a child: Process.join(), os.waitpid(), Popen.wait(); also reaping by multiprocessing internals. */
export interface ProcessJoinedEvent extends EventBase {
  readonly kind: 'process.joined';
  readonly childPid: number;
  readonly timeout?: number | null; // seconds, as passed
  /** True when the child was still alive after the join returned (a timeout). */
  readonly stillAlive: boolean;
  readonly exitCode?: number | null; // multiprocessing exitcode: negative means killed by signal -N
  readonly waitedMs: number;
  /**
   * The child was still alive this many ms before `t`, as its parent last knew (its sentinel not
   * readable: at the reaping call's start, or at the tracer thread's latest check); absent when
   * unknown. A child alive when the reaping call began was waited for: no zombie.
   */
  readonly aliveMs?: number | null;
  /**
   * The child had died this many ms before `t`, as the kernel dated it (Linux: read from
   * /proc/<pid>/sched while it was a zombie, when the reaping call began); absent when unknown.
   */
  readonly deadMs?: number | null;
}

/**
 * A parent saw its child dead and not yet reaped: `t` is when it looked (the child died at or
 * before `t`), and it had seen it alive `windowMs` earlier. Sent by the parent's tracer thread,
 * which checks its multiprocessing children's sentinels every 10 ms; the evidence a death time
 * is judged from when the child's own exit stamp is older (docs/states.md).
 */
export interface ProcessDiedEvent extends EventBase {
  readonly kind: 'process.died';
  readonly childPid: number;
  readonly windowMs: number;
  /** The child had died this many ms before `t`, as the kernel dated it (see ProcessJoinedEvent). */
  readonly deadMs?: number | null;
}

/** A parent sent a signal to a child: terminate(), kill(), os.kill(). */
export interface ProcessSignalEvent extends EventBase {
  readonly kind: 'process.signal';
  readonly targetPid: number;
  readonly signal: string; // "SIGTERM", "SIGKILL", ...
  readonly via: SignalVia;
}

/**
 * Reported by the run supervisor (tracer/supervisor.py), not by the process itself: an orphan of
 * the run was re-parented to the supervisor (a Linux child subreaper). `pid`/`ppid` are the
 * supervisor's own; the supervisor is not part of the process tree (the script is its root).
 */
export interface ProcessAdoptedEvent extends EventBase {
  readonly kind: 'process.adopted';
  readonly childPid: number;
}

/**
 * Reported by the run supervisor: it reaped a process, either the script itself (its direct
 * child) or an adopted orphan. This is the only place a SIGKILL death or an orphan's exit status
 * is seen. `pid`/`ppid` are the supervisor's own.
 */
export interface ProcessReapedEvent extends EventBase {
  readonly kind: 'process.reaped';
  readonly childPid: number;
  readonly exitCode: number | null; // set when it exited normally
  readonly signal: string | null; // "SIGKILL" etc. when a signal ended it
  /** True for an adopted orphan, false for the script (the root). */
  readonly adopted: boolean;
  /**
   * How long the supervisor's waitpid had been blocked when it returned this process: time minus
   * waitedMs is when the reaping call began. Absent in recordings made before it was sent, and on
   * Windows (no zombies there).
   */
  readonly waitedMs?: number | null;
}

// ---------------------------------------------------------------------------------------------
// Channels: queues, pipes, synchronisation primitives, pools, managers

export const CHANNEL_KINDS = [
  'queue', 'joinable-queue', 'simple-queue', 'pipe', 'connection',
  'lock', 'rlock', 'semaphore', 'bounded-semaphore', 'event', 'condition', 'barrier',
  'pool', 'manager', 'proxy', 'value', 'array',
] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** A channel object was created. `id` is stable across every process that uses the object. */
export interface ChannelCreatedEvent extends EventBase {
  readonly kind: 'channel.created';
  readonly id: string;
  readonly channel: ChannelKind;
  /** For a pipe, the ids of its two connection ends; for a proxy, the referent type ("dict", "list"). */
  readonly detail?: Readonly<Record<string, string | number | boolean | null>>;
}

/**
 * Every channel operation, in a fixed order: the Session's compact op histories store an op as
 * its index here, so new operations go at the end.
 */
export const CHANNEL_OPS = [
  // queues
  'put', 'get', 'task_done', 'join', 'full', 'empty',
  // pipes / connections
  'send', 'recv', 'send_bytes', 'recv_bytes', 'close', 'eof',
  // locks, semaphores, conditions, barriers
  'acquire', 'release', 'wait', 'notify', 'notify_all', 'abort',
  // events
  'set', 'clear', 'is_set',
  // pools
  'submit', 'result', 'callback', 'error_callback', 'terminate',
  // manager proxies
  'call',
] as const;
export type ChannelOp = (typeof CHANNEL_OPS)[number];

/** One operation on a channel. A message is a put/send (sender side) matched with a get/recv (receiver side). */
export interface ChannelOpEvent extends EventBase {
  readonly kind: 'channel.op';
  readonly id: string;
  readonly op: ChannelOp;
  /** Bounded repr of the payload (message, pool task arguments, result, proxy method arguments). */
  readonly preview?: string | null;
  /** Size in bytes of the pickled payload, when the tracer saw it. */
  readonly size?: number | null;
  /**
   * Content digest of the pickled payload (CRC-32 as unsigned int). A get/recv with the same
   * channel and digest as an earlier unmatched put/send is that message's receiving end.
   */
  readonly digest?: number | null;
  /** How long the operation blocked (acquire, get, recv, join, wait), in milliseconds. */
  readonly waitedMs?: number | null;
  /** False when it timed out, raised Empty/Full/EOFError, or a non-blocking acquire failed. */
  readonly ok?: boolean;
  /** Extra facts: method name for proxy calls, "nowait", task count for map, the pool task id... */
  readonly detail?: Readonly<Record<string, string | number | boolean | null>>;
}

// ---------------------------------------------------------------------------------------------
// Waits in progress

/**
 * A thread of this process has been blocked in an operation for a while (docs/protocol.md, "Waits
 * in progress"). `t` is when the wait began, not when it was reported: the tracer's own thread
 * reports a wait only once it has lasted past a threshold, so short waits cost no event. The wait
 * ends with the next event of the same pid and tid stamped at or after `t` (normally the
 * operation's own event, with its waitedMs), with a `wait.end`, or with the process's end; that
 * event can arrive before this one.
 */
export interface WaitBeginEvent extends EventBase {
  readonly kind: 'wait.begin';
  /** What it waits in: 'join' (Process.join), 'waitpid' (os.waitpid/os.wait/Popen.wait), or a channel operation ('get', 'recv', 'acquire', 'wait', ...). */
  readonly op: string;
  /** The channel (or pipe end) it waits on, when it is one. */
  readonly id?: string | null;
  /** The child it waits for (join, waitpid); -1 for any child. */
  readonly childPid?: number | null;
  /** The timeout given, in seconds, when there is one. */
  readonly timeout?: number | null;
}

/** A reported wait ended without an event of its own (see WaitBeginEvent). */
export interface WaitEndEvent extends EventBase {
  readonly kind: 'wait.end';
  readonly op: string;
}

// ---------------------------------------------------------------------------------------------
// The tracer talking about itself

/**
 * Events of this process that will not reach the recording, counted, never waited for. Sent by
 * the tracer, or made by the receiver for a connection that ended in the middle of a batch.
 */
export interface DroppedEvent extends EventBase {
  readonly kind: 'tracer.dropped';
  readonly count: number;
  /** Why: one of DROP_REASONS (another string from a newer tracer); absent from older tracers. */
  readonly reason?: string | null;
}

/**
 * Why events were lost: the buffer was full (the receiver read more slowly than the program
 * produced); the process ended before the receiver took its last events; the connection broke;
 * the connection ended inside a batch (counted by the receiver from the batch's header).
 */
export const DROP_REASONS = ['buffer-full', 'exit', 'connection-lost', 'cut-batch'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** The tracer swallowed one of its own errors; the program went on. */
export interface TracerErrorEvent extends EventBase {
  readonly kind: 'tracer.error';
  readonly message: string;
  readonly where?: string;
}

export type TracerEvent =
  | HelloEvent
  | ProcessCreatedEvent
  | ProcessRunningEvent
  | ProcessExitEvent
  | ProcessJoinedEvent
  | ProcessDiedEvent
  | ProcessSignalEvent
  | ProcessAdoptedEvent
  | ProcessReapedEvent
  | ChannelCreatedEvent
  | ChannelOpEvent
  | WaitBeginEvent
  | WaitEndEvent
  | DroppedEvent
  | TracerErrorEvent;

export type TracerEventKind = TracerEvent['kind'];
