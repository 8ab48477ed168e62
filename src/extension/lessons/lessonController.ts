/**
 * A lesson in VS Code: Start a Lesson opens its example and starts ONE `processview` debug session
 * with the lesson's pauses set before the program runs; a LessonRunner (core) follows that
 * session's backend. Each step is shown where the learner looks: a line of text after the paused
 * line (the whole step, with its actions, in the line's hover), and a status bar entry
 * "Lesson: … — step k of n" with Next Step, Restart and Leave. A question is answered by
 * clicking a process in the Processes view (or from a list), or by typing a value; the answer is
 * judged against the real run. Checks that failed are shown, not hidden.
 *
 * Why a decoration and not a comment thread: the paused line keeps its place and the code below
 * it stays where it was (a comment thread pushes the code down at every step and adds entries to
 * the Comments panel); the after-text says the gist in one line, and the hover and the status bar
 * tooltip carry the whole text with the buttons.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { DebugBackend, LiveLaunchOptions } from '../../core/debug';
import { lessonLaunch, LessonRunner, lessonText, type CheckResult, type LoadedLesson, type StepReport } from '../../core/lessons';
import type { BreakpointSpec } from '../../core/protocol/control';
import { newestProcess } from '../../core/session';
import type { DebugRunFollower } from '../debug/debugging';
import { Commands, ContextKeys, DebugType, LessonStatusItemIds } from '../ids';
import type { Logger } from '../log';
import { escapeMarkdown } from '../models/format';
import type { TreeRow } from '../models/processModel';
import { LessonProgressStore, openLessonFile, pickLesson, pickLessonFile, shippedLessons, uiLanguage } from './catalog';

const t = vscode.l10n.t;

/** How long the after-text may be before it is cut (the hover has the rest). */
const AFTER_TEXT_MAX = 110;

interface Answered {
  readonly step: number;
  readonly given: number | string;
  readonly right: boolean;
}

interface Active {
  readonly loaded: LoadedLesson;
  /** Marks this lesson's debug session (its launch configuration carries it). */
  readonly token: string;
  session?: vscode.DebugSession;
  backend?: DebugBackend;
  runner?: LessonRunner;
  report?: StepReport;
  /** Where the step is shown (the paused line, or a held process's line for an event step). */
  shownAt?: { readonly file: string; readonly line: number };
  busy: boolean;
  /** After the last step: the run is let go to end by itself. */
  finishing: boolean;
  sessionEnded: boolean;
  readonly answers: Answered[];
}

/** What the learner sees now (the in-host test reads it). */
export interface LessonState {
  readonly lessonId: string;
  /** The step shown (0-based), -1 before the first. */
  readonly stepIndex: number;
  readonly stepCount: number;
  /** Waiting for the run to reach the next step. */
  readonly waiting: boolean;
  readonly text?: string;
  readonly afterText?: string;
  readonly hover?: string;
  readonly statusText: string;
  readonly shownAt?: { readonly file: string; readonly line: number };
  readonly question?: string;
  readonly answers: readonly Answered[];
  readonly failedChecks: readonly CheckResult[];
}

export interface LessonEndState {
  readonly lessonId: string;
  readonly ok: boolean;
  readonly text: string;
  readonly failedChecks: readonly CheckResult[];
}

export class LessonController implements vscode.Disposable, DebugRunFollower {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly progress: LessonProgressStore;
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('editor.focusedStackFrameHighlightBackground'),
    after: { color: new vscode.ThemeColor('editorInfo.foreground'), fontStyle: 'italic', margin: '0 0 0 3em' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly statusItem = vscode.window.createStatusBarItem(LessonStatusItemIds.lesson, vscode.StatusBarAlignment.Left, 1000);
  private readonly nextItem = vscode.window.createStatusBarItem(LessonStatusItemIds.next, vscode.StatusBarAlignment.Left, 999);
  private readonly leaveItem = vscode.window.createStatusBarItem(LessonStatusItemIds.leave, vscode.StatusBarAlignment.Left, 998);
  private active: Active | undefined;
  /** Lessons left before their debug session had started: their run is ended when it comes. */
  private readonly abandoned = new Set<string>();
  private ended: LessonEndState | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    memento: vscode.Memento,
    addFollower: (f: DebugRunFollower) => vscode.Disposable,
    private readonly log: Logger,
  ) {
    this.progress = new LessonProgressStore(memento);
    this.statusItem.name = t('Process View Lesson');
    this.nextItem.name = t('Process View Lesson: Next Step');
    this.leaveItem.name = t('Process View Lesson: Leave');
    this.disposables.push(
      this.decoration,
      this.statusItem,
      this.nextItem,
      this.leaveItem,
      addFollower(this),
      vscode.debug.onDidTerminateDebugSession((s) => this.sessionEnded(s)),
      vscode.window.onDidChangeVisibleTextEditors(() => this.render()),
    );
    this.render();
  }

