/**
 * Run, Stop, Rerun. Checks everything that can be told to the user before the script starts
 * (trust, interpreter, syntax), runs it through a terminal the extension owns, shows its session
 * in the views, and says clearly how it ended. One run at a time.
 */
import { join } from 'node:path';
import * as vscode from 'vscode';
import { readConfig } from '../config';
import { revealLine } from '../editor/reveal';
import { baseName, formatDuration } from '../models/format';
import { ConfigSection, ContextKeys, Settings } from '../ids';
import { findInterpreter } from './interpreter';
import { untestedPythonNote } from '../../core/tracer';
import type { Logger } from '../log';
import type { ActiveRun, RunBackend, RunOutcome } from './runBackend';
import { RunTerminal } from './runTerminal';
import type { RecordingFolder } from '../recordings/recordings';
import type { SessionStore } from '../views/sessionStore';

const t = vscode.l10n.t;

/** Receiver problems (refused connections, rejected events) logged per run; the rest are counted in the recording's stats. */
const MaxLoggedProblems = 20;

/** After this long, a run that has not ended gets a notice offering to stop it. */
const LongRunNoticeMs = 30_000;

interface CurrentRun {
  readonly script: vscode.Uri;
  readonly run: ActiveRun;
  readonly terminal: RunTerminal;
  readonly recordingPath: string;
  readonly startedAt: number;
  stopping: boolean;
}

export class RunController implements vscode.Disposable {
  private current: CurrentRun | undefined;
  private lastScript: vscode.Uri | undefined;
  private lastTerminal: RunTerminal | undefined;
  private lastRecording: string | undefined;
  private starting = false;
  private readonly changed = new vscode.EventEmitter<boolean>();
  /** Fires with `true` when a run starts and `false` when it ends. */
  readonly onDidChangeRunning = this.changed.event;

  constructor(
    private readonly backend: RunBackend,
    private readonly store: SessionStore,
    private readonly log: Logger,
    private readonly recordings: RecordingFolder,
  ) {}

  get isRunning(): boolean {
    return this.current !== undefined;
  }

  /** The recording of the last run (for Save Recording). */
  get recordingPath(): string | undefined {
    return this.current?.recordingPath ?? this.lastRecording;
  }

  /** Pids may be signalled only while their run is live (a recording's pids belong to strangers now). */
  get liveRootPid(): number | null {
    return this.current?.run.rootPid ?? null;
  }

  async run(target?: vscode.Uri): Promise<void> {
    if (this.starting) return;
    this.starting = true;
    try {
      await this.runUnguarded(target);
    } finally {
      this.starting = false;
    }
  }

  async rerun(): Promise<void> {
    if (!this.lastScript) {
      void vscode.window.showInformationMessage(t('Nothing to rerun yet: run a Python script with Process View first.'));
      return;
    }
    await this.run(this.lastScript);
  }

  async stop(): Promise<void> {
    const current = this.current;
    if (!current || current.stopping) return;
    current.stopping = true;
    current.terminal.note(t('Process View: stopping the run…'));
    this.log.info(`Stopping ${current.script.fsPath}`);
    try {
      await current.run.stop();
    } catch (error) {
      this.log.error('Stopping the run failed', error);
      void vscode.window.showErrorMessage(t('Process View could not stop every process of the run: {0}', String(error)));
    }
  }

