/**
 * Launching a traced run: find Python, open the receiver, start the run supervisor
 * (tracer/supervisor.py) which starts the script with the tracer's environment.
 *
 *   node ──spawn──► supervisor (python -I, not traced; Linux child subreaper)
 *                        └─► python SCRIPT ARGS  (PYTHONPATH=tracer/, token, the receiver's address) ─► children...
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
import type { WireUnit } from '../protocol/wire';
import { findPython, type PythonInfo } from './python';
import { defaultTransport, withAddress, type LocalAddress, type LocalTransport } from './localListen';
import { EventReceiver, type ReceiverProblem, type ReceiverStats } from './receiver';
import { newRunToken } from './token';

export interface LaunchOptions {
  readonly script: string;
  readonly args?: readonly string[];
  /** An interpreter or a shim (default: python3, then python, from PATH), or one already checked (checkPython), which is not started again. */
  readonly python?: string | PythonInfo;
  readonly cwd?: string;
  /** Base environment of the script (default process.env); the tracer's variables are added. */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * 'inherit' (a terminal), 'pipe' (the caller reads stdout/stderr and may write stdin), or one
   * of those for each of stdin, stdout, stderr.
   */
  readonly stdio?: StdioMode;
  /**
   * The script's stderr goes to its stdout (one pipe or file): the order of the two is kept, as
   * on a terminal; the supervisor's own stderr stays apart.
   */
  readonly mergeStderr?: boolean;
  /** Folder holding sitecustomize.py and supervisor.py (default: the package's tracer/). */
  readonly tracerDir?: string;
  /** Stop: how long descendants get after SIGTERM before SIGKILL. */
  readonly stopGraceMs?: number;
  /** Called for connections refused and events rejected (already counted in stats). */
  readonly onProblem?: (p: ReceiverProblem) => void;
  /** Where the run's channels listen (default: a Unix socket where the platform allows; localListen.ts). */
  readonly transport?: LocalTransport;
}

export type StdioKind = 'inherit' | 'pipe';
export type StdioMode = StdioKind | readonly [StdioKind, StdioKind, StdioKind];

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
  /**
   * Subscribe to the batches as they arrived, each before its events reach onEvent listeners
   * (held from the start as events are). A recorder keeps these rather than the decoded events:
   * a copy costs far less than serialising each event. Optional: a source without it is recorded
   * from its events.
   */
  onWire?(listener: (unit: WireUnit) => void): () => void;
  readonly stats: ReceiverStats;
  /** Resolves when the supervisor (hence every process of the run) has exited and the events are in. */
  readonly exited: Promise<RunExit>;
  /**
   * End the whole run: SIGTERM to the supervisor, which ends every descendant (SIGTERM, then
   * SIGKILL after the grace). `now`: SIGKILL at once (SIGUSR1 to the supervisor), also when a
   * stop is already under way. Resolves as `exited`.
   */
  stop(opts?: { readonly now?: boolean }): Promise<RunExit>;
}

