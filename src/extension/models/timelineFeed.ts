/**
 * Turns the Session's TimelineLog (every message and wait of the run, as columns) into the
 * timeline webview's incremental updates: each update carries only the rows, receipts, waits and
 * source sites added since the previous one (at most `maxRows` rows while the run is live; a
 * finished run's rows all at once, so that its first draw waits for one post, not for five), plus
 * the lanes, which are few. A new log or a log that dropped
 * its oldest rows (epoch) starts the webview again.
 * Pure: no `vscode` import.
 */
import { CHANNEL_OPS, type SourceSite } from '../../core/protocol/events';
import type { ProcessNode, ProcessWait, SessionSnapshot } from '../../core/session/model';
import { JOIN_WAIT, type TimelineLog } from '../../core/session/timelineLog';
import type { LaneInfo, MessageChunk, ReceiptChunk, TimelineUpdate, WaitChunk } from '../../webview/shared/messages';
import { channelKindText, channelLabel } from './channelModel';
import { formatSite, truncate, type Localize } from './format';
import { processLabel } from './processModel';

/** Rows per update of a live run: about 1 MB, well under a frame's work to validate and append. */
export const MaxRowsPerUpdate = 20_000;

const siteKey = (s: SourceSite): string => `${s.file}\0${s.line}`;

export class TimelineFeed {
  private log: TimelineLog | undefined;
  private epoch = -1;
  private generationValue = 0;
  private cursor = 0;
  private receiptsSeen = 0;
  private waitsSent = 0;
  private sitesSent = 0;
  private readonly siteIndex = new Map<string, number>();

  constructor(private readonly maxRows = MaxRowsPerUpdate) {}

  get generation(): number {
    return this.generationValue;
  }

  /** The source site a webview request names (site indices are the Session's). */
  site(generation: number, index: number): SourceSite | undefined {
    return generation === this.generationValue ? this.log?.sites[index] : undefined;
  }

  /** Forgets what was sent: the next update starts the webview again. */
  restart(): void {
    this.log = undefined;
  }

  /** Whether rows or receipts are waiting to be sent (call `next` again soon). */
  pending(log: TimelineLog): boolean {
    return log !== this.log || log.epoch !== this.epoch || this.cursor < log.count || this.receiptsSeen < log.receiptCount || this.waitsSent < log.waitCount;
  }

