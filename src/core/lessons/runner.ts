/**
 * The lesson runner: drives a debug run (any DebugBackend; the live one in practice) through a
 * lesson's steps. It sets the pauses the remaining steps need, waits for each step's pause in the
 * real run, checks the step's expected state against the run, resolves its question's answer, and
 * lets go the processes the lesson names, so the interleaving the learner sees is real. A stop
 * that a later step is waiting for is held; any other stop is let go at once. `finish` lets the
 * run end by itself and `stop` ends it: either way nothing of the run is left behind.
 *
 * No `vscode` here: the extension shows the reports, the tests assert them.
 */
import * as path from 'node:path';
import type { BreakpointSpec, StopOnKind } from '../protocol/control';
import type { SourceSite } from '../protocol/events';
import type { DebugBackend, Disposable, ProcessStop, RunEnd } from '../debug/backend';
import { ALIVE_STATES, newestProcess, newestProcesses, type ProcessNode, type SessionSnapshot } from '../session/model';
import {
  isEventPause,
  isLinePause,
  isOperationPause,
  type ChannelExpectation,
  type Lesson,
  type LessonPause,
  type LessonStep,
  type ProcessExpectation,
  type ProcessSelector,
} from './format';

/** Where a lesson's script is, and how to launch it under the debugger with the lesson's pauses set. */
export interface LessonLaunch {
  readonly program: string;
  readonly cwd: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly stopOn: readonly StopOnKind[];
  readonly breakpoints: ReadonlyMap<string, readonly BreakpointSpec[]>;
}

export function lessonScriptPath(lesson: Lesson, lessonFile: string): string {
  return path.resolve(path.dirname(lessonFile), lesson.script);
}

/** The pauses steps `from` on need: the script's breakpoint lines and the operation kinds. */
function pausesFrom(lesson: Lesson, from: number): { lines: number[]; stopOn: StopOnKind[] } {
  const lines = new Set<number>();
  const stopOn = new Set<StopOnKind>();
  for (const s of lesson.steps.slice(from)) {
    if (isLinePause(s.pause)) lines.add(s.pause.line);
    else if (isOperationPause(s.pause)) stopOn.add(s.pause.operation);
  }
  return { lines: [...lines].sort((a, b) => a - b), stopOn: [...stopOn].sort() };
}

const specs = (lines: readonly number[]): BreakpointSpec[] => lines.map((line, i) => ({ id: 9000 + i, line }));

export function lessonLaunch(lesson: Lesson, lessonFile: string): LessonLaunch {
  const program = lessonScriptPath(lesson, lessonFile);
  const { lines, stopOn } = pausesFrom(lesson, 0);
  return { program, cwd: path.dirname(program), args: lesson.launch.args, env: lesson.launch.env, stopOn, breakpoints: new Map([[program, specs(lines)]]) };
}

/** A process as the lesson sees it: from the run's model, or from the debugger when the model has not heard of it yet. */
export interface LessonProcess {
  readonly pid: number;
  readonly name: string;
  readonly role: string;
}

export function matchesProcess(sel: ProcessSelector | undefined, p: LessonProcess, aliases: ReadonlyMap<string, number>): boolean {
  if (!sel) return true;
  if (sel.role !== undefined && sel.role !== p.role) return false;
  if (sel.name !== undefined && sel.name !== p.name) return false;
  if (sel.nameMatches !== undefined && !new RegExp(sel.nameMatches).test(p.name)) return false;
  if (sel.is !== undefined && aliases.get(sel.is) !== p.pid) return false;
  if (sel.isNot !== undefined && aliases.get(sel.isNot) === p.pid) return false;
  return true;
}

/** A stop satisfies a line or operation pause (the process is checked separately). */
export function stopMatchesPause(pause: LessonPause, stop: ProcessStop, program: string): boolean {
  if (isLinePause(pause)) return stop.site !== null && stop.site.line === pause.line && samePath(stop.site.file, program);
  if (isOperationPause(pause)) return stop.op !== null && stop.op.kind === pause.operation && (pause.op === undefined || stop.op.op === pause.op) && (pause.preview === undefined || stop.op.preview === pause.preview);
  return false;
}

function samePath(a: string, b: string): boolean {
  return path.resolve(a) === path.resolve(b);
}

