/**
 * What each kind of debug run can do, known from the launch arguments alone. The adapter tells the
 * client in its initialize response when the client gave it the configuration first (VS Code,
 * whose Breakpoints view shows only those filters), else in its launch, before `initialized` (as
 * debugpy does); either way the stop filters the user turned off are off from the first line.
 */
import type { ExceptionFilter } from '../protocol/control';
import { STOP_FILTERS } from '../replay/cursor';
import type { BackendCapabilities } from './backend';
import { exceptionConditionText, stopFilterText } from './describe';
import type { Localize } from '../localize';

/** A live run's exception filters, shown in the Breakpoints view (their words: stopFilterText). */
export const LIVE_STOP_FILTERS: ReadonlyArray<{ readonly id: ExceptionFilter; readonly default: boolean }> = [
  { id: 'raised', default: false }, // off by default, as in debugpy: a program may raise and catch many
  { id: 'uncaught', default: true },
  { id: 'task', default: true },
];

/** A live program's values can be changed (Set Value); it runs forwards only; it stops on exceptions. */
export function liveCapabilities(t: Localize): BackendCapabilities {
  return {
    setVariable: true,
    goto: true,
    functionBreakpoints: true,
    stepInTargets: true,
    terminateProcess: true,
    stopFilters: LIVE_STOP_FILTERS.map((f) => ({ id: f.id, ...stopFilterText(f.id, t), default: f.default, conditionDescription: exceptionConditionText(t) })),
  };
}

/** A recording moves forwards and back, every process together; it stops where its filters' moments are. */
export function replayCapabilities(t: Localize): BackendCapabilities {
  return {
    stepBack: true,
    lockstep: true,
    stopFilters: STOP_FILTERS.map((f) => ({ id: f.id, ...stopFilterText(f.id, t), default: f.default })),
  };
}
