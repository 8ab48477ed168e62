/**
 * The control channel of a debug run (docs/protocol.md, "Control channel"): one authenticated
 * local connection (src/core/tracer/localListen.ts) per traced process (client "debugger") and
 * one from the run's supervisor (client "supervisor"). JSON lines both ways. Commands go down to
 * a process, answered by a response with the command's `seq`; the process sends events up (it
 * stopped, a logpoint's output). The Python side is tracer/processview_tracer/_debug.py (and
 * supervisor.py's DebugLink).
 *
 * No `vscode` import here, ever.
 */
import { timingSafeEqual } from 'node:crypto';
import { PROTOCOL_VERSION } from './events';

/** The operation kinds a process can pause before (launch argument `stopOn`). */
export const STOP_ON_KINDS = ['process', 'queue', 'pipe', 'lock', 'event', 'pool', 'manager'] as const;
export type StopOnKind = (typeof STOP_ON_KINDS)[number];

export const isStopOnKind = (v: unknown): v is StopOnKind => typeof v === 'string' && (STOP_ON_KINDS as readonly string[]).includes(v);

/**
 * Exception filters of a live run (DAP setExceptionBreakpoints): `raised` stops where the user's
 * code raises an exception (or one raised in a library first reaches it), caught or not;
 * `uncaught` where an exception is about to end a process or a thread; `task` where a pool worker
 * is about to send a task's exception back to its caller.
 */
export const EXCEPTION_FILTERS = ['raised', 'uncaught', 'task'] as const;
export type ExceptionFilter = (typeof EXCEPTION_FILTERS)[number];

export const isExceptionFilter = (v: unknown): v is ExceptionFilter => typeof v === 'string' && (EXCEPTION_FILTERS as readonly string[]).includes(v);

export type ControlClient = 'debugger' | 'supervisor';

export interface ControlHandshake {
  readonly pid: number;
  readonly client: ControlClient;
}

// ---------------------------------------------------------------------------------------------
// Adapter → process: commands and what their responses carry

export interface BreakpointSpec {
  /** The adapter's id for it (the DAP breakpoint id). */
  readonly id: number;
  readonly line: number;
  readonly condition?: string;
  readonly hitCondition?: string;
  readonly logMessage?: string;
}

/** A function breakpoint: stop on entering the program's functions of this dotted name (`worker`, `Counter.increment`, `tasks.worker`). */
export interface FunctionBreakpointSpec {
  readonly id: number;
  readonly name: string;
  readonly condition?: string;
  readonly hitCondition?: string;
}

export interface BreakpointResult {
  readonly id: number;
  readonly verified: boolean;
  /** Where it will stop: the next line with code at or after the one asked for. */
  readonly line?: number;
  readonly message?: string;
}

export interface PyFrame {
  /** Index in the stopped thread's stack, 0 = top. */
  readonly id: number;
  readonly name: string;
  readonly path: string | null;
  readonly line: number;
  /** The program's own code (not the standard library). */
  readonly user: boolean;
}

export interface PyScope {
  /** 'Locals' and 'Globals' from Python (the adapter translates them); a replay's own scopes come named. */
  readonly name: 'Locals' | 'Globals' | (string & {});
  readonly ref: number;
  readonly named?: number;
}

export interface PyVariable {
  readonly name: string;
  readonly value: string;
  readonly type: string;
  readonly evaluateName?: string;
  /** Expandable: a reference valid while this stop lasts. */
  readonly ref?: number;
  readonly named?: number;
  readonly indexed?: number;
}

/** The exception types a filter stops for (Edit Condition on it): `names` (empty: any) but not `excluded`. */
export type ExceptionConditions = Partial<Record<ExceptionFilter, { readonly names: readonly string[]; readonly excluded: readonly string[] }>>;