export interface CheckResult {
  /** What was checked, in the lesson's terms ("processes[0]: a child is zombie"). */
  readonly what: string;
  readonly ok: boolean;
  /** What the run showed. */
  readonly actual: string;
}

export type ResolvedAnswer = { readonly kind: 'process'; readonly pids: readonly number[] } | { readonly kind: 'value'; readonly value: string };

export interface StepReport {
  readonly index: number;
  readonly step: LessonStep;
  /** The process the step is about (the paused one, or the one the event happened to). */
  readonly pid: number;
  readonly process: LessonProcess;
  /** Where it is paused (null for an event step). */
  readonly site: SourceSite | null;
  /** The debugger's words for the pause ("Paused before Queue.put(...)"), or the event. */
  readonly description: string;
  readonly checks: readonly CheckResult[];
  readonly ok: boolean;
  readonly answer?: ResolvedAnswer;
  /** Processes the lesson holds paused now. */
  readonly paused: readonly number[];
}

export interface EndReport {
  readonly end: RunEnd | null;
  /** The run was ended by Stop (it did not end by itself in time, or the lesson was left). */
  readonly stopped: boolean;
  readonly checks: readonly CheckResult[];
  readonly ok: boolean;
}

export interface LessonRunnerOptions {
  /** How long a step may take to happen (default 60 s: runs are slow on a loaded machine). */
  readonly stepTimeoutMs?: number;
  /** How long the run's model may take to show an expected state (default 15 s). */
  readonly expectTimeoutMs?: number;
  /** How long the run may take to end by itself after the last step (default 60 s). */
  readonly endTimeoutMs?: number;
}

export class LessonStepError extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(`step ${index + 1}: ${message}`);
  }
}

const ALIVE: ReadonlySet<string> = ALIVE_STATES;

export class LessonRunner implements Disposable {
  readonly program: string;
  private readonly aliases = new Map<string, number>();
  /** Stops the runner has not let go, in arrival order; `claimed` ones belong to a step already reported. */
  private readonly paused = new Map<number, { stop: ProcessStop; claimed: boolean }>();
  private readonly subscriptions: Disposable[] = [];
  private readonly waiters = new Set<() => void>();
  private cursor = -1;
  private current: StepReport | null = null;
  private output = '';
  private ended: RunEnd | null = null;
  private lines: readonly number[];
  private stopOn: readonly StopOnKind[];
  private disposed = false;

  constructor(
    readonly lesson: Lesson,
    lessonFile: string,
    private readonly backend: DebugBackend,
    private readonly options: LessonRunnerOptions = {},
  ) {
    const launch = lessonLaunch(lesson, lessonFile);
    this.program = launch.program;
    this.lines = launch.breakpoints.get(this.program)?.map((b) => b.line) ?? [];
    this.stopOn = launch.stopOn;
    this.subscriptions.push(
      backend.onStopped((s) => this.onStop(s)),
      backend.onContinued((pid) => this.forget(pid)),
      backend.onProcessExited((p) => this.forget(p.pid)),
      backend.onOutput((o) => {
        if (o.category === 'stdout' || o.category === 'stderr') {
          this.output += o.text;
          this.wake();
        }
      }),
      backend.onEnded((e) => {
        this.ended = e;
        this.paused.clear();
        this.wake();
      }),
    );
    // A stop that came before we listened (the first process can stop as the run starts).
    for (const p of backend.processes()) {
      const s = backend.stopOf(p.pid);
      if (s) this.onStop(s);
    }
    try {
      this.subscriptions.push(backend.session.onDidChange(() => this.wake()));
    } catch {
      // Not started yet: the waits poll as well.
    }
  }

  /** The program's output so far (stdout and stderr as they came). */
  get programOutput(): string {
    return this.output;
  }

  /** Processes the lesson holds paused. */
  pausedPids(): number[] {
    return [...this.paused.keys()];
  }

  get stepIndex(): number {
    return this.cursor;
  }

  // ---------------------------------------------------------------------------------------------
  // Stops

  private onStop(stop: ProcessStop): void {
    if (this.disposed) return;
    this.paused.set(stop.pid, { stop, claimed: false });
    if (!this.wanted(stop)) void this.letGo(stop.pid, 'continue');
    this.wake();
  }

