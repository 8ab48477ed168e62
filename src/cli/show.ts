/**
 * `process-view show [--json] FILE.jsonl`: the final tree and a summary of the channels of a
 * recorded run, or (--json) the summary as JSON (its shape: src/core/session/summary.ts).
 */
import { loadSession, NotARecordingError } from '../core/recording';
import { summarize } from '../core/session';
import { renderChannels, renderTree, runLine } from './tree';

export async function runShow(argv: readonly string[]): Promise<number> {
  const json = argv.includes('--json');
  const files = argv.filter((a) => a !== '--json');
  const bad = files.find((a) => a.startsWith('-'));
  if (bad !== undefined || files.length !== 1) {
    process.stderr.write(`process-view show: ${bad ? `unknown option ${bad}` : 'give one recording'}\nusage: process-view show [--json] FILE.jsonl\n`);
    return 2;
  }
  const file = files[0]!;
  let loaded;
  try {
    loaded = await loadSession(file);
  } catch (e) {
    if (e instanceof NotARecordingError || (e as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`process-view show: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
  // Warnings (a file cut short) go to stderr so --json output stays parseable.
  for (const w of loaded.recording.warnings) process.stderr.write(`process-view: warning: ${w}\n`);
  const snap = loaded.session.snapshot();
  if (json) {
    process.stdout.write(`${JSON.stringify(summarize(snap), null, 2)}\n`);
    return 0;
  }
  const style = { color: process.stdout.isTTY === true, width: process.stdout.columns || undefined };
  const lines = [runLine(snap), ...renderTree(snap, style), ...renderChannels(snap, style)];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
