/**
 * What the debug adapter's DAP front (adapter.ts) asks of the run it debugs. The live backend
 * (live.ts) answers from a running program through the control channel; a replay backend
 * (time travel, issue 15) will answer from a recording: its processes, stops and frames come
 * from the recorded events instead. Lesson runners (issue 17) drive a backend directly: its
 * events say which process stopped where, and `resume` lets one chosen process go on.
 *
 * No `vscode` import here, ever.
 */
import type { ProcessRole, SourceSite } from '../protocol/events';
import type { BreakpointResult, BreakpointSpec, ExceptionConditions, FunctionBreakpointSpec, OperationInfo, PyCompletions, PyFrame, PyScope, PyStepInTarget, PyVariable, StopOnKind } from '../protocol/control';
import type { Session } from '../session';

export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (value: T) => void) => Disposable;

/** A process of the run as the debugger shows it: one DAP thread each. */
export interface DebugProcess {
  readonly pid: number;
  readonly ppid: number | null;
  readonly name: string;
  readonly role: ProcessRole;
  /** It has a control connection: it can be paused and stops at breakpoints. */
  readonly debuggable: boolean;
}

/** Why a process stopped; a replay also stops at an 'exception' filter (a zombie...), at the 'end' of a recording, and where the timeline went ('goto'). */
export type StopReason = 'breakpoint' | 'step' | 'pause' | 'entry' | 'operation' | 'exception' | 'end' | 'goto';

/** How to open a recording for time travel (the replay backend, replay.ts). */
export interface ReplayLaunchOptions {
  /** The recording (.jsonl) to debug. */
  readonly recording: string;
  /** Folders to find the recorded source files in when they are not at their recorded paths. */
  readonly roots?: readonly string[];
  /** Breakpoints set before launch, by source path. */
  readonly breakpoints?: ReadonlyMap<string, readonly BreakpointSpec[]>;
  /** Stop filters set before launch (ids of the backend's stopFilters); default: those on by default. */
  readonly stopFilters?: readonly string[];
  /** Where to stop first: 'start' (the first step), 'end' (the last), or, by default, run from the start to the first breakpoint or filter. */
  readonly startAt?: 'start' | 'end';
  readonly localize?: (message: string, ...args: Array<string | number | boolean>) => string;
}

/** What a backend does besides running a live program (a replay of a recording). */
export interface BackendCapabilities {
  /** Step Back and Reverse Continue. */
  readonly stepBack?: boolean;
  /** Every process stops and moves together (a recording): a stop stops every thread, and the focus stays with the process that moved. */
  readonly lockstep?: boolean;
  /** Set Value in the Variables view changes the program's own values. */
  readonly setVariable?: boolean;
  /** Jump to Cursor: a process paused at a line can be moved to another line of its frame. */
  readonly goto?: boolean;
  /** Step Into Target: the calls of a paused line, one of which Step Into goes into. */
  readonly stepInTargets?: boolean;
  /** Function breakpoints: stop on entering the program's functions by name, in every process. */
  readonly functionBreakpoints?: boolean;
  /** One process of the run can be ended on its own (Terminate Thread: a DAP thread is a process). */
  readonly terminateProcess?: boolean;
  /** Things to stop at besides lines, shown in the Breakpoints view (DAP exception filters). */
  readonly stopFilters?: ReadonlyArray<{
    readonly id: string;
    readonly label: string;
    readonly description?: string;
    readonly default?: boolean;
    /** The filter takes a condition (Edit Condition): what to write, in the user's words. */
    readonly conditionDescription?: string;
  }>;
}

/** A process stopped (one thread of it: the others of the process wait for it to resume). */
export interface ProcessStop {
  readonly pid: number;
  /** The process's own number for this stop; frames and variable references are valid only while it lasts. */
  readonly stop: number;
  readonly reason: StopReason;
  /** What the user reads: "Paused before Queue.put([42]) to Queue@line 9", "Breakpoint". */
  readonly description: string;
  /** Extra detail (an error in a breakpoint's condition). */
  readonly text: string | null;
  /** The Python thread that stopped. */
  readonly thread: string;
  readonly mainThread: boolean;
  /** The top frame's line, when there is one. */
  readonly site: SourceSite | null;
  readonly breakpointIds: readonly number[];
  /** Set when it paused before an operation. */
  readonly op: OperationInfo | null;
  /** Where the user asked to go (Step Into a child process): it takes the focus even while another process is stopped. */
  readonly focus?: boolean;
  /**
   * Set when an exception-like stop has something to say in VS Code's exception widget (DAP
   * exceptionInfo): a live run's uncaught exception (its type, message, traceback), a recording's
   * stop filter (its label and what happened).
   */
  readonly exception?: {
    readonly id: string;
    readonly description: string;
    readonly details?: string;
    /** DAP's breakMode: `always` for a raised exception (it may yet be caught); else `unhandled`. */
    readonly breakMode?: 'always' | 'unhandled';
  };
}

