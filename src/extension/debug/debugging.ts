/**
 * The `processview` debug type in VS Code: the launch.json provider, the adapter (the core's
 * DAP session, served inline), the Debug with Process View / Debug Recording / Pause at
 * Operations commands, and the views following the debug run: the backend's Session is shown
 * in the same SessionStore a Run feeds, a recording's moment is the moment the views show, and
 * paused processes are marked in the Processes tree.
 */
import * as vscode from 'vscode';
import { createDebugAdapter, LiveDebugBackend, ReplayDebugBackend, STOP_ON_KINDS, type DebugBackend, type LiveLaunchOptions, type StopOnKind } from '../../core/debug';
import { DebugType, StateKeys } from '../ids';
import type { Logger } from '../log';
import { baseName } from '../models/format';
import type { RecordingFolder } from '../recordings/recordings';
import type { ProcessTreeProvider } from '../views/processTree';
import type { SessionStore } from '../views/sessionStore';
import { DebugConfigurationProvider, mayRunScripts, recordingConfiguration, scriptConfiguration, type ProcessViewDebugConfiguration } from './debugConfiguration';

const t = vscode.l10n.t;

/** DAP messages after which the paused marks in the tree may have changed. */
const PAUSE_EVENTS = new Set(['stopped', 'continued', 'thread', 'terminated']);
const RESUME_REQUESTS = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'pause']);

/** Follows the debug runs of some sessions (a lesson): may add to a live launch, hears of each backend. */
export interface DebugRunFollower {
  /** The options a live run of this session starts with (e.g. the lesson's pauses, set before the program runs). */
  launchOptions?(session: vscode.DebugSession, options: LiveLaunchOptions): LiveLaunchOptions;
  /** Each backend of this session (a new one after Restart). */
  backendStarted?(session: vscode.DebugSession, backend: DebugBackend): void;
}

interface Followed {
  readonly backend: DebugBackend;
  readonly subscriptions: Array<{ dispose(): void }>;
}

