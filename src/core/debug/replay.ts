/**
 * The replay debug backend (time travel, issue 15): a recording debugged with no program
 * running. The whole run is stopped at one moment, a step of the recording (src/core/replay);
 * stepping moves that moment forwards or backwards, and every process that existed then is a
 * thread. The top frame of each process is the line of its latest step (the file as it is on
 * disk now: the SourceMap says when it changed since the recording); Variables show the step's
 * event, the process then, and each channel's contents then.
 *
 * No `vscode` import here, ever.
 */
import * as path from 'node:path';
import type { BreakpointResult, BreakpointSpec, PyCompletions, PyFrame, PyScope, PyVariable, StopOnKind } from '../protocol/control';
import type { TracerEvent } from '../protocol/events';
import {
  Breakpoints,
  CHANNEL_CLASS,
  CONDITION_FIELDS,
  Cursor,
  describeChange,
  describeChannelState,
  describeMessage,
  describeStep,
  formatDuration,
  formatMoment,
  openReplay,
  parseCondition,
  SourceMap,
  STOP_FILTERS,
  stepField,
  type Moment,
  type Replay,
  type Stop,
  type StopFilter,
} from '../replay';
import type { Session } from '../session';
import type { ChannelState, ProcessNode } from '../session/model';
import type { BackendCapabilities, DebugBackend, DebugProcess, Disposable, FactRow, OutputText, ProcessStop, ReplayLaunchOptions, ResumeKind, RunEnd } from './backend';
import { plain, type Localize } from '../localize';
import { processFacts, stopFilterText } from './describe';
import { replayCapabilities } from './capabilities';
import { Emitter } from './emitter';

/** Things a fresh launch may be told to stop at besides lines. */
const FILTER_IDS: ReadonlySet<string> = new Set(STOP_FILTERS.map((f) => f.id));

/** Variables served for one stop: a reference is a function giving its rows. */
type Rows = () => PyVariable[];

export class ReplayDebugBackend implements DebugBackend {
  readonly session: Session;
  readonly capabilities: BackendCapabilities;
  private readonly started = new Emitter<DebugProcess>({ keepEarly: true });
  private readonly exited = new Emitter<DebugProcess>({ keepEarly: true });
  private readonly stopped = new Emitter<ProcessStop>({ keepEarly: true });
  private readonly continued = new Emitter<number>({ keepEarly: true });
  private readonly output = new Emitter<OutputText>({ keepEarly: true });
  private readonly verified = new Emitter<{ path: string; breakpoints: readonly BreakpointResult[] }>();
  private readonly ended = new Emitter<RunEnd>({ keepEarly: true });
  private readonly moved = new Emitter<{ index: number; t: number }>();
  readonly onProcessStarted = this.started.event;
  readonly onProcessExited = this.exited.event;
  readonly onStopped = this.stopped.event;
  readonly onContinued = this.continued.event;
  readonly onOutput = this.output.event;
  readonly onBreakpointsVerified = this.verified.event;
  readonly onEnded = this.ended.event;
  /** The moment shown changed (the views follow it). */
  readonly onMoved = this.moved.event;

  private readonly t: Localize;
  private readonly bps: Breakpoints;
  private readonly cursor: Cursor;
  private readonly sources: SourceMap;
  /** The moment shown, and a number that changes with it (frames and variables are valid for one). */
  private moment: Moment;
  private generation = 0;
  private shown = new Map<number, DebugProcess>();
  private stops = new Map<number, ProcessStop>();
  private rows = new Map<number, Rows>();
  private nextRef = 1;
  private readonly told = new Set<string>();
  private over = false;

