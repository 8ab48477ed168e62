/**
 * The live debug backend: a traced run whose every Python process holds a control connection.
 *
 *   adapter ── prepareTracedRun (PROCESS_VIEW_DEBUG_PORT set) ──► supervisor ──► script ─► children
 *      │  events (one way, up): recordRun (Session, sampler, recording), as every run
 *      └─ ControlServer ◄── one connection per process (commands down, stops up) + the supervisor's
 *
 * A process appears (one DAP thread) when the Session or its own connection says so, and leaves
 * when the Session says it ended or its connection closes. Stops come from the connections; the
 * Session describes them ("Queue@line 9") and fills the Process and Operation scopes.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { existsSync, mkdirSync } from 'node:fs';
import { isExceptionFilter, type BreakpointResult, type BreakpointSpec, type ExceptionConditions, type ExceptionFilter, type FunctionBreakpointSpec, type OperationInfo, type ProcessInfoBody, type PyCompletions, type PyFrame, type PyScope, type PyStepInTarget, type PyVariable, type StopOnKind, type StoppedBody } from '../protocol/control';
import type { ProcessRole } from '../protocol/events';
import { recordRun, type RecordedRun } from '../run';
import type { Session } from '../session';
import { ALIVE_STATES, newestProcess, type ProcessNode, type SessionSnapshot } from '../session/model';
import { defaultTransport, prepareTracedRun, untestedPythonNote, withAddress, type PreparedRun, type RunSource, type TracedRun } from '../tracer';
import type { BackendCapabilities, DebugBackend, DebugProcess, Disposable, FactRow, OutputText, ProcessStop, ResumeKind, RunEnd } from './backend';
import { ControlConnection, ControlError, ControlServer } from './controlServer';
import { plain, type Localize } from '../localize';
import { findChannel, operationFacts, pauseWaitNote, pauseWhereNote, processFacts, stopDescription } from './describe';
import { LIVE_STOP_FILTERS, liveCapabilities } from './capabilities';
import { Emitter } from './emitter';

export interface LiveLaunchOptions {
  readonly program: string;
  readonly args?: readonly string[];
  readonly cwd?: string;
  /** Added to the adapter's environment. */
  readonly env?: Readonly<Record<string, string | null>>;
  readonly python?: string;
  readonly stopOnEntry?: boolean;
  readonly stopOn?: readonly StopOnKind[];
  /** Breakpoints set before the run starts, by source path. */
  readonly breakpoints?: ReadonlyMap<string, readonly BreakpointSpec[]>;
  /** Function breakpoints set before the run starts. */
  readonly functionBreakpoints?: readonly FunctionBreakpointSpec[];
  /** Exception filters set before the run starts (DAP setExceptionBreakpoints); default: those on by default. */
  readonly stopFilters?: readonly string[];
  /** Their conditions (the exception types they stop for). */
  readonly stopFilterConditions?: ExceptionConditions;
  /** Where the run's recording goes (default: a file in the temporary folder). */
  readonly recording?: string;
  /**
   * Start the program in the client's terminal (DAP runInTerminal); without it the program's
   * output comes as output events and its stdin is closed.
   */
  readonly runInTerminal?: (request: { cwd: string; args: string[]; env: Record<string, string | null>; title: string }) => Promise<void>;
  /** When the adapter goes away while the run goes on: stop it (default) or let it run on. */
  readonly onAdapterLost?: 'stop' | 'runOn';
  readonly localize?: Localize;
  readonly samplingIntervalMs?: number;
  readonly tracerDir?: string;
}

interface Tracked {
  readonly pid: number;
  conn: ControlConnection | null;
  info: ProcessInfoBody | null;
  stop: ProcessStop | null;
  /** Its connection closed: it is gone (or will run on undebugged). */
  closed: boolean;
  /** Shown as a thread (started sent, exited not yet). */
  shown: DebugProcess | null;
  /** A Pause is pending: when it fires, the Debug Console says where the process is if it has not stopped. */
  whereTimer?: ReturnType<typeof setTimeout> | null;
}

// A process blocked in a reported wait ('waiting': a join, a get...) is as alive as a sleeping one.
const ALIVE: ReadonlySet<string> = ALIVE_STATES;