/** Each command's arguments and its response's body. `stop`: the stop it is meant for. */
export interface ControlCommands {
  configure: {
    args: {
      breakpoints: Record<string, readonly BreakpointSpec[]>;
      functionBreakpoints?: readonly FunctionBreakpointSpec[];
      stopOn: readonly StopOnKind[];
      exceptions: readonly ExceptionFilter[];
      exceptionConditions?: ExceptionConditions;
      stopOnEntry: boolean;
    };
    body: { breakpoints: Record<string, readonly BreakpointResult[]> };
  };
  setBreakpoints: { args: { path: string; breakpoints: readonly BreakpointSpec[] }; body: { breakpoints: readonly BreakpointResult[] } };
  setFunctionBreakpoints: { args: { breakpoints: readonly FunctionBreakpointSpec[] }; body: { breakpoints: readonly BreakpointResult[] } };
  setStopOn: { args: { kinds: readonly StopOnKind[] }; body: undefined };
  setExceptions: { args: { filters: readonly ExceptionFilter[]; conditions?: ExceptionConditions }; body: undefined };
  /** Stop at the next line of the program's code any eligible thread runs. `helper`: refused (a helper process). */
  pause: { args: Record<string, never>; body: { helper: boolean } };
  /** Where the main thread is now, for a Pause that has not stopped it yet: empty when it runs none of the program's code. */
  where: { args: Record<string, never>; body: MainThreadSite };
  /** Resume everything and stop debugging in this process. */
  detach: { args: Record<string, never>; body: undefined };
  continue: { args: { stop: number }; body: undefined };
  next: { args: { stop: number }; body: undefined };
  /** `target`: Step Into Target, the name of the function to step into (from `stepInTargets`). */
  stepIn: { args: { stop: number; target?: string }; body: undefined };
  stepOut: { args: { stop: number }; body: undefined };
  stackTrace: { args: { stop: number; startFrame?: number; levels?: number }; body: { frames: readonly PyFrame[]; total: number } };
  scopes: { args: { stop: number; frame: number }; body: { scopes: readonly PyScope[] } };
  variables: {
    args: { stop: number; ref: number; start?: number; count?: number; evaluateName?: string };
    body: { variables: readonly PyVariable[]; total: number; named: boolean };
  };
  evaluate: {
    args: { stop: number; frame: number; expression: string; context?: string };
    body: { result: string; type: string | null; ref?: number | null; named?: number | null; indexed?: number | null };
  };
  /** Set Value: `value` evaluated in the frame `ref` was shown from, assigned to its child `name`. */
  setVariable: { args: { stop: number; ref: number; name: string; value: string }; body: PyVariable };
  /** Set Value on a Watch expression: `expression = value` run in the frame (the target: a name, an attribute, an item), then the expression read again. */
  setExpression: { args: { stop: number; frame: number; expression: string; value: string }; body: PyVariable };
  /** Jump to Cursor: the stopped frame's next line is `line` of `path` (refused with Python's words where it cannot go). */
  goto: { args: { stop: number; path: string; line: number }; body: { line: number } };
  /** Step Into Target: the calls the top frame's line makes, in the order Python makes them (another frame: none). */
  stepInTargets: { args: { stop: number; frame: number }; body: { targets: readonly PyStepInTarget[] } };
  /** The Debug Console's completions of `text` (the input up to the cursor), looked up in the frame, nothing evaluated. */
  completions: { args: { stop: number; frame: number; text: string }; body: PyCompletions };
}

/**
 * The main thread's innermost frame of the program's own code (`file`, `line`, `function`, the
 * line's `text`) and, when it is inside a library's function called from there, that function
 * (`inner`: "socket.accept").
 */
export interface MainThreadSite {
  readonly file?: string;
  readonly line?: number;
  readonly function?: string;
  readonly text?: string;
  readonly inner?: string;
}