  private constructor(
    readonly replay: Replay,
    options: ReplayLaunchOptions,
  ) {
    this.t = options.localize ?? plain;
    this.session = replay.session;
    const startedAt = Date.parse(replay.recording.header.startedAtIso);
    this.sources = new SourceMap(replay.files, { roots: options.roots ?? [], recordedAtMs: Number.isNaN(startedAt) ? null : startedAt });
    this.bps = new Breakpoints(replay, (file) => this.sources.recorded(file));
    this.capabilities = replayCapabilities(this.t);
    if (options.stopFilters) this.bps.setFilters(options.stopFilters.filter((f): f is StopFilter => FILTER_IDS.has(f)));
    for (const [file, specs] of options.breakpoints ?? []) this.applyBreakpoints(file, specs);
    this.cursor = new Cursor(replay, this.bps, options.startAt === 'end' ? replay.length - 1 : 0);
    this.moment = replay.momentAt(this.cursor.index);
    for (const w of replay.warnings) this.output.fire({ category: 'important', text: `${w}\n` });
    let first: Stop;
    if (options.startAt === 'end') first = { index: this.cursor.index, reason: 'end', breakpointIds: [], filter: null, note: null };
    else if (options.startAt === 'start') first = { index: 0, reason: 'start', breakpointIds: [], filter: null, note: null };
    else first = this.hitsAt(0) ?? this.cursor.continue();
    this.show(first);
  }

  /** Reads the recording and stops at its first moment (announced to the first listeners). */
  static async open(options: ReplayLaunchOptions): Promise<ReplayDebugBackend> {
    const replay = await openReplay(options.recording);
    if (replay.length === 0) throw new Error(`${options.recording} holds no events of a run: there is nothing to step through.`);
    return new ReplayDebugBackend(replay, options);
  }

  /** The moment shown (ms since the run started) and its step. */
  get current(): { index: number; t: number } {
    return { index: this.cursor.index, t: this.moment.step.t };
  }

  // ---------------------------------------------------------------------------------------------
  // Moving

  /** The step the run stops at first, when it is itself a breakpoint or filter hit. */
  private hitsAt(i: number): Stop | null {
    const why = this.bps.why(i);
    if (why.breakpointIds.length > 0) return { index: i, reason: 'breakpoint', breakpointIds: why.breakpointIds, filter: null, note: null };
    if (why.filter) return { index: i, reason: 'exception', breakpointIds: [], filter: why.filter, note: null };
    return null;
  }

  async resume(pid: number, how: ResumeKind): Promise<void> {
    this.ensureOpen();
    const key = this.keyOf(pid);
    switch (how) {
      case 'continue':
        return this.show(this.cursor.continue());
      case 'next':
        return this.show(key !== null ? this.cursor.stepOver(key) : this.cursor.stepInto());
      case 'stepIn':
        return this.show(this.cursor.stepInto());
      case 'stepOut':
        // No calls to step out of in a recording: on to the next step of another process.
        return this.show(this.nextOfOthers(key));
    }
  }

  async stepBack(pid: number, how: 'stepBack' | 'reverseContinue'): Promise<void> {
    this.ensureOpen();
    if (how === 'reverseContinue') return this.show(this.cursor.reverseContinue());
    const key = this.keyOf(pid);
    return this.show(key !== null ? this.cursor.stepBack(key) : this.cursor.stepBackInto());
  }

  /** The timeline's scrubber moved: show the last step at or before ms. */
  goTo(ms: number): void {
    this.ensureOpen();
    this.show(this.cursor.goTo(ms));
  }

  async pause(): Promise<void> {
    // A recording never runs: it is always paused.
  }

  private nextOfOthers(key: string | null): Stop {
    const from = this.cursor.index;
    for (let i = from + 1; i < this.replay.length; i++) if (this.replay.steps[i]!.key !== key) return this.cursor.goToIndex(i);
    return { index: from, reason: 'step', breakpointIds: [], filter: null, note: this.t('No other process has a later step.') };
  }

