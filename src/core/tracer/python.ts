/**
 * Finding the Python interpreter for a traced run. A pyenv-style shim is a shell script that forks
 * helpers before exec'ing the real interpreter; launching through it would put shell noise at the
 * top of the process tree, so we always ask the candidate for its real `sys.executable`.
 */
import { execFile } from 'node:child_process';

export interface PythonInfo {
  /** The real interpreter (sys.executable), never a shim. */
  readonly executable: string;
  /** "3.11.7" */
  readonly version: string;
  readonly versionTuple: readonly [number, number, number];
  /** What was asked for or found on PATH, before resolution. */
  readonly requested: string;
}

export class PythonNotFoundError extends Error {
  constructor(
    message: string,
    readonly tried: readonly string[],
  ) {
    super(message);
    this.name = 'PythonNotFoundError';
  }
}

const PROBE = 'import sys, json; print(json.dumps([sys.executable, list(sys.version_info[:3])]))';
/** The tracer supports these; older interpreters are refused with a clear message. */
export const MIN_PYTHON: readonly [number, number] = [3, 9];

function probe(candidate: string, env: NodeJS.ProcessEnv): Promise<PythonInfo> {
  return new Promise((resolve, reject) => {
    execFile(candidate, ['-I', '-c', PROBE], { env, timeout: 15_000, windowsHide: true }, (err, stdout, stderr) => {
      if (err) {
        const detail = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (stderr.trim().split('\n').pop() ?? err.message);
        reject(new Error(`${candidate}: ${detail}`));
        return;
      }
      try {
        const [exe, ver] = JSON.parse(stdout.trim().split('\n').pop() ?? '') as [string, [number, number, number]];
        if (typeof exe !== 'string' || exe === '' || !Array.isArray(ver)) throw new Error('unexpected answer');
        resolve({ executable: exe, version: ver.join('.'), versionTuple: [ver[0], ver[1], ver[2]], requested: candidate });
      } catch {
        reject(new Error(`${candidate}: did not answer like a Python interpreter (${JSON.stringify(stdout.slice(0, 80))})`));
      }
    });
  });
}

/**
 * `python` given: that interpreter or shim, resolved. Otherwise `python3`, then `python`, from PATH.
 * Rejects with PythonNotFoundError naming what was tried and how to fix it.
 */
export async function findPython(python?: string, env: NodeJS.ProcessEnv = process.env): Promise<PythonInfo> {
  const candidates = python ? [python] : ['python3', 'python'];
  const failures: string[] = [];
  for (const c of candidates) {
    try {
      const info = await probe(c, env);
      const [maj, min] = info.versionTuple;
      if (maj < MIN_PYTHON[0] || (maj === MIN_PYTHON[0] && min < MIN_PYTHON[1])) {
        failures.push(`${c}: Python ${info.version} is too old (Process View needs ${MIN_PYTHON.join('.')} or newer)`);
        continue;
      }
      return info;
    } catch (e) {
      failures.push((e as Error).message);
    }
  }
  const hint = python
    ? 'Check the path given with --python (or the processView.pythonPath setting).'
    : 'Install Python 3.9 or newer, or pass its path with --python (or set processView.pythonPath).';
  throw new PythonNotFoundError(`No usable Python interpreter: ${failures.join('; ')}. ${hint}`, candidates);
}
