/**
 * The extension as one object: builds every part, wires them together, owns them. `activate`
 * makes one of these; `dispose` (on deactivate) ends the run and frees everything.
 */
import * as vscode from 'vscode';
import { registerCommands, type CommandTable } from './commands';
import { ProcessViewDebugging } from './debug/debugging';
import { onConfigChange, readConfig } from './config';
import { Commands, ContextKeys, Settings, Views } from './ids';
import { LessonController } from './lessons/lessonController';
import { LessonLens } from './lessons/lessonLens';
import { Logger } from './log';
import { EditorDecorations } from './editor/editorDecorations';
import { StallNotifier } from './views/stallNotifier';
import { pickExample } from './editor/examples';
import { PythonChecks } from './editor/languageClient';
import { revealMessage, revealRow } from './editor/reveal';
import { visibleChannels } from './models/channelModel';
import type { TreeRow } from './models/processModel';
import { siteOf, type SiteCarrier } from './models/sourceSites';
import { openRecording, RecordingFolder, saveRecordingAs } from './recordings/recordings';
import type { CoreServices } from './run/coreAdapter';
import { RunController } from './run/runController';
import { ChannelTreeProvider } from './views/channelTree';
import { copyPid, signalProcess } from './views/processActions';
import { EndedProcessDecorations, ProcessTreeProvider } from './views/processTree';
import { SessionStore } from './views/sessionStore';
import { StatusBar } from './views/statusBar';
import { TimelinePanel } from './views/timelinePanel';

const t = vscode.l10n.t;