  private show(stop: Stop): void {
    this.generation++;
    this.rows.clear();
    this.moment = this.replay.momentAt(stop.index);
    const step = this.moment.step;
    const now = new Map<number, DebugProcess>();
    for (const p of this.moment.processes) now.set(p.pid, { pid: p.pid, ppid: p.ppid, name: p.name, role: p.role, debuggable: true });
    for (const [pid, p] of this.shown) if (!now.has(pid) || now.get(pid)!.name !== p.name) this.exited.fire(p);
    const before = this.shown;
    this.shown = now;
    for (const [pid, p] of now) if (!before.has(pid) || before.get(pid)!.name !== p.name) this.started.fire(p);
    const description = this.describeStop(stop);
    const text = stop.note;
    this.stops = new Map();
    for (const pid of now.keys()) {
      const site = this.lastStepOf(pid)?.site ?? null;
      this.stops.set(pid, {
        pid,
        stop: this.generation,
        reason: pid === step.pid ? mapReason(stop) : 'step',
        description: pid === step.pid ? description : this.t('At {0}', formatMoment(step.t)),
        text,
        thread: 'MainThread',
        mainThread: true,
        site,
        breakpointIds: pid === step.pid ? stop.breakpointIds : [],
        op: null,
        ...(pid === step.pid && stop.filter ? { exception: { id: stopFilterText(stop.filter, this.t).label, description: text ?? description } } : {}),
      });
    }
    if (step.site) this.tellAboutSource(step.site.file);
    this.moved.fire({ index: stop.index, t: step.t });
    const own = this.stops.get(step.pid) ?? this.stops.values().next().value;
    if (own) this.stopped.fire(own);
  }

  private describeStop(stop: Stop): string {
    const what = describeStep(this.replay, this.moment.step, this.t);
    const at = formatMoment(this.moment.step.t);
    switch (stop.reason) {
      case 'end':
        return this.t('End of the recording ({0}): {1}', at, what);
      case 'start':
        return this.t('Start of the recording ({0}): {1}', at, what);
      default:
        return `${at}  ${what}`;
    }
  }

  /** Says once per file that it changed since the recording or could not be checked. */
  private tellAboutSource(recorded: string): void {
    const src = this.sources.local(recorded);
    const key = `${src.status}:${recorded}`;
    if (!src.note || this.told.has(key)) return;
    this.told.add(key);
    this.output.fire({ category: src.status === 'changed' ? 'important' : 'console', text: `${this.t(src.note)}\n` });
  }

  private keyOf(pid: number): string | null {
    const node = this.moment.processes.find((p) => p.pid === pid);
    return node?.key ?? null;
  }

