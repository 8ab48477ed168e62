/**
 * Reads a session file back. A file cut short (no end line, a half-written last line) opens up
 * to where it ends, with a warning that says so; a damaged line in the middle is skipped and
 * counted. Only a file that is not a session file at all is an error.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Session } from '../session/session';
import type { RunInfo } from '../session/model';
import type { BodyRecord, EndRecord, HeaderRecord } from './format';
import { SESSION_FORMAT, SESSION_FORMAT_VERSION } from './format';

const KNOWN_FORMATS = new Set([SESSION_FORMAT, 'process-view-events']);

export class NotARecordingError extends Error {}

export interface Recording {
  readonly path: string;
  readonly header: HeaderRecord;
  /** Events and samples in file order. */
  readonly records: readonly BodyRecord[];
  /** Null when the file was cut short before the run ended. */
  readonly end: EndRecord | null;
  /** True when the file does not end with a complete end line. */
  readonly truncated: boolean;
  /** What a user should know about this file, in plain words. */
  readonly warnings: readonly string[];
}

/** Stream the records of a session file to `onRecord`; returns the header, end and warnings. */
export async function scanRecording(
  path: string,
  onRecord: (r: BodyRecord) => void,
  onHeader?: (h: HeaderRecord) => void,
): Promise<Omit<Recording, 'records'>> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let header: HeaderRecord | null = null;
  let end: EndRecord | null = null;
  let lineNo = 0;
  let bad = 0;
  let firstBad = 0;
  let lastLineBroken = false;
  let afterEnd = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      let rec: { type?: unknown } | null = null;
      try {
        rec = JSON.parse(line) as { type?: unknown };
      } catch {
        rec = null;
      }
      if (rec === null || typeof rec !== 'object') {
        if (header === null) throw new NotARecordingError(`${path} is not a Process View session file (line 1 is not JSON).`);
        bad++;
        firstBad ||= lineNo;
        lastLineBroken = true;
        continue;
      }
      lastLineBroken = false;
      if (header === null) {
        const h = rec as Partial<HeaderRecord>;
        if (h.type !== 'header' || typeof h.format !== 'string' || !KNOWN_FORMATS.has(h.format)) {
          throw new NotARecordingError(`${path} is not a Process View session file (it has no session header).`);
        }
        header = h as HeaderRecord;
        onHeader?.(header);
        continue;
      }
      if (rec.type === 'event' || rec.type === 'sample') {
        if (end !== null) afterEnd++;
        onRecord(rec as BodyRecord);
      } else if (rec.type === 'end') end = rec as EndRecord;
      // Unknown record types come from a newer writer: skipped on purpose.
    }
  } finally {
    input.destroy();
  }
  if (header === null) throw new NotARecordingError(`${path} is empty: it is not a Process View session file.`);
  const warnings: string[] = [];
  if ((header.version ?? 1) > SESSION_FORMAT_VERSION) {
    warnings.push(`This recording was written by a newer Process View (format ${header.version}); parts of it may not show.`);
  }
  const truncated = end === null || lastLineBroken;
  if (end === null) {
    warnings.push(
      `The recording ${path} was cut short (the program recording it crashed, was killed, or the disk was full): ` +
        `it is shown up to where it ends, line ${lineNo}; the processes still running at that point have no end.`,
    );
  }
  if (bad > 0) {
    const where = lastLineBroken && bad === 1 ? `its last line (${lineNo}) is incomplete` : `${bad} damaged line(s) were skipped, the first at line ${firstBad}`;
    warnings.push(`The recording ${path} is damaged: ${where}.`);
  }
  if (afterEnd > 0) warnings.push(`${afterEnd} record(s) came after the end line (late events); they are included.`);
  return { path, header, end, truncated, warnings };
}

/** Read a whole session file into memory. */
export async function readRecording(path: string): Promise<Recording> {
  const records: BodyRecord[] = [];
  const rest = await scanRecording(path, (r) => records.push(r));
  return { ...rest, records };
}

/** The run facts of a header, as the Session wants them. */
export function runInfoFromHeader(h: HeaderRecord): Partial<RunInfo> {
  return { script: h.script, args: h.args, python: h.pythonVersion ?? null, startedAtIso: h.startedAtIso };
}

export interface LoadedSession {
  readonly session: Session;
  readonly recording: Omit<Recording, 'records'>;
}

/** Rebuild the model of a recorded run: what the views and `show` draw from. */
export async function loadSession(path: string, opts: { maxMessagesPerChannel?: number } = {}): Promise<LoadedSession> {
  let session: Session | null = null;
  const rest = await scanRecording(
    path,
    (r) => {
      if (r.type === 'event') session!.applyEvent(r.event);
      else session!.applySnapshot(r.sample);
    },
    (h) => {
      session = new Session({
        run: runInfoFromHeader(h),
        ...(opts.maxMessagesPerChannel !== undefined ? { maxMessagesPerChannel: opts.maxMessagesPerChannel } : {}),
        ...(h.supervisorPid ? { supervisorPid: h.supervisorPid } : {}),
      });
    },
  );
  if (session === null) throw new NotARecordingError(`${path} has no session header.`);
  const loaded: Session = session;
  if (rest.end) loaded.endRun(rest.end.t ?? loaded.snapshot().nowMs, rest.end.exitCode);
  for (const w of rest.warnings) loaded.addWarning(w);
  return { session: loaded, recording: rest };
}
