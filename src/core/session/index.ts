/** The session layer: the reducer and the summary that `show --json` prints. */
export { Session, type SessionOptions, type Disposable } from './session';
export { ZOMBIE_MIN_MS } from './processes';
export { summarize, type SessionSummary, type ProcessSummary, type ChannelSummary } from './summary';
export { describeLosses, lossReason } from './losses';
export { signalName, splitExitCode } from './signals';
export { CHANNEL_OPS } from '../protocol/events';
export { TimelineLog, JOIN_WAIT, MIN_WAIT_MS, MAX_TIMELINE_MESSAGES } from './timelineLog';
export type * from './model';
export { byStart, newestProcess, newestProcesses } from './model';
export { STALL_SETTLE_MS } from './waits';
export { adopterText, explainStall, stallTitle, stallSteps, stepText, waitText, channelText } from './explain';
