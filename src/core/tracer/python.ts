/**
 * Finding the Python interpreter for a traced run. A pyenv-style shim is a shell script that forks
 * helpers before exec'ing the real interpreter; launching through it would put shell noise at the
 * top of the process tree, so we always ask the candidate for its real `sys.executable`.
 */
import { execFile, type ExecFileException } from 'node:child_process';
import { statSync } from 'node:fs';
import { plain, type Localize } from '../localize';

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

/** A hang guard: starting an interpreter took over 15 s at a load average of 18 (pyenv shims fork a few helpers first). */
const PROBE_TIMEOUT_MS = 60_000;
/**
 * What the candidate is, and, given a script, whether it compiles: one interpreter start answers
 * both (a run used to start three before its supervisor). -I -S: isolated and without site;
 * neither the answer nor compile() depends on them, and a site-packages' .pth files cost tens of
 * ms. Only a SyntaxError is reported: anything else (an unreadable file) shows when the script runs.
 */
const PROBE = [
  'import sys, json',
  'r = [sys.executable, list(sys.version_info[:3]), None]',
  'if len(sys.argv) > 1:',
  '    try:',
  '        with open(sys.argv[1], "rb") as f: compile(f.read(), sys.argv[1], "exec")',
  '    except SyntaxError as e: r[2] = [e.lineno or 0, str(e.msg)]',
  '    except Exception: pass',
  'print(json.dumps(r))',
].join('\n');
/** The tracer supports these; older interpreters are refused with a clear message. */
export const MIN_PYTHON: readonly [number, number] = [3, 9];
/**
 * The newest Python this release is tested with (every test runs on 3.9 to 3.13). A newer one is
 * not refused (the tracer never breaks the program it traces, so the worst is a view that misses
 * something multiprocessing now does differently), but every front end says so at the run's start.
 */
export const NEWEST_TESTED_PYTHON: readonly [number, number] = [3, 13];

/** Whether version a comes before version b (major, minor). */
function before(a: readonly [number, number], b: readonly [number, number]): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

/** The sentence a front end shows when a run's Python is newer than NEWEST_TESTED_PYTHON; null when it is not. */
export function untestedPythonNote(info: PythonInfo, t: Localize = plain): string | null {
  const [maj, min] = info.versionTuple;
  if (!before(NEWEST_TESTED_PYTHON, [maj, min])) return null;
  return t(
    'Python {0} is newer than the versions this release of Process View is tested with ({1} to {2}): the run goes ahead, but a view may miss what multiprocessing does differently there.',
    info.version,
    MIN_PYTHON.join('.'),
    NEWEST_TESTED_PYTHON.join('.'),
  );
}

function run(candidate: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ err: ExecFileException | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(candidate, args, { env, timeout: PROBE_TIMEOUT_MS, windowsHide: true }, (err, stdout, stderr) => resolve({ err, stdout, stderr }));
  });
}

/** The first lines a failing command printed, joined (a pyenv shim explains itself over several). */
function firstLines(text: string, max = 3): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.slice(0, max).join(' ') + (lines.length > max ? ' …' : '');
}

/** A script's syntax error, found before it runs: its line (null when Python gave none) and Python's message. */
export interface SyntaxProblem {
  readonly line: number | null;
  readonly message: string;
}

async function probe(candidate: string, env: NodeJS.ProcessEnv, script?: string): Promise<{ info: PythonInfo; syntax: SyntaxProblem | null }> {
  const { err, stdout, stderr } = await run(candidate, ['-I', '-S', '-c', PROBE, ...(script !== undefined ? [script] : [])], env);
  if (!err) {
    try {
      const [exe, ver, bad] = JSON.parse(stdout.trim().split('\n').pop() ?? '') as [string, [number, number, number], [number, string] | null];
      if (typeof exe !== 'string' || exe === '' || !Array.isArray(ver)) throw new Error('unexpected answer');
      const info: PythonInfo = { executable: exe, version: ver.join('.'), versionTuple: [ver[0], ver[1], ver[2]], requested: candidate };
      const syntax = Array.isArray(bad) ? { line: Number.isInteger(bad[0]) && bad[0] > 0 ? bad[0] : null, message: String(bad[1]) } : null;
      return { info, syntax };
    } catch {
      throw new Error(`${candidate} is not a Python interpreter (asked to run Python code, it printed ${JSON.stringify(firstLines(stdout, 1).slice(0, 80))})`);
    }
  }
  throw new Error(await whyNot(candidate, err, stderr, env));
}

