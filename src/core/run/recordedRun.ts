/**
 * A recorded run: one traced run observed by a Session, the process-table sampler and a
 * RecordingWriter, fed from the same events, and ended or stopped as one thing. Every front end
 * runs scripts through this (the extension, `process-view record`, the debug adapter), so a run
 * is recorded, sampled and stopped the same way wherever it was started.
 *
 * Launching and observing are separate: `startRecordedRun` launches the script (src/core/tracer)
 * and records it; `recordRun` records a run that was started some other way (the debug adapter's
 * `runInTerminal`: the client's terminal starts the command that `prepareTracedRun` made).
 */
import * as path from 'node:path';
import type { TracerEvent } from '../protocol/events';
import { PROTOCOL_VERSION } from '../protocol/events';
import { RecordingWriter } from '../recording';
import { ProcessSampler, type Snapshot } from '../sampler';
import { Session } from '../session';
import { stopRun, type StopResult } from '../stop';
import { launchTracedRun, type LaunchOptions, type RunSource, type TracedRun } from '../tracer';

export interface RecordOptions {
  /** The script as the user named it (absolute), and its arguments: the run's and the recording's header. */
  readonly script: string;
  readonly args?: readonly string[];
  /** Where the recording (.jsonl) is written while the run goes on. */
  readonly recordingPath: string;
  /** The sampler's period. Default 100 ms. */
  readonly samplingIntervalMs?: number;
  /** Messages and operations the Session keeps per channel for the views. Default 1000. */
  readonly maxMessagesPerChannel?: number;
  /**
   * Sees every event of the run, from the first, after the Session has folded it (so
   * `session.snapshot()` already includes it). A listener that throws loses nothing else.
   */
  readonly onEvent?: (event: TracerEvent) => void;
  /** Time Stop gives a process after SIGTERM before SIGKILL, in its sweep after the supervisor. Default 1000 ms. */
  readonly stopGraceMs?: number;
}

/** How the run ended. */
export interface RecordedRunEnd {
  /** The script's exit code, or null when a signal ended it. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Why the recording is incomplete (disk full, ...), or null. */
  readonly recordingError: string | null;
}

export interface RecordedRun {
  readonly session: Session;
  readonly recordingPath: string;
  /** The run as the tracer launched it (its stdio when piped, the receiver's stats). */
  readonly run: RunSource;
  /** Resolves once every process of the run has ended, the last sample is in and the recording is closed. */
  readonly ended: Promise<RecordedRunEnd>;
  /** Milliseconds since the run started: the clock of every event and sample. */
  nowMs(): number;
  /**
   * Stop: SIGTERM to the supervisor (which ends every descendant), then a sweep over every
   * process the run ever had (pid and start time), orphans and escaped sessions included.
   * Resolves when the sweep is done; `ended` follows. `now`: SIGKILL at once, also while a stop
   * is under way (a second Ctrl+C).
   */
  stop(opts?: { readonly now?: boolean }): Promise<StopResult>;
}

/** Launch a traced run and record it (the extension and `process-view record`). */
export async function startRecordedRun(options: LaunchOptions & RecordOptions): Promise<RecordedRun & { readonly run: TracedRun }> {
  const run = await launchTracedRun(options);
  // The recording names the script as launched: resolved against the run's folder.
  return recordRun(run, { ...options, script: path.resolve(options.cwd ?? process.cwd(), options.script) });
}

