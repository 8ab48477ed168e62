/**
 * Which Python runs the script: the Python extension's selected interpreter (through its public
 * API, read defensively: no dependency on it), else `processView.pythonPath`, else python3 /
 * python from PATH. Each candidate is checked by running it, which also turns a pyenv-style shim
 * into the real interpreter.
 */
import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import type { Logger } from '../log';

export interface Interpreter {
  /** The real executable (sys.executable). */
  readonly executable: string;
  readonly version: string;
  /** Where it came from, for messages. */
  readonly source: 'python-extension' | 'setting' | 'path';
}

export interface InterpreterSearch {
  readonly found: Interpreter | undefined;
  /** What was tried and why it failed, for the error message. */
  readonly tried: readonly string[];
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

/** Runs the candidate to learn its real executable and version. */
export function probe(command: string): Promise<{ executable: string; version: string } | { error: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      ['-c', 'import sys; print(sys.executable); print("%d.%d.%d" % sys.version_info[:3])'],
      { timeout: 15_000, windowsHide: true },
      (error, stdout, stderr) => {
        if (error) {
          const code = (error as NodeJS.ErrnoException).code;
          resolve({ error: code === 'ENOENT' ? 'not found' : (stderr.trim().split('\n').pop() ?? error.message) });
          return;
        }
        const [executable, version] = stdout.trim().split(/\r?\n/);
        if (!executable || !version || !/^3\./.test(version)) resolve({ error: `not Python 3 (${stdout.trim()})` });
        else resolve({ executable, version });
      },
    );
  });
}

export async function findInterpreter(resource: vscode.Uri | undefined, settingPath: string, log: Logger): Promise<InterpreterSearch> {
  const candidates: Array<{ command: string; source: Interpreter['source'] }> = [];
  const fromExtension = await fromPythonExtension(resource, log);
  if (fromExtension) candidates.push({ command: fromExtension, source: 'python-extension' });
  if (settingPath) candidates.push({ command: settingPath, source: 'setting' });
  if (!fromExtension && !settingPath) {
    candidates.push({ command: 'python3', source: 'path' }, { command: 'python', source: 'path' });
  }
  const tried: string[] = [];
  for (const c of candidates) {
    const result = await probe(c.command);
    if ('executable' in result) {
      log.info(`Interpreter: ${result.executable} (Python ${result.version}, from ${c.source})`);
      return { found: { executable: result.executable, version: result.version, source: c.source }, tried };
    }
    tried.push(`${c.command}: ${result.error}`);
    log.warn(`Interpreter candidate ${c.command} (${c.source}) failed: ${result.error}`);
  }
  return { found: undefined, tried };
}

/**
 * Compiles the script without running it, so a syntax error gets a message pointing at its line
 * instead of a traceback scrolling by in the terminal.
 */
export function checkSyntax(python: string, script: string): Promise<{ line: number | null; message: string } | null> {
  const code = [
    'import sys',
    'try:',
    '    compile(open(sys.argv[1], "rb").read(), sys.argv[1], "exec")',
    'except SyntaxError as e:',
    '    print(e.lineno or 0); print(e.msg); sys.exit(3)',
  ].join('\n');
  return new Promise((resolve) => {
    execFile(python, ['-c', code, script], { timeout: 15_000, windowsHide: true }, (error, stdout) => {
      if (error && error.code === 3) {
        const [line, ...msg] = stdout.trim().split(/\r?\n/);
        const n = Number(line);
        resolve({ line: Number.isFinite(n) && n > 0 ? n : null, message: msg.join(' ') });
      } else {
        // Anything else (unreadable file, ...) shows up when the script runs.
        resolve(null);
      }
    });
  });
}
