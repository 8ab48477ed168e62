/**
 * `process-view show [--json] [--at TIME] FILE.jsonl`: the final tree and a summary of the
 * channels of a recorded run, or (--json) the summary as JSON (its shape:
 * src/core/session/summary.ts). With --at (3.2s, 3200ms), the run as it was at that moment:
 * the tree then, each channel's contents then (messages waiting, a lock's holder and waiters),
 * and the last thing that happened by then.
 */
import { loadSession, NotARecordingError } from '../core/recording';
import { describeChannelState, describeStep, formatMoment, openReplay } from '../core/replay';
import { describeLosses, summarize } from '../core/session';
import type { SessionSnapshot } from '../core/session/model';
import { endQuietlyWhenStdoutCloses } from './stdout';
import { renderChannels, renderStalls, renderTree, runLine, type TreeStyle } from './tree';

const USAGE = 'usage: process-view show [--json] [--at TIME] FILE.jsonl   (TIME: 3.2s or 3200ms since the run started)';

/** "3.2s" → 3200, "3200ms" → 3200; null when it is not a time. */
export function parseMoment(text: string): number | null {
  const m = /^(\d+(?:\.\d*)?|\.\d+)\s*(s|ms)$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

export async function runShow(argv: readonly string[]): Promise<number> {
  const args = [...argv];
  const json = args.includes('--json');
  let atMs: number | null = null;
  const atIndex = args.indexOf('--at');
  if (atIndex >= 0) {
    const text = args[atIndex + 1];
    atMs = text === undefined ? null : parseMoment(text);
    if (atMs === null) {
      process.stderr.write(`process-view show: --at needs a time with its unit, e.g. --at 3.2s or --at 3200ms${text ? ` (not ${JSON.stringify(text)})` : ''}\n${USAGE}\n`);
      return 2;
    }
    args.splice(atIndex, 2);
  }
  const files = args.filter((a) => a !== '--json');
  const bad = files.find((a) => a.startsWith('-'));
  if (bad !== undefined || files.length !== 1) {
    process.stderr.write(`process-view show: ${bad ? `unknown option ${bad}` : 'give one recording'}\n${USAGE}\n`);
    return 2;
  }
  const file = files[0]!;
  endQuietlyWhenStdoutCloses();
  try {
    return atMs === null ? await showFinal(file, json) : await showAt(file, atMs, json);
  } catch (e) {
    // The reader skips what it cannot use and says so; what is left is a file that cannot be
    // read at all: one sentence, no stack.
    const why = e instanceof NotARecordingError ? (e as Error).message : `${file} could not be shown: ${(e as Error).message}`;
    process.stderr.write(`process-view show: ${why}\n`);
    return 1;
  }
}

function style(): TreeStyle {
  return { color: process.stdout.isTTY === true, ...(process.stdout.columns ? { width: process.stdout.columns } : {}) };
}

async function showFinal(file: string, json: boolean): Promise<number> {
  const loaded = await loadSession(file);
  // Warnings (a file cut short) go to stderr so --json output stays parseable.
  for (const w of loaded.recording.warnings) process.stderr.write(`process-view: warning: ${w}\n`);
  const snap = loaded.session.snapshot();
  if (json) {
    process.stdout.write(`${JSON.stringify(summarize(snap), null, 2)}\n`);
    return 0;
  }
  const losses = describeLosses(snap.run);
  const lines = [runLine(snap), ...(losses ? [`Warning: ${losses}`] : []), ...renderTree(snap, style()), ...renderStalls(snap, style()), ...renderChannels(snap, style())];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function showAt(file: string, atMs: number, json: boolean): Promise<number> {
  const replay = await openReplay(file);
  for (const w of replay.warnings) process.stderr.write(`process-view: warning: ${w}\n`);
  if (replay.length === 0) {
    process.stderr.write(`process-view show: ${file} has no events to go back to.\n`);
    return 1;
  }
  const end = replay.session.snapshot().nowMs;
  if (atMs > end) process.stderr.write(`process-view: warning: the recording ends at ${formatMoment(end)}; showing its end.\n`);
  const ms = Math.min(atMs, end);
  const snap: SessionSnapshot = replay.session.snapshotAt(ms);
  const channels = replay.session.channelStatesAt(ms, 20);
  const before = replay.steps[0]!.t > ms ? null : replay.steps[replay.indexAt(ms)]!;
  const last = before ? { index: before.index, t: before.t, pid: before.pid, description: describeStep(replay, before) } : null;
  if (json) {
    process.stdout.write(`${JSON.stringify({ at: ms, ...summarize(snap), contents: channels, lastStep: last }, null, 2)}\n`);
    return 0;
  }
  const losses = describeLosses(snap.run);
  const lines = [`${runLine(snap)}  (at ${formatMoment(ms)})`, ...(losses ? [`Warning: ${losses}`] : []), ...renderTree(snap, style()), ...renderStalls(snap, style())];
  if (snap.channels.length > 0) {
    lines.push(...renderChannels(snap, style()));
    for (const c of channels) {
      const contents = describeChannelState(c);
      if (contents.length === 0) continue;
      lines.push(`  ${c.id}:`, ...contents.map((l) => `    ${l}`));
    }
  }
  lines.push(last ? `Last step (${formatMoment(last.t)}): ${last.description}` : 'Nothing had happened yet.');
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
