/**
 * Launching a traced run: find Python, open the receiver, start the run supervisor
 * (tracer/supervisor.py) which starts the script with the tracer's environment.
 *
 *   node ──spawn──► supervisor (python -I, not traced; Linux child subreaper)
 *                        └─► python SCRIPT ARGS  (PYTHONPATH=tracer/, token, port) ─► children...
 *
 * stdin, stdout and stderr are the supervisor's, which the script inherits untouched; the
 * supervisor exits with the script's exit status (re-raising its signal), so `exited` reports
 * exactly what the script did.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { TracerEvent } from '../protocol/events';
import { findPython, type PythonInfo } from './python';
import { EventReceiver, type ReceiverProblem, type ReceiverStats } from './receiver';
import { newRunToken } from './token';

export interface LaunchOptions {
  readonly script: string;
  readonly args?: readonly string[];
  /** An interpreter or a shim; default: python3, then python, from PATH. */
  readonly python?: string;
  readonly cwd?: string;
  /** Base environment of the script (default process.env); the tracer's variables are added. */
  readonly env?: NodeJS.ProcessEnv;
  /** 'inherit' (a terminal) or 'pipe' (the caller reads stdout/stderr and may write stdin). */
  readonly stdio?: 'inherit' | 'pipe';
  /** Folder holding sitecustomize.py and supervisor.py (default: the package's tracer/). */
  readonly tracerDir?: string;
  /** Stop: how long descendants get after SIGTERM before SIGKILL. */
  readonly stopGraceMs?: number;
  /** Called for connections refused and events rejected (already counted in stats). */
  readonly onProblem?: (p: ReceiverProblem) => void;
}

export interface RunExit {
  /** The script's exit code, or null when a signal ended it. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** What observing a run needs (src/core/run records any run that offers this). */
export interface RunSource {
  readonly python: PythonInfo;
  readonly supervisorPid: number;
  /** process.hrtime.bigint() when the run started: event times are milliseconds since then. */
  readonly startNs: bigint;
  readonly startedAtIso: string;
  /**
   * Subscribe to decoded events. Events that arrive before the first subscription are held
   * (bounded) and delivered to it, so nothing between spawn and subscribe is lost.
   */
  onEvent(listener: (event: TracerEvent) => void): () => void;
  readonly stats: ReceiverStats;
  /** Resolves when the supervisor (hence every process of the run) has exited and the events are in. */
  readonly exited: Promise<RunExit>;
  /** End the whole run: SIGTERM to the supervisor, which ends every descendant. Resolves as `exited`. */
  stop(): Promise<RunExit>;
}

export interface TracedRun extends RunSource {
  readonly token: string;
  readonly port: number;
  /** Present when stdio is 'pipe'. */
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
}

export class ScriptNotFoundError extends Error {
  constructor(script: string) {
    super(`Script not found: ${script}`);
    this.name = 'ScriptNotFoundError';
  }
}

/** The package's tracer/ folder, found by walking up from this bundle (out/ or out/test/...). */
export function defaultTracerDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'tracer');
    if (existsSync(path.join(candidate, 'sitecustomize.py'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`Cannot find the tracer folder (tracer/sitecustomize.py) above ${__dirname}`);
}

const EARLY_LIMIT = 100_000;

export async function launchTracedRun(options: LaunchOptions): Promise<TracedRun> {
  const cwd = options.cwd ?? process.cwd();
  const script = path.resolve(cwd, options.script);
  if (!existsSync(script)) throw new ScriptNotFoundError(script);
  const baseEnv = options.env ?? process.env;
  const python = await findPython(options.python, baseEnv);
  const tracerDir = options.tracerDir ?? defaultTracerDir();
  const token = newRunToken();
  const startNs = process.hrtime.bigint();
  const startedAtIso = new Date().toISOString();
  const startNum = Number(startNs);
  const receiver = await EventReceiver.listen({ token, toMs: (ns) => (ns - startNum) / 1e6 });

  // Until the first subscription, events are held here; from then on subscribers are the
  // receiver's own listeners, so an event costs no extra hop and a listener that throws does not
  // keep the others from it (the receiver isolates each).
  const early: TracerEvent[] = [];
  let stopHolding: (() => void) | null = receiver.onEvent((e) => {
    if (early.length < EARLY_LIMIT) early.push(e);
  });
  if (options.onProblem) receiver.onProblem(options.onProblem);

  const env: NodeJS.ProcessEnv = {
    ...baseEnv,
    PYTHONPATH: [tracerDir, baseEnv.PYTHONPATH].filter((p) => p).join(path.delimiter),
    PROCESS_VIEW_PORT: String(receiver.port),
    PROCESS_VIEW_TOKEN: token,
  };
  const grace = options.stopGraceMs ?? 3000;
  const child: ChildProcess = spawn(
    python.executable,
    ['-I', path.join(tracerDir, 'supervisor.py'), '--grace-ms', String(grace), '--', script, ...(options.args ?? [])],
    { cwd, env, stdio: options.stdio === 'pipe' ? 'pipe' : 'inherit', windowsHide: true },
  );
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  try {
    await spawned;
  } catch (e) {
    await receiver.close();
    throw new Error(`Could not start ${python.executable}: ${(e as Error).message}`);
  }

  const exited = new Promise<RunExit>((resolve) => {
    child.once('exit', (code, signal) => {
      // Every process of the run is gone; their last bytes are in the kernel: read them while they
      // keep coming (a busy receiver may be seconds behind), then close.
      void receiver
        .whenIdle(2000)
        .then(() => receiver.close())
        .then(() => resolve({ exitCode: code, signal }));
    });
  });

  let stopping: Promise<RunExit> | null = null;
  return {
    python,
    supervisorPid: child.pid ?? -1,
    startNs,
    startedAtIso,
    token,
    port: receiver.port,
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    stats: receiver.stats,
    exited,
    onEvent(listener) {
      const unsubscribe = receiver.onEvent(listener);
      if (stopHolding !== null) {
        stopHolding();
        stopHolding = null;
        for (const e of early.splice(0)) {
          try {
            listener(e);
          } catch {
            // As the receiver does for every listener: its bug must not cost it the next events.
          }
        }
      }
      return unsubscribe;
    },
    stop() {
      if (stopping) return stopping;
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      // The supervisor ends everything within the grace period; if it is itself stuck, kill it.
      const guard = setTimeout(() => child.kill('SIGKILL'), grace + 3000);
      stopping = exited.finally(() => clearTimeout(guard));
      return stopping;
    },
  };
}