export class ProcessViewDebugging implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  /** The backend of each live debug session (by vscode.DebugSession id). */
  private readonly followed = new Map<string, Followed>();
  /** The debug session whose run the views show. */
  private shown: string | undefined;
  private readonly followers = new Set<DebugRunFollower>();

  constructor(
    private readonly state: vscode.Memento,
    private readonly store: SessionStore,
    private readonly processes: ProcessTreeProvider,
    private readonly processView: vscode.TreeView<unknown>,
    private readonly recordings: RecordingFolder,
    private readonly log: Logger,
  ) {
    this.disposables.push(
      vscode.debug.registerDebugConfigurationProvider(DebugType, new DebugConfigurationProvider(log, () => this.stopOn)),
      vscode.debug.registerDebugAdapterDescriptorFactory(DebugType, { createDebugAdapterDescriptor: (session) => this.createAdapter(session) }),
      vscode.debug.registerDebugAdapterTrackerFactory(DebugType, {
        createDebugAdapterTracker: () => ({
          onDidSendMessage: (m: { type?: string; event?: string; command?: string }) => {
            if ((m.type === 'event' && PAUSE_EVENTS.has(m.event ?? '')) || (m.type === 'response' && RESUME_REQUESTS.has(m.command ?? ''))) this.processes.update();
          },
        }),
      }),
      vscode.debug.onDidTerminateDebugSession((s) => this.unfollow(s.id)),
      // The process focused in the Call Stack is the one selected in the Processes tree.
      vscode.debug.onDidChangeActiveStackItem((item) => {
        if (!item || item.session.type !== DebugType || item.session.id !== this.shown || !this.processView.visible) return;
        const row = this.processes.rowOfPid(item.threadId);
        if (row) void this.processView.reveal(row, { select: true, focus: false });
      }),
    );
  }

  /** The operation kinds the next debug run pauses before. */
  get stopOn(): StopOnKind[] {
    const saved = this.state.get<unknown>(StateKeys.stopOn);
    return Array.isArray(saved) ? STOP_ON_KINDS.filter((k) => saved.includes(k)) : [];
  }

  /** Debug with Process View: the given script, or the Python file in the editor. */
  async debugScript(target?: vscode.Uri): Promise<void> {
    const doc = vscode.window.activeTextEditor?.document;
    const script = target ?? (doc?.languageId === 'python' && doc.uri.scheme === 'file' ? doc.uri : undefined);
    if (!script) {
      void vscode.window.showInformationMessage(t('Open a Python file, or right-click one in the Explorer, to debug it with Process View.'));
      return;
    }
    if (!mayRunScripts(this.log)) return;
    await this.start(vscode.workspace.getWorkspaceFolder(script), scriptConfiguration(script, this.stopOn));
  }

  /** Debug Recording: the given .jsonl, the recording shown in the views, or one the user picks. */
  async debugRecording(target?: vscode.Uri): Promise<void> {
    const origin = this.store.origin;
    const file =
      target ??
      (origin?.kind === 'recording' ? vscode.Uri.file(origin.file) : undefined) ??
      (
        await vscode.window.showOpenDialog({
          canSelectMany: false,
          filters: { [t('Process View recording')]: ['jsonl'] },
          openLabel: t('Debug Recording'),
        })
      )?.[0];
    if (!file) return;
    await this.start(vscode.workspace.getWorkspaceFolder(file), recordingConfiguration(file));
  }

  /** Pause at Operations: which multiprocessing operations pause a process, for the next debug run and the current one. */
  async pickStopOn(): Promise<void> {
    const what: Record<StopOnKind, string> = {
      process: t('start, join, terminate, exit'),
      queue: t('put, get, task_done, join'),
      pipe: t('send, recv, close'),
      lock: t('acquire, release (Lock, RLock, Semaphore, Condition)'),
      event: t('set, clear, wait'),
      pool: t('submit, result'),
      manager: t('proxy calls'),
    };
    const current = new Set(this.stopOn);
    const items = STOP_ON_KINDS.map((kind) => ({ label: kind, description: what[kind], picked: current.has(kind), stopOn: kind }));
    const picked = await vscode.window.showQuickPick(items, {
      canPickMany: true,
      title: t('Pause at Operations'),
      placeHolder: t('Pause a process before each operation of the kinds checked (none: only breakpoints pause)'),
    });
    if (!picked) return;
    const kinds = picked.map((p) => p.stopOn);
    await this.state.update(StateKeys.stopOn, kinds);
    this.log.info(`Pause at operations: ${kinds.join(', ') || 'none'}`);
    const session = vscode.debug.activeDebugSession;
    if (session?.type === DebugType && this.followed.has(session.id)) {
      await session.customRequest('setStopOn', { kinds });
    }
  }

  private async start(folder: vscode.WorkspaceFolder | undefined, config: ProcessViewDebugConfiguration): Promise<void> {
    const started = await vscode.debug.startDebugging(folder, config);
    if (!started) this.log.warn(`The debug session "${config.name}" did not start`);
  }

  /**
   * The timeline's scrubber moved (ms since the run started; null: its end). While the views show
   * a Debug Recording session, the debugger goes to that moment (the last step at or before it):
   * its `stopped` event refreshes the Call Stack and the editor, and its move moves the views
   * (onMoved above). Returns false when no recording is being debugged (the views alone move).
   */
  scrubTo(ms: number | null): boolean {
    const backend = this.replayShown();
    if (!backend) return false;
    try {
      backend.goTo(ms ?? Number.POSITIVE_INFINITY);
    } catch (e) {
      // Ended under our feet (the session is terminating): the views alone move.
      this.log.warn(`The recording's debugger did not move to ${ms ?? 'the end'}: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
    return true;
  }

  /** Whether the views show a recording being debugged (the debugger owns the moment shown). */
  get debuggingRecording(): boolean {
    return this.replayShown() !== undefined;
  }

  private replayShown(): ReplayDebugBackend | undefined {
    const backend = this.shown === undefined ? undefined : this.followed.get(this.shown)?.backend;
    return backend instanceof ReplayDebugBackend ? backend : undefined;
  }

  /** Adds a follower of debug runs (until the returned disposable is disposed). */
  addFollower(follower: DebugRunFollower): vscode.Disposable {
    this.followers.add(follower);
    return new vscode.Disposable(() => this.followers.delete(follower));
  }

  private createAdapter(session: vscode.DebugSession): vscode.DebugAdapterDescriptor {
    const adapter = createDebugAdapter({
      localize: (message, ...args) => t(message, ...args),
      configuration: session.configuration as ProcessViewDebugConfiguration,
      recordingFor: (program) => this.recordings.newPath(program),
      createBackend: (options) => {
        let o = options;
        for (const f of this.followers) o = f.launchOptions?.(session, o) ?? o;
        return LiveDebugBackend.launch(o);
      },
      onBackend: (backend) => {
        this.follow(session, backend);
        for (const f of this.followers) f.backendStarted?.(session, backend);
      },
    });
    // The core's DebugSession has vscode.DebugAdapter's shape (handleMessage, onDidSendMessage, dispose).
    return new vscode.DebugAdapterInlineImplementation(adapter as unknown as vscode.DebugAdapter);
  }

  /** Shows a debug run (or, after Restart, its new run) in the views. */
  private follow(session: vscode.DebugSession, backend: DebugBackend): void {
    this.unfollow(session.id);
    const config = session.configuration as ProcessViewDebugConfiguration;
    const subscriptions: Array<{ dispose(): void }> = [];
    this.followed.set(session.id, { backend, subscriptions });
    this.shown = session.id;
    if (backend instanceof ReplayDebugBackend) {
      this.store.show(backend.session, { kind: 'recording', file: config.recording ?? session.name });
      // The views show the debugger's moment (the one it stopped at, forwards or back).
      subscriptions.push(backend.onMoved((moment) => this.shown === session.id && this.store.scrubTo(moment.t)));
      this.store.scrubTo(backend.current.t);
      this.log.info(`Debugging the recording ${config.recording ?? '?'}`);
    } else {
      this.store.show(backend.session, { kind: 'run', script: config.program ?? session.name });
      this.processes.setPauses((pid) => (this.shown === session.id ? backend.stopOf(pid)?.description : undefined));
      subscriptions.push(backend.onEnded((end) => this.log.info(`Debug run of ${baseName(config.program ?? '?')} ended: exit ${end.exitCode ?? end.signal ?? '?'}`)));
    }
  }

  private unfollow(id: string): void {
    const f = this.followed.get(id);
    if (!f) return;
    for (const s of f.subscriptions) s.dispose();
    this.followed.delete(id);
    if (this.shown === id) {
      this.shown = undefined;
      this.processes.setPauses(undefined);
    }
  }

  dispose(): void {
    for (const id of [...this.followed.keys()]) this.unfollow(id);
    for (const d of this.disposables) d.dispose();
    this.disposables.length = 0;
  }
}