/** A call a line makes: `label` as written (`q.put()`), `name` the called function's (`put`), where it is on the line (1-based columns). */
export interface PyStepInTarget {
  readonly label: string;
  readonly name: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** `word`: the partial name at the end of the text, which each target replaces. */
export interface PyCompletions {
  readonly word: string;
  readonly targets: readonly { readonly label: string; readonly type: 'keyword' | 'module' | 'class' | 'function' | 'property' | 'variable' | 'field' }[];
}
export type ControlCommand = keyof ControlCommands;

/** Supervisor only: let the run go on if the adapter goes away (else the supervisor stops it). */
export interface SupervisorRunOn {
  readonly command: 'runOn';
}

// ---------------------------------------------------------------------------------------------
// Process → adapter: events

/** First message of a process: who it is. */
export interface ProcessInfoBody {
  readonly pid: number;
  readonly ppid: number;
  readonly role: string;
  readonly name: string;
  readonly startMethod: string | null;
  readonly python: string;
}

/** What a process is about to do when it pauses before an operation. */
export interface OperationInfo {
  readonly kind: StopOnKind;
  /** The method the program called: put, get, acquire, start, map, ... */
  readonly op: string;
  /** The object's type as the program knows it: Queue, Lock, Process, Pool, QueueProxy, os. */
  readonly type: string;
  /** The channel's (or process object's) id, as in the tracer's events. */
  readonly id: string | null;
  /** A bounded repr of the payload (put, send) or the function (pool submit). */
  readonly preview?: string;
  /** A pool submission's arguments. */
  readonly args?: string;
  /** What only the process can tell: qsize, a lock's value and owner, a pipe's pending data... */
  readonly facts?: Readonly<Record<string, string | number | boolean | null>>;
}

export interface StoppedBody {
  /** Numbers this stop; commands name it, so one meant for an earlier stop is refused. */
  readonly stop: number;
  readonly reason: 'breakpoint' | 'step' | 'pause' | 'entry' | 'operation' | 'exception';
  readonly tid: number;
  readonly thread: string;
  readonly mainThread: boolean;
  readonly path?: string;
  readonly line?: number;
  readonly breakpoints?: readonly number[];
  /** A child started during a Step Into stopped at its first line of the program's code (reason 'step'): its role. */
  readonly child?: string;
  /** A Step Into ended here after starting this many children that stop as they start (not pool workers). */
  readonly children?: number;
  /** A function breakpoint stopped it: the function's (qualified) name. */
  readonly function?: string;
  /** E.g. an error in a breakpoint's condition. */
  readonly text?: string;
  readonly op?: OperationInfo;
  /** Set when an exception filter stopped it (reason 'exception'). */
  readonly exception?: ExceptionInfo;
}

/** The exception an exception filter stopped at: about to end a process or a thread, or a pool task's, about to go back to its caller. */
export interface ExceptionInfo {
  /** Its type, qualified unless a builtin or the main module's: ValueError, json.decoder.JSONDecodeError. */
  readonly type: string;
  readonly message: string;
  /** As Python prints it (bounded), without the tracer's own entries. */
  readonly traceback: string;
  /** Which filter stopped: raised in the user's code (`raised`), it ends a process or a thread (`uncaught`), a pool task raised it (`task`). */
  readonly where: ExceptionFilter;
}

export interface OutputBody {
  readonly category: 'console' | 'stdout' | 'stderr';
  readonly output: string;
  readonly path?: string;
  readonly line?: number;
}

export type ControlEvent =
  | { readonly event: 'process'; readonly body: ProcessInfoBody }
  | { readonly event: 'stopped'; readonly body: StoppedBody }
  | { readonly event: 'output'; readonly body: OutputBody };

export interface ControlResponse {
  readonly re: number;
  readonly ok: boolean;
  readonly body?: unknown;
  readonly error?: string;
}

export type ControlMessage = { readonly type: 'event'; readonly event: ControlEvent } | { readonly type: 'response'; readonly response: ControlResponse };

// ---------------------------------------------------------------------------------------------
// Validation on receipt

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The first line of a control connection. */
export function parseControlHandshake(line: string, token: string): Parsed<ControlHandshake> {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'handshake is not JSON' };
  }
  if (!isRecord(v)) return { ok: false, reason: 'handshake is not an object' };
  if (typeof v.token !== 'string' || !sameToken(v.token, token)) return { ok: false, reason: 'wrong or missing token' };
  if (v.pv !== PROTOCOL_VERSION) return { ok: false, reason: `unsupported protocol version ${JSON.stringify(v.pv)}` };
  if (!isInt(v.pid) || v.pid <= 0) return { ok: false, reason: 'handshake without a valid pid' };
  if (v.client !== 'debugger' && v.client !== 'supervisor') return { ok: false, reason: `unknown client ${JSON.stringify(v.client)}` };
  return { ok: true, value: { pid: v.pid, client: v.client } };
}

/** Any later line: an event or a response, checked for the fields the adapter relies on. */
export function parseControlMessage(line: string): Parsed<ControlMessage> {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!isRecord(v)) return { ok: false, reason: 'not an object' };
  if (isInt(v.re)) {
    if (typeof v.ok !== 'boolean') return { ok: false, reason: 'response without ok' };
    const response: ControlResponse = { re: v.re, ok: v.ok, body: v.body, ...(typeof v.error === 'string' ? { error: v.error } : {}) };
    return { ok: true, value: { type: 'response', response } };
  }
  const body = v.body;
  if (!isRecord(body)) return { ok: false, reason: 'event without a body' };
  switch (v.event) {
    case 'process':
      if (!isInt(body.pid)) return { ok: false, reason: 'process event without pid' };
      return { ok: true, value: { type: 'event', event: { event: 'process', body: body as unknown as ProcessInfoBody } } };
    case 'stopped': {
      if (!isInt(body.stop) || typeof body.reason !== 'string' || !isInt(body.tid)) return { ok: false, reason: 'stopped event without stop, reason or tid' };
      const op = body.op;
      if (op !== undefined && (!isRecord(op) || !isStopOnKind(op.kind) || typeof op.op !== 'string')) return { ok: false, reason: 'stopped event with a bad op' };
      return { ok: true, value: { type: 'event', event: { event: 'stopped', body: body as unknown as StoppedBody } } };
    }
    case 'output':
      if (typeof body.output !== 'string') return { ok: false, reason: 'output event without output' };
      return { ok: true, value: { type: 'event', event: { event: 'output', body: body as unknown as OutputBody } } };
    default:
      return { ok: false, reason: `unknown event ${JSON.stringify(v.event)}` };
  }
}