  /** A step not reached yet (or the one being waited for) pauses here: hold it. */
  private wanted(stop: ProcessStop): boolean {
    const proc = this.describe(stop.pid);
    return this.lesson.steps.slice(Math.max(this.cursor, 0)).some((s, i) => {
      if (this.cursor >= 0 && i === 0 && this.current !== null) return false; // the current step is already satisfied
      return stopMatchesPause(s.pause, stop, this.program) && matchesProcess(s.pause.process, proc, this.aliases);
    });
  }

  private forget(pid: number): void {
    this.paused.delete(pid);
    this.wake();
  }

  private letGo(pid: number, how: 'continue' | 'next' | 'stepIn' | 'stepOut'): Promise<void> {
    this.paused.delete(pid);
    return this.backend.resume(pid, how).catch(() => undefined); // gone meanwhile: nothing to resume
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves when `ready()` gives a value, or rejects after `ms` (checked at every change, and every 100 ms). */
  private until<T>(ms: number, ready: () => T | undefined, what: () => string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        clearInterval(poll);
        this.waiters.delete(check);
      };
      const check = (): void => {
        let v: T | undefined;
        try {
          v = ready();
        } catch (e) {
          done();
          reject(e as Error);
          return;
        }
        if (v !== undefined) {
          done();
          resolve(v);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(what()));
      }, ms);
      const poll = setInterval(check, 100);
      this.waiters.add(check);
      check();
    });
  }

  // ---------------------------------------------------------------------------------------------
  // The run's model

  private snapshot(): SessionSnapshot | null {
    try {
      return this.backend.session.snapshot();
    } catch {
      return null;
    }
  }

  private describe(pid: number): LessonProcess {
    const node = newestProcess(this.snapshot(), pid);
    const dbg = this.backend.processes().find((p) => p.pid === pid);
    const name = node?.name && node.name !== '?' ? node.name : (dbg?.name ?? '?');
    return { pid, name, role: node?.role ?? dbg?.role ?? 'child' };
  }

  // ---------------------------------------------------------------------------------------------
  // Steps

  /**
   * Let go what the previous step names, then wait for the next step's pause and check it.
   * Resolves undefined when every step has been shown. Rejects (LessonStepError) when the step
   * does not happen: the run ended first, or it took too long.
   */
  async nextStep(): Promise<StepReport | undefined> {
    if (this.disposed) throw new Error('The lesson was stopped.');
    if (this.cursor + 1 >= this.lesson.steps.length) {
      if (this.current) await this.applyThen(this.current);
      this.cursor = this.lesson.steps.length;
      this.current = null;
      return undefined;
    }
    // Pauses no step needs any more go first, so the processes let go now do not stop for nothing.
    await this.prune(this.cursor + 1);
    if (this.current) await this.applyThen(this.current);
    this.cursor += 1;
    this.current = null;
    // Stops held for the step just shown that it did not take (four pool workers at the line
    // one of them showed): no step from here on waits for them, so holding them would only hang
    // the run.
    for (const [pid, held] of [...this.paused]) if (!held.claimed && !this.wanted(held.stop)) await this.letGo(pid, 'continue');
    const index = this.cursor;
    const step = this.lesson.steps[index]!;
    const { pid, stop } = await this.waitForPause(index, step);
    if (step.pause.as !== undefined) this.aliases.set(step.pause.as, pid);
    const process = this.describe(pid);
    const checks = await this.check(step, pid, stop);
    const answer = step.question ? await this.resolveAnswer(step, pid, checks) : undefined;
    const report: StepReport = {
      index,
      step,
      pid,
      process,
      site: stop?.site ?? null,
      description: stop?.description ?? eventDescription(step.pause, process),
      checks,
      ok: checks.every((c) => c.ok),
      ...(answer ? { answer } : {}),
      paused: this.pausedPids(),
    };
    this.current = report;
    return report;
  }

  /** Keep only the pauses the steps from `from` on still need, so the run is not stopped for nothing. */
  private async prune(from: number): Promise<void> {
    const { lines, stopOn } = pausesFrom(this.lesson, from);
    if (this.ended) return;
    if (lines.join() !== this.lines.join()) {
      this.lines = lines;
      await this.backend.setBreakpoints(this.program, specs(lines)).catch(() => undefined);
    }
    if (stopOn.join() !== this.stopOn.join()) {
      this.stopOn = stopOn;
      await this.backend.setStopOn(stopOn).catch(() => undefined);
    }
  }

  private async waitForPause(index: number, step: LessonStep): Promise<{ pid: number; stop: ProcessStop | null }> {
    const pause = step.pause;
    const timeout = this.options.stepTimeoutMs ?? 60_000;
    const why = (): string => {
      const paused = [...this.paused.values()].map(({ stop }) => `${stop.pid} at line ${stop.site?.line ?? '?'}`);
      const base = this.ended ? `the run ended before this step's pause (${pauseText(pause)})` : `no ${pauseText(pause)} within ${timeout / 1000} s`;
      return `${base}; paused now: ${paused.length ? paused.join(', ') : 'none'}`;
    };
    try {
      if (isEventPause(pause)) {
        const pid = await this.until(
          timeout,
          () => {
            const snap = this.snapshot();
            const node = snap?.processes.find((p) => eventHappened(pause.event, p) && matchesProcess(pause.process, { pid: p.pid, name: p.name, role: p.role }, this.aliases));
            if (node) return node.pid;
            if (this.ended) throw new Error(why());
            return undefined;
          },
          why,
        );
        return { pid, stop: null };
      }
      return await this.until(
        timeout,
        () => {
          for (const [pid, held] of this.paused) {
            if (held.claimed) continue;
            if (stopMatchesPause(pause, held.stop, this.program) && matchesProcess(pause.process, this.describe(pid), this.aliases)) {
              held.claimed = true;
              return { pid, stop: held.stop };
            }
          }
          if (this.ended) throw new Error(why());
          return undefined;
        },
        why,
      );
    } catch (e) {
      throw new LessonStepError(index, (e as Error).message);
    }
  }

  private async check(step: LessonStep, pid: number, stop: ProcessStop | null): Promise<CheckResult[]> {
    const x = step.expect;
    if (!x) return [];
    const immediate: CheckResult[] = [];
    if (x.process) {
      const p = this.describe(pid);
      immediate.push({ what: `process: ${selectorText(x.process)}`, ok: matchesProcess(x.process, p, this.aliases), actual: `${p.name} (${p.role}, pid ${pid})` });
    }
    if (x.operation) {
      const op = stop?.op;
      const ok = op != null && (x.operation.kind === undefined || op.kind === x.operation.kind) && (x.operation.op === undefined || op.op === x.operation.op) && (x.operation.preview === undefined || op.preview === x.operation.preview);
      immediate.push({ what: `operation: ${JSON.stringify(x.operation)}`, ok, actual: op ? `${op.type}.${op.op}(${op.preview ?? ''}) [${op.kind}]` : 'no operation' });
    }
    for (const e of x.evaluate ?? []) {
      let actual: string;
      try {
        actual = (await this.backend.evaluate(pid, 0, e.expression, 'watch')).result;
      } catch (err) {
        actual = `error: ${(err as Error).message}`;
      }
      immediate.push({ what: `evaluate: ${e.expression} == ${e.equals}`, ok: actual === e.equals, actual });
    }
    // What the run's model and output show can lag the pause a little: wait for it, bounded.
    const later = (): CheckResult[] => [
      ...(x.processes ?? []).map((p, i) => this.checkProcesses(p, i)),
      ...(x.channels ?? []).map((c, i) => this.checkChannel(c, i)),
      ...(x.output ?? []).map((o) => ({ what: `output contains ${JSON.stringify(o)}`, ok: this.output.includes(o), actual: tail(this.output) })),
    ];
    let results = later();
    if (results.some((r) => !r.ok)) {
      results = await this.until(this.options.expectTimeoutMs ?? 15_000, () => {
        const r = later();
        return r.every((c) => c.ok) || this.ended ? r : undefined;
      }, () => 'expected state').catch(() => later());
    }
    return [...immediate, ...results];
  }

  private checkProcesses(x: ProcessExpectation, i: number): CheckResult {
    const snap = this.snapshot();
    const nodes = newestProcesses(snap).filter((p) => matchesProcess(x.process, { pid: p.pid, name: p.name, role: p.role }, this.aliases));
    const fits = nodes.filter(
      (p) =>
        (x.state === undefined || stateIs(p, x.state)) &&
        (x.orphan === undefined || p.orphaned === x.orphan) &&
        (x.daemon === undefined || p.daemon === x.daemon),
    );
    const ok = x.count === undefined ? fits.length > 0 : fits.length === x.count;
    const want = [x.state, x.orphan !== undefined ? `orphan=${x.orphan}` : '', x.daemon !== undefined ? `daemon=${x.daemon}` : ''].filter(Boolean).join(', ');
    return {
      what: `processes[${i}]: ${x.count ?? 'some'} × ${selectorText(x.process)}${want ? ` (${want})` : ''}`,
      ok,
      actual: nodes.length ? nodes.map((p) => `${p.name}/${p.role} pid ${p.pid}: ${p.state}${p.wait ? ` (waiting: ${p.wait.op})` : ''}${p.orphaned ? ', orphan' : ''}${p.daemon ? ', daemon' : ''}`).join('; ') : 'no such process',
    };
  }

  private channelState(kind: string, line?: number) {
    const snap = this.snapshot();
    if (!snap) return undefined;
    const channel = snap.channels.find((c) => c.kind === kind && (line === undefined || c.createdAt?.line === line));
    if (!channel) return undefined;
    const state = this.backend.session.channelStatesAt(snap.nowMs, 20).find((s) => s.id === channel.id);
    return state ? { channel, state } : undefined;
  }

  private checkChannel(x: ChannelExpectation, i: number): CheckResult {
    const found = this.channelState(x.kind, x.createdAtLine);
    const what = `channels[${i}]: ${x.kind}${x.createdAtLine ? `@line ${x.createdAtLine}` : ''} ${JSON.stringify({ ...x, kind: undefined, createdAtLine: undefined })}`;
    if (!found) return { what, ok: false, actual: 'no such channel' };
    const { state } = found;
    const holders = state.holders.map((h) => h.pid);
    const ok =
      (x.inFlight === undefined || state.inFlightCount === x.inFlight) &&
      (x.messages === undefined || state.messageCount === x.messages) &&
      (x.waiters === undefined || state.waiters.length === x.waiters) &&
      (x.holders === undefined || state.holders.length === x.holders) &&
      (x.isSet === undefined || state.isSet === x.isSet) &&
      (x.heldBy === undefined || holders.some((pid) => matchesProcess(x.heldBy, this.describe(pid), this.aliases)));
    return { what, ok, actual: `inFlight ${state.inFlightCount}, messages ${state.messageCount}, holders [${holders.join(', ')}], waiters ${state.waiters.length}, isSet ${String(state.isSet)}` };
  }

  private async resolveAnswer(step: LessonStep, pid: number, checks: CheckResult[]): Promise<ResolvedAnswer> {
    const a = step.question!.answer;
    if ('process' in a) {
      const pids = newestProcesses(this.snapshot()).filter((p) => matchesProcess(a.process, { pid: p.pid, name: p.name, role: p.role }, this.aliases)).map((p) => p.pid);
      checks.push({ what: `answer: ${selectorText(a.process)}`, ok: pids.length > 0, actual: pids.length ? `pid ${pids.join(', ')}` : 'no such process' });
      return { kind: 'process', pids };
    }
    if ('holderOf' in a) {
      const pids = this.channelState(a.holderOf)?.state.holders.map((h) => h.pid) ?? [];
      checks.push({ what: `answer: who holds the ${a.holderOf}`, ok: pids.length > 0, actual: pids.length ? `pid ${pids.join(', ')}` : 'nobody' });
      return { kind: 'process', pids };
    }
    let value: string;
    try {
      value = (await this.backend.evaluate(pid, 0, a.evaluate, 'watch')).result;
    } catch (e) {
      value = `error: ${(e as Error).message}`;
    }
    if (a.equals !== undefined) checks.push({ what: `answer: ${a.evaluate} == ${a.equals}`, ok: value === a.equals, actual: value });
    return { kind: 'value', value };
  }

  /** Is this what the learner answered right? A process answer takes a pid; a value answer, the text. */
  static isRight(answer: ResolvedAnswer, given: number | string): boolean {
    if (answer.kind === 'process') return typeof given === 'number' && answer.pids.includes(given);
    return String(given).trim() === answer.value;
  }

  private async applyThen(report: StepReport): Promise<void> {
    const then = report.step.then ?? (isEventPause(report.step.pause) ? [] : [{}]);
    for (const go of then) {
      const how = go.do ?? 'continue';
      if (!go.process) {
        if (this.paused.has(report.pid)) await this.letGo(report.pid, how);
        continue;
      }
      // The process may still be on its way to its pause: wait for it (bounded).
      const pid = await this.until(
        this.options.stepTimeoutMs ?? 60_000,
        () => {
          for (const p of this.paused.keys()) if (matchesProcess(go.process, this.describe(p), this.aliases)) return p;
          return this.ended ? -1 : undefined;
        },
        () => `step ${report.index + 1}: then: no paused process is ${selectorText(go.process!)}`,
      ).catch((e: Error) => {
        throw new LessonStepError(report.index, e.message);
      });
      if (pid > 0) await this.letGo(pid, how);
    }
  }

  /**
   * After the last step: let every process go with no pause left, and wait for the run to end
   * by itself (bounded; then Stop). Checks the lesson's `end.expect`.
   */
  async finish(): Promise<EndReport> {
    if (this.current) {
      await this.applyThen(this.current).catch(() => undefined);
      this.current = null;
    }
    this.cursor = this.lesson.steps.length;
    await this.prune(this.cursor);
    for (const pid of [...this.paused.keys()]) await this.letGo(pid, 'continue');
    let stopped = false;
    const end = await this.until(this.options.endTimeoutMs ?? 60_000, () => this.ended ?? undefined, () => 'the run did not end').catch(() => null);
    if (!end) {
      stopped = true;
      await this.stop();
    }
    const checks: CheckResult[] = [];
    const x = this.lesson.end?.expect;
    for (const o of x?.output ?? []) checks.push({ what: `output contains ${JSON.stringify(o)}`, ok: this.output.includes(o), actual: tail(this.output) });
    if (x?.exitCode !== undefined) checks.push({ what: `exit code ${x.exitCode}`, ok: end?.exitCode === x.exitCode, actual: end ? `exit ${String(end.exitCode)}${end.signal ? ` (${end.signal})` : ''}` : 'stopped' });
    return { end: this.ended, stopped, checks, ok: !stopped && checks.every((c) => c.ok) };
  }

  /** Leave the lesson: end the run (every process of it) now. */
  async stop(): Promise<void> {
    if (!this.ended) await this.backend.terminate().catch(() => undefined);
    await this.until(20_000, () => this.ended ?? undefined, () => 'the run did not end after Stop').catch(() => undefined);
  }

  dispose(): void {
    this.disposed = true;
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.waiters.clear();
  }
}