/**
 * How long the client's terminal may take to start the program: its answer to runInTerminal, and
 * the supervisor's connection. Generous (a loaded machine can take long to open a terminal and
 * start Python), and the bound is not what decides: the supervisor connecting is the evidence that
 * the program started, and it counts whenever it comes, before the client's answer or after.
 */
export const TERMINAL_START_MS = 300_000;

/**
 * How long the stop that ends a Step Into which started children waits for them to stop first
 * (at their first line: they take the focus). VS Code handles two close stops concurrently and
 * focuses whichever's stack comes back last, so the parent's is told after the children's, with
 * the focus left where they put it. A bound, not a guess: a child that never stops releases it.
 */
const CHILD_STOP_WAIT_MS = 15_000;

/**
 * How long a Pause may go without a stop before the Debug Console says where the process's main
 * thread is. A process running its Python code stops within milliseconds (at its next line); one
 * that has not after a second is in a call that has not returned (`time.sleep`, `accept()`,
 * `input()`), where Python runs none of its code to stop at. What is said is read from the process
 * then, not guessed from the time.
 */
const PAUSE_WHERE_MS = 1000;
/** How long a stop's description waits for the Session to learn the channel its operation is on. */
const OBJECT_WAIT_MS = 1000;

/** The recording's default place: the temporary folder, named after the script. */
export function defaultRecordingPath(program: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const dir = path.join(os.tmpdir(), 'process-view-debug');
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  return path.join(dir, `${path.basename(program, path.extname(program))}.${stamp}.${process.pid}.pv.jsonl`);
}

export class LiveDebugBackend implements DebugBackend {
  /** liveCapabilities: Set Value, forwards only, the exception filters. */
  readonly capabilities: BackendCapabilities;
  private readonly started = new Emitter<DebugProcess>();
  private readonly exited = new Emitter<DebugProcess>();
  private readonly stopped = new Emitter<ProcessStop>();
  private readonly continued = new Emitter<number>();
  private readonly output = new Emitter<OutputText>();
  readonly notes: string[] = [];
  private readonly verified = new Emitter<{ path: string; breakpoints: readonly BreakpointResult[] }>();
  private readonly ended = new Emitter<RunEnd>();
  readonly onProcessStarted = this.started.event;
  readonly onProcessExited = this.exited.event;
  readonly onStopped = this.stopped.event;
  readonly onContinued = this.continued.event;
  readonly onOutput = this.output.event;
  readonly onBreakpointsVerified = this.verified.event;
  readonly onEnded = this.ended.event;

  /** Where the recording is written. */
  readonly recordingPath: string;
  private readonly tracked = new Map<number, Tracked>();
  /** Live processes in the order they appeared. */
  private order: Tracked[] = [];
  private readonly breakpoints = new Map<string, readonly BreakpointSpec[]>();
  private readonly pendingVerification = new Set<string>();
  private functionBreakpoints: readonly FunctionBreakpointSpec[];
  private stopOn: readonly StopOnKind[];
  private exceptions: readonly ExceptionFilter[];
  private exceptionConditions: ExceptionConditions;
  private supervisorConn: ControlConnection | null = null;
  private readonly disposables: Disposable[] = [];
  private endedFlag = false;
  private runEnd: RunEnd | null = null;
  private readonly t: Localize;

  private recorded: RecordedRun | null = null;
  /** A parent's stop held back until the children its Step Into started have stopped (CHILD_STOP_WAIT_MS). */
  private held: { tr: Tracked; stop: ProcessStop; remaining: number; timer: ReturnType<typeof setTimeout> } | null = null;
  /** Children stopped at their first line before their parent's step ended, not yet counted for it. */
  private earlyChildStops = 0;
  /** Objects a stop waited a whole OBJECT_WAIT_MS for in vain: later stops on them do not wait again. */
  private readonly neverKnown = new Set<string>();
  private wired!: () => void;
  /** Resolves once the run is started and its events flow into the Session. */
  private readonly whenWired = new Promise<void>((resolve) => (this.wired = resolve));

