/**
 * Reads a session file back. A file cut short (no end line, a half-written last line) opens up
 * to where it ends, with a warning that says so. Every line is checked on its own: a line that is
 * not JSON, or whose record is not one a reader can use (an event of the wrong shape, a sample
 * whose processes are not a list...), is skipped, counted and named in a warning; so is a record
 * the model could not take. Only a file that is not a session file at all is an error, with a
 * sentence that says why (a folder, no such file, no session header).
 *
 * Format 2 keeps the run's events as the tracer's batches, in compressed blocks (blocks.ts): each
 * block is read on its own (a damaged one costs its own records, named in a warning), its batches
 * decoded by the receiver's own decoder, so the events are those the live Session got.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { checkEventObject, WireDecoder } from '../protocol/wire';
import { BlockError, blockRecords, inflateBlock } from './blocks';
import { Session } from '../session/session';
import type { RunInfo } from '../session/model';
import type { BodyRecord, EndRecord, HeaderRecord, WireBlockRecord } from './format';
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

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string';

/** Why a sample is not one the model can take, or null. */
function checkSample(v: unknown): string | null {
  if (!isRecord(v)) return 'the sample is not an object';
  if (!isNum(v.t)) return 'sample: t is not a number';
  if (v.tEnd !== undefined && !isNum(v.tEnd)) return 'sample: tEnd is not a number';
  if (!Array.isArray(v.processes)) return 'sample: processes is not a list';
  for (const p of v.processes) {
    if (!isRecord(p) || !isInt(p.pid) || p.pid <= 0) return 'sample: a process without a pid';
    if (!isInt(p.ppid) || !isStr(p.state)) return `sample: process ${p.pid} has no ppid or state`;
    if (p.startTicks !== undefined && p.startTicks !== null && !isNum(p.startTicks)) return `sample: process ${p.pid}: startTicks is not a number`;
    for (const k of ['cpuPercent', 'rssBytes'] as const) if (p[k] !== undefined && p[k] !== null && !isNum(p[k])) return `sample: process ${p.pid}: ${k} is not a number`;
    if (p.command !== undefined && p.command !== null && !isStr(p.command)) return `sample: process ${p.pid}: command is not text`;
  }
  if (!Array.isArray(v.gone) || !v.gone.every((x) => isInt(x))) return 'sample: gone is not a list of pids';
  return null;
}

/** The header with every field a reader uses of the right type (a wrong one is dropped and named). */
function cleanHeader(h: Record<string, unknown>, bad: string[]): HeaderRecord {
  const out: Record<string, unknown> = { ...h };
  const want = (k: string, ok: (v: unknown) => boolean, fallback: unknown, optional = false): void => {
    const v = h[k];
    if ((optional && (v === undefined || v === null)) || ok(v)) return;
    out[k] = fallback;
    bad.push(k);
  };
  want('script', isStr, '?');
  want('args', (v) => Array.isArray(v) && v.every(isStr), []);
  want('startedAtIso', isStr, '');
  want('version', isInt, 1, true);
  want('protocol', isInt, undefined, true);
  want('python', isStr, null, true);
  want('pythonVersion', isStr, null, true);
  want('platform', isStr, undefined, true);
  want('supervisorPid', (v) => isInt(v) && v > 0, null, true);
  want('samplingIntervalMs', isNum, null, true);
  want('startNs', (v) => isStr(v) && /^\d{1,30}$/.test(v), undefined, true);
  return out as unknown as HeaderRecord;
}

/** The end record with its fields of the right type (a wrong one reads as unknown). */
function cleanEnd(v: Record<string, unknown>): EndRecord {
  return {
    type: 'end',
    ...(isNum(v.t) ? { t: v.t } : {}),
    exitCode: isInt(v.exitCode) ? v.exitCode : null,
    signal: isStr(v.signal) ? v.signal : null,
    ...(isRecord(v.stats) ? { stats: Object.fromEntries(Object.entries(v.stats).filter(([, x]) => isNum(x))) as Record<string, number> } : {}),
  };
}

