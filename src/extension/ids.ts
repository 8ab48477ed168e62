/**
 * Every identifier the extension shares with package.json: commands, views, settings, context
 * keys. Declared once here; test/unit/extension/manifest.test.ts checks package.json agrees.
 * No `vscode` import, so plain node:test can load it.
 */

export const ViewContainerId = 'processView';

export const Views = {
  processes: 'processView.processes',
  channels: 'processView.channels',
} as const;

export const Commands = {
  run: 'processView.run',
  stop: 'processView.stop',
  rerun: 'processView.rerun',
  openRecording: 'processView.openRecording',
  saveRecording: 'processView.saveRecording',
  showTimeline: 'processView.showTimeline',
  openExample: 'processView.openExample',
  showLog: 'processView.showLog',
  hideExited: 'processView.hideExited',
  showExited: 'processView.showExited',
  debug: 'processView.debug',
  debugRecording: 'processView.debugRecording',
  pauseAtOperations: 'processView.pauseAtOperations',
  startLesson: 'processView.startLesson',
  openLessonFile: 'processView.openLessonFile',
  lessonNext: 'processView.lessonNext',
  lessonRestart: 'processView.lessonRestart',
  lessonLeave: 'processView.lessonLeave',
  lessonAnswer: 'processView.lessonAnswer',
  // Tree item actions (hidden from the palette: they need a tree item).
  revealSource: 'processView.revealSource',
  /** A process row's default action (a click or Enter): see ProcessView. */
  clickProcess: 'processView.clickProcess',
  terminateProcess: 'processView.terminateProcess',
  killProcess: 'processView.killProcess',
  copyPid: 'processView.copyPid',
  revealMessage: 'processView.revealMessage',
} as const;
export type CommandId = (typeof Commands)[keyof typeof Commands];

/** Settings, without the `processView.` section prefix. */
export const ConfigSection = 'processView';
export const Settings = {
  pythonPath: 'pythonPath',
  samplingIntervalMs: 'samplingIntervalMs',
  payloadPreviewLength: 'payloadPreviewLength',
  keepExitedProcesses: 'keepExitedProcesses',
  revealOnRun: 'revealOnRun',
} as const;
export type SettingKey = (typeof Settings)[keyof typeof Settings];

export const ContextKeys = {
  /** A run is in progress (Stop is enabled). */
  running: 'processView.running',
  /** Some session (a run or a recording) is shown (Rerun, Save, Timeline). */
  hasSession: 'processView.hasSession',
  /** Ended processes are drawn in the tree. */
  showExited: 'processView.showExited',
  /** The last session was a run (Rerun is possible). */
  canRerun: 'processView.canRerun',
  /** A lesson is running (Next Step, Restart Lesson, Leave Lesson). */
  inLesson: 'processView.inLesson',
} as const;

/** Tree item contextValues, used by `view/item/context` menus. */
export const ItemContext = {
  processAlive: 'process.alive',
  processEnded: 'process.ended',
  pool: 'pool',
  channel: 'channel',
  message: 'message',
  op: 'op',
} as const;

/** The debug type of launch.json (`contributes.debuggers`): one debug session for every process of a run. */
export const DebugType = 'processview';

/** workspaceState keys. */
export const StateKeys = {
  /** The operation kinds the next debug run pauses before (Pause at Operations). */
  stopOn: 'processView.debug.stopOn',
  /** globalState: each lesson's progress (steps reached, finished). */
  lessonProgress: 'processView.lessons.progress',
} as const;

export const TimelinePanelType = 'processView.timeline';
/** URI scheme of tree item resources, so a FileDecorationProvider can grey ended processes. */
export const ProcessUriScheme = 'process-view-process';
/** The status bar item's id (Status Bar context menu: hide/show) and the checks' language client id (its log and trace settings). */
export const StatusBarItemId = 'processView.status';
/** The lesson's status bar items: what step, Next Step, Leave. */
export const LessonStatusItemIds = { lesson: 'processView.lesson', next: 'processView.lesson.next', leave: 'processView.lesson.leave' } as const;
export const LanguageClientId = 'processView.checks';