  private constructor(
    private readonly options: LiveLaunchOptions,
    private readonly control: ControlServer,
    program: string,
  ) {
    this.t = options.localize ?? plain;
    this.stopOn = options.stopOn ?? [];
    this.functionBreakpoints = options.functionBreakpoints ?? [];
    this.capabilities = liveCapabilities(this.t);
    this.exceptions = options.stopFilters
      ? options.stopFilters.filter(isExceptionFilter)
      : LIVE_STOP_FILTERS.filter((f) => f.default).map((f) => f.id);
    this.exceptionConditions = options.stopFilterConditions ?? {};
    for (const [p, specs] of options.breakpoints ?? []) {
      this.breakpoints.set(p, specs);
      this.pendingVerification.add(p);
    }
    this.recordingPath = options.recording ?? defaultRecordingPath(program);
  }

  /** Start the program under the debugger. Rejects with a message for the user when it cannot. */
  static async launch(options: LiveLaunchOptions): Promise<LiveDebugBackend> {
    const cwd = options.cwd ?? path.dirname(path.resolve(options.program));
    const program = path.resolve(cwd, options.program);
    if (!existsSync(program)) throw new Error(`The program ${program} does not exist.`);
    const control = await ControlServer.listen(defaultTransport());
    const backend = new LiveDebugBackend(options, control, program);
    control.onConnection((conn) => backend.attach(conn));

    let env: NodeJS.ProcessEnv = { ...process.env };
    for (const [k, v] of Object.entries(options.env ?? {})) {
      if (v === null) delete env[k];
      else env[k] = v;
    }
    env = withAddress(env, control.address, 'PROCESS_VIEW_DEBUG_SOCKET', 'PROCESS_VIEW_DEBUG_PORT');
    if (options.onAdapterLost === 'runOn') env.PROCESS_VIEW_DEBUG_ON_LOST = 'run-on';
    const inTerminal = options.runInTerminal;
    // Through a pipe Python would hold prints back; line-buffered like a terminal (docs/protocol.md).
    if (!inTerminal) env.PROCESS_VIEW_LINE_BUFFERED = '1';
    let prepared: PreparedRun;
    try {
      prepared = await prepareTracedRun({
        script: program,
        args: options.args ?? [],
        ...(options.python ? { python: options.python } : {}),
        cwd,
        env,
        stdio: 'pipe',
        ...(options.tracerDir ? { tracerDir: options.tracerDir } : {}),
      });
    } catch (e) {
      await control.close();
      throw e;
    }
    // The control channel takes the run's token (nothing has started that could connect yet).
    control.setToken(prepared.token);
    const untested = untestedPythonNote(prepared.python, backend.t);
    if (untested) backend.notes.push(untested);
    let source: RunSource;
    let traced: TracedRun | null = null;
    try {
      if (inTerminal) {
        // The client's terminal runs the supervisor's command; the supervisor connects back.
        const c = prepared.command;
        const attached = prepared.attach(TERMINAL_START_MS);
        attached.catch(() => undefined); // awaited below; a failed answer may come first
        const answered = inTerminal({ cwd: c.cwd, args: [c.file, ...c.args], env: terminalEnv(c.env, options.env ?? {}), title: path.basename(program) });
        // Started once the supervisor connects, answered or not; a failure answer counts only before that.
        source = await Promise.race([attached, answered.then(() => attached)]);
      } else {
        traced = await prepared.start('pipe');
        source = traced;
      }
    } catch (e) {
      await prepared.cancel().catch(() => undefined);
      await control.close();
      throw e;
    }
    const recorded = recordRun(source, {
      script: program,
      args: options.args ?? [],
      recordingPath: backend.recordingPath,
      ...(options.samplingIntervalMs ? { samplingIntervalMs: options.samplingIntervalMs } : {}),
    });
    backend.wire(recorded, traced);
    return backend;
  }

