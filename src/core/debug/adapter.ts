/**
 * The DAP front of Process View's debugger: one debug session for a whole run, one DAP thread
 * per OS process (threadId = pid), each stopping and resuming on its own.
 *
 * It speaks DAP through @vscode/debugadapter and asks a DebugBackend (backend.ts) for everything
 * about the program: the live backend today, a replay backend later. Frame ids and variable
 * references are kept per process and are valid only while that process stays in the same stop.
 * Served inline by the extension (vscode.DebugAdapterInlineImplementation) and on stdio by
 * `process-view debug-adapter` (src/cli/debugAdapter.ts).
 *
 * No `vscode` import here, ever.
 */
import { DebugSession, Event as DapEvent, OutputEvent, StoppedEvent, TerminatedEvent, ThreadEvent } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as path from 'node:path';
import { isExceptionFilter, isStopOnKind, STOP_ON_KINDS, type BreakpointSpec, type ExceptionConditions, type FunctionBreakpointSpec, type StopOnKind } from '../protocol/control';
import type { BackendCapabilities, DebugBackend, DebugProcess, Disposable, ProcessStop, ReplayLaunchOptions, ResumeKind } from './backend';
import { liveCapabilities, replayCapabilities } from './capabilities';
import { plain, type Localize } from '../localize';
import { threadName } from './describe';
import { parseExceptionCondition, type ExceptionCondition } from './exceptionCondition';
import { parseFunctionName } from './functionName';
import { localizerFor } from '../l10n';
import { searchRoots } from '../replay/sources';
import { LiveDebugBackend, TERMINAL_START_MS, type LiveLaunchOptions } from './live';

/** The launch configuration (docs/debugging.md). */
export interface ProcessViewLaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** The Python script to run. */
  program: string;
  args?: string[];
  cwd?: string;
  /** Added to the environment (null removes a variable). */
  env?: Record<string, string | null>;
  /** The interpreter (or a pyenv-style shim); default python3, then python. */
  python?: string;
  stopOnEntry?: boolean;
  /** Pause before these kinds of operation: process, queue, pipe, lock, event, pool, manager. */
  stopOn?: string[];
  /** integratedTerminal (default when the client can run one) or internalConsole (output events). */
  console?: 'integratedTerminal' | 'internalConsole';
  /**
   * Without `program`: the recording to debug (time travel: no program runs; step forwards and
   * back through it). With `program`: where the run's recording goes.
   */
  recording?: string;
  /** A recording: where to stop first ('start', 'end'; default: run to the first breakpoint or stop filter). */
  startAt?: 'start' | 'end';
  /** When the debug session ends by a disconnect: stop the run (default) or let it run on. */
  onDisconnect?: 'stop' | 'runOn';
}

export interface DebugAdapterOptions {
  /** Localizes what the adapter says (the extension passes l10n.t). */
  readonly localize?: Localize;
  readonly tracerDir?: string;
  /** Builds the backend for a launch (default: the live backend). */
  readonly createBackend?: (options: LiveLaunchOptions) => Promise<DebugBackend>;
  /** Builds the backend for a recording (time travel). */
  readonly createReplayBackend?: (options: ReplayLaunchOptions) => Promise<DebugBackend>;
  /** Called with each backend the session creates (a lesson runner or the views follow the run through it). */
  readonly onBackend?: (backend: DebugBackend) => void;
  /**
   * The launch configuration, when the client knows it before `initialize` (VS Code's
   * DebugSession.configuration): the initialize response then names the run's stop filters, the
   * only place VS Code takes them from for its Breakpoints view.
   */
  readonly configuration?: Partial<ProcessViewLaunchArguments>;
  /** Where a run's recording goes when the launch configuration does not say (the extension: its storage). */
  readonly recordingFor?: (program: string) => string;
}

type VarHandle =
  | { readonly pid: number; readonly stop: number; readonly kind: 'py'; readonly ref: number; readonly evaluateName?: string }
  | { readonly pid: number; readonly stop: number; readonly kind: 'process' | 'operation' };

interface FrameHandle {
  readonly pid: number;
  readonly stop: number;
  readonly index: number;
}

/**
 * How long launch waits for configurationDone (the breakpoints and stop filters come before it)
 * before it starts anyway: a hang guard for a client that never sends it. Generous, because
 * starting early loses the user's breakpoints, and on a loaded machine VS Code's requests can
 * take many seconds to arrive (a recording that started without its stop filters ran to its end).
 */
const CONFIGURATION_WAIT_MS = 60_000;
/**
 * How long `initialized` waits for the launch (which it follows, launchRequest) before it is sent
 * anyway: a client that waits for `initialized` before it launches then works, with the stop
 * filters offered after it. VS Code and nvim-dap launch at once; long enough that a loaded
 * machine's round trip from the initialize response to the launch does not reach it.
 */
const INITIALIZED_FALLBACK_MS = 10_000;

