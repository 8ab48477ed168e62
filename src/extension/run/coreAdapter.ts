/**
 * The seam between the extension and the core (src/core): a run is a recorded run
 * (src/core/run: tracer, Session, sampler, recording, Stop), with its stdio piped to the
 * extension's terminal; a recording is read back into a Session. No `vscode` import.
 */
import { existsSync } from 'node:fs';
import { loadSession } from '../../core/recording';
import { startRecordedRun } from '../../core/run';
import { PythonNotFoundError } from '../../core/tracer';
import type { ActiveRun, RunRequest } from './runBackend';
import type { ViewableSession } from '../views/sessionStore';

export interface CoreServices {
  readonly launch: (request: RunRequest) => Promise<ActiveRun>;
  readonly openRecording: (file: string) => Promise<{ session: ViewableSession; warnings: readonly string[] }>;
}

export function createCoreServices(): CoreServices {
  return {
    launch: launchRun,
    openRecording: async (file) => {
      const { session, recording } = await loadSession(file);
      return { session, warnings: recording.warnings };
    },
  };
}

async function launchRun(request: RunRequest): Promise<ActiveRun> {
  if (!existsSync(request.script)) throw new Error(`The script ${request.script} does not exist.`);
  const recorded = await startRecordedRun({
    script: request.script,
    args: request.args,
    python: request.python,
    cwd: request.cwd,
    stdio: 'pipe',
    // Through a pipe Python would hold prints back until it exits; the terminal should show them as they happen.
    // Line-buffered (docs/protocol.md), not PYTHONUNBUFFERED: unbuffered output splits one print() into
    // several writes, and lines of processes printing at once get mixed mid-line.
    env: { ...process.env, PROCESS_VIEW_LINE_BUFFERED: '1' },
    onProblem: (p) => request.onProblem(p.reason),
    recordingPath: request.recordingPath,
    samplingIntervalMs: request.samplingIntervalMs,
  }).catch((error: unknown) => {
    if (error instanceof PythonNotFoundError) throw new Error(error.message);
    throw error;
  });
  const { run } = recorded;
  // Writing to a script that has closed its stdin must not crash the extension host.
  run.stdin?.on('error', () => undefined);
  return {
    session: recorded.session,
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
    exited: recorded.ended,
    async stop() {
      const result = await recorded.stop();
      if (result.leftovers.length > 0) throw new Error(`processes still running after SIGKILL: ${result.leftovers.join(', ')}`);
    },
  };
}
