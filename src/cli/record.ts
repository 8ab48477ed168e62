/**
 * `process-view record [--python PATH] [--out FILE] [--quiet] [--stop-grace-ms N] SCRIPT [ARGS...]`
 *
 * Runs the script under the tracer with the terminal's stdin/stdout/stderr, writes every event to
 * a .jsonl file (one header line, then one event per line), and exits as the script did (same
 * code, or the same signal). Messages of our own go to stderr only when something is wrong.
 * Ctrl+C (or SIGINT to us alone) ends the whole run as Stop does, then exits 130; a second one
 * ends it at once (SIGKILL).
 */
import { fstatSync } from 'node:fs';
import * as path from 'node:path';
import { startRecordedRun } from '../core/run';
import { untestedPythonNote } from '../core/tracer';
import type { StdioMode } from '../core/tracer';
import { LiveDisplay, type LiveMode } from './live';

export interface RecordArgs {
  readonly python?: string;
  readonly out?: string;
  /** No live tree, no event lines, no final tree (the recording is still written). */
  readonly quiet?: boolean;
  /** Ctrl+C / Stop: how long processes get after SIGTERM before SIGKILL (default 3000). */
  readonly stopGraceMs?: number;
  readonly script: string;
  readonly args: readonly string[];
}

export class UsageError extends Error {}

export function parseRecordArgs(argv: readonly string[]): RecordArgs {
  let python: string | undefined;
  let out: string | undefined;
  let quiet = false;
  let stopGraceMs: number | undefined;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (a === '--quiet' || a === '-q') {
      quiet = true;
      continue;
    }
    if (a === '--python' || a === '--out' || a === '--stop-grace-ms') {
      const v = argv[i + 1];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      if (a === '--python') python = v;
      else if (a === '--out') out = v;
      else stopGraceMs = graceOf(v);
      i++;
    } else if (a.startsWith('--stop-grace-ms=')) stopGraceMs = graceOf(a.slice('--stop-grace-ms='.length));
    else if (a.startsWith('--python=')) python = a.slice('--python='.length);
    else if (a.startsWith('--out=')) out = a.slice('--out='.length);
    else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
    else break;
  }
  const script = argv[i];
  if (script === undefined) throw new UsageError('no script given');
  return { python, out, quiet, ...(stopGraceMs !== undefined ? { stopGraceMs } : {}), script, args: argv.slice(i + 1) };
}

function graceOf(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--stop-grace-ms needs a whole number of milliseconds (not ${JSON.stringify(v)})`);
  return n;
}

/** Our stdout and stderr are the same file (a terminal, `> log 2>&1`): the script's two then share one relayed pipe. */
function stdoutIsStderr(): boolean {
  try {
    const a = fstatSync(1);
    const b = fstatSync(2);
    return a.dev === b.dev && a.ino === b.ino && a.rdev === b.rdev;
  } catch {
    return false;
  }
}

/** Where a recording goes when --out is not given: next to the current folder, named after the script. */
export function defaultOutFile(script: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${path.basename(script, path.extname(script))}.${stamp}.pv.jsonl`;
}

export async function runRecord(argv: readonly string[]): Promise<number> {
  let args: RecordArgs;
  try {
    args = parseRecordArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`process-view record: ${e.message}\nusage: process-view record [--python PATH] [--out FILE] [--quiet] [--stop-grace-ms N] SCRIPT [ARGS...]\n`);
      return 2;
    }
    throw e;
  }
  const outFile = path.resolve(args.out ?? defaultOutFile(args.script));
  const problems: string[] = [];
  const mode: LiveMode = args.quiet ? 'quiet' : process.stdout.isTTY && process.stderr.isTTY ? 'tty' : 'lines';
  // The script's output is relayed through us, so our own lines never land inside one of its
  // lines, and the live tree stays under its output on a terminal. Its stdout and stderr share
  // one pipe whenever ours are the same file (a terminal, `> log 2>&1`): the order of the two
  // is the order it wrote them in, as without us. On a terminal the tracer makes both
  // line-buffered (as a terminal would) and what is typed is relayed; elsewhere stdin is the
  // script's own and its buffering is what it would be writing to a file.
  const sameFile = mode === 'tty' || stdoutIsStderr();
  const stdio: StdioMode = mode === 'tty' ? 'pipe' : sameFile ? ['inherit', 'pipe', 'pipe'] : ['inherit', 'inherit', 'pipe'];
  const recorded = await startRecordedRun({
    script: args.script,
    args: args.args,
    python: args.python,
    stdio,
    mergeStderr: sameFile,
    ...(mode === 'tty' ? { env: { ...process.env, PROCESS_VIEW_LINE_BUFFERED: '1' } } : {}),
    ...(args.stopGraceMs !== undefined ? { stopGraceMs: args.stopGraceMs } : {}),
    onProblem: (p) => {
      if (problems.length < 20) problems.push(p.reason);
    },
    recordingPath: outFile,
  });
  const { run } = recorded;
  const live = new LiveDisplay(recorded, { mode, sameFile });
  const untested = untestedPythonNote(run.python);
  if (untested) live.say(`process-view: ${untested}`);
  live.relay(run.stdout, run.stderr, mode === 'tty' ? run.stdin : null);
  // Ctrl+C reaches the whole foreground process group: the script gets its SIGINT as without
  // us, and we end the whole run as Stop does (a daemon, a setsid grandchild or a process that
  // ignores SIGTERM would otherwise keep it alive); a second Ctrl+C ends it at once.
  let interrupts = 0;
  const grace = args.stopGraceMs ?? 3000;
  const onInterrupt = (): void => {
    interrupts++;
    if (interrupts === 1) {
      live.say(`process-view: stopping the run: SIGTERM to every process, SIGKILL after ${grace / 1000} s (Ctrl+C again: at once)`);
      void recorded.stop().catch(() => undefined);
    } else if (interrupts === 2) {
      live.say('process-view: ending the run at once (SIGKILL)');
      void recorded.stop({ now: true }).catch(() => undefined);
    }
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', () => void recorded.stop().catch(() => undefined));
  const exit = await recorded.ended;
  process.off('SIGINT', onInterrupt);
  live.finish(exit);
  if (run.stats.refused > 0 || run.stats.rejected > 0) {
    live.say(`process-view: ${run.stats.refused} connection(s) refused, ${run.stats.rejected} event(s) rejected: ${problems.slice(0, 3).join('; ')}`);
  }
  if (interrupts > 0) return 130; // as a shell reports a command ended by Ctrl+C
  if (exit.signal) {
    // Die the way the script died, so a shell sees the same status.
    process.removeAllListeners('SIGTERM');
    process.kill(process.pid, exit.signal);
    return 128;
  }
  return exit.exitCode ?? 1;
}