  private wire(recorded: RecordedRun, traced: TracedRun | null): void {
    this.recorded = recorded;
    this.disposables.push(recorded.session.onDidChange(() => this.refresh()));
    this.wired();
    this.refresh();

    const streams: Array<Promise<void>> = [];
    for (const [stream, category] of [
      [traced?.stdout, 'stdout'],
      [traced?.stderr, 'stderr'],
    ] as const) {
      if (!stream) continue;
      stream.setEncoding('utf8');
      stream.on('data', (text: string) => this.output.fire({ category, text }));
      streams.push(new Promise((resolve) => stream.once('close', () => resolve())));
    }
    traced?.stdin?.on('error', () => undefined);
    traced?.stdin?.end(); // no terminal: the program reads end of file, as with `< /dev/null`
    void recorded.ended.then(async (end) => {
      // The last output may still be in the pipes.
      await Promise.race([Promise.all(streams), delay(2000)]);
      if (end.recordingError) this.output.fire({ category: 'important', text: `${this.t('The recording is incomplete: {0}', end.recordingError)}\n` });
      this.finish({ exitCode: end.exitCode, signal: end.signal });
    });
  }

  /** The run's model (the one its recording is written from); there once the run has started. */
  get session(): Session {
    if (!this.recorded) throw new Error('The program has not started yet.');
    return this.recorded.session;
  }

  private finish(end: RunEnd): void {
    if (this.endedFlag) return;
    this.endedFlag = true;
    this.runEnd = end;
    for (const tr of this.order) {
      if (tr.shown) this.exited.fire(tr.shown);
      tr.shown = null;
    }
    this.order = [];
    void this.control.close();
    this.ended.fire(end);
  }

  /** How the run ended, once it has. */
  get end(): RunEnd | null {
    return this.runEnd;
  }

  // ---------------------------------------------------------------------------------------------
  // Processes

  private track(pid: number): Tracked {
    let tr = this.tracked.get(pid);
    if (!tr || (tr.closed && tr.conn !== null)) {
      tr = { pid, conn: null, info: null, stop: null, closed: false, shown: null };
      this.tracked.set(pid, tr);
    }
    return tr;
  }

  private attach(conn: ControlConnection): void {
    if (conn.client === 'supervisor') {
      this.supervisorConn = conn;
      if (this.options.onAdapterLost === 'runOn') conn.notify({ command: 'runOn' });
      return;
    }
    const tr = this.track(conn.pid);
    tr.conn = conn;
    tr.closed = false;
    conn.onEvent((e) => {
      switch (e.event) {
        case 'process':
          tr.info = e.body;
          void this.configure(tr, conn);
          this.refresh();
          break;
        case 'stopped':
          void this.onStop(tr, conn, e.body);
          break;
        case 'output':
          this.output.fire({ category: 'console', text: e.body.output, ...(e.body.path && e.body.line ? { site: { file: e.body.path, line: e.body.line } } : {}) });
          break;
        default:
          break;
      }
    });
    conn.onClose(() => {
      tr.closed = true;
      if (this.held?.tr === tr) {
        clearTimeout(this.held.timer);
        this.held = null;
      } else if (this.held && --this.held.remaining <= 0) {
        this.release(); // a child that ended without reaching a line of the program's code (target=time.sleep)
      }
      if (tr.stop) {
        tr.stop = null;
        this.continued.fire(tr.pid);
      }
      this.refresh();
    });
  }

  private async configure(tr: Tracked, conn: ControlConnection): Promise<void> {
    const breakpoints: Record<string, readonly BreakpointSpec[]> = {};
    for (const [p, specs] of this.breakpoints) breakpoints[p] = specs;
    try {
      const body = await conn.request('configure', {
        breakpoints,
        functionBreakpoints: this.functionBreakpoints,
        stopOn: this.stopOn,
        exceptions: this.exceptions,
        exceptionConditions: this.exceptionConditions,
        stopOnEntry: this.options.stopOnEntry === true && tr.info?.role === 'main',
      });
      for (const [p, results] of Object.entries(body.breakpoints)) {
        if (this.pendingVerification.delete(p)) this.verified.fire({ path: p, breakpoints: results });
      }
    } catch {
      // The process went away (or will run undebugged after its bounded wait).
    }
  }