  /** The latest step of a process at or before the moment shown (with a source line, if asked). */
  private lastStepOf(pid: number, withSite = false): Moment['step'] | null {
    const key = this.keyOf(pid);
    if (key === null) return null;
    const own = this.replay.stepsOf(key);
    let lo = 0;
    let hi = own.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (own[mid]! <= this.cursor.index) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo - 1; k >= 0; k--) {
      const step = this.replay.steps[own[k]!]!;
      if (!withSite || step.site) return step;
    }
    return null;
  }

  private ensureOpen(): void {
    if (this.over) throw new Error(this.t('The recording is closed.'));
  }

  // ---------------------------------------------------------------------------------------------
  // Threads, frames, variables

  processes(): DebugProcess[] {
    return [...this.shown.values()];
  }

  stopOf(pid: number): ProcessStop | undefined {
    return this.stops.get(pid);
  }

  private node(pid: number): ProcessNode | undefined {
    return this.moment.processes.find((p) => p.pid === pid);
  }

  async stackTrace(pid: number, startFrame: number, levels: number): Promise<{ frames: readonly PyFrame[]; total: number }> {
    const frames: PyFrame[] = [];
    const step = this.lastStepOf(pid);
    const node = this.node(pid);
    if (step) {
      const stepped = step.index === this.cursor.index;
      const wait = node?.wait ?? null;
      let name = describeStep(this.replay, step, this.t);
      if (!stepped) name = this.t('{0} (at {1})', name, formatMoment(step.t));
      let site = step.site;
      if (!stepped && wait) {
        name = this.t('waiting in {0} since {1}', wait.op, formatMoment(wait.sinceMs));
        site = wait.site ?? site;
      }
      if (!site) {
        // A step without a line of its own (a process starting or ending, a zombie the process
        // table saw): the process's latest line, or the line that started it.
        const sited = this.lastStepOf(pid, true);
        if (sited) {
          site = sited.site;
          name = this.t('{0} (last line: {1})', name, formatMoment(sited.t));
        } else if (node?.createdAt) {
          site = node.createdAt;
          name = this.t('{0} (started at this line)', name);
        }
      }
      frames.push(this.frameAt(0, name, site));
    } else frames.push({ id: 0, name: this.t('No step of this process yet'), path: null, line: 0, user: true });
    if (node?.createdAt) {
      frames.push(this.frameAt(1, this.t('started here by pid {0}', node.parentPid ?? '?'), node.createdAt, false));
    }
    const end = levels > 0 ? startFrame + levels : frames.length;
    return { frames: frames.slice(startFrame, end), total: frames.length };
  }

  private frameAt(id: number, name: string, site: { file: string; line: number } | null, user = true): PyFrame {
    if (!site) return { id, name, path: null, line: 0, user };
    const src = this.sources.local(site.file);
    const suffix = src.status === 'changed' ? this.t(' (file changed since the recording)') : src.status === 'missing' ? this.t(' (file not found)') : '';
    return { id, name: name + suffix, path: src.status === 'missing' ? null : src.path, line: site.line, user };
  }

  async scopes(pid: number, frame: number): Promise<readonly PyScope[]> {
    if (frame !== 0) return [];
    const step = this.lastStepOf(pid);
    const scopes: PyScope[] = [];
    if (step) scopes.push({ name: this.t('Event'), ref: this.ref(() => this.eventRows(step)) });
    const channels = this.moment.channels;
    scopes.push({ name: this.t('Channels'), ref: this.ref(() => channels.map((c) => this.channelRow(c))), named: channels.length });
    return scopes;
  }

  private ref(rows: Rows): number {
    const id = this.nextRef++;
    this.rows.set(id, rows);
    return id;
  }

  async variables(_pid: number, ref: number, options: { start?: number; count?: number }): Promise<{ variables: readonly PyVariable[]; total: number }> {
    const rows = this.rows.get(ref);
    if (!rows) throw new Error(this.t('Those variables are gone: the moment shown has changed.'));
    const all = rows();
    const start = options.start ?? 0;
    const end = options.count ? start + options.count : all.length;
    return { variables: all.slice(start, end), total: all.length };
  }

  private eventRows(step: Moment['step']): PyVariable[] {
    const out: PyVariable[] = [
      ...this.evidenceRows(step),
      { name: this.t('what'), value: describeStep(this.replay, step, this.t), type: 'str' },
      { name: this.t('time'), value: formatMoment(step.t), type: 'float' },
      { name: 'pid', value: String(step.pid), type: 'int' },
    ];
    if (step.site) out.push({ name: this.t('line'), value: `${path.basename(step.site.file)}:${step.site.line}`, type: 'str' });
    const e = step.event;
    if (e) {
      out.push({ name: 'kind', value: JSON.stringify(e.kind), type: 'str' });
      for (const [k, v] of Object.entries(e as TracerEvent & Record<string, unknown>)) {
        if (['kind', 't', 'pid', 'site', 'tid'].includes(k) || v === null || v === undefined) continue;
        out.push({ name: k, value: typeof v === 'string' && k !== 'preview' ? JSON.stringify(v) : typeof v === 'object' ? JSON.stringify(v) : String(v), type: typeof v });
      }
      if (e.kind === 'channel.op') out.push({ name: 'channel', value: JSON.stringify(this.replay.channelKind(e.id) ?? '?'), type: 'str' });
    }
    for (const c of step.changes) out.push({ name: this.t('change'), value: this.t('pid {0}: {1}', c.pid, c.kind), type: 'str' });
    return out;
  }

  /**
   * "why here": a change no event of its own marks (a zombie proven only when its parent or the
   * supervisor reaped it; an orphan seen adopted) is attached to the event that showed it, and the
   * debugger stops there (issue 15): say that the event shown is the evidence, not the change.
   */
  private evidenceRows(step: Moment['step']): PyVariable[] {
    const e = step.event;
    if (!e) return [];
    const out: PyVariable[] = [];
    for (const c of step.changes) {
      // A process's own exit event is the change itself.
      if (e.kind === 'process.exit' && e.pid === c.pid && (c.kind === 'exited' || c.kind === 'killed')) continue;
      const since = c.kind === 'zombie' ? c.node.zombieSinceMs : null;
      const value =
        since !== null
          ? this.t('pid {0} has been a zombie since {1} ({2} before this step). Nothing marked that moment: this event ({3}) is the evidence that proved it, so the debugger stops here.', c.pid, formatMoment(since), formatDuration(Math.max(0, step.t - since)), e.kind)
          : this.t('{0}. No event of its own marks it: this event ({1}) is the evidence, so the debugger stops here.', describeChange(c, this.t), e.kind);
      out.push({ name: this.t('why here'), value, type: 'str' });
    }
    return out;
  }

  private channelRow(c: ChannelState): PyVariable {
    const channel = this.moment.snapshot.channels.find((x) => x.id === c.id);
    const where = channel?.createdAt ? ` (${path.basename(channel.createdAt.file)}:${channel.createdAt.line})` : '';
    const summary = describeChannelState(c, this.t)[0] ?? this.t('{0} operation(s)', Object.values(c.ops).reduce((a, b) => a + (b ?? 0), 0));
    return {
      name: `${CHANNEL_CLASS[c.kind] ?? c.kind} ${c.id}${where}`,
      value: summary,
      type: CHANNEL_CLASS[c.kind] ?? c.kind,
      ref: this.ref(() => this.channelContents(c)),
    };
  }

  private channelContents(c: ChannelState): PyVariable[] {
    const out: PyVariable[] = [];
    const carries = c.kind.includes('queue') || c.kind === 'pipe' || c.kind === 'connection' || c.kind === 'proxy';
    if (carries) {
      out.push({
        name: this.t('waiting'),
        value: this.t('{0} message(s) put and not yet got', c.inFlightCount),
        type: 'list',
        ...(c.inFlight.length > 0
          ? {
              ref: this.ref(() =>
                c.inFlight.map((m, i) => ({ name: `[${i}]`, value: m.preview ?? this.t('(no preview)'), type: 'message', ref: this.ref(() => [
                  { name: this.t('from'), value: `pid ${m.fromPid}`, type: 'int' },
                  { name: this.t('sent'), value: formatMoment(m.sentMs), type: 'float' },
                  { name: this.t('line'), value: m.sentAt ? `${path.basename(m.sentAt.file)}:${m.sentAt.line}` : '—', type: 'str' },
                  { name: this.t('summary'), value: describeMessage(m, this.t), type: 'str' },
                ]) })),
              ),
              indexed: c.inFlight.length,
            }
          : {}),
      });
      if (c.inFlightCount > c.inFlight.length) out.push({ name: this.t('not listed'), value: this.t('{0} more', c.inFlightCount - c.inFlight.length), type: 'int' });
    }
    if (c.unfinishedTasks !== null) out.push({ name: this.t('unfinished tasks'), value: String(c.unfinishedTasks), type: 'int' });
    if (c.holders.length > 0 || ['lock', 'rlock', 'semaphore', 'bounded-semaphore', 'condition'].includes(c.kind)) {
      out.push({ name: this.t('held by'), value: c.holders.length === 0 ? this.t('nobody') : c.holders.map((h) => (h.count > 1 ? `pid ${h.pid} ×${h.count}` : `pid ${h.pid}`)).join(', '), type: 'str' });
    }
    if (c.isSet !== null) out.push({ name: this.t('is set'), value: c.isSet ? 'True' : 'False', type: 'bool' });
    for (const w of c.waiters) {
      out.push({ name: this.t('waiting: pid {0}', w.pid), value: this.t('in {0} since {1} ({2})', w.op, formatMoment(w.sinceMs), formatDuration(this.moment.step.t - w.sinceMs)), type: 'str' });
    }
    out.push({ name: this.t('messages so far'), value: String(c.messageCount), type: 'int' });
    const ops = Object.entries(c.ops).map(([op, n]) => `${op} ${n}`).join(', ');
    if (ops) out.push({ name: this.t('operations so far'), value: ops, type: 'str' });
    if (!c.complete) out.push({ name: this.t('note'), value: this.t('Older messages are no longer in memory; some waiting ones may be missing.'), type: 'str' });
    return out;
  }

  async evaluate(pid: number, _frame: number, expression: string): Promise<{ result: string; type: string | null }> {
    const step = this.lastStepOf(pid) ?? this.moment.step;
    const cond = parseCondition(expression, CONDITION_FIELDS);
    const v = cond.value((f) => stepField(this.replay, step, f));
    return { result: typeof v === 'string' ? JSON.stringify(v) : String(v), type: v === null ? null : typeof v };
  }

  /** A recording's Debug Console reads the event's fields (evaluate): those, and the condition language's words. */
  async completions(_pid: number, _frame: number, text: string): Promise<PyCompletions> {
    const word = /[A-Za-z_]\w*$/.exec(text)?.[0] ?? '';
    if (word === '' || /[\w.]/.test(text.charAt(text.length - word.length - 1))) return { word, targets: [] };
    const fields = [...CONDITION_FIELDS].map((label) => ({ label, type: 'field' as const }));
    const words = ['and', 'or', 'not', 'contains', 'true', 'false', 'null'].map((label) => ({ label, type: 'keyword' as const }));
    return { word, targets: [...fields, ...words].filter((c) => c.label.startsWith(word)).sort((a, b) => a.label.localeCompare(b.label)) };
  }

  /** The Process scope: the process as it was at the moment shown. */
  processFacts(pid: number): FactRow[] {
    return processFacts(this.node(pid), pid, this.t, { ...this.moment.snapshot, nowMs: this.moment.step.t });
  }

  operationFacts(): FactRow[] {
    return [];
  }

  // ---------------------------------------------------------------------------------------------
  // Breakpoints and filters

  private applyBreakpoints(file: string, specs: readonly BreakpointSpec[]): BreakpointResult[] {
    const results = this.bps.set(file, specs);
    return specs.map((s, i) => ({ id: s.id, verified: results[i]!.verified, line: s.line, message: this.t(results[i]!.message) }));
  }

  async setBreakpoints(file: string, specs: readonly BreakpointSpec[]): Promise<readonly BreakpointResult[]> {
    return this.applyBreakpoints(file, specs);
  }

  async setStopFilters(ids: readonly string[]): Promise<void> {
    this.bps.setFilters(ids.filter((f): f is StopFilter => FILTER_IDS.has(f)));
  }

  async setStopOn(_kinds: readonly StopOnKind[]): Promise<void> {
    // Pausing before operations is the live debugger's; in a recording every operation is a step.
  }

  // ---------------------------------------------------------------------------------------------
  // Ending

  async terminate(): Promise<void> {
    if (this.over) return;
    this.over = true;
    const end = this.replay.recording.end;
    this.ended.fire({ exitCode: end?.exitCode ?? 0, signal: end?.signal ?? null });
  }

  async detach(): Promise<void> {
    await this.terminate();
  }

  dispose(): void {
    this.over = true;
    for (const e of [this.started, this.exited, this.stopped, this.continued, this.output, this.verified, this.ended, this.moved]) e.clear();
  }
}

function mapReason(stop: Stop): ProcessStop['reason'] {
  switch (stop.reason) {
    case 'start':
      return 'entry';
    case 'end':
      return 'end';
    default:
      return stop.reason;
  }
}

export type { Disposable };
