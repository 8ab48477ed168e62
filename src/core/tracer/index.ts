export { launchTracedRun, defaultTracerDir, ScriptNotFoundError } from './launch';
export type { LaunchOptions, RunExit, RunSource, TracedRun } from './launch';
export { findPython, PythonNotFoundError, MIN_PYTHON } from './python';
export type { PythonInfo } from './python';
export { EventReceiver } from './receiver';
export type { ReceiverOptions, ReceiverProblem, ReceiverStats } from './receiver';
export { newRunToken } from './token';