  next(log: TimelineLog, snapshot: SessionSnapshot, scrubMs: number | null, previewLength: number, t: Localize): TimelineUpdate {
    const reset = log !== this.log || log.epoch !== this.epoch;
    if (reset) {
      this.generationValue++;
      this.log = log;
      this.epoch = log.epoch;
      this.cursor = log.dropped;
      this.receiptsSeen = log.receiptCount; // rows sent from now on carry their receipt already
      this.waitsSent = 0;
      this.sitesSent = 0;
      this.siteIndex.clear();
    }
    // Sites first: rows, lanes and waits below index them.
    const sites: string[] = [];
    const sitesStart = this.sitesSent;
    for (let k = this.sitesSent; k < log.sites.length; k++) {
      const s = log.sites[k]!;
      sites.push(formatSite(s) ?? `${s.file}:${s.line}`);
      this.siteIndex.set(siteKey(s), k);
    }
    this.sitesSent = log.sites.length;
    const siteOf = (s: SourceSite | null): number => (s ? (this.siteIndex.get(siteKey(s)) ?? -1) : -1);

    const byId = new Map(snapshot.channels.map((c) => [c.id, c]));
    const channels = log.channelIds.map((id) => {
      const c = byId.get(id);
      return c ? channelLabel(c, t) : id;
    });
    const kinds = log.channelIds.map((id) => {
      const c = byId.get(id);
      return c ? channelKindText(c.kind, t) : '';
    });

    // Receipts of rows sent before (rows sent now carry theirs).
    let receipts: ReceiptChunk | null = null;
    if (!reset && this.receiptsSeen < log.receiptCount) {
      const rows = log.receiptsSince(this.receiptsSeen);
      const r = { rows: [] as number[], toPid: [] as number[], receivedMs: [] as number[], recvSite: [] as number[] };
      for (const row of rows) {
        if (row >= this.cursor) continue;
        const i = log.at(row);
        if (i < 0) continue;
        r.rows.push(row);
        r.toPid.push(log.toPid[i]!);
        r.receivedMs.push(log.receivedMs[i]!);
        r.recvSite.push(log.recvSite[i]!);
      }
      this.receiptsSeen = log.receiptCount;
      if (r.rows.length) receipts = r;
    }

    let messages: MessageChunk | null = null;
    const end = snapshot.run.endedMs !== null ? log.count : Math.min(log.count, this.cursor + this.maxRows);
    if (end > this.cursor) {
      // Rows kept are contiguous in the log's columns: a chunk is a copy of each column's slice.
      const i0 = log.at(this.cursor);
      const i1 = i0 + (end - this.cursor);
      const text: string[] = [];
      const textEnd = new Int32Array(i1 - i0);
      let length = 0;
      for (let i = i0; i < i1; i++) {
        const preview = log.preview[i];
        const op = CHANNEL_OPS[log.op[i]!] ?? '';
        const s = preview === null || preview === undefined ? op : `${op} ${truncate(preview, previewLength)}`;
        text.push(s);
        length += s.length;
        textEnd[i - i0] = length;
      }
      messages = {
        start: this.cursor,
        sentMs: log.sentMs.slice(i0, i1),
        receivedMs: log.receivedMs.slice(i0, i1),
        fromPid: log.fromPid.slice(i0, i1),
        toPid: log.toPid.slice(i0, i1),
        channel: log.channel.slice(i0, i1),
        sentSite: log.sentSite.slice(i0, i1),
        recvSite: log.recvSite.slice(i0, i1),
        text: text.join(''),
        textEnd,
      };
      this.cursor = end;
    }

    let waits: WaitChunk | null = null;
    if (this.waitsSent < log.waitCount) {
      const w = { start: this.waitsSent, pid: [] as number[], startMs: [] as number[], endMs: [] as number[], text: [] as string[], site: [] as number[] };
      for (let k = this.waitsSent; k < log.waitCount; k++) {
        w.pid.push(log.waitPid[k]!);
        w.startMs.push(log.waitStart[k]!);
        w.endMs.push(log.waitEnd[k]!);
        const op = log.waitOp[k]!;
        const ch = log.waitChannel[k]!;
        w.text.push(
          op === JOIN_WAIT ? t('join {0}', log.waitOn[k]!) : `${kinds[ch] || channels[ch] || ''} ${CHANNEL_OPS[op] ?? ''}`.trim(),
        );
        w.site.push(log.waitSite[k]!);
      }
      this.waitsSent = log.waitCount;
      waits = w;
    }

    const lanes: LaneInfo[] = [...snapshot.processes]
      .sort((a, b) => a.startedMs - b.startedMs || a.pid - b.pid)
      .map((p) => laneOf(p, siteOf, byId, t));

    return {
      generation: this.generationValue,
      reset,
      nowMs: snapshot.nowMs,
      scrubMs,
      ended: snapshot.run.endedMs !== null,
      lanes,
      channels,
      sitesStart,
      sites,
      messages,
      receipts,
      waits,
      totalMessages: log.kept,
    };
  }
}

function laneOf(p: ProcessNode, siteOf: (s: SourceSite | null) => number, channels: ReadonlyMap<string, SessionSnapshot['channels'][number]>, t: Localize): LaneInfo {
  return {
    pid: p.pid,
    label: processLabel(p),
    state: p.state,
    startedMs: p.startedMs,
    exitedMs: p.exitedMs,
    reapedMs: p.reapedMs,
    zombieSinceMs: p.zombieSinceMs,
    site: siteOf(p.createdAt),
    wait: p.wait ? { sinceMs: p.wait.sinceMs, text: waitText(p.wait, channels, t), site: siteOf(p.wait.site) } : null,
  };
}

/** "Queue get", "join 4312": what a process waits in, on what. */
export function waitText(w: ProcessWait, channels: ReadonlyMap<string, SessionSnapshot['channels'][number]>, t: Localize): string {
  if (w.childPid !== null) return t('{0} {1}', w.op, w.childPid < 0 ? t('any child') : String(w.childPid));
  const c = w.channelId === null ? undefined : channels.get(w.channelId);
  return c ? `${channelKindText(c.kind, t)} ${w.op}` : w.op;
}