  // ---------------------------------------------------------------------------------------------
  // Commands

  /** Start a Lesson: a lesson id (the walkthrough's links), or the learner picks one. */
  async start(arg?: unknown): Promise<void> {
    const lessons = shippedLessons(this.extensionUri, this.log);
    let loaded: LoadedLesson | undefined;
    if (typeof arg === 'string') {
      loaded = lessons.find((l) => l.lesson.id === arg);
      if (!loaded) {
        void vscode.window.showErrorMessage(t('There is no lesson "{0}".', arg));
        return;
      }
    } else {
      loaded = await pickLesson(lessons, this.progress);
    }
    if (loaded) await this.begin(loaded);
  }

  /** Open Lesson File: a teacher's lesson (checked; every wrong field is named). */
  async openFile(arg?: unknown): Promise<void> {
    const loaded = arg instanceof vscode.Uri ? openLessonFile(arg, this.log) : await pickLessonFile(this.log);
    if (loaded) await this.begin(loaded);
  }

  async next(): Promise<void> {
    const a = this.active;
    if (!a) {
      void vscode.window.showInformationMessage(t('No lesson is running. Start one with Process View: Start a Lesson.'));
      return;
    }
    await this.advance(a);
  }

  async restart(): Promise<void> {
    const a = this.active;
    if (!a) return;
    await this.leave();
    await this.begin(a.loaded);
  }

  /** Leave the lesson: the run ends (every process of it), nothing is left paused. */
  async leave(): Promise<void> {
    const a = this.active;
    if (!a) return;
    this.active = undefined;
    this.render();
    if (!a.runner) this.abandoned.add(a.token);
    await a.runner?.stop();
    a.runner?.dispose();
    if (a.session && !a.sessionEnded) await Promise.resolve(vscode.debug.stopDebugging(a.session)).catch(() => undefined);
    this.log.info(`Left the lesson ${a.loaded.lesson.id}`);
  }

  /** Answer the step's question: a pid (the tree, the test), a value, or the learner picks. */
  async answer(arg?: unknown): Promise<void> {
    const a = this.active;
    const r = a?.report;
    const q = r?.step.question;
    if (!a || !r || !q || !r.answer) {
      void vscode.window.showInformationMessage(t('This step of the lesson asks no question.'));
      return;
    }
    let given: number | string | undefined = typeof arg === 'number' || typeof arg === 'string' ? arg : undefined;
    if (given === undefined) given = await this.askAnswer(a, r);
    if (given === undefined || this.active !== a || a.report !== r) return;
    const right = LessonRunner.isRight(r.answer, given);
    a.answers.push({ step: r.index, given, right });
    this.render();
    const expected = this.answerText(a, r);
    if (right) void vscode.window.showInformationMessage(t('Right: {0}. Press Next Step to go on.', expected), t('Next Step')).then((c) => (c ? this.next() : undefined));
    else void vscode.window.showWarningMessage(t('Not quite. In this run the answer is {0}.', expected));
  }

  /** What the learner sees now, or undefined when no lesson runs. */
  get state(): LessonState | undefined {
    const a = this.active;
    if (!a) return undefined;
    const view = this.view(a);
    return {
      lessonId: a.loaded.lesson.id,
      stepIndex: a.report?.index ?? -1,
      stepCount: a.loaded.lesson.steps.length,
      waiting: a.busy,
      ...(view ? { text: view.text, afterText: view.afterText, hover: view.hover.value } : {}),
      statusText: this.statusItem.text,
      ...(a.shownAt ? { shownAt: a.shownAt } : {}),
      ...(a.report?.step.question ? { question: lessonText(a.report.step.question.text, uiLanguage()) } : {}),
      answers: [...a.answers],
      failedChecks: a.report?.checks.filter((c) => !c.ok) ?? [],
    };
  }

  /** How the last lesson that reached its end ended. */
  get lastEnd(): LessonEndState | undefined {
    return this.ended;
  }

  progressOf(id: string): { done: number; finished: boolean } | undefined {
    return this.progress.get(id);
  }

  // ---------------------------------------------------------------------------------------------
  // The debug session

