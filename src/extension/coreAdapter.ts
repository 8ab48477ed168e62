/**
 * The seam between the extension and the core (src/core): a traced run (tracer) folded into a
 * Session together with the process-table sampler and written to a recording as it goes; a
 * recording read back into a Session. No `vscode` import.
 */
import { existsSync } from 'node:fs';
import type { TracerEvent } from '../core/protocol/events';
import { PROTOCOL_VERSION } from '../core/protocol/events';
import { RecordingWriter, loadSession } from '../core/recording';
import { ProcessSampler } from '../core/sampler';
import { Session } from '../core/session';
import { stopRun } from '../core/stop';
import { PythonNotFoundError, launchTracedRun } from '../core/tracer';
import type { ActiveRun, RunRequest } from './runBackend';
import type { ViewableSession } from './sessionStore';

export interface CoreServices {
  readonly launch: (request: RunRequest) => Promise<ActiveRun>;
  readonly openRecording: (file: string) => Promise<{ session: ViewableSession; warnings: readonly string[] }>;
}

export interface CoreOptions {
  /** Called for connections the receiver refused and events it rejected. */
  readonly onProblem?: (reason: string) => void;
}

export function createCoreServices(options: CoreOptions = {}): CoreServices {
  return {
    launch: (request) => launchRun(request, options),
    openRecording: async (file) => {
      const { session, recording } = await loadSession(file);
      return { session, warnings: recording.warnings };
    },
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
    // Through a pipe Python would hold prints back until it exits; the terminal should show them as they happen.
    // Line-buffered (docs/protocol.md), not PYTHONUNBUFFERED: unbuffered output splits one print() into
    // several writes, and lines of processes printing at once get mixed mid-line.
    env: { ...process.env, PROCESS_VIEW_LINE_BUFFERED: '1' },
    ...(options.onProblem ? { onProblem: (p: { reason: string }) => options.onProblem?.(p.reason) } : {}),
  }).catch((error: unknown) => {
    if (error instanceof PythonNotFoundError) throw new Error(error.message);
    throw error;
  });
  // Writing to a script that has closed its stdin must not crash the extension host.
  run.stdin?.on('error', () => undefined);
  const startNs = run.startNs;
  const nowMs = (): number => Number(process.hrtime.bigint() - startNs) / 1e6;
  const session = new Session({
    run: { script: request.script, args: request.args, python: run.python.version, startedAtIso: run.startedAtIso },
    maxMessagesPerChannel: 1000,
    supervisorPid: run.supervisorPid,
  });
  const writer = new RecordingWriter(request.recordingPath, {
    protocol: PROTOCOL_VERSION,
    script: request.script,
    args: request.args,
    python: run.python.executable,
    pythonVersion: run.python.version,
    startedAtIso: run.startedAtIso,
    supervisorPid: run.supervisorPid,
    samplingIntervalMs: request.samplingIntervalMs,
  });
  // The sampler's clock is the tracer's: ms since the run started.
  const sampler = new ProcessSampler({ clock: nowMs });
  const samples = sampler.onSnapshot((s) => {
    // The supervisor is our machinery, not part of the user's run.
    const sample = { ...s, processes: s.processes.filter((p) => p.pid !== run.supervisorPid) };
    writer.writeSample(sample);
    session.applySnapshot(sample);
  });
  const offEvents = run.onEvent((e: TracerEvent) => {
    writer.writeEvent(e);
    session.applyEvent(e);
    if (e.kind === 'hello') sampler.track(e.pid);
    else if (e.kind === 'process.created' || e.kind === 'process.adopted') sampler.track(e.childPid);
  });
  sampler.start(run.supervisorPid, request.samplingIntervalMs);

  const exited = run.exited.then(async (exit) => {
    // One last sample sees the final states (zombies reaped, orphans gone) before the sampler stops.
    await sampler.tick().catch(() => undefined);
    offEvents();
    samples.dispose();
    sampler.dispose();
    const t = nowMs();
    session.endRun(t, exit.exitCode);
    await writer.end({ t, exitCode: exit.exitCode, signal: exit.signal, stats: { ...run.stats } }).catch(() => undefined);
    return { exitCode: exit.exitCode, signal: exit.signal, recordingError: writer.failure?.message ?? null };
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
      // Everything the sampler ever saw, taken before the supervisor's SIGTERM makes them vanish.
      const known = sampler.known().map((k) => ({ pid: k.pid, startTicks: k.startTicks }));
      await run.stop();
      // The supervisor ends its descendants; this catches any process that escaped it (own session, double fork).
      const result = await stopRun({ processes: known, graceMs: 1000 });
      if (result.leftovers.length > 0) throw new Error(`processes still running after SIGKILL: ${result.leftovers.join(', ')}`);
    },
  };
}