/** 'alive': not ended; 'waiting': blocked in an operation the tracer reported (the node's `wait`), whatever the OS says. */
function stateIs(p: ProcessNode, state: string): boolean {
  if (state === 'alive') return ALIVE.has(p.state);
  if (state === 'waiting') return p.wait !== null || p.state === 'waiting';
  return p.state === state;
}

function eventHappened(event: 'started' | 'exited' | 'zombie' | 'orphan', p: ProcessNode): boolean {
  switch (event) {
    case 'started':
      return true;
    case 'exited':
      return p.exitedMs !== null || p.state === 'zombie' || p.state === 'exited' || p.state === 'killed';
    case 'zombie':
      return p.state === 'zombie';
    case 'orphan':
      return p.orphaned;
  }
}

export function selectorText(s: ProcessSelector): string {
  const parts = [
    s.role && `role ${s.role}`,
    s.name && `named ${s.name}`,
    s.nameMatches && `name ~ /${s.nameMatches}/`,
    s.is && `is "${s.is}"`,
    s.isNot && `is not "${s.isNot}"`,
  ].filter(Boolean);
  return parts.join(', ') || 'any process';
}

function pauseText(p: LessonPause): string {
  const who = p.process ? ` by ${selectorText(p.process)}` : '';
  if (isLinePause(p)) return `pause at line ${p.line}${who}`;
  if (isOperationPause(p)) return `pause before a ${p.operation}${p.op ? `.${p.op}` : ''} operation${who}`;
  return `process ${p.event} event${who}`;
}

function eventDescription(p: LessonPause, proc: LessonProcess): string {
  return isEventPause(p) ? `${proc.name} (pid ${proc.pid}): ${p.event}` : '';
}

function tail(s: string): string {
  return s.length > 300 ? `…${s.slice(-300)}` : s;
}
