/**
 * Process View's debugger (docs/debugging.md): one DAP session for every process of a run.
 *
 *   createDebugAdapter(options)  the DAP session; VS Code wraps it in a DebugAdapterInlineImplementation,
 *                                `process-view debug-adapter` serves it on stdio
 *   LiveDebugBackend             the running program (control channel + Session); lesson runners drive it
 *   ReplayDebugBackend           a recording (time travel): the whole run at one step, forwards and back
 */
import { ProcessViewDebugSession, type DebugAdapterOptions } from './adapter';
import { ReplayDebugBackend } from './replay';

export { ProcessViewDebugSession, checkLaunchArguments, type DebugAdapterOptions, type ProcessViewLaunchArguments } from './adapter';
export type { DebugBackend, DebugProcess, ProcessStop, ResumeKind, StopReason, FactRow, OutputText, RunEnd, BackendCapabilities, ReplayLaunchOptions } from './backend';
export { ReplayDebugBackend } from './replay';
export { LiveDebugBackend, defaultRecordingPath, type LiveLaunchOptions } from './live';
export { threadName, stopDescription, operationText } from './describe';
export { plain, type Localize } from '../localize';
export { STOP_ON_KINDS, type StopOnKind } from '../protocol/control';

/** A DAP session for one debug session of the client; it implements vscode.DebugAdapter's shape. */
export function createDebugAdapter(options: DebugAdapterOptions = {}): ProcessViewDebugSession {
  return new ProcessViewDebugSession({ createReplayBackend: (o) => ReplayDebugBackend.open(o), ...options });
}