  /** Recompute the live processes; fire started/exited for the difference. */
  private refresh(): void {
    if (this.endedFlag || this.recorded === null) return;
    const snap = this.session.snapshot();
    const newest = new Map<number, ProcessNode>();
    for (const p of snap.processes) newest.set(p.pid, p);
    const live = new Set<number>();
    for (const [pid, p] of newest) if (ALIVE.has(p.state)) live.add(pid);
    for (const tr of this.tracked.values()) {
      if (tr.conn && !tr.closed && !newest.has(tr.pid)) live.add(tr.pid); // connected before its hello arrived
      if (tr.closed) live.delete(tr.pid);
    }
    for (const pid of live) {
      const tr = this.track(pid);
      if (tr.shown === null) {
        tr.shown = this.describeProcess(pid, newest.get(pid), tr);
        this.order.push(tr);
        this.started.fire(tr.shown);
      } else {
        tr.shown = this.describeProcess(pid, newest.get(pid), tr);
      }
    }
    for (const tr of [...this.order]) {
      if (!live.has(tr.pid) && tr.shown) {
        const shown = tr.shown;
        tr.shown = null;
        this.order = this.order.filter((x) => x !== tr);
        if (tr.stop) tr.stop = null;
        this.exited.fire(shown);
      }
    }
  }

  private describeProcess(pid: number, node: ProcessNode | undefined, tr: Tracked): DebugProcess {
    const info = tr.info;
    const name = node?.name && node.name !== '?' ? node.name : (info?.name ?? '?');
    return {
      pid,
      ppid: node?.ppid ?? info?.ppid ?? null,
      name,
      role: (node?.role ?? info?.role ?? 'child') as ProcessRole,
      debuggable: tr.conn !== null && !tr.closed,
    };
  }

  processes(): DebugProcess[] {
    return this.order.map((tr) => tr.shown).filter((p): p is DebugProcess => p !== null);
  }

