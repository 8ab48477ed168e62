export { launchTracedRun, prepareTracedRun, defaultTracerDir, ScriptNotFoundError } from './launch';
export type { LaunchOptions, PreparedRun, RunExit, RunSource, StdioKind, StdioMode, TracedRun } from './launch';
export { checkPython, findPython, PythonNotFoundError, MIN_PYTHON, NEWEST_TESTED_PYTHON, untestedPythonNote } from './python';
export type { PythonInfo, SyntaxProblem } from './python';
export { EventReceiver } from './receiver';
export type { ReceiverConnection, ReceiverOptions, ReceiverProblem, ReceiverStats } from './receiver';
export { newRunToken } from './token';
export { defaultTransport, listenLocal, withAddress } from './localListen';
export type { LocalAddress, LocalTransport } from './localListen';
