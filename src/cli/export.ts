/**
 * `process-view export FILE.jsonl`: every record of a recording as one JSON line each — the
 * header, each event and sample in file order, the end — whatever the file's format. Format 2
 * keeps events in compressed blocks (src/core/recording/blocks.ts) that jq, a Python script or
 * a test harness cannot read with a JSON parser alone; this is their way in. Warnings (a file
 * cut short, a damaged block) go to stderr, so stdout stays one JSON object a line.
 */
import { NotARecordingError, scanRecording } from '../core/recording';
import { endQuietlyWhenStdoutCloses } from './stdout';

const USAGE = 'usage: process-view export FILE.jsonl   (every record as one JSON line: header, events, samples, end)';

export async function runExport(argv: readonly string[]): Promise<number> {
  const bad = argv.find((a) => a.startsWith('-'));
  if (bad !== undefined || argv.length !== 1) {
    process.stderr.write(`process-view export: ${bad ? `unknown option ${bad}` : 'give one recording'}\n${USAGE}\n`);
    return 2;
  }
  const file = argv[0]!;
  endQuietlyWhenStdoutCloses();
  let lines: string[] = [];
  const flush = (): void => {
    if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
    lines = [];
  };
  try {
    const result = await scanRecording(
      file,
      (r) => {
        lines.push(JSON.stringify(r));
        if (lines.length >= 4096) flush();
      },
      (h) => lines.push(JSON.stringify(h)),
    );
    if (result.end) lines.push(JSON.stringify(result.end));
    flush();
    for (const w of result.warnings) process.stderr.write(`process-view: warning: ${w}\n`);
    return 0;
  } catch (e) {
    flush();
    const why = e instanceof NotARecordingError ? (e as Error).message : `${file} could not be exported: ${(e as Error).message}`;
    process.stderr.write(`process-view export: ${why}\n`);
    return 1;
  }
}