  private async runUnguarded(target: vscode.Uri | undefined): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      const manage = t('Manage Workspace Trust');
      void vscode.window
        .showWarningMessage(
          t('Process View does not run scripts in Restricted Mode: running a script executes its code. Trust this folder to run it.'),
          manage,
        )
        .then((choice) => (choice === manage ? vscode.commands.executeCommand('workbench.trust.manage') : undefined));
      this.log.warn('Not run: the workspace is not trusted');
      return;
    }
    const script = await this.pickScript(target);
    if (!script) return;
    if (this.current) {
      const stopAndRun = t('Stop and Run');
      const choice = await vscode.window.showWarningMessage(
        t('{0} is still running. Stop it and run {1}?', baseName(this.current.script.fsPath), baseName(script.fsPath)),
        stopAndRun,
      );
      if (choice !== stopAndRun) return;
      const ending = this.current.run.exited;
      await this.stop();
      await ending.catch(() => undefined);
    }
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === script.toString());
    if (document?.isDirty) await document.save();

    const config = readConfig(script);
    const search = await findInterpreter(script, config.pythonPath, this.log, script.fsPath);
    if (!search.found) {
      this.reportNoInterpreter(search.tried);
      return;
    }
    const python = search.found.info.executable;
    const syntax = search.syntax;
    if (syntax) {
      const goTo = t('Go to Line');
      const where = syntax.line !== null ? `${baseName(script.fsPath)}:${syntax.line}` : baseName(script.fsPath);
      // Not awaited: the command ends now; the message stays until the user acts on it.
      void vscode.window
        .showErrorMessage(t('{0} has a syntax error, so it was not run: {1} ({2}).', baseName(script.fsPath), syntax.message, where), goTo)
        .then((choice) => (choice === goTo ? revealLine(script, syntax.line ?? 1) : undefined));
      this.log.warn(`Not run: syntax error in ${where}: ${syntax.message}`);
      return;
    }

    const recordingPath = this.recordings.newPath(script.fsPath);

    const terminalName = t('Process View: {0}', baseName(script.fsPath));
    let terminal = this.lastTerminal;
    if (terminal?.reusable) {
      terminal.reuse(terminalName);
    } else {
      terminal?.dispose();
      terminal = new RunTerminal(terminalName);
      this.lastTerminal = terminal;
    }
    terminal.terminal.show(true);
    terminal.note(t('Process View: running {0} with Python {1} ({2})', script.fsPath, search.found.info.version, python));
    const untested = untestedPythonNote(search.found.info, t);
    if (untested) {
      terminal.note(untested);
      this.log.warn(untested);
    }

    let run: ActiveRun;
    let problems = 0;
    try {
      run = await this.backend({
        python: search.found.info,
        script: script.fsPath,
        args: [],
        cwd: vscode.workspace.getWorkspaceFolder(script)?.uri.fsPath ?? join(script.fsPath, '..'),
        samplingIntervalMs: config.samplingIntervalMs,
        payloadPreviewLength: config.payloadPreviewLength,
        recordingPath,
        onProblem: (reason) => {
          // Logged, not shown: a refused intruder or a garbled line does not stop the run. Bounded, so a flood cannot fill the log.
          problems++;
          if (problems <= MaxLoggedProblems) this.log.warn(`Event receiver: ${reason}`);
          if (problems === MaxLoggedProblems) this.log.warn('Event receiver: further problems of this run are counted, not logged');
        },
      });
    } catch (error) {
      this.log.error(`Could not start ${script.fsPath}`, error);
      terminal.note(t('Process View: the run could not start: {0}', String(error)));
      void this.offerLog(t('Process View could not start {0}: {1}', baseName(script.fsPath), error instanceof Error ? error.message : String(error)));
      return;
    }

    const current: CurrentRun = { script, run, terminal, recordingPath, startedAt: Date.now(), stopping: false };
    this.current = current;
    this.lastScript = script;
    terminal.attach({
      write: (text) => run.writeInput(text),
      end: () => run.endInput(),
      interrupt: () => void this.stop(),
    });
    const generation = terminal.generation;
    run.onOutput((text) => {
      if (terminal.generation === generation) terminal.write(text);
    });
    this.store.show(run.session, { kind: 'run', script: script.fsPath });
    this.setRunning(true);
    this.log.info(`Started ${script.fsPath} (root pid ${run.rootPid ?? '?'}), recording to ${recordingPath}`);

    const notice = setTimeout(() => void this.longRunNotice(current), LongRunNoticeMs);
    let outcome: RunOutcome;
    try {
      outcome = await run.exited;
    } catch (error) {
      this.log.error('The run ended with an error', error);
      outcome = { exitCode: null, signal: null };
    } finally {
      clearTimeout(notice);
    }
    this.current = undefined;
    this.lastRecording = recordingPath;
    terminal.attach(undefined);
    this.setRunning(false);
    this.store.refresh();
    this.reportOutcome(current, outcome);
  }

  private reportOutcome(current: CurrentRun, outcome: RunOutcome): void {
    const name = baseName(current.script.fsPath);
    const took = formatDuration(Date.now() - current.startedAt);
    if (outcome.signal) {
      current.terminal.note(t('Process View: {0} was ended by {1} after {2}.', name, outcome.signal, took));
    } else {
      current.terminal.note(t('Process View: {0} exited with code {1} after {2}.', name, outcome.exitCode ?? '?', took));
    }
    this.log.info(`${current.script.fsPath} ended: code ${outcome.exitCode ?? '-'}, signal ${outcome.signal ?? '-'}`);
    if (outcome.recordingError) {
      this.log.warn(`The recording ${current.recordingPath} is incomplete: ${outcome.recordingError}`);
      void vscode.window.showWarningMessage(t('The recording of this run is incomplete: {0}', outcome.recordingError));
    }
    if (!current.stopping && ((outcome.exitCode ?? 0) !== 0 || outcome.signal)) {
      const show = t('Show Terminal');
      void vscode.window
        .showWarningMessage(
          outcome.signal
            ? t('{0} was ended by {1}.', name, outcome.signal)
            : t('{0} exited with code {1}: its output is in the terminal.', name, outcome.exitCode ?? '?'),
          show,
        )
        .then((choice) => {
          if (choice === show) current.terminal.terminal.show();
        });
    }
  }

  private async longRunNotice(current: CurrentRun): Promise<void> {
    if (this.current !== current) return;
    const stop = t('Stop');
    const show = t('Show Terminal');
    const choice = await vscode.window.showInformationMessage(
      t('{0} is still running after {1}. It may be waiting for input in its terminal, or it may never end by itself.', baseName(current.script.fsPath), formatDuration(LongRunNoticeMs)),
      stop,
      show,
    );
    if (choice === stop && this.current === current) await this.stop();
    if (choice === show) current.terminal.terminal.show();
  }

  private reportNoInterpreter(tried: readonly string[]): void {
    const openSettings = t('Set processView.pythonPath');
    const select = t('Select Interpreter');
    const hasPythonExtension = vscode.extensions.getExtension('ms-python.python') !== undefined;
    const actions = hasPythonExtension ? [select, openSettings] : [openSettings];
    void vscode.window
      .showErrorMessage(
        t('Process View found no Python 3 interpreter (tried: {0}). Install Python 3 or tell Process View where it is.', tried.join('; ') || '-'),
        ...actions,
      )
      .then((choice) => {
        if (choice === openSettings) return vscode.commands.executeCommand('workbench.action.openSettings', `${ConfigSection}.${Settings.pythonPath}`);
        if (choice === select) return vscode.commands.executeCommand('python.setInterpreter');
        return undefined;
      });
  }

  private async offerLog(message: string): Promise<void> {
    const showLog = t('Show Log');
    if ((await vscode.window.showErrorMessage(message, showLog)) === showLog) this.log.show();
  }

  private async pickScript(target: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
    if (target instanceof vscode.Uri) return target;
    const active = vscode.window.activeTextEditor?.document;
    if (active && active.languageId === 'python' && active.uri.scheme === 'file') return active.uri;
    // The window's active tab, when the extension host has not heard of its editor yet (a file
    // opened a moment ago on a busy machine): the file the user is looking at, not a file dialog.
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (tab instanceof vscode.TabInputText && tab.uri.scheme === 'file' && tab.uri.path.endsWith('.py')) return tab.uri;
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { Python: ['py'] },
      openLabel: t('Run with Process View'),
      ...(vscode.workspace.workspaceFolders?.[0] ? { defaultUri: vscode.workspace.workspaceFolders[0].uri } : {}),
    });
    return picked?.[0];
  }

  /**
   * Not awaited: each setContext is a round trip to the window, which took 220-370 ms while it
   * drew a starting run's terminal and views (bench/vscode-run-cost.mjs, a one-line script): the
   * status bar kept spinning and the end's note waited that long after the run had ended. The
   * window applies them in the order they were sent.
   */
  private setRunning(running: boolean): void {
    this.changed.fire(running);
    void vscode.commands.executeCommand('setContext', ContextKeys.running, running);
    void vscode.commands.executeCommand('setContext', ContextKeys.canRerun, this.lastScript !== undefined);
  }

  dispose(): void {
    // Leaving nothing behind: a window reload or shutdown ends the run too.
    if (this.current) void this.current.run.stop().catch(() => undefined);
    this.lastTerminal?.dispose();
    this.changed.dispose();
  }
}