/** Record a run that was launched already (by `launchTracedRun`, or by a terminal from `prepareTracedRun`). */
export function recordRun<R extends RunSource>(run: R, options: RecordOptions): RecordedRun & { readonly run: R } {
  const interval = options.samplingIntervalMs ?? 100;
  const args = options.args ?? [];
  const nowMs = (): number => Number(process.hrtime.bigint() - run.startNs) / 1e6;
  const session = new Session({
    run: { script: options.script, args, python: run.python.version, startedAtIso: run.startedAtIso },
    maxMessagesPerChannel: options.maxMessagesPerChannel ?? 1000,
    supervisorPid: run.supervisorPid,
  });
  const writer = new RecordingWriter(options.recordingPath, {
    protocol: PROTOCOL_VERSION,
    script: options.script,
    args,
    python: run.python.executable,
    pythonVersion: run.python.version,
    startedAtIso: run.startedAtIso,
    supervisorPid: run.supervisorPid,
    samplingIntervalMs: interval,
    startNs: run.startNs.toString(),
  });
  // The sampler's clock is the tracer's: ms since the run started.
  const sampler = new ProcessSampler({ clock: nowMs });
  const filter = new SampleFilter();
  const samples = sampler.onSnapshot((s) => {
    // The supervisor is our machinery, not the run's: keep it out of the model and the file.
    const sample = { ...s, processes: s.processes.filter((p) => p.pid !== run.supervisorPid) };
    const stallsBefore = session.stallChanges();
    session.applySnapshot(sample);
    // A sample that found or ended a stall is written too: a replay must look at that moment.
    if (filter.worthWriting(sample) || session.stallChanges() !== stallsBefore) writer.writeSample(sample);
  });
  const observe = options.onEvent;
  // The recording keeps the batches as they arrived (a copy each, instead of serialising every
  // event); a source that offers none is recorded from its events.
  const offWire = run.onWire?.((u) => writer.writeWire(u)) ?? null;
  const offEvents = run.onEvent((e) => {
    if (offWire === null) writer.writeEvent(e);
    session.applyEvent(e);
    // With its start time, so a reused pid is never taken for this process.
    if (e.kind === 'hello') sampler.track(e.pid, e.startTicks);
    else if (e.kind === 'process.created' || e.kind === 'process.adopted') sampler.track(e.childPid);
    observe?.(e);
  });
  sampler.start(run.supervisorPid, interval);

  const ended = run.exited.then(async (exit): Promise<RecordedRunEnd> => {
    // One last sample sees the final states (zombies reaped, orphans gone) before the sampler stops.
    await sampler.tick().catch(() => undefined);
    offEvents();
    offWire?.();
    samples.dispose();
    sampler.dispose();
    const t = nowMs();
    session.endRun(t, exit.exitCode);
    await writer.end({ t, exitCode: exit.exitCode, signal: exit.signal, stats: { ...run.stats } }).catch(() => undefined);
    return { exitCode: exit.exitCode, signal: exit.signal, recordingError: writer.failure?.message ?? null };
  });

  let stopping: Promise<StopResult> | null = null;
  let killing: Promise<StopResult> | null = null;
  return {
    session,
    recordingPath: options.recordingPath,
    run,
    ended,
    nowMs,
    stop(opts) {
      if (opts?.now) {
        // At once: the supervisor SIGKILLs its descendants, the sweep SIGKILLs what escaped it.
        killing ??= (async () => {
          const known = sampler.known().map((k) => ({ pid: k.pid, startTicks: k.startTicks }));
          await run.stop({ now: true });
          return stopRun({ processes: known, graceMs: 0 });
        })();
        return killing;
      }
      stopping ??= (async () => {
        // Everything the sampler ever saw, taken before the supervisor's SIGTERM makes them vanish.
        const known = sampler.known().map((k) => ({ pid: k.pid, startTicks: k.startTicks }));
        await run.stop();
        // The supervisor ends its descendants; this catches any process that escaped it (own session, double fork).
        return stopRun({ processes: known, graceMs: options.stopGraceMs ?? 1000 });
      })();
      return stopping;
    },
  };
}

/**
 * Samples go to the file when something the model cares about changed (a process appeared,
 * went, changed state or parent) and otherwise once a second for CPU and memory: 500 processes
 * sampled ten times a second would write ~0.6 MB/s for nothing. The Session gets every sample.
 */
export class SampleFilter {
  private lastWritten = new Map<number, string>();
  private lastWrittenMs = -Infinity;

  worthWriting(s: Snapshot): boolean {
    const now = new Map<number, string>();
    for (const p of s.processes) now.set(p.pid, `${p.state}/${p.ppid}/${p.startTicks}`);
    let changed = s.gone.length > 0 || now.size !== this.lastWritten.size;
    if (!changed) for (const [pid, sig] of now) if (this.lastWritten.get(pid) !== sig) changed = true;
    if (!changed && s.t - this.lastWrittenMs < 1000) return false;
    this.lastWritten = now;
    this.lastWrittenMs = s.t;
    return true;
  }
}