export class ProcessViewDebugSession extends DebugSession {
  private backend: DebugBackend | null = null;
  private backendEvents: Disposable[] = [];
  private launchArgs: ProcessViewLaunchArguments | null = null;
  /** What the launch asked for, known from its request on (the run starts after configurationDone). */
  private requested: Partial<ProcessViewLaunchArguments> | null = null;
  private clientCaps: DebugProtocol.InitializeRequestArguments = { adapterID: '' };
  private readonly breakpoints = new Map<string, BreakpointSpec[]>();
  private functionBreakpoints: FunctionBreakpointSpec[] = [];
  /** Stop filters chosen in the Breakpoints view (before launch, for a replay). */
  private stopFilters: string[] | undefined;
  /** The conditions of those that have one (exceptionCondition.ts). */
  private stopFilterConditions: ExceptionConditions = {};
  /** The capabilities last sent to the client (JSON), so that an unchanged set is not sent again. */
  private announced = '';
  private nextBreakpointId = 1;
  /** Jump to Cursor's targets (gotoTargets), by id: the line asked for. */
  private readonly gotoTargets = new Map<number, { path: string; line: number }>();
  private nextGotoTarget = 1;
  /** Step Into Target's targets, by id: the name of the function to step into. */
  private readonly stepInTargets = new Map<number, string>();
  private nextStepInTarget = 1;
  private readonly frames = new Map<number, FrameHandle>();
  private readonly vars = new Map<number, VarHandle>();
  private nextHandle = 1;
  private configured!: () => void;
  private readonly configurationDone = new Promise<void>((resolve) => (this.configured = resolve));
  private initializedSent = false;
  private initializedFallback: ReturnType<typeof setTimeout> | undefined;
  /** What the adapter says: the extension's l10n.t, else the table for initialize's `locale` (core/l10n.ts). */
  private t: Localize;
  /** Set while a restart replaces the run: the old run's end is not the session's. */
  private restarting = false;
  private ended = false;
  /**
   * A process stepped into (its `focus`) has taken the focus since the user last resumed one: the
   * next ones of the same step (a Pool's workers, two children started on one line) stop beside
   * it without moving the focus from process to process as each stops.
   */
  private steppedFocus = false;