export interface TracedRun extends RunSource {
  readonly token: string;
  /** Where the run's events arrive. */
  readonly address: LocalAddress;
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

/**
 * A run ready to start: the interpreter found, the receiver listening, the supervisor's command
 * line and environment made. `start()` spawns it here; a debug adapter can instead hand
 * `command` to the client's terminal (DAP runInTerminal) and `attach()` to the supervisor when it
 * connects back.
 */
export interface PreparedRun {
  readonly python: PythonInfo;
  readonly startNs: bigint;
  readonly startedAtIso: string;
  readonly token: string;
  /** Where the run's events arrive. */
  readonly address: LocalAddress;
  /** The supervisor's command line, working folder and environment (with the tracer's variables). */
  readonly command: { readonly file: string; readonly args: readonly string[]; readonly cwd: string; readonly env: NodeJS.ProcessEnv };
  /** Spawn the command here, stdio inherited or piped (default: `options.stdio`). */
  start(stdio?: StdioMode): Promise<TracedRun>;
  /**
   * The command was started elsewhere (a terminal): resolves when its supervisor has connected
   * (its handshake names its pid); rejects after `timeoutMs` (default 30 s) without one. The run's
   * exit status is what the supervisor reports when it reaps the script.
   */
  attach(timeoutMs?: number): Promise<RunSource>;
  /** Not started after all: close the receiver. */
  cancel(): Promise<void>;
}

/** Prepare a run and start it here. */
export async function launchTracedRun(options: LaunchOptions): Promise<TracedRun> {
  const prepared = await prepareTracedRun(options);
  return prepared.start();
}

export async function prepareTracedRun(options: LaunchOptions): Promise<PreparedRun> {
  const cwd = options.cwd ?? process.cwd();
  const script = path.resolve(cwd, options.script);
  if (!existsSync(script)) throw new ScriptNotFoundError(script);
  const baseEnv = options.env ?? process.env;
  const python = typeof options.python === 'object' ? options.python : await findPython(options.python, baseEnv);
  const tracerDir = options.tracerDir ?? defaultTracerDir();
  const token = newRunToken();
  const startNs = process.hrtime.bigint();
  const startedAtIso = new Date().toISOString();
  const startNum = Number(startNs);
  const transport = options.transport ?? defaultTransport();
  const receiver = await EventReceiver.listen({ token, toMs: (ns) => (ns - startNum) / 1e6, transport });

  const onEvent = holdUntilSubscribed<TracerEvent>((l) => receiver.onEvent(l));
  const onWire = holdUntilSubscribed<WireUnit>((l) => receiver.onWire(l));
  if (options.onProblem) receiver.onProblem(options.onProblem);

  const env: NodeJS.ProcessEnv = {
    ...withAddress(baseEnv, receiver.address, 'PROCESS_VIEW_SOCKET', 'PROCESS_VIEW_PORT'),
    PYTHONPATH: [tracerDir, baseEnv.PYTHONPATH].filter((p) => p).join(path.delimiter),
    PROCESS_VIEW_TOKEN: token,
  };
  const grace = options.stopGraceMs ?? 3000;
  const command = {
    file: python.executable,
    // -I: the user's PYTHON* variables and folders are not the supervisor's; -S: it needs only the
    // standard library, and a site-packages' .pth files can cost tens of ms of every start.
    args: ['-I', '-S', path.join(tracerDir, 'supervisor.py'), '--grace-ms', String(grace), ...(options.mergeStderr ? ['--merge-stderr'] : []), '--', script, ...(options.args ?? [])],
    cwd,
    env,
  };
  /** Every process of the run is gone: read their last bytes while they keep coming (a busy receiver may be seconds behind), then close. */
  const drained = (): Promise<void> => receiver.whenIdle(2000).then(() => receiver.close());
  const base = { python, startNs, startedAtIso, token, address: receiver.address, stats: receiver.stats, onEvent, onWire };

  return {
    ...base,
    command,
    async start(stdio = options.stdio) {
      const child: ChildProcess = spawn(command.file, command.args, {
        cwd,
        env,
        stdio: stdio === undefined ? 'inherit' : typeof stdio === 'string' ? stdio : [...stdio],
        windowsHide: true,
      });
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
        child.once('exit', (code, signal) => void drained().then(() => resolve({ exitCode: code, signal })));
      });
      let stopping: Promise<RunExit> | null = null;
      return {
        ...base,
        supervisorPid: child.pid ?? -1,
        stdin: child.stdin,
        stdout: child.stdout,
        stderr: child.stderr,
        exited,
        stop(opts) {
          if (child.exitCode !== null || child.signalCode !== null) return exited;
          if (opts?.now && process.platform !== 'win32') child.kill('SIGUSR1');
          if (stopping) return stopping;
          if (!opts?.now) child.kill('SIGTERM');
          // The supervisor ends everything within the grace period; if it is itself stuck, kill it.
          const guard = setTimeout(() => child.kill('SIGKILL'), grace + 3000);
          stopping = exited.finally(() => clearTimeout(guard));
          return stopping;
        },
      };
    },
    attach(timeoutMs = 30_000) {
      // What the supervisor reports when it reaps the script is the run's exit status.
      let status: RunExit = { exitCode: null, signal: null };
      const offStatus = receiver.onEvent((e) => {
        if (e.kind === 'process.reaped' && !e.adopted) status = { exitCode: e.exitCode, signal: (e.signal as NodeJS.Signals | null) ?? null };
      });
      return new Promise<RunSource>((resolve, reject) => {
        const timer = setTimeout(() => {
          offConnection();
          offStatus();
          reject(new Error(`The run's supervisor did not connect within ${timeoutMs} ms.`));
        }, timeoutMs);
        const offConnection = receiver.onConnection((c) => {
          if (c.client !== 'supervisor') return;
          clearTimeout(timer);
          offConnection();
          const pid = c.pid;
          // The supervisor's connection closes when it exits, after every process of the run is gone.
          const exited = c.closed.then(drained).then(() => {
            offStatus();
            return status;
          });
          let stopping: Promise<RunExit> | null = null;
          resolve({
            ...base,
            supervisorPid: pid,
            exited,
            stop(opts) {
              if (opts?.now && process.platform !== 'win32') signalPid(pid, 'SIGUSR1');
              if (stopping) return stopping;
              if (!opts?.now) signalPid(pid, 'SIGTERM');
              const guard = setTimeout(() => signalPid(pid, 'SIGKILL'), grace + 3000);
              stopping = exited.finally(() => clearTimeout(guard));
              return stopping;
            },
          });
        });
      });
    },
    cancel: () => receiver.close(),
  };
}

/**
 * A subscribe function whose first subscriber also gets what arrived before it (held, bounded);
 * from then on subscribers are the receiver's own listeners, so an item costs no extra hop and a
 * listener that throws does not keep the others from it (the receiver isolates each).
 */
function holdUntilSubscribed<T>(subscribe: (listener: (value: T) => void) => () => void): (listener: (value: T) => void) => () => void {
  const early: T[] = [];
  let stopHolding: (() => void) | null = subscribe((v) => {
    if (early.length < EARLY_LIMIT) early.push(v);
  });
  return (listener) => {
    const unsubscribe = subscribe(listener);
    if (stopHolding !== null) {
      stopHolding();
      stopHolding = null;
      for (const v of early.splice(0)) {
        try {
          listener(v);
        } catch {
          // As the receiver does for every listener: its bug must not cost it the next items.
        }
      }
    }
    return unsubscribe;
  };
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Gone already.
  }
}
