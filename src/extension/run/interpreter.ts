/**
 * Which Python runs the script: the Python extension's selected interpreter (through its public
 * API, read defensively: no dependency on it), else `processView.pythonPath`, else python3 /
 * python from PATH. Each candidate is checked by the core's checkPython (one interpreter start,
 * which also turns a pyenv-style shim into the real interpreter and, given the script, compiles
 * it), the same check `process-view record` and the debug adapter make.
 */
import * as vscode from 'vscode';
import { checkPython, type PythonInfo, type SyntaxProblem } from '../../core/tracer';
import type { Logger } from '../log';

export interface Interpreter {
  /** As checked (`executable` is the real one, never a shim): a run started with it does not check it again. */
  readonly info: PythonInfo;
  /** Where it came from, for messages. */
  readonly source: 'python-extension' | 'setting' | 'path';
}

export interface InterpreterSearch {
  readonly found: Interpreter | undefined;
  /** What was tried and why it failed, for the error message. */
  readonly tried: readonly string[];
  /** The script's syntax error (when a script was given and an interpreter found), else null. */
  readonly syntax: SyntaxProblem | null;
}

const PythonExtensionId = 'ms-python.python';

/** The Python extension's active interpreter path, if it is installed and answers. */
async function fromPythonExtension(resource: vscode.Uri | undefined, log: Logger): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension(PythonExtensionId);
  if (!ext) return undefined;
  try {
    const api: unknown = ext.isActive ? ext.exports : await ext.activate();
    const environments = (api as { environments?: unknown } | undefined)?.environments as
      | {
          getActiveEnvironmentPath?: (r?: vscode.Uri) => { path?: unknown } | undefined;
          resolveEnvironment?: (e: unknown) => Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
        }
      | undefined;
    const active = environments?.getActiveEnvironmentPath?.(resource);
    if (!active) return undefined;
    const resolved = await environments?.resolveEnvironment?.(active);
    const path = resolved?.executable?.uri?.fsPath ?? (typeof active.path === 'string' ? active.path : undefined);
    return path && path.length > 0 ? path : undefined;
  } catch (error) {
    log.warn(`The Python extension did not give an interpreter: ${String(error)}`);
    return undefined;
  }
}

export async function findInterpreter(resource: vscode.Uri | undefined, settingPath: string, log: Logger, script?: string): Promise<InterpreterSearch> {
  const candidates: Array<{ command: string; source: Interpreter['source'] }> = [];
  const fromExtension = await fromPythonExtension(resource, log);
  if (fromExtension) candidates.push({ command: fromExtension, source: 'python-extension' });
  if (settingPath) candidates.push({ command: settingPath, source: 'setting' });
  if (!fromExtension && !settingPath) {
    candidates.push({ command: 'python3', source: 'path' }, { command: 'python', source: 'path' });
  }
  const tried: string[] = [];
  for (const c of candidates) {
    try {
      const { info, syntax } = await checkPython(c.command, script !== undefined ? { script } : {});
      log.info(`Interpreter: ${info.executable} (Python ${info.version}, from ${c.source})`);
      return { found: { info, source: c.source }, tried, syntax };
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      tried.push(why);
      log.warn(`Interpreter candidate ${c.command} (${c.source}) failed: ${why}`);
    }
  }
  return { found: undefined, tried, syntax: null };
}

/** An interpreter named outright (launch.json's "python") checked with the script: its syntax error, or why the interpreter cannot run it. */
export async function checkWith(python: string, script: string): Promise<{ syntax: SyntaxProblem | null } | { error: string }> {
  try {
    return { syntax: (await checkPython(python, { script })).syntax };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
