/**
 * The seam between the extension and the core (src/core): a traced run (tracer) folded into a
 * Session together with the process-table sampler, and recordings read back. No `vscode` import.
 */
import { existsSync } from 'node:fs';
import { PythonNotFoundError, launchTracedRun } from '../core/tracer';
import { Session } from '../core/session';
import { ProcessSampler } from '../core/sampler';
import type { TracerEvent } from '../core/protocol/events';
import type { ActiveRun, RunBackend, RunRequest } from './runBackend';
import type { ViewableSession } from './sessionStore';

export interface CoreServices {
  readonly launch: RunBackend;
  readonly openRecording: (file: string) => Promise<{ session: ViewableSession; warnings: readonly string[] }>;
}

export interface CoreOptions {
  /** Folder holding tracer/sitecustomize.py (the installed extension's tracer/). */
  readonly tracerDir?: string;
  /** Called for connections the receiver refused and events it rejected. */
  readonly onProblem?: (reason: string) => void;
}

export function createCoreServices(options: CoreOptions = {}): CoreServices {
  return {
    launch: (request) => launchRun(request, options),
    openRecording: () => Promise.reject(new Error('Opening a recording is not available in this build of Process View yet.')),
  };
}

async function launchRun(request: RunRequest, options: CoreOptions): Promise<ActiveRun> {
  if (!existsSync(request.script)) throw new Error(`The script ${request.script} does not exist.`);
  const run = await launchTracedRun({
    script: request.script,
    args: request.args,
    python: request.python,
    cwd: request.cwd,
    stdio: 'pipe',
    ...(options.tracerDir ? { tracerDir: options.tracerDir } : {}),
    ...(options.onProblem ? { onProblem: (p: { reason: string }) => options.onProblem?.(p.reason) } : {}),
  }).catch((error: unknown) => {
    if (error instanceof PythonNotFoundError) throw new Error(error.message);
    throw error;
  });
  // Writing to a script that has closed its stdin must not crash the extension host.
  run.stdin?.on('error', () => undefined);
  const session = new Session({
    run: { script: request.script, args: request.args, python: run.python.executable, startedAtIso: run.startedAtIso },
    maxMessagesPerChannel: 1000,
  });
  // The sampler's clock is the tracer's: ms since the run started.
  const startNs = run.startNs;
  const sampler = new ProcessSampler({ clock: () => Number(process.hrtime.bigint() - startNs) / 1e6 });
  const samples = sampler.onSnapshot((s) => session.applySnapshot(s));
  const offEvents = run.onEvent((e: TracerEvent) => {
    session.applyEvent(e);
    if (e.kind === 'hello') sampler.track(e.pid);
    else if (e.kind === 'process.created') sampler.track(e.childPid);
    if (e.kind === 'hello' && e.role === 'main' && session.snapshot().run.rootPid === null) session.updateRun({ rootPid: e.pid });
  });
  sampler.start(run.supervisorPid, request.samplingIntervalMs);

  const exited = run.exited.then(async (exit) => {
    // One last sample sees the final states (zombies reaped, orphans gone) before the sampler stops.
    await sampler.tick().catch(() => undefined);
    offEvents();
    samples.dispose();
    sampler.dispose();
    session.endRun(Number(process.hrtime.bigint() - startNs) / 1e6, exit.exitCode);
    return { exitCode: exit.exitCode, signal: exit.signal };
  });

  return {
    session,
    rootPid: run.supervisorPid,
    onOutput(listener) {
      run.stdout?.setEncoding('utf8').on('data', (text: string) => listener(text, 'stdout'));
      run.stderr?.setEncoding('utf8').on('data', (text: string) => listener(text, 'stderr'));
    },
    writeInput(text) {
      if (run.stdin && !run.stdin.destroyed && run.stdin.writable) run.stdin.write(text);
    },
    endInput() {
      run.stdin?.end();
    },
    exited,
    async stop() {
      await run.stop();
    },
  };
}