/** What opening `path` says when it cannot be read at all, in one sentence. */
async function openable(path: string): Promise<void> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotARecordingError(`No such file ${path}: check the path.`);
    if (code === 'EACCES' || code === 'EPERM') throw new NotARecordingError(`${path} cannot be read (permission denied).`);
    throw new NotARecordingError(`${path} cannot be read: ${(e as Error).message}`);
  }
  if (st.isDirectory()) throw new NotARecordingError(`${path} is a folder, not a recording: give the .jsonl file inside it.`);
  if (!st.isFile()) throw new NotARecordingError(`${path} is not a regular file, so not a recording.`);
}

/**
 * Stream the records of a session file to `onRecord`; returns the header, end and warnings.
 * A record that onRecord throws on is skipped and counted like a damaged line.
 */
export async function scanRecording(
  path: string,
  onRecord: (r: BodyRecord) => void,
  onHeader?: (h: HeaderRecord) => void,
): Promise<Omit<Recording, 'records'>> {
  await openable(path);
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let header: HeaderRecord | null = null;
  let end: EndRecord | null = null;
  let lineNo = 0;
  let lastLineBroken = false;
  let afterEnd = 0;
  const headerProblems: string[] = [];
  // Damaged lines: how many, the first, and why (the first few reasons).
  let bad = 0;
  let firstBad = 0;
  const reasons = new Map<string, number>();
  const skip = (reason: string): void => {
    bad++;
    firstBad ||= lineNo;
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  };
  /** A checked event or sample (of a line, or of a block) to the caller. */
  const deliver = (body: BodyRecord): void => {
    if (end !== null) afterEnd++;
    try {
      onRecord(body);
    } catch (e) {
      skip(`the model could not take it (${(e as Error).message})`);
    }
  };
  let blocks: BlockReader | null = null;
  try {
    for await (const raw of lines) {
      lineNo++;
      // A byte order mark some editors put at the start of a UTF-8 file is not part of the JSON.
      const line = lineNo === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      if (line.trim() === '') continue;
      let rec: unknown;
      try {
        rec = JSON.parse(line);
      } catch {
        rec = undefined;
      }
      if (!isRecord(rec)) {
        if (header === null) throw new NotARecordingError(`${path} is not a Process View session file (line ${lineNo} is not a JSON object).`);
        skip(rec === undefined ? 'not JSON' : 'not a JSON object');
        lastLineBroken = rec === undefined;
        continue;
      }
      lastLineBroken = false;
      if (header === null) {
        if (rec.type !== 'header' || typeof rec.format !== 'string' || !KNOWN_FORMATS.has(rec.format)) {
          throw new NotARecordingError(`${path} is not a Process View session file (it has no session header).`);
        }
        header = cleanHeader(rec, headerProblems);
        blocks = new BlockReader(header, deliver, skip);
        onHeader?.(header);
        continue;
      }
      let body: BodyRecord | null = null;
      if (rec.type === 'event') {
        const why = checkEventObject(rec.event);
        if (why !== null) skip(why);
        else body = rec as unknown as BodyRecord;
      } else if (rec.type === 'sample') {
        const why = checkSample(rec.sample);
        if (why !== null) skip(why);
        else body = rec as unknown as BodyRecord;
      } else if (rec.type === 'wire') blocks!.read(rec as unknown as WireBlockRecord, lineNo);
      else if (rec.type === 'end') end = cleanEnd(rec);
      // Other record types come from a newer writer: skipped on purpose.
      if (body !== null) deliver(body);
    }
  } catch (e) {
    if (e instanceof NotARecordingError) throw e;
    throw new NotARecordingError(`${path} cannot be read: ${(e as Error).message}`);
  } finally {
    input.destroy();
  }
  if (header === null) throw new NotARecordingError(`${path} is empty: it is not a Process View session file.`);
  const warnings: string[] = [];
  if ((header.version ?? 1) > SESSION_FORMAT_VERSION) {
    warnings.push(`This recording was written by a newer Process View (format ${header.version}); parts of it may not show.`);
  }
  if (headerProblems.length > 0) warnings.push(`The recording ${path} has a damaged header (${headerProblems.join(', ')}): those facts of the run are not shown.`);
  const truncated = end === null || lastLineBroken;
  if (end === null) {
    warnings.push(
      `The recording ${path} was cut short (the program recording it crashed, was killed, or the disk was full): ` +
        `it is shown up to where it ends, line ${lineNo}; the processes still running at that point have no end.`,
    );
  }
  if (bad > 0) {
    const why = [...reasons].slice(0, 3).map(([r, n]) => (n > 1 ? `${r} (${n}×)` : r)).join('; ');
    const where =
      lastLineBroken && bad === 1
        ? `its last line (${lineNo}) is incomplete`
        : `${bad} damaged line(s) were skipped, the first at line ${firstBad}: ${why}${reasons.size > 3 ? '; and more' : ''}`;
    warnings.push(`The recording ${path} is damaged: ${where}.`);
  }
  if (blocks!.damaged > 0) {
    const lost = blocks!.lost > 0 ? ` (${blocks!.lost} record(s): batches of events, samples)` : '';
    warnings.push(`The recording ${path} is damaged: ${blocks!.damaged} block(s) were skipped in part or whole${lost}, the first at line ${blocks!.firstDamaged}: ${blocks!.why}.`);
  }
  if (blocks!.rejected > 0) warnings.push(`${blocks!.rejected} event(s) in the recording's batches are not valid tracer events; they were skipped (the run's receiver rejected them too).`);
  if (afterEnd > 0) warnings.push(`${afterEnd} record(s) came after the end line (late events); they are included.`);
  return { path, header, end, truncated, warnings };
}