export type ResumeKind = 'continue' | 'next' | 'stepIn' | 'stepOut';

/** A row of the Process or Operation scope. */
export interface FactRow {
  readonly name: string;
  readonly value: string;
}

export interface OutputText {
  readonly category: 'stdout' | 'stderr' | 'console' | 'important';
  readonly text: string;
  readonly site?: SourceSite;
}

export interface RunEnd {
  readonly exitCode: number | null;
  readonly signal: string | null;
}

export interface DebugBackend extends Disposable {
  /** The run's model (the same one the views and the recording are fed from). */
  readonly session: Session;
  readonly capabilities?: BackendCapabilities;
  readonly onProcessStarted: Event<DebugProcess>;
  readonly onProcessExited: Event<DebugProcess>;
  readonly onStopped: Event<ProcessStop>;
  /** A process resumed without being asked (its control connection was lost). */
  readonly onContinued: Event<number>;
  readonly onOutput: Event<OutputText>;
  /** What the client is told as the session starts, before anything the run prints (e.g. an untested Python). */
  readonly notes?: readonly string[];
  /** Breakpoints were verified (or moved) after they were set, e.g. by the first process. */
  readonly onBreakpointsVerified: Event<{ path: string; breakpoints: readonly BreakpointResult[] }>;
  /** The run ended: every process is gone. */
  readonly onEnded: Event<RunEnd>;

  /** Live processes, oldest first. */
  processes(): DebugProcess[];
  /** The stop a process is in, or undefined while it runs. */
  stopOf(pid: number): ProcessStop | undefined;

  /** `target` (Step Into Target, capabilities.stepInTargets): the name of the function a stepIn goes into. */
  resume(pid: number, how: ResumeKind, target?: string): Promise<void>;
  /** The calls a paused process's line makes (capabilities.stepInTargets). */
  stepInTargets?(pid: number, frame: number): Promise<readonly PyStepInTarget[]>;
  pause(pid: number): Promise<void>;
  stackTrace(pid: number, startFrame: number, levels: number): Promise<{ frames: readonly PyFrame[]; total: number }>;
  scopes(pid: number, frame: number): Promise<readonly PyScope[]>;
  variables(pid: number, ref: number, options: { start?: number; count?: number; evaluateName?: string }): Promise<{ variables: readonly PyVariable[]; total: number }>;
  evaluate(pid: number, frame: number, expression: string, context?: string): Promise<{ result: string; type: string | null; ref?: number | null; named?: number | null; indexed?: number | null }>;
  /** Set Value in the Variables view (capabilities.setVariable): the child `name` of `ref`, to the value of an expression. */
  setVariable?(pid: number, ref: number, name: string, value: string): Promise<PyVariable>;
  /** Set Value on a Watch expression (capabilities.setVariable): `expression = value` in a paused process's frame; the expression's new value. */
  setExpression?(pid: number, frame: number, expression: string, value: string): Promise<PyVariable>;
  /** Ends one process of the run as `Process.terminate()` does (SIGTERM; capabilities.terminateProcess); its exit follows as it comes. */
  terminateProcess?(pid: number): Promise<void>;
  /** Jump to Cursor (capabilities.goto): the paused process's top frame goes on from `line` of `path`; a new stop (reason 'goto') follows. */
  goto?(pid: number, path: string, line: number): Promise<void>;
  /** The Debug Console's completions of `text` (the input up to the cursor) in a paused process's frame. */
  completions?(pid: number, frame: number, text: string): Promise<PyCompletions>;
  /** The Process scope: facts the Session knows. */
  processFacts(pid: number): FactRow[];
  /** The Operation scope of a stop before an operation. */
  operationFacts(pid: number): FactRow[];

  setBreakpoints(path: string, breakpoints: readonly BreakpointSpec[]): Promise<readonly BreakpointResult[]>;
  /** Function breakpoints (capabilities.functionBreakpoints), all of them: they replace those set before. */
  setFunctionBreakpoints?(breakpoints: readonly FunctionBreakpointSpec[]): Promise<readonly BreakpointResult[]>;
  setStopOn(kinds: readonly StopOnKind[]): Promise<void>;
  /** Backwards (capabilities.stepBack): the previous step of this process, or back to the previous breakpoint. */
  stepBack?(pid: number, how: 'stepBack' | 'reverseContinue'): Promise<void>;
  /** The stop filters turned on (capabilities.stopFilters), with the conditions of those that take one. */
  setStopFilters?(ids: readonly string[], conditions?: ExceptionConditions): Promise<void>;

  /** End every process of the run (Stop). Resolves when they are gone. */
  terminate(): Promise<void>;
  /** Stop debugging and let the run go on untraced by the debugger. */
  detach(): Promise<void>;
}