  constructor(private readonly options: DebugAdapterOptions = {}) {
    super();
    this.t = options.localize ?? plain;
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  /** The backend of the current run (undefined before launch). */
  get currentBackend(): DebugBackend | undefined {
    return this.backend ?? undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Set-up

  protected override initializeRequest(response: DebugProtocol.InitializeResponse, args: DebugProtocol.InitializeRequestArguments): void {
    this.clientCaps = args;
    if (!this.options.localize) this.t = localizerFor(args.locale);
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsEvaluateForHovers: true,
      supportsTerminateRequest: true,
      supportsRestartRequest: true,
      supportsSingleThreadExecutionRequests: true,
      supportTerminateDebuggee: true,
      supportsDelayedStackTraceLoading: true,
      supportsExceptionInfoRequest: true,
      supportsCompletionsRequest: true,
      supportsExceptionFilterOptions: true,
      supportsClipboardContext: true,
      completionTriggerCharacters: ['.'],
    };
    const known = this.options.configuration;
    if (known) {
      const caps = dapCapabilities(capabilitiesOf(known, this.t));
      Object.assign(response.body, caps);
      this.announced = JSON.stringify(caps);
    }
    this.sendResponse(response);
    // `initialized` waits for the launch: what the run can stop at depends on its kind (launchRequest).
    this.initializedFallback = setTimeout(() => this.sendInitialized(), INITIALIZED_FALLBACK_MS);
    this.initializedFallback.unref?.();
  }

  /** `initialized`, once: the client may now send breakpoints, stop filters and configurationDone. */
  private sendInitialized(): void {
    clearTimeout(this.initializedFallback);
    if (this.initializedSent) return;
    this.initializedSent = true;
    this.sendEvent(new DapEvent('initialized'));
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configured();
    this.sendResponse(response);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: DebugProtocol.LaunchRequestArguments): void {
    void this.doLaunchRequest(response, args);
  }

  private async doLaunchRequest(response: DebugProtocol.LaunchResponse, args: DebugProtocol.LaunchRequestArguments): Promise<void> {
    const launch = args as ProcessViewLaunchArguments;
    clearTimeout(this.initializedFallback); // a refused launch ends the session: no `initialized` after it
    const problem = checkLaunchArguments(launch, this.t);
    if (problem) {
      this.sendErrorResponse(response, { id: 1001, format: problem, showUser: true });
      return;
    }
    // A client that did not learn the run's stop filters in the initialize response learns them
    // before `initialized`, so that the ones the user turned off are sent (setExceptionBreakpoints)
    // before the program starts; then breakpoints come between `initialized` and
    // configurationDone, and the program must not start before.
    this.requested = launch;
    this.announce(capabilitiesOf(launch, this.t));
    this.sendInitialized();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const configured = await Promise.race([this.configurationDone.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), CONFIGURATION_WAIT_MS)))]);
    clearTimeout(timer); // a pending timer would keep the CLI's adapter process alive after the session
    if (!configured) {
      this.sendEvent(new OutputEvent(this.t('No configurationDone from the client within {0} s: starting without waiting for breakpoints and stop filters.', CONFIGURATION_WAIT_MS / 1000) + '\n', 'important'));
    }
    try {
      await this.startRun(launch);
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 1002, format: this.t('Could not start the program: {0}', message(e)), showUser: true });
      this.sendEvent(new TerminatedEvent());
    }
  }

  private async startRun(launch: ProcessViewLaunchArguments): Promise<void> {
    this.launchArgs = launch;
    this.ended = false;
    if (isReplay(launch)) {
      const cwd = launch.cwd ?? path.dirname(path.resolve(launch.recording!));
      const open = this.options.createReplayBackend;
      if (!open) throw new Error(this.t('Debugging a recording is not available in this build.'));
      const recording = path.resolve(cwd, launch.recording!);
      const backend = await open({
        recording,
        roots: searchRoots(cwd, recording),
        breakpoints: new Map(this.breakpoints),
        ...(this.stopFilters ? { stopFilters: this.stopFilters } : {}),
        ...(launch.startAt ? { startAt: launch.startAt } : launch.stopOnEntry ? { startAt: 'start' as const } : {}),
        localize: this.t,
      });
      this.attach(backend);
      this.options.onBackend?.(backend);
      return;
    }
    const useTerminal = launch.console !== 'internalConsole' && this.clientCaps.supportsRunInTerminalRequest === true;
    const options: LiveLaunchOptions = {
      program: launch.program,
      ...(launch.args ? { args: launch.args } : {}),
      ...(launch.cwd ? { cwd: launch.cwd } : {}),
      ...(launch.env ? { env: launch.env } : {}),
      ...(launch.python ? { python: launch.python } : {}),
      stopOnEntry: launch.stopOnEntry === true,
      stopOn: (launch.stopOn ?? []).filter(isStopOnKind),
      breakpoints: new Map(this.breakpoints),
      functionBreakpoints: this.functionBreakpoints,
      ...(this.stopFilters ? { stopFilters: this.stopFilters, stopFilterConditions: this.stopFilterConditions } : {}),
      ...(launch.recording ? { recording: launch.recording } : this.options.recordingFor ? { recording: this.options.recordingFor(launch.program) } : {}),
      onAdapterLost: launch.onDisconnect === 'runOn' ? 'runOn' : 'stop',
      localize: this.t,
      ...(this.options.tracerDir ? { tracerDir: this.options.tracerDir } : {}),
      ...(useTerminal ? { runInTerminal: (req) => this.runInTerminal(req) } : {}),
    };
    const backend = await (this.options.createBackend ?? LiveDebugBackend.launch)(options);
    this.attach(backend);
    this.options.onBackend?.(backend);
  }

  /** Tells the client what the run can do (a `capabilities` event), once for each change. */
  private announce(caps: BackendCapabilities): void {
    const capabilities = dapCapabilities(caps);
    const text = JSON.stringify(capabilities);
    if (text === this.announced) return;
    this.announced = text;
    this.sendEvent(new DapEvent('capabilities', { capabilities }));
  }

  private runInTerminal(req: { cwd: string; args: string[]; env: Record<string, string | null>; title: string }): Promise<void> {
    return new Promise((resolve, reject) => {
      this.runInTerminalRequest({ kind: 'integrated', title: req.title, cwd: req.cwd, args: req.args, env: req.env }, TERMINAL_START_MS, (r) => {
        if (r.success) resolve();
        else reject(new Error(r.message || 'runInTerminal failed'));
      });
    });
  }

  private attach(backend: DebugBackend): void {
    this.backend = backend;
    // An injected backend (a lesson runner's, a test's) may differ from what its kind announced.
    if (backend.capabilities) this.announce(backend.capabilities);
    const d = this.backendEvents;
    d.push(
      backend.onProcessStarted((p) => this.sendEvent(new ThreadEvent('started', p.pid))),
      backend.onProcessExited((p) => {
        this.forget(p.pid);
        this.sendEvent(new ThreadEvent('exited', p.pid));
      }),
      // In lockstep (a recording) every process is stopped: the focus goes to the one that moved.
      backend.onStopped((s) => this.announceStop(s, backend.capabilities?.lockstep !== true && this.keepsFocus(s))),
      backend.onContinued((pid) => {
        this.forget(pid);
        this.sendEvent(new DapEvent('continued', { threadId: pid, allThreadsContinued: false }));
      }),
      backend.onOutput((o) => {
        const e = new OutputEvent(o.text, o.category) as DebugProtocol.OutputEvent;
        if (o.site) {
          e.body.source = { name: path.basename(o.site.file), path: o.site.file };
          e.body.line = o.site.line;
        }
        this.sendEvent(e);
      }),
      backend.onBreakpointsVerified(({ breakpoints }) => {
        for (const b of breakpoints) {
          this.sendEvent(new DapEvent('breakpoint', { reason: 'changed', breakpoint: { id: b.id, verified: b.verified, ...(b.line ? { line: b.line } : {}), ...(b.message ? { message: b.message } : {}) } }));
        }
      }),
      backend.onEnded((end) => {
        if (this.restarting || backend !== this.backend) return;
        this.ended = true;
        const code = end.exitCode ?? (end.signal ? 128 + signalNumber(end.signal) : 1);
        this.sendEvent(new DapEvent('exited', { exitCode: code }));
        this.sendEvent(new TerminatedEvent());
      }),
    );
    for (const note of backend.notes ?? []) this.sendEvent(new OutputEvent(`${note}\n`, 'important'));
  }

  private detachBackend(): void {
    for (const d of this.backendEvents.splice(0)) d.dispose();
    this.backend?.dispose();
    this.backend = null;
    this.frames.clear();
    this.vars.clear();
  }

  private announceStop(s: ProcessStop, preserveFocus: boolean): void {
    this.forget(s.pid);
    const e = new StoppedEvent(DAP_REASON[s.reason], s.pid) as DebugProtocol.StoppedEvent;
    e.body.description = s.description;
    e.body.allThreadsStopped = this.backend?.capabilities?.lockstep === true;
    e.body.preserveFocusHint = preserveFocus;
    // VS Code's exception widget shows `text` (no exceptionInfo request here): an exception-like
    // stop without its own text (a replay's zombie, orphan or failed operation) says its description.
    if (s.text) e.body.text = s.text;
    else if (s.reason === 'exception') e.body.text = s.description;
    if (s.breakpointIds.length > 0) e.body.hitBreakpointIds = [...s.breakpointIds];
    // Not DAP: which stop of the process this is, so a client can tell a re-announced stop
    // (see resume) from a new one.
    (e.body as { processView?: unknown }).processView = { pid: s.pid, stop: s.stop, reason: s.reason };
    this.sendEvent(e);
  }

  /** Whether a live stop leaves the focus where it is: another process is stopped and had it first. */
  private keepsFocus(s: ProcessStop): boolean {
    if (s.focus !== true) return this.otherStopped(s.pid) !== undefined;
    const taken = this.steppedFocus;
    this.steppedFocus = true;
    return taken;
  }

  /** Another stopped process than `pid`, the one that stopped first. */
  private otherStopped(pid: number): ProcessStop | undefined {
    const b = this.backend;
    if (!b) return undefined;
    for (const p of b.processes()) {
      if (p.pid === pid) continue;
      const s = b.stopOf(p.pid);
      if (s) return s;
    }
    return undefined;
  }

  /** Handles of a process are valid for one stop only. */
  private forget(pid: number): void {
    for (const [id, h] of this.frames) if (h.pid === pid) this.frames.delete(id);
    for (const [id, h] of this.vars) if (h.pid === pid) this.vars.delete(id);
  }

  // -------------------------------------------------------------------------------------------
  // Breakpoints and stopOn

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    void this.doSetBreakPointsRequest(response, args);
  }

  private async doSetBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): Promise<void> {
    const file = args.source.path;
    if (!file) {
      response.body = { breakpoints: (args.breakpoints ?? []).map(() => ({ verified: false, message: this.t('Only files on disk can have breakpoints.') })) };
      this.sendResponse(response);
      return;
    }
    const specs: BreakpointSpec[] = (args.breakpoints ?? []).map((b) => ({
      id: this.nextBreakpointId++,
      line: b.line,
      ...(b.condition ? { condition: b.condition } : {}),
      ...(b.hitCondition ? { hitCondition: b.hitCondition } : {}),
      ...(b.logMessage ? { logMessage: b.logMessage } : {}),
    }));
    this.breakpoints.set(file, specs);
    const backend = this.backend;
    let results;
    try {
      results = backend && !this.ended ? await backend.setBreakpoints(file, specs) : null;
    } catch {
      results = null;
    }
    response.body = {
      breakpoints: specs.map((s, i) => {
        const r = results?.[i];
        if (!r) return { id: s.id, verified: false, line: s.line, message: this.t('Verified when the program starts.') };
        return { id: s.id, verified: r.verified, line: r.line ?? s.line, ...(r.message ? { message: r.message } : {}) };
      }),
    };
    this.sendResponse(response);
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    void this.doSetFunctionBreakPointsRequest(response, args);
  }

  private async doSetFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): Promise<void> {
    const answers: DebugProtocol.Breakpoint[] = [];
    const specs: FunctionBreakpointSpec[] = [];
    const known = this.requested ?? this.options.configuration;
    const replay = known !== undefined && known !== null && isReplay(known);
    for (const b of args.breakpoints ?? []) {
      const id = this.nextBreakpointId++;
      const parsed = parseFunctionName(b.name ?? '', this.t);
      if (replay) {
        answers.push({ id, verified: false, message: this.t('A recording has no function calls to stop at: set a breakpoint on a line of the function instead.') });
      } else if ('error' in parsed) {
        answers.push({ id, verified: false, message: parsed.error });
      } else {
        specs.push({ id, name: parsed.name, ...(b.condition ? { condition: b.condition } : {}), ...(b.hitCondition ? { hitCondition: b.hitCondition } : {}) });
        answers.push({ id, verified: true });
      }
    }
    this.functionBreakpoints = specs;
    const backend = this.backend;
    if (backend?.setFunctionBreakpoints && !this.ended) {
      try {
        const results = await backend.setFunctionBreakpoints(specs);
        for (const r of results) {
          const a = answers.find((x) => x.id === r.id);
          if (a && !r.verified) Object.assign(a, { verified: false, message: r.message ?? '' });
        }
      } catch {
        // The run ended meanwhile: nothing to stop.
      }
    }
    response.body = { breakpoints: answers };
    this.sendResponse(response);
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    void this.doSetExceptionBreakPointsRequest(response, args);
  }

  private async doSetExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): Promise<void> {
    // One answer per filter, in the order given: `filters`, then `filterOptions` (with conditions).
    const results: DebugProtocol.Breakpoint[] = (args.filters ?? []).map(() => ({ verified: true }));
    const conditions: Record<string, ExceptionCondition> = {};
    for (const f of args.filterOptions ?? []) {
      const text = f.condition?.trim() ?? '';
      const parsed = text === '' || !isExceptionFilter(f.filterId) ? undefined : parseExceptionCondition(text, this.t);
      if (parsed && 'error' in parsed) {
        // Still on, for every type: a filter that silently stopped for nothing would be worse.
        results.push({ verified: false, message: this.t('{0} Until it is mended, this filter stops for every exception.', parsed.error) });
        continue;
      }
      if (parsed) conditions[f.filterId] = parsed;
      results.push({ verified: true });
    }
    this.stopFilters = [...(args.filters ?? []), ...(args.filterOptions ?? []).map((f) => f.filterId)];
    this.stopFilterConditions = conditions;
    await this.backend?.setStopFilters?.(this.stopFilters, conditions);
    response.body = { breakpoints: results };
    this.sendResponse(response);
  }

  /** What VS Code's exception widget shows at an exception-like stop: its heading's name, what happened, a live exception's traceback. */
  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse, args: DebugProtocol.ExceptionInfoArguments): void {
    const s = this.backend?.stopOf(args.threadId);
    if (!s || s.reason !== 'exception') {
      this.sendErrorResponse(response, { id: 2006, format: this.t('This process is not stopped on an exception.') });
      return;
    }
    const e = s.exception ?? { id: s.description, description: s.text ?? '' };
    response.body = {
      exceptionId: e.id,
      description: e.description,
      breakMode: s.exception?.breakMode ?? 'unhandled',
      ...(e.details ? { details: { typeName: e.id, message: e.description, stackTrace: e.details } } : {}),
    };
    this.sendResponse(response);
  }

  /** Custom request `setStopOn` { kinds: string[] }: change which operations processes pause before (toolbar toggle). */
  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    void this.doCustomRequest(command, response, args);
  }

  private async doCustomRequest(command: string, response: DebugProtocol.Response, args: unknown): Promise<void> {
    if (command === 'setStopOn') {
      const kinds = (isRecord(args) && Array.isArray(args.kinds) ? args.kinds : []).filter(isStopOnKind);
      if (this.launchArgs) this.launchArgs.stopOn = kinds;
      await this.backend?.setStopOn(kinds);
      response.body = { kinds, known: STOP_ON_KINDS };
      this.sendResponse(response);
      return;
    }
    super.customRequest(command, response, args);
  }

  // -------------------------------------------------------------------------------------------
  // Threads, stacks, variables

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const processes: readonly DebugProcess[] = this.backend?.processes() ?? [];
    response.body = { threads: processes.map((p) => ({ id: p.pid, name: threadName(p, this.t) })) };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    void this.doStackTraceRequest(response, args);
  }

  private async doStackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): Promise<void> {
    const pid = args.threadId;
    const backend = this.backend;
    const stop = backend?.stopOf(pid);
    if (!backend || !stop) {
      response.body = { stackFrames: [], totalFrames: 0 };
      this.sendResponse(response);
      return;
    }
    try {
      const { frames, total } = await backend.stackTrace(pid, args.startFrame ?? 0, args.levels ?? 0);
      if (backend.stopOf(pid)?.stop !== stop.stop) throw new Error(this.t('Process {0} is running.', pid));
      response.body = {
        totalFrames: total,
        stackFrames: frames.map((f) => {
          const id = this.nextHandle++;
          this.frames.set(id, { pid, stop: stop.stop, index: f.id });
          const frame: DebugProtocol.StackFrame = { id, name: f.name, line: f.line, column: 1 };
          if (f.path) frame.source = { name: path.basename(f.path), path: f.path, ...(f.user ? {} : { presentationHint: 'deemphasize' }) };
          if (!f.user) frame.presentationHint = 'subtle';
          return frame;
        }),
      };
      if (stop.reason === 'operation' && frames.length === 0 && (args.startFrame ?? 0) === 0) {
        // Stopped where no frame of the program is left (a child about to exit): a label row.
        const id = this.nextHandle++;
        this.frames.set(id, { pid, stop: stop.stop, index: -1 });
        response.body = { totalFrames: 1, stackFrames: [{ id, name: stop.description, line: 0, column: 0, presentationHint: 'label' }] };
      }
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 2001, format: message(e) });
    }
  }

  private frame(frameId: number): FrameHandle {
    const h = this.frames.get(frameId);
    if (!h || this.backend?.stopOf(h.pid)?.stop !== h.stop) throw new Error(this.t('That frame is gone: its process has moved on.'));
    return h;
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    void this.doScopesRequest(response, args);
  }

  private async doScopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): Promise<void> {
    try {
      const h = this.frame(args.frameId);
      const backend = this.backend!;
      const stop = backend.stopOf(h.pid)!;
      const scopes: DebugProtocol.Scope[] = [];
      if (stop.op) scopes.push({ name: this.t('Operation'), variablesReference: this.handle({ pid: h.pid, stop: h.stop, kind: 'operation' }), expensive: false });
      if (h.index >= 0) {
        for (const s of await backend.scopes(h.pid, h.index)) {
          scopes.push({
            name: s.name === 'Locals' ? this.t('Locals') : s.name === 'Globals' ? this.t('Globals') : s.name,
            variablesReference: this.handle({ pid: h.pid, stop: h.stop, kind: 'py', ref: s.ref }),
            expensive: false,
            ...(s.named !== undefined ? { namedVariables: s.named } : {}),
            ...(s.name === 'Locals' ? { presentationHint: 'locals' } : {}),
          });
        }
      }
      scopes.push({ name: this.t('Process'), variablesReference: this.handle({ pid: h.pid, stop: h.stop, kind: 'process' }), expensive: false });
      response.body = { scopes };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 2002, format: message(e) });
    }
  }

  private handle(h: VarHandle): number {
    const id = this.nextHandle++;
    this.vars.set(id, h);
    return id;
  }

  /** The variables handle `ref` and the backend, while the stop the handle belongs to lasts. */
  private current(ref: number): { h: VarHandle; backend: DebugBackend } {
    const h = this.vars.get(ref);
    const backend = this.backend;
    if (!h || !backend || backend.stopOf(h.pid)?.stop !== h.stop) throw new Error(this.t('Those variables are gone: their process has moved on.'));
    return { h, backend };
  }

  /**
   * A Python value as DAP shows it (a variable, a Set Value's answer, an evaluation's result):
   * expandable under a handle of its own, valid during the stop `h` is in. Its children's
   * evaluateName start from `evaluateName`.
   */
  private shown(
    h: { readonly pid: number; readonly stop: number },
    v: { value: string; type?: string | null; ref?: number | null; named?: number | null; indexed?: number | null },
    evaluateName?: string,
  ): { value: string; type?: string; variablesReference: number; namedVariables?: number; indexedVariables?: number } {
    return {
      value: v.value,
      ...(v.type != null ? { type: v.type } : {}),
      variablesReference: v.ref ? this.handle({ pid: h.pid, stop: h.stop, kind: 'py', ref: v.ref, ...(evaluateName ? { evaluateName } : {}) }) : 0,
      ...(v.named ? { namedVariables: v.named } : {}),
      ...(v.indexed ? { indexedVariables: v.indexed } : {}),
    };
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    void this.doVariablesRequest(response, args);
  }

  private async doVariablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): Promise<void> {
    try {
      const { h, backend } = this.current(args.variablesReference);
      if (h.kind !== 'py') {
        const rows = h.kind === 'process' ? backend.processFacts(h.pid) : backend.operationFacts(h.pid);
        response.body = { variables: rows.map((r) => ({ name: r.name, value: r.value, variablesReference: 0 })) };
        this.sendResponse(response);
        return;
      }
      const { variables } = await backend.variables(h.pid, h.ref, {
        ...(args.start !== undefined ? { start: args.start } : {}),
        ...(args.count !== undefined ? { count: args.count } : {}),
        ...(h.evaluateName ? { evaluateName: h.evaluateName } : {}),
      });
      response.body = {
        variables: variables.map((v) => ({ name: v.name, ...(v.evaluateName ? { evaluateName: v.evaluateName } : {}), ...this.shown(h, v, v.evaluateName) })),
      };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 2003, format: message(e) });
    }
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    void this.doSetVariableRequest(response, args);
  }

  private async doSetVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): Promise<void> {
    try {
      const { h, backend } = this.current(args.variablesReference);
      if (h.kind !== 'py' || !backend.setVariable) throw new Error(this.t('Only the program\'s own values can be changed, and only while it runs: not what Process View knows about it, nor a recording.'));
      const v = await backend.setVariable(h.pid, h.ref, args.name, args.value);
      response.body = this.shown(h, v, v.evaluateName);
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 2005, format: message(e) });
    }
  }

  /** The frame a request names, of a paused process of the run; the user's words when there is none. */
  private pausedFrame(frameId: number | undefined): { h: FrameHandle; backend: DebugBackend } {
    if (frameId === undefined) throw new Error(this.t('Select a frame of a paused process to evaluate in it.'));
    const h = this.frame(frameId);
    if (h.index < 0) throw new Error(this.t('No frame of the program is left in this process.'));
    return { h, backend: this.backend! };
  }

  /** Set Value on a Watch expression: what the user typed is assigned to it, in the program, in that frame. */
  protected override setExpressionRequest(response: DebugProtocol.SetExpressionResponse, args: DebugProtocol.SetExpressionArguments): void {
    void this.doSetExpressionRequest(response, args);
  }

  private async doSetExpressionRequest(response: DebugProtocol.SetExpressionResponse, args: DebugProtocol.SetExpressionArguments): Promise<void> {
    try {
      const { h, backend } = this.pausedFrame(args.frameId);
      if (!backend.setExpression) throw new Error(this.t('Only the program\'s own values can be changed, and only while it runs: not what Process View knows about it, nor a recording.'));
      const v = await backend.setExpression(h.pid, h.index, args.expression, args.value);
      response.body = this.shown(h, v, args.expression);
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 2009, format: message(e) });
    }
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    void this.doEvaluateRequest(response, args);
  }

  private async doEvaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): Promise<void> {
    try {
      const { h, backend } = this.pausedFrame(args.frameId);
      const r = await backend.evaluate(h.pid, h.index, args.expression, args.context);
      const { value, ...rest } = this.shown(h, { ...r, value: r.result }, args.expression);
      response.body = { result: value, ...rest };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 2004, format: message(e) });
    }
  }

  /** Terminate Thread in the Call Stack: a DAP thread is a process, so it ends that process (SIGTERM, as Process.terminate()). */
  protected override terminateThreadsRequest(response: DebugProtocol.TerminateThreadsResponse, args: DebugProtocol.TerminateThreadsArguments): void {
    void this.doTerminateThreadsRequest(response, args);
  }

  private async doTerminateThreadsRequest(response: DebugProtocol.TerminateThreadsResponse, args: DebugProtocol.TerminateThreadsArguments): Promise<void> {
    try {
      const backend = this.backend;
      if (!backend?.terminateProcess) throw new Error(this.t('Only a live run\'s processes can be terminated one by one.'));
      for (const pid of args.threadIds ?? []) await backend.terminateProcess(pid);
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 2008, format: message(e) });
    }
  }

  protected override gotoTargetsRequest(response: DebugProtocol.GotoTargetsResponse, args: DebugProtocol.GotoTargetsArguments): void {
    // The line itself is the one target: whether the paused frame can go there is Python's to say (goto).
    const file = args.source.path;
    if (!file || !this.backend?.goto) {
      this.sendErrorResponse(response, { id: 2006, format: this.t('Jump to Cursor moves a live program paused at a line of a file.') });
      return;
    }
    const id = this.nextGotoTarget++;
    this.gotoTargets.set(id, { path: file, line: args.line });
    if (this.gotoTargets.size > 100) this.gotoTargets.delete(this.gotoTargets.keys().next().value!);
    response.body = { targets: [{ id, label: this.t('Line {0}', args.line), line: args.line }] };
    this.sendResponse(response);
  }

  protected override gotoRequest(response: DebugProtocol.GotoResponse, args: DebugProtocol.GotoArguments): void {
    void this.doGotoRequest(response, args);
  }

  private async doGotoRequest(response: DebugProtocol.GotoResponse, args: DebugProtocol.GotoArguments): Promise<void> {
    try {
      const target = this.gotoTargets.get(args.targetId);
      const backend = this.backend;
      if (!target || !backend?.goto) throw new Error(this.t('Jump to Cursor moves a live program paused at a line of a file.'));
      await backend.goto(args.threadId, target.path, target.line);
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 2007, format: message(e) });
    }
  }

  /** Step Into Target: the calls the paused line makes, for the user to pick the one to step into. */
  protected override stepInTargetsRequest(response: DebugProtocol.StepInTargetsResponse, args: DebugProtocol.StepInTargetsArguments): void {
    void this.doStepInTargetsRequest(response, args);
  }

  private async doStepInTargetsRequest(response: DebugProtocol.StepInTargetsResponse, args: DebugProtocol.StepInTargetsArguments): Promise<void> {
    try {
      const { h, backend } = this.pausedFrame(args.frameId);
      const calls = backend.stepInTargets ? await backend.stepInTargets(h.pid, h.index) : [];
      const targets = calls.map((c) => {
        const id = this.nextStepInTarget++;
        this.stepInTargets.set(id, c.name);
        return { id, label: c.label, line: c.line, column: c.column, endLine: c.endLine, endColumn: c.endColumn };
      });
      while (this.stepInTargets.size > 200) this.stepInTargets.delete(this.stepInTargets.keys().next().value!);
      response.body = { targets };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 2010, format: message(e) });
    }
  }

  protected override completionsRequest(response: DebugProtocol.CompletionsResponse, args: DebugProtocol.CompletionsArguments): void {
    void this.doCompletionsRequest(response, args);
  }

  /** The Debug Console's suggestions: names in the selected frame, or a dotted name's attributes (nothing evaluated). */
  private async doCompletionsRequest(response: DebugProtocol.CompletionsResponse, args: DebugProtocol.CompletionsArguments): Promise<void> {
    response.body = { targets: [] };
    try {
      const backend = this.backend;
      const h = args.frameId === undefined ? undefined : this.frame(args.frameId);
      if (backend?.completions && h && h.index >= 0) {
        // Only the line the cursor is on, up to the cursor (column: 1-based, in UTF-16 units like JS strings).
        const lines = args.text.split('\n');
        const line = Math.min(Math.max((args.line ?? lines.length) - 1, 0), lines.length - 1);
        const before = lines[line]!.slice(0, Math.max(this.convertClientColumnToDebugger(args.column) - 1, 0));
        const r = await backend.completions(h.pid, h.index, before);
        const start = this.convertDebuggerColumnToClient(before.length - r.word.length + 1);
        response.body.targets = r.targets.map((c) => ({ label: c.label, type: c.type, start, length: r.word.length }));
      }
    } catch {
      // No suggestions (the process went on, or the frame is gone): typing goes on undisturbed.
    }
    this.sendResponse(response);
  }

  // -------------------------------------------------------------------------------------------
  // Execution: each process on its own

  private async resume(response: DebugProtocol.Response, threadId: number, how: ResumeKind, target?: string): Promise<void> {
    try {
      const backend = this.backend;
      if (!backend) throw new Error(this.t('The program is not running.'));
      this.forget(threadId);
      this.steppedFocus = false;
      if (backend.capabilities?.lockstep === true) {
        // Every process moves with it (a recording): answer first, so the client sees the new stop after its answer.
        if (how === 'continue') response.body = { allThreadsContinued: true };
        this.sendResponse(response);
        await backend.resume(threadId, how).catch((e: unknown) => this.sendEvent(new OutputEvent(`${message(e)}\n`, 'stderr')));
        return;
      }
      await backend.resume(threadId, how, target);
      if (how === 'continue') response.body = { allThreadsContinued: false };
      this.sendResponse(response);
      // VS Code keeps its focus on the process that went on (vscode#125144): point it at
      // another one that is still stopped, if any.
      if (how === 'continue') {
        const other = this.otherStopped(threadId);
        if (other) {
          this.announceStop(other, false);
          if (other.focus === true) this.steppedFocus = true;
        }
      }
    } catch (e) {
      this.sendErrorResponse(response, { id: 3001, format: message(e) });
    }
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse, args: DebugProtocol.ContinueArguments): void {
    void this.resume(response, args.threadId, 'continue');
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    void this.resume(response, args.threadId, 'next');
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    // A target unknown (not from this session's stepInTargets) is a plain Step Into.
    void this.resume(response, args.threadId, 'stepIn', args.targetId !== undefined ? this.stepInTargets.get(args.targetId) : undefined);
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    void this.resume(response, args.threadId, 'stepOut');
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse, args: DebugProtocol.StepBackArguments): void {
    void this.back(response, args.threadId, 'stepBack');
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse, args: DebugProtocol.ReverseContinueArguments): void {
    void this.back(response, args.threadId, 'reverseContinue');
  }

  private async back(response: DebugProtocol.Response, threadId: number, how: 'stepBack' | 'reverseContinue'): Promise<void> {
    const backend = this.backend;
    if (!backend?.stepBack) {
      this.sendErrorResponse(response, { id: 3003, format: this.t('Going back needs a recording: a running program only goes forwards.') });
      return;
    }
    this.forget(threadId);
    this.sendResponse(response);
    try {
      await backend.stepBack(threadId, how);
    } catch (e) {
      this.sendEvent(new OutputEvent(`${message(e)}\n`, 'stderr'));
    }
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse, args: DebugProtocol.PauseArguments): void {
    void this.doPauseRequest(response, args);
  }

  private async doPauseRequest(response: DebugProtocol.PauseResponse, args: DebugProtocol.PauseArguments): Promise<void> {
    try {
      if (!this.backend) throw new Error(this.t('The program is not running.'));
      await this.backend.pause(args.threadId);
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 3002, format: message(e), showUser: true });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Ending

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    void this.doTerminateRequest(response);
  }

  private async doTerminateRequest(response: DebugProtocol.TerminateResponse): Promise<void> {
    await this.backend?.terminate().catch(() => undefined);
    this.sendResponse(response);
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse, args: DebugProtocol.DisconnectArguments): void {
    void this.doDisconnectRequest(response, args);
  }

  private async doDisconnectRequest(response: DebugProtocol.DisconnectResponse, args: DebugProtocol.DisconnectArguments): Promise<void> {
    const backend = this.backend;
    if (backend && !this.ended) {
      const runOn = args.terminateDebuggee === false || (args.terminateDebuggee === undefined && this.launchArgs?.onDisconnect === 'runOn');
      if (runOn) await backend.detach().catch(() => undefined);
      else await backend.terminate().catch(() => undefined);
    }
    this.detachBackend();
    this.sendResponse(response);
    this.shutdown();
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments): void {
    void this.doRestartRequest(response, args);
  }

  private async doRestartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments): Promise<void> {
    const launch = (args.arguments as ProcessViewLaunchArguments | undefined) ?? this.launchArgs;
    if (!launch) {
      this.sendErrorResponse(response, { id: 1003, format: this.t('Nothing to restart: the program was never launched.') });
      return;
    }
    this.restarting = true;
    try {
      const old = this.backend;
      if (old) {
        const pids = old.processes().map((p) => p.pid);
        await old.terminate().catch(() => undefined);
        for (const pid of pids) this.sendEvent(new ThreadEvent('exited', pid));
      }
      this.detachBackend();
      this.restarting = false;
      await this.startRun(launch);
      this.sendResponse(response);
    } catch (e) {
      this.restarting = false;
      this.sendErrorResponse(response, { id: 1002, format: this.t('Could not start the program: {0}', message(e)), showUser: true });
      this.sendEvent(new TerminatedEvent());
    }
  }

  /** The client went away (stdin closed): end the run as Stop does, then exit. */
  override shutdown(): void {
    clearTimeout(this.initializedFallback);
    const backend = this.backend;
    if (backend && !this.ended && !this.restarting) {
      void Promise.race([backend.terminate().catch(() => undefined), delay(8000)]).then(() => super.shutdown());
      return;
    }
    super.shutdown();
  }
}