export class ProcessView implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  readonly log: Logger;
  readonly store: SessionStore;
  readonly processes: ProcessTreeProvider;
  readonly channels: ChannelTreeProvider;
  readonly runs: RunController;
  readonly timeline: TimelinePanel;
  readonly processView: vscode.TreeView<unknown>;
  readonly lessons: LessonController;
  private revealedOnRun = false;
  /** The hasSession context key as last sent to the window. */
  private shownHasSession: boolean | undefined;
  private readonly channelView: vscode.TreeView<unknown>;
  private showExited: boolean;

  constructor(context: vscode.ExtensionContext, core: CoreServices) {
    const own = <T extends vscode.Disposable>(d: T): T => {
      this.disposables.push(d);
      return d;
    };
    this.log = own(new Logger(t('Process View')));
    this.store = own(new SessionStore());
    this.showExited = readConfig().keepExitedProcesses;
    this.processes = own(new ProcessTreeProvider(this.store, () => this.showExited));
    this.channels = own(new ChannelTreeProvider(this.store, () => readConfig().payloadPreviewLength));
    this.processView = own(vscode.window.createTreeView(Views.processes, { treeDataProvider: this.processes, showCollapseAll: true }));
    this.channelView = own(vscode.window.createTreeView(Views.channels, { treeDataProvider: this.channels, showCollapseAll: true }));
    own(vscode.window.registerFileDecorationProvider(new EndedProcessDecorations()));
    own(new EditorDecorations(this.store));
    own(new StallNotifier(this.store));
    const status = own(new StatusBar(this.store));
    const recordingFolder = new RecordingFolder(context.globalStorageUri, this.log);
    this.runs = own(new RunController(core.launch, this.store, this.log, recordingFolder));
    const debugging = own(new ProcessViewDebugging(context.workspaceState, this.store, this.processes, this.processView, recordingFolder, this.log));
    this.lessons = own(new LessonController(context.extensionUri, context.globalState, (f) => debugging.addFollower(f), this.log));
    own(new LessonLens(context.extensionUri, this.log));
    own(
      this.runs.onDidChangeRunning((running) => {
        status.setRunning(running);
        if (running) void this.revealOnRun();
      }),
    );
    this.timeline = own(new TimelinePanel(context.extensionUri, this.store, this.log, (pid) => void this.focusProcess(pid), debugging));
    own(new PythonChecks(context, this.log));
    own(this.store.onDidChange(() => this.updateViewMessage()));

    own(
      onConfigChange([Settings.keepExitedProcesses], () => {
        this.setShowExited(readConfig().keepExitedProcesses);
      }),
    );
    own(onConfigChange([Settings.payloadPreviewLength], () => this.store.refresh()));

    const recordings = {
      load: core.openRecording,
      store: this.store,
      isRunning: () => this.runs.isRunning,
      reveal: async () => {
        await vscode.commands.executeCommand(`${Views.processes}.focus`);
        this.timeline.show();
      },
    };
    const commands: CommandTable = {
      [Commands.run]: (uri) => this.runs.run(uri instanceof vscode.Uri ? uri : undefined),
      [Commands.stop]: () => this.runs.stop(),
      [Commands.rerun]: () => this.runs.rerun(),
      [Commands.openRecording]: (uri) => openRecording(recordings, uri instanceof vscode.Uri ? uri : undefined),
      [Commands.saveRecording]: () => saveRecordingAs(this.shownRecordingFile(), this.store.origin?.kind !== 'recording' && this.runs.isRunning),
      [Commands.showTimeline]: () => this.timeline.show(),
      [Commands.openExample]: () => pickExample(context.extensionUri),
      [Commands.showLog]: () => this.log.show(),
      [Commands.hideExited]: () => this.setShowExited(false),
      [Commands.showExited]: () => this.setShowExited(true),
      [Commands.debug]: (uri) => debugging.debugScript(uri instanceof vscode.Uri ? uri : undefined),
      [Commands.debugRecording]: (uri) => debugging.debugRecording(uri instanceof vscode.Uri ? uri : undefined),
      [Commands.pauseAtOperations]: () => debugging.pickStopOn(),
      [Commands.startLesson]: (id) => this.lessons.start(id),
      [Commands.openLessonFile]: (uri) => this.lessons.openFile(uri),
      [Commands.lessonNext]: () => this.lessons.next(),
      [Commands.lessonRestart]: () => this.lessons.restart(),
      [Commands.lessonLeave]: () => this.lessons.leave(),
      [Commands.lessonAnswer]: (given) => this.lessons.answer(given),
      [Commands.revealSource]: (row) => revealRow(row),
      // A process row's click: an answer while a lesson asks which process, else its creating line.
      [Commands.clickProcess]: (row) => (this.lessons.clicked(row as TreeRow) || !siteOf(row as SiteCarrier) ? undefined : revealRow(row)),
      [Commands.terminateProcess]: (row) => signalProcess(row, 'SIGTERM', this.runs.liveRootPid, this.log),
      [Commands.killProcess]: (row) => signalProcess(row, 'SIGKILL', this.runs.liveRootPid, this.log),
      [Commands.copyPid]: (row) => copyPid(row),
      [Commands.revealMessage]: (row) => revealMessage(row),
    };
    own(registerCommands(commands, this.log));
    void this.setContext(ContextKeys.showExited, this.showExited);
    this.shownHasSession = this.store.hasSession;
    void this.setContext(ContextKeys.hasSession, this.shownHasSession);
    void this.setContext(ContextKeys.inLesson, false);
    this.log.info(`Process View ${String(context.extension.packageJSON.version)} activated`);
  }

  /**
   * The first run of a window brings the Processes view forward (a first-time user would otherwise
   * see only the terminal); later runs leave the layout as the user arranged it.
   */
  private async revealOnRun(): Promise<void> {
    if (this.revealedOnRun || !readConfig().revealOnRun) return;
    this.revealedOnRun = true;
    await vscode.commands.executeCommand(`${Views.processes}.focus`);
  }

  /** Selects a process in the Processes view (a lane selected in the timeline). */
  private async focusProcess(pid: number): Promise<void> {
    const row = this.processes.rowForPid(pid);
    if (!row) {
      void vscode.window.showInformationMessage(t('Process {0} is not in the Processes view (ended processes may be hidden).', pid));
      return;
    }
    await this.processView.reveal(row, { select: true, focus: false, expand: false });
  }

  private setShowExited(show: boolean): void {
    this.showExited = show;
    void this.setContext(ContextKeys.showExited, show);
    this.processes.update();
    this.updateViewMessage();
  }

  /** The line above the tree: what moment is shown, and how many ended processes are hidden. */
  private updateViewMessage(): void {
    // Sent only when changed: this runs at every redraw of a run (4 a second), and the window
    // redraws a view's message and welcome content whenever it is sent one, even the same.
    if (this.shownHasSession !== this.store.hasSession) {
      this.shownHasSession = this.store.hasSession;
      void this.setContext(ContextKeys.hasSession, this.store.hasSession);
    }
    const parts: string[] = [];
    const origin = this.store.origin;
    if (origin?.kind === 'recording') parts.push(t('Recording: {0}', origin.file.split(/[\\/]/).pop() ?? origin.file));
    const at = this.store.scrubbedTo;
    if (at !== null) parts.push(t('As it was at {0} s (scrubbed in the timeline)', (at / 1000).toFixed(3)));
    if (this.processes.hiddenCount > 0) parts.push(t('{0} ended processes hidden', this.processes.hiddenCount));
    const processMessage = parts.length > 0 ? parts.join(' · ') : undefined;
    if (this.processView.message !== processMessage) this.processView.message = processMessage;
    const snapshot = this.store.current();
    const channelMessage =
      snapshot && visibleChannels(snapshot).length === 0 ? t('No queues, pipes, locks or other channels in this run (yet).') : undefined;
    if (this.channelView.message !== channelMessage) this.channelView.message = channelMessage;
  }

  /** The file behind the session shown: the opened recording, or else the current or last run's. */
  private shownRecordingFile(): string | undefined {
    const origin = this.store.origin;
    return origin?.kind === 'recording' ? origin.file : this.runs.recordingPath;
  }

  private setContext(key: string, value: unknown): Thenable<unknown> {
    return vscode.commands.executeCommand('setContext', key, value);
  }

  dispose(): void {
    // Reverse order: parts built later depend on the ones built earlier.
    for (const d of this.disposables.reverse()) d.dispose();
    this.disposables.length = 0;
  }
}