/**
 * One candidate interpreter (a path, a shim, or a name on PATH) checked for a traced run: its real
 * executable and version, refused with one sentence when it cannot run the tracer; with `script`,
 * whether that script compiles, from the same interpreter start. Every front end checks through
 * this (the extension, `process-view record`, the debug adapter).
 */
export async function checkPython(candidate: string, opts: { readonly script?: string; readonly env?: NodeJS.ProcessEnv } = {}): Promise<{ info: PythonInfo; syntax: SyntaxProblem | null }> {
  const r = await probe(candidate, opts.env ?? process.env, opts.script);
  const [maj, min] = r.info.versionTuple;
  if (before([maj, min], MIN_PYTHON)) {
    throw new Error(`${candidate}: Python ${r.info.version} is too old (Process View needs ${MIN_PYTHON.join('.')} or newer)`);
  }
  return r;
}

/** One sentence on why `candidate` could not run the probe. */
async function whyNot(candidate: string, err: ExecFileException, stderr: string, env: NodeJS.ProcessEnv): Promise<string> {
  const bare = !/[\\/]/.test(candidate);
  if (err.code === 'ENOENT') return bare ? `${candidate}: not found on PATH` : `${candidate}: not found (no such file)`;
  if (err.code === 'EACCES') {
    let folder = false;
    try {
      folder = statSync(candidate).isDirectory();
    } catch {
      // not ours to stat: say permission
    }
    return folder
      ? `${candidate} is a folder, not a Python interpreter (give the interpreter inside it, e.g. ${candidate.replace(/[\\/]$/, '')}/bin/python3)`
      : `${candidate} cannot be run (permission denied: is it an executable file?)`;
  }
  if ((err as { killed?: boolean }).killed) return `${candidate} did not answer within ${PROBE_TIMEOUT_MS / 1000} s (is the machine very busy?)`;
  // It ran and failed: an old Python (2.x has no -I), a shim with no interpreter behind it, or not Python at all.
  const version = await run(candidate, ['--version'], env);
  const m = /Python (\d+)\.(\d+)(?:\.(\d+))?/.exec(`${version.stdout}\n${version.stderr}`);
  if (m) {
    const [maj, min] = [Number(m[1]), Number(m[2])];
    if (before([maj, min], MIN_PYTHON)) {
      return `${candidate}: Python ${m.slice(1).filter(Boolean).join('.')} is too old (Process View needs ${MIN_PYTHON.join('.')} or newer)`;
    }
    return `${candidate}: Python ${m.slice(1).filter(Boolean).join('.')} failed to start: ${firstLines(stderr) || `exit code ${String(err.code)}`}`;
  }
  // Echoing our own probe back ("cannot access 'import sys, json…'") says only that it is not Python.
  const said = stderr.includes('import sys, json') ? '' : firstLines(stderr);
  return said !== '' && /pyenv|shim|command not found|version .* is not installed/i.test(said)
    ? `${candidate} has no Python behind it: ${said}`
    : `${candidate} is not a Python interpreter (it failed to run Python code${said !== '' ? `: ${said}` : `, exit code ${String(err.code)}`})`;
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
      return (await checkPython(c, { env })).info;
    } catch (e) {
      failures.push((e as Error).message);
    }
  }
  const hint = python
    ? 'Check the path given with --python (or the processView.pythonPath setting).'
    : 'Install Python 3.9 or newer, or pass its path with --python (or set processView.pythonPath).';
  throw new PythonNotFoundError(`No usable Python interpreter: ${failures.join('; ')}. ${hint}`, candidates);
}