const DAP_REASON: Readonly<Record<ProcessStop['reason'], string>> = {
  breakpoint: 'breakpoint',
  step: 'step',
  pause: 'pause',
  entry: 'entry',
  operation: 'operation',
  exception: 'exception',
  end: 'end',
  goto: 'goto',
};

/** What a run of this launch configuration's kind can do. */
function capabilitiesOf(launch: Partial<ProcessViewLaunchArguments>, t: Localize): BackendCapabilities {
  return isReplay(launch) ? replayCapabilities(t) : liveCapabilities(t);
}

function dapCapabilities(caps: BackendCapabilities): DebugProtocol.Capabilities {
  return {
    supportsStepBack: caps.stepBack === true,
    supportsSetVariable: caps.setVariable === true,
    supportsSetExpression: caps.setVariable === true,
    supportsGotoTargetsRequest: caps.goto === true,
    supportsFunctionBreakpoints: caps.functionBreakpoints === true,
    supportsStepInTargetsRequest: caps.stepInTargets === true,
    supportsTerminateThreadsRequest: caps.terminateProcess === true,
    ...(caps.stopFilters
      ? {
          exceptionBreakpointFilters: caps.stopFilters.map((f) => ({
            filter: f.id,
            label: f.label,
            ...(f.description ? { description: f.description } : {}),
            default: f.default === true,
            ...(f.conditionDescription ? { supportsCondition: true, conditionDescription: f.conditionDescription } : {}),
          })),
        }
      : {}),
  };
}