  private async begin(loaded: LoadedLesson): Promise<void> {
    await this.leave();
    const a: Active = { loaded, token: randomUUID(), busy: true, finishing: false, sessionEnded: false, answers: [] };
    this.active = a;
    const launch = lessonLaunch(loaded.lesson, loaded.file);
    const script = vscode.Uri.file(launch.program);
    await vscode.window.showTextDocument(script, { preview: false });
    this.render();
    const title = lessonText(loaded.lesson.title, uiLanguage());
    this.log.info(`Lesson ${loaded.lesson.id} (${loaded.file}): debugging ${launch.program}`);
    const started = await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(script), {
      type: DebugType,
      request: 'launch',
      name: t('Lesson: {0}', title),
      program: launch.program,
      cwd: launch.cwd,
      args: [...launch.args],
      env: { ...launch.env },
      stopOn: [...launch.stopOn],
      // The runner checks what the program prints: its output comes as events (the Debug Console).
      console: 'internalConsole',
      lessonRun: a.token,
    });
    if (!started && this.active === a) {
      this.active = undefined;
      this.render();
      this.log.warn(`The lesson ${loaded.lesson.id} did not start its debug session`);
    }
  }

  /** The lesson's pauses are set before the program starts, next to the learner's own breakpoints. */
  launchOptions(session: vscode.DebugSession, options: LiveLaunchOptions): LiveLaunchOptions {
    const a = this.active;
    if (!a || session.configuration.lessonRun !== a.token) return options;
    const launch = lessonLaunch(a.loaded.lesson, a.loaded.file);
    const breakpoints = new Map<string, readonly BreakpointSpec[]>(options.breakpoints ?? []);
    for (const [file, specs] of launch.breakpoints) {
      const own = breakpoints.get(file) ?? [];
      breakpoints.set(file, [...own.filter((b) => !specs.some((s) => s.line === b.line)), ...specs]);
    }
    return { ...options, breakpoints };
  }

  backendStarted(session: vscode.DebugSession, backend: DebugBackend): void {
    const token = session.configuration.lessonRun as unknown;
    if (typeof token === 'string' && this.abandoned.delete(token)) {
      void backend.terminate();
      return;
    }
    const a = this.active;
    if (!a || token !== a.token) return;
    // Restart in the debug toolbar gives the session a new run: the lesson starts over with it.
    a.runner?.dispose();
    a.session = session;
    a.backend = backend;
    a.runner = new LessonRunner(a.loaded.lesson, a.loaded.file, backend);
    a.report = undefined;
    a.shownAt = undefined;
    a.busy = false;
    void this.advance(a);
  }

  private sessionEnded(s: vscode.DebugSession): void {
    const a = this.active;
    if (!a || a.session?.id !== s.id) return;
    a.sessionEnded = true;
    if (!a.busy) this.close(a, t('The lesson\'s run ended: the lesson was left.'));
  }

  private close(a: Active, why?: string): void {
    if (this.active !== a) return;
    this.active = undefined;
    a.runner?.dispose();
    this.render();
    if (why) void vscode.window.showInformationMessage(why);
  }

  // ---------------------------------------------------------------------------------------------
  // Steps

  private async advance(a: Active): Promise<void> {
    if (!a.runner || a.busy) return;
    const runner = a.runner;
    a.busy = true;
    this.render();
    try {
      const report = await runner.nextStep();
      if (this.active !== a || a.runner !== runner) return;
      if (report) {
        a.report = report;
        a.shownAt = this.siteOf(a, report);
        a.busy = false;
        this.render();
        await this.progress.reached(a.loaded.lesson.id, report.index + 1);
        await this.showStep(a, report);
      } else {
        a.report = undefined;
        a.shownAt = undefined;
        a.finishing = true;
        this.render();
        const end = await runner.finish();
        const failed = end.checks.filter((c) => !c.ok);
        const text = a.loaded.lesson.end ? lessonText(a.loaded.lesson.end.text, uiLanguage()) : '';
        this.ended = { lessonId: a.loaded.lesson.id, ok: end.ok, text, failedChecks: failed };
        if (end.ok) await this.progress.finished(a.loaded.lesson.id, a.loaded.lesson.steps.length);
        this.close(a);
        const title = lessonText(a.loaded.lesson.title, uiLanguage());
        const another = t('Start Another Lesson');
        const say = end.ok ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
        const message = end.ok
          ? t('Lesson finished: {0}. {1}', title, text)
          : t('Lesson finished: {0}, but the run did not end as the lesson says: {1}', title, failed.map(checkText).join('; ') || t('it was stopped'));
        void say(message, another).then((c) => (c === another ? vscode.commands.executeCommand(Commands.startLesson) : undefined));
      }
    } catch (e) {
      if (this.active !== a || a.runner !== runner) return;
      this.log.error(`Lesson ${a.loaded.lesson.id}`, e);
      const restart = t('Restart Lesson');
      const leave = t('Leave Lesson');
      void vscode.window.showErrorMessage(t('The lesson cannot go on: {0}', (e as Error).message), restart, leave).then((c) => {
        if (c === restart) return this.restart();
        if (c === leave) return this.leave();
        return undefined;
      });
      a.busy = false;
      if (a.sessionEnded) this.close(a);
    } finally {
      if (this.active === a && a.runner === runner) {
        a.busy = false;
        if (a.sessionEnded && !a.report) this.close(a);
        this.render();
      }
    }
  }

  /** Where a step is shown: its paused line, or for an event step (nothing paused for it) a held process's line. */
  private siteOf(a: Active, r: StepReport): { file: string; line: number } | undefined {
    if (r.site) return { file: r.site.file, line: r.site.line };
    for (const pid of r.paused) {
      const s = a.backend?.stopOf(pid)?.site;
      if (s) return { file: s.file, line: s.line };
    }
    return undefined;
  }

  private async showStep(a: Active, r: StepReport): Promise<void> {
    const site = a.shownAt;
    const view = this.view(a);
    if (site) {
      const uri = vscode.Uri.file(site.file);
      const editor = await vscode.window.showTextDocument(uri, { preview: false, preserveFocus: true });
      const at = new vscode.Range(site.line - 1, 0, site.line - 1, 0);
      editor.revealRange(at, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      this.render();
    } else if (view) {
      const next = t('Next Step');
      void vscode.window.showInformationMessage(view.text, next).then((c) => (c === next ? this.next() : undefined));
    }
    const failed = r.checks.filter((c) => !c.ok);
    if (failed.length > 0) {
      void vscode.window.showWarningMessage(t('Step {0}: the run does not show what the lesson says: {1}', r.index + 1, failed.map(checkText).join('; ')));
    }
    if (r.step.question) {
      const answer = t('Answer…');
      const q = lessonText(r.step.question.text, uiLanguage());
      void vscode.window.showInformationMessage(t('Question: {0}', q), answer).then((c) => (c === answer ? this.answer() : undefined));
    }
  }

  /**
   * The learner clicked (or pressed Enter on) a process in the Processes view: the answer to a
   * process question, if one is open; true when it was taken as one. A click, not a selection:
   * VS Code reports a selection only when it changes (a click on the row already selected says
   * nothing), and the debugger selects the paused process's row itself, which is no answer.
   */
  clicked(row: TreeRow | undefined): boolean {
    const a = this.active;
    const r = a?.report;
    if (!a || !r || r.answer?.kind !== 'process' || row?.kind !== 'process') return false;
    // Once right, the question is closed: the click is an ordinary one (Reveal Creating Line).
    if (a.answers.some((x) => x.step === r.index && x.right)) return false;
    void this.answer(row.process.pid);
    return true;
  }

  private async askAnswer(a: Active, r: StepReport): Promise<number | string | undefined> {
    const q = r.step.question!;
    const title = lessonText(q.text, uiLanguage());
    if (r.answer?.kind === 'process') {
      const byPid = new Map<number, { pid: number; name: string; role: string; state: string }>();
      for (const p of a.backend?.session.snapshot().processes ?? []) byPid.set(p.pid, p);
      const items = [...byPid.values()].map((p) => ({ label: p.name, description: t('pid {0} · {1} · {2}', p.pid, p.role, p.state), pid: p.pid }));
      return (await vscode.window.showQuickPick(items, { title, placeHolder: t('Pick a process (or click it in the Processes view)') }))?.pid;
    }
    if (q.choices && q.choices.length > 0) return vscode.window.showQuickPick([...q.choices], { title });
    return vscode.window.showInputBox({ title, prompt: t('Your answer') });
  }

  private answerText(a: Active, r: StepReport): string {
    const answer = r.answer!;
    if (answer.kind === 'value') return answer.value;
    const snapshot = a.backend?.session.snapshot();
    return answer.pids.map((pid) => t('{0} (pid {1})', newestProcess(snapshot, pid)?.name ?? '?', pid)).join(', ') || t('no process');
  }

  // ---------------------------------------------------------------------------------------------
  // Showing

  private view(a: Active): { text: string; afterText: string; hover: vscode.MarkdownString } | undefined {
    const r = a.report;
    if (!r) return undefined;
    const language = uiLanguage();
    const n = a.loaded.lesson.steps.length;
    const title = lessonText(a.loaded.lesson.title, language);
    const text = lessonText(r.step.text, language);
    const short = text.length > AFTER_TEXT_MAX ? `${text.slice(0, AFTER_TEXT_MAX - 1)}…` : text;
    const afterText = `» ${t('Step {0} of {1}', r.index + 1, n)}: ${short}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: [Commands.lessonNext, Commands.lessonRestart, Commands.lessonLeave, Commands.lessonAnswer] };
    md.appendMarkdown(`**${escapeMarkdown(t('Lesson: {0} — step {1} of {2}', title, r.index + 1, n))}**\n\n`);
    md.appendMarkdown(`${escapeMarkdown(text)}\n\n`);
    if (r.step.question) {
      const given = a.answers.filter((x) => x.step === r.index);
      md.appendMarkdown(`**${escapeMarkdown(t('Question: {0}', lessonText(r.step.question.text, language)))}** [${escapeMarkdown(t('Answer…'))}](command:${Commands.lessonAnswer})\n\n`);
      if (given.length > 0) md.appendMarkdown(`${escapeMarkdown(given[given.length - 1]!.right ? t('Answered: right.') : t('Answered: not quite.'))}\n\n`);
    }
    for (const c of r.checks.filter((x) => !x.ok)) md.appendMarkdown(`$(warning) ${escapeMarkdown(t('Not as the lesson says: {0}', checkText(c)))}\n\n`);
    md.appendMarkdown(
      `[$(debug-continue) ${escapeMarkdown(t('Next Step'))}](command:${Commands.lessonNext}) · [$(debug-restart) ${escapeMarkdown(t('Restart Lesson'))}](command:${Commands.lessonRestart}) · [$(close) ${escapeMarkdown(t('Leave Lesson'))}](command:${Commands.lessonLeave})`,
    );
    return { text, afterText, hover: md };
  }

  private render(): void {
    const a = this.active;
    void vscode.commands.executeCommand('setContext', ContextKeys.inLesson, a !== undefined);
    if (!a) {
      for (const e of vscode.window.visibleTextEditors) e.setDecorations(this.decoration, []);
      this.statusItem.hide();
      this.nextItem.hide();
      this.leaveItem.hide();
      return;
    }
    const language = uiLanguage();
    const title = lessonText(a.loaded.lesson.title, language);
    const n = a.loaded.lesson.steps.length;
    const view = this.view(a);
    const k = (a.report?.index ?? -1) + 1;
    if (a.finishing) {
      this.statusItem.text = `$(sync~spin) ${t('Lesson: {0} — the run is finishing', title)}`;
      this.statusItem.tooltip = t('Every process of the run was let go: the lesson ends with the run.');
    } else if (a.busy || !a.report) {
      this.statusItem.text = `$(sync~spin) ${t('Lesson: {0} — waiting for step {1} of {2}', title, Math.min(k + 1, n), n)}`;
      this.statusItem.tooltip = t('The run is on its way to the next pause of the lesson.');
    } else {
      this.statusItem.text = `$(mortar-board) ${t('Lesson: {0} — step {1} of {2}', title, k, n)}`;
      this.statusItem.tooltip = view?.hover;
    }
    this.statusItem.show();
    this.nextItem.text = `$(debug-continue) ${t('Next Step')}`;
    this.nextItem.tooltip = t('Let the run go on to the lesson\'s next step');
    this.nextItem.command = Commands.lessonNext;
    this.nextItem.show();
    this.leaveItem.text = '$(close)';
    this.leaveItem.tooltip = t('Leave Lesson (ends the run)');
    this.leaveItem.command = Commands.lessonLeave;
    this.leaveItem.show();
    for (const e of vscode.window.visibleTextEditors) {
      const at = a.shownAt;
      if (!view || !at || a.busy || e.document.uri.fsPath !== vscode.Uri.file(at.file).fsPath) {
        e.setDecorations(this.decoration, []);
        continue;
      }
      const line = Math.min(at.line - 1, e.document.lineCount - 1);
      e.setDecorations(this.decoration, [{ range: new vscode.Range(line, 0, line, 0), hoverMessage: view.hover, renderOptions: { after: { contentText: view.afterText } } }]);
    }
  }

  dispose(): void {
    const a = this.active;
    if (a) {
      this.active = undefined;
      void a.runner?.stop().finally(() => a.runner?.dispose());
    }
    for (const d of this.disposables.reverse()) d.dispose();
    this.disposables.length = 0;
  }
}

function checkText(c: CheckResult): string {
  return t('{0} (the run shows: {1})', c.what, c.actual);
}