  stopOf(pid: number): ProcessStop | undefined {
    return this.tracked.get(pid)?.stop ?? undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // Stops

  private async onStop(tr: Tracked, conn: ControlConnection, body: StoppedBody): Promise<void> {
    // The process flushed its events before it stopped, but they travel on another connection,
    // and the object may have been created by another process, whose sender thread a busy machine
    // can starve for over half a second: wait (up to OBJECT_WAIT_MS, only while it is unknown)
    // until the Session knows the channel the operation is about. A process operation's text
    // comes from the stop itself (name, pid), and its object is never a channel: no wait (each
    // join paused a second here).
    const op = body.op ?? null;
    await this.whenWired; // a stop on entry can come before the run is recorded
    if (op?.id && op.kind !== 'process' && !this.neverKnown.has(op.id)) {
      const deadline = Date.now() + OBJECT_WAIT_MS;
      let known = findChannel(this.session.snapshot(), op.id) !== undefined;
      while (!known && Date.now() < deadline && !conn.closed) {
        await delay(15);
        known = findChannel(this.session.snapshot(), op.id) !== undefined;
      }
      if (!known && !conn.closed) this.neverKnown.add(op.id);
    }
    if (conn.closed || tr.conn !== conn) return;
    this.refresh();
    const site = body.path && body.line ? { file: body.path, line: body.line } : null;
    const exc = body.exception;
    const what = exc
      ? exc.where === 'task'
        ? this.t('Paused where a pool task raised an exception')
        : exc.where === 'raised'
          ? this.t('Paused on a raised exception')
          : this.t('Paused on an uncaught exception')
      : body.function
        ? this.t('Paused on entering {0} (function breakpoint)', body.function)
        : body.child
          ? this.t('Stepped in from its parent') // short: VS Code's Call Stack shows it beside the process's name
          : stopDescription(body.reason, op, this.session.snapshot(), site, this.t);
    const stop: ProcessStop = {
      pid: tr.pid,
      stop: body.stop,
      reason: body.reason,
      description: this.inThread(what, body.mainThread, body.thread),
      text: body.text ?? (exc ? (exc.message ? `${exc.type}: ${exc.message}` : exc.type) : null),
      thread: body.thread,
      mainThread: body.mainThread,
      site,
      breakpointIds: body.breakpoints ?? [],
      op: op as OperationInfo | null,
      ...(body.child ? { focus: true } : {}),
      ...(exc ? { exception: { id: exc.type, description: exc.message, details: exc.traceback, ...(exc.where === 'raised' ? { breakMode: 'always' as const } : {}) } } : {}),
    };
    tr.stop = stop;
    if (tr.whereTimer) {
      // The Pause (or another stop) came: nothing to say about where it is.
      clearTimeout(tr.whereTimer);
      tr.whereTimer = null;
    }
    if (body.child && body.child !== 'pool-worker') {
      this.stopped.fire(stop);
      const h = this.held;
      if (h && --h.remaining <= 0) this.release();
      else if (!h) this.earlyChildStops++;
      return;
    }
    const early = Math.min(body.children ?? 0, this.earlyChildStops);
    this.earlyChildStops -= early;
    const remaining = (body.children ?? 0) - early;
    if (remaining > 0 && !this.held) {
      this.held = { tr, stop, remaining, timer: setTimeout(() => this.release(), CHILD_STOP_WAIT_MS) };
      return;
    }
    this.stopped.fire(stop);
  }

  /** Tells the held stop (if its process is still in it). */
  private release(): void {
    const h = this.held;
    if (!h) return;
    this.held = null;
    clearTimeout(h.timer);
    if (h.tr.stop === h.stop) this.stopped.fire(h.stop);
  }

  /** A stop's description, naming its thread when it is not the main one. */
  private inThread(what: string, mainThread: boolean, thread: string): string {
    return mainThread ? what : this.t('{0} (thread {1})', what, thread);
  }

  private stoppedConn(pid: number): { tr: Tracked; conn: ControlConnection; stop: ProcessStop } {
    const tr = this.tracked.get(pid);
    if (!tr?.conn || tr.closed) throw new Error(this.t('Process {0} cannot be debugged (it has no control connection).', pid));
    if (!tr.stop) throw new Error(this.t('Process {0} is running.', pid));
    return { tr, conn: tr.conn, stop: tr.stop };
  }

  async resume(pid: number, how: ResumeKind, target?: string): Promise<void> {
    const { tr, conn, stop } = this.stoppedConn(pid);
    tr.stop = null;
    try {
      await conn.request(how, { stop: stop.stop, ...(how === 'stepIn' && target ? { target } : {}) });
    } catch (e) {
      if (e instanceof ControlError && e.kind !== 'refused') return; // gone meanwhile: nothing to resume
      throw e;
    }
  }

  async pause(pid: number): Promise<void> {
    // A Python process just started may not have connected yet: give it a moment.
    const deadline = Date.now() + 5000;
    const python = (): boolean => {
      const node = newestProcess(this.session.snapshot(), pid);
      return node !== undefined && node.role !== 'external' && ALIVE.has(node.state);
    };
    const ready = (): boolean => Boolean(this.tracked.get(pid)?.info) && !this.tracked.get(pid)?.closed;
    while (Date.now() < deadline && !this.endedFlag && python() && !ready()) await delay(50);
    const tr = this.tracked.get(pid);
    if (!tr?.conn || tr.closed) {
      const role = tr?.shown?.role ?? newestProcess(this.session.snapshot(), pid)?.role;
      throw new Error(
        role === 'external'
          ? this.t('Process {0} is not a Python process: it cannot be paused.', pid)
          : this.t('Process {0} cannot be debugged (it has no control connection).', pid),
      );
    }
    if (tr.stop) return;
    const body = await tr.conn.request('pause', {});
    if (body.helper) throw new Error(this.t('Process {0} is a helper process of multiprocessing: none of your code runs in it to pause at.', pid));
    if (!tr.stop) {
      const snapshot = this.moment();
      const node = newestProcess(snapshot, pid);
      const note = node ? pauseWaitNote(node, snapshot, this.t) : null;
      if (note) this.output.fire({ category: 'console', text: `${note}\n` });
      else tr.whereTimer ??= setTimeout(() => void this.sayWhere(tr), PAUSE_WHERE_MS);
    }
  }

  /** A Pause that has not stopped the process: say where its main thread is, in a call that has not returned. */
  private async sayWhere(tr: Tracked): Promise<void> {
    tr.whereTimer = null;
    if (tr.stop || tr.closed || !tr.conn || this.endedFlag) return;
    const at = await tr.conn.request('where', {}).catch(() => null);
    if (!at || tr.stop || tr.closed || typeof at.file !== 'string' || typeof at.line !== 'number') return;
    const text = pauseWhereNote(newestProcess(this.session.snapshot(), tr.pid), tr.pid, { ...at, file: at.file, line: at.line }, this.t);
    this.output.fire({ category: 'console', text: `${text}\n`, site: { file: at.file, line: at.line } });
  }

  async stackTrace(pid: number, startFrame: number, levels: number): Promise<{ frames: readonly PyFrame[]; total: number }> {
    const { conn, stop } = this.stoppedConn(pid);
    return conn.request('stackTrace', { stop: stop.stop, startFrame, levels });
  }

  async scopes(pid: number, frame: number): Promise<readonly PyScope[]> {
    const { conn, stop } = this.stoppedConn(pid);
    return (await conn.request('scopes', { stop: stop.stop, frame })).scopes;
  }

  async variables(pid: number, ref: number, options: { start?: number; count?: number; evaluateName?: string }): Promise<{ variables: readonly PyVariable[]; total: number }> {
    const { conn, stop } = this.stoppedConn(pid);
    return conn.request('variables', { stop: stop.stop, ref, ...options });
  }

  async evaluate(pid: number, frame: number, expression: string, context?: string): Promise<{ result: string; type: string | null; ref?: number | null; named?: number | null; indexed?: number | null }> {
    const { conn, stop } = this.stoppedConn(pid);
    return conn.request('evaluate', { stop: stop.stop, frame, expression, ...(context ? { context } : {}) }, 60_000);
  }

  async setVariable(pid: number, ref: number, name: string, value: string): Promise<PyVariable> {
    const { conn, stop } = this.stoppedConn(pid);
    return conn.request('setVariable', { stop: stop.stop, ref, name, value }, 60_000);
  }

  async setExpression(pid: number, frame: number, expression: string, value: string): Promise<PyVariable> {
    const { conn, stop } = this.stoppedConn(pid);
    return conn.request('setExpression', { stop: stop.stop, frame, expression, value }, 60_000);
  }

  async terminateProcess(pid: number): Promise<void> {
    // Only a process of this run that the run's model still sees alive: a pid that ended may
    // already be another program's.
    const node = newestProcess(this.session.snapshot(), pid);
    if (!this.tracked.get(pid)?.shown || !node || !ALIVE.has(node.state)) {
      throw new Error(this.t('Process {0} is not a running process of this run.', pid));
    }
    process.kill(pid, 'SIGTERM'); // as Process.terminate(): a paused process ends too (its stop is a wait on a lock)
  }

  async goto(pid: number, path: string, line: number): Promise<void> {
    const { tr, conn, stop } = this.stoppedConn(pid);
    const body = await conn.request('goto', { stop: stop.stop, path, line }, 60_000);
    if (tr.stop !== stop) return; // resumed meanwhile (the connection was lost)
    const site = { file: stop.site?.file ?? path, line: body.line };
    const what = this.t('Jumped to line {0}', body.line);
    const moved: ProcessStop = {
      ...stop,
      reason: 'goto',
      description: this.inThread(what, stop.mainThread, stop.thread),
      text: null,
      site,
      breakpointIds: [],
      op: null,
    };
    tr.stop = moved;
    // After the goto's answer, as DAP orders them: the client then asks for the moved frame.
    setImmediate(() => {
      if (tr.stop === moved) this.stopped.fire(moved);
    });
  }

  async stepInTargets(pid: number, frame: number): Promise<readonly PyStepInTarget[]> {
    const { conn, stop } = this.stoppedConn(pid);
    return (await conn.request('stepInTargets', { stop: stop.stop, frame })).targets;
  }

  async completions(pid: number, frame: number, text: string): Promise<PyCompletions> {
    const { conn, stop } = this.stoppedConn(pid);
    return conn.request('completions', { stop: stop.stop, frame, text });
  }

  /**
   * The Session's snapshot, timed now while the run goes on: its own `nowMs` is its latest event
   * or sample, and a wait that began at that one would read "0 ms so far" however long it lasted.
   */
  private moment(): SessionSnapshot {
    const snapshot = this.session.snapshot();
    if (this.endedFlag || this.recorded === null) return snapshot;
    return { ...snapshot, nowMs: Math.max(snapshot.nowMs, this.recorded.nowMs()) };
  }

  processFacts(pid: number): FactRow[] {
    const snapshot = this.moment();
    return processFacts(newestProcess(snapshot, pid), pid, this.t, snapshot, this.tracked.get(pid)?.stop?.thread);
  }

  operationFacts(pid: number): FactRow[] {
    const stop = this.tracked.get(pid)?.stop;
    if (!stop?.op) return [];
    const session = this.session;
    const snapshot = session.snapshot();
    const channel = stop.op.kind === 'process' ? undefined : findChannel(snapshot, stop.op.id);
    const state = channel ? session.channelStatesAt(snapshot.nowMs, 0).find((s) => s.id === channel.id) : undefined;
    return operationFacts(stop.op, pid, snapshot, stop.site, state, this.t);
  }

  // ---------------------------------------------------------------------------------------------
  // Configuration while running

  async setBreakpoints(p: string, specs: readonly BreakpointSpec[]): Promise<readonly BreakpointResult[]> {
    this.breakpoints.set(p, specs);
    const conns = [...this.tracked.values()].filter((tr) => tr.conn && !tr.closed && tr.info).map((tr) => tr.conn!);
    if (conns.length === 0) {
      this.pendingVerification.add(p);
      return specs.map((s) => ({ id: s.id, verified: false, message: this.t('Not verified yet: no process of the run is running.') }));
    }
    const results = await Promise.allSettled(conns.map((c) => c.request('setBreakpoints', { path: p, breakpoints: specs })));
    for (const r of results) if (r.status === 'fulfilled') return r.value.breakpoints;
    this.pendingVerification.add(p);
    return specs.map((s) => ({ id: s.id, verified: false, message: this.t('Not verified yet: no process answered.') }));
  }

  async setFunctionBreakpoints(specs: readonly FunctionBreakpointSpec[]): Promise<readonly BreakpointResult[]> {
    this.functionBreakpoints = specs;
    const results = await Promise.allSettled(this.connections().map((c) => c.request('setFunctionBreakpoints', { breakpoints: specs })));
    for (const r of results) if (r.status === 'fulfilled') return r.value.breakpoints;
    // No process answered (none yet): each process takes them as it starts.
    return specs.map((s) => ({ id: s.id, verified: true }));
  }

  async setStopFilters(ids: readonly string[], conditions: ExceptionConditions = {}): Promise<void> {
    const filters = ids.filter(isExceptionFilter);
    this.exceptions = filters;
    this.exceptionConditions = conditions;
    await Promise.allSettled(this.connections().map((c) => c.request('setExceptions', { filters, conditions })));
  }

  async setStopOn(kinds: readonly StopOnKind[]): Promise<void> {
    this.stopOn = kinds;
    await Promise.allSettled(this.connections().map((c) => c.request('setStopOn', { kinds })));
  }

  /** The control connections of the processes that are still connected. */
  private connections(): ControlConnection[] {
    return [...this.tracked.values()].flatMap((tr) => (tr.conn && !tr.closed ? [tr.conn] : []));
  }

  // ---------------------------------------------------------------------------------------------
  // Ending

  async terminate(): Promise<void> {
    if (!this.recorded || this.endedFlag) return;
    // The supervisor's SIGTERM, then a sweep over every process the run ever had (orphans too).
    await this.recorded.stop();
  }

  async detach(): Promise<void> {
    this.supervisorConn?.notify({ command: 'runOn' });
    await Promise.allSettled(this.connections().map((c) => c.request('detach', {}, 3000)));
  }

  dispose(): void {
    if (this.held) clearTimeout(this.held.timer);
    for (const tr of this.tracked.values()) if (tr.whereTimer) clearTimeout(tr.whereTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
    void this.control.close();
    for (const e of [this.started, this.exited, this.stopped, this.continued, this.output, this.verified, this.ended]) e.clear();
  }
}

/** The environment a client's terminal needs: what the run's differs in from ours, and the removals the launch asked for. */
function terminalEnv(runEnv: NodeJS.ProcessEnv, launchEnv: Readonly<Record<string, string | null>>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(runEnv)) if (v !== undefined && process.env[k] !== v) out[k] = v;
  for (const [k, v] of Object.entries(launchEnv)) if (v === null) out[k] = null;
  return out;
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