/** A launch of a recording (time travel): `recording` without `program`. */
function isReplay(a: Partial<ProcessViewLaunchArguments>): boolean {
  return (a.program === undefined || a.program === '') && typeof a.recording === 'string' && a.recording.trim() !== '';
}

/** What is wrong with a launch configuration, in the user's words, or null. */
export function checkLaunchArguments(a: Partial<ProcessViewLaunchArguments>, t: Localize = plain): string | null {
  if (isReplay(a)) {
    if (a.startAt !== undefined && a.startAt !== 'start' && a.startAt !== 'end') return t('"startAt" must be "start" or "end".');
    return null;
  }
  if (typeof a.program !== 'string' || a.program.trim() === '') return t('The launch configuration needs "program" (the Python script to debug) or "recording" (a .jsonl recording to step through).');
  if (a.args !== undefined && !(Array.isArray(a.args) && a.args.every((x) => typeof x === 'string'))) return t('"args" must be a list of strings.');
  if (a.cwd !== undefined && typeof a.cwd !== 'string') return t('"cwd" must be a folder path.');
  if (a.python !== undefined && typeof a.python !== 'string') return t('"python" must be the path of an interpreter.');
  if (a.env !== undefined && (typeof a.env !== 'object' || a.env === null || Object.values(a.env).some((v) => v !== null && typeof v !== 'string'))) {
    return t('"env" must map names to strings (or null to remove a variable).');
  }
  if (a.stopOn !== undefined) {
    if (!Array.isArray(a.stopOn)) return t('"stopOn" must be a list of: {0}.', STOP_ON_KINDS.join(', '));
    const bad = a.stopOn.filter((k) => !isStopOnKind(k));
    if (bad.length > 0) return t('"stopOn" has unknown kinds {0}; known: {1}.', bad.map((k) => JSON.stringify(k)).join(', '), STOP_ON_KINDS.join(', '));
  }
  if (a.console !== undefined && a.console !== 'integratedTerminal' && a.console !== 'internalConsole') return t('"console" must be "integratedTerminal" or "internalConsole".');
  if (a.onDisconnect !== undefined && a.onDisconnect !== 'stop' && a.onDisconnect !== 'runOn') return t('"onDisconnect" must be "stop" or "runOn".');
  return null;
}

export type { StopOnKind };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

const SIGNALS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 };

function signalNumber(name: string): number {
  return SIGNALS[name] ?? 0;
}
