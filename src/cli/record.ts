/**
 * `process-view record [--python PATH] [--out FILE] SCRIPT [ARGS...]`
 *
 * Runs the script under the tracer with the terminal's stdin/stdout/stderr, writes every event to
 * a .jsonl file (one header line, then one event per line), and exits as the script did (same
 * code, or the same signal). Messages of our own go to stderr only when something is wrong.
 */
import * as path from 'node:path';
import { startRecordedRun } from '../core/run';
import { LiveDisplay, type LiveMode } from './live';

export interface RecordArgs {
  readonly python?: string;
  readonly out?: string;
  /** No live tree, no event lines, no final tree (the recording is still written). */
  readonly quiet?: boolean;
  readonly script: string;
  readonly args: readonly string[];
}

export class UsageError extends Error {}

export function parseRecordArgs(argv: readonly string[]): RecordArgs {
  let python: string | undefined;
  let out: string | undefined;
  let quiet = false;
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
    if (a === '--python' || a === '--out') {
      const v = argv[i + 1];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      if (a === '--python') python = v;
      else out = v;
      i++;
    } else if (a.startsWith('--python=')) python = a.slice('--python='.length);
    else if (a.startsWith('--out=')) out = a.slice('--out='.length);
    else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
    else break;
  }
  const script = argv[i];
  if (script === undefined) throw new UsageError('no script given');
  return { python, out, quiet, script, args: argv.slice(i + 1) };
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
      process.stderr.write(`process-view record: ${e.message}\nusage: process-view record [--python PATH] [--out FILE] SCRIPT [ARGS...]\n`);
      return 2;
    }
    throw e;
  }
  const outFile = path.resolve(args.out ?? defaultOutFile(args.script));
  const problems: string[] = [];
  // On a terminal the live tree is drawn under the script's output, so the output is relayed
  // through us (line-buffered by the tracer, so it still appears as it is printed, and one
  // print() stays one line even when several processes print at once); otherwise the script keeps
  // the terminal/log and we add plain event lines on stderr.
  const mode: LiveMode = args.quiet ? 'quiet' : process.stdout.isTTY && process.stderr.isTTY ? 'tty' : 'lines';
  const recorded = await startRecordedRun({
    script: args.script,
    args: args.args,
    python: args.python,
    stdio: mode === 'tty' ? 'pipe' : 'inherit',
    ...(mode === 'tty' ? { env: { ...process.env, PROCESS_VIEW_LINE_BUFFERED: '1' } } : {}),
    onProblem: (p) => {
      if (problems.length < 20) problems.push(p.reason);
    },
    recordingPath: outFile,
  });
  const { run } = recorded;
  const live = new LiveDisplay(recorded, { mode });
  live.relay(run.stdout, run.stderr, run.stdin);
  // The terminal's Ctrl-C goes to the whole process group: the script decides; we wait for it.
  const ignore = (): void => undefined;
  process.on('SIGINT', ignore);
  process.on('SIGTERM', () => void recorded.stop().catch(() => undefined));
  const exit = await recorded.ended;
  process.off('SIGINT', ignore);
  live.finish(exit);
  if (run.stats.refused > 0 || run.stats.rejected > 0) {
    process.stderr.write(`process-view: ${run.stats.refused} connection(s) refused, ${run.stats.rejected} event(s) rejected: ${problems.slice(0, 3).join('; ')}\n`);
  }
  if (exit.signal) {
    // Die the way the script died, so a shell sees the same status.
    process.removeAllListeners('SIGTERM');
    process.kill(process.pid, exit.signal);
    return 128;
  }
  return exit.exitCode ?? 1;
}