/**
 * Reads format 2 blocks: each on its own (a damaged one costs only its records), the tracer's
 * batches decoded by the receiver's own decoder with the connection's handshake and the run's
 * clock, so the events are those the live Session got; JSON records are checked as lines are.
 */
class BlockReader {
  damaged = 0;
  firstDamaged = 0;
  why = '';
  /** Records of damaged blocks that could not be read. */
  lost = 0;
  rejected = 0;
  private readonly toMs: ((ns: number) => number) | null;

  constructor(
    header: HeaderRecord,
    private readonly deliver: (body: BodyRecord) => void,
    private readonly skip: (reason: string) => void,
  ) {
    const start = header.startNs !== undefined ? Number(BigInt(header.startNs)) : null;
    this.toMs = start === null ? null : (ns) => (ns - start) / 1e6;
  }

  read(line: WireBlockRecord, lineNo: number): void {
    let done = 0;
    const decoders = new Map<number, WireDecoder>();
    try {
      for (const r of blockRecords(inflateBlock(line))) {
        if (r.kind === 'connection') {
          if (this.toMs === null) throw new BlockError('holds batches but the header has no valid startNs to time them');
          decoders.set(r.conn, new WireDecoder(r.handshake, this.toMs));
        } else if (r.kind === 'json') {
          const v = r.value;
          if (isRecord(v) && v.type === 'event') {
            const why = checkEventObject(v.event);
            if (why !== null) this.skip(why);
            else this.deliver(v as unknown as BodyRecord);
          } else if (isRecord(v) && v.type === 'sample') {
            const why = checkSample(v.sample);
            if (why !== null) this.skip(why);
            else this.deliver(v as unknown as BodyRecord);
          }
        } else {
          const decoder = decoders.get(r.conn);
          if (decoder === undefined) throw new BlockError(`has a batch of connection ${r.conn} that it does not introduce`);
          const { events, rejected } = r.kind === 'frame' ? decoder.decodeFrame(r.payload) : decoder.decodeLine(r.text);
          this.rejected += rejected.length;
          for (const event of events) this.deliver({ type: 'event', event });
        }
        done++;
      }
    } catch (e) {
      if (!(e instanceof BlockError)) throw e;
      this.damaged++;
      this.firstDamaged ||= lineNo;
      this.why ||= `a block ${e.message}`;
      // The records before the damage were delivered; the rest of the block is lost.
      if (isInt(line.n)) this.lost += Math.max(0, line.n - done);
    }
  }
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
