/** Time travel over a recording: steps, the model at each, a cursor with breakpoints, words. */
export { openReplay, replayOf, Replay, type Step, type StateChange, type ChangeKind, type Moment, type ReplayOptions } from './replay';
export { Cursor, Breakpoints, STOP_FILTERS, CONDITION_FIELDS, stepField, type StopFilter, type Stop, type StopReason, type BreakpointSpec, type BreakpointResult } from './cursor';
export { parseCondition, parseHitCondition, ConditionError, type Condition, type Value } from './condition';
export { describeStep, describeEvent, describeChange, describeChannelState, describeMessage, threadName, formatDuration, formatMoment, CHANNEL_CLASS } from './describe';
export { plain, type Localize } from '../localize';
export { SourceMap, searchRoots, type SourceFile, type SourceFs } from './sources';
