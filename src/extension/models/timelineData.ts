/**
 * Projects a SessionSnapshot into what the timeline webview draws: one lane per process, an arrow
 * per message, a bar per blocking wait. Bounded, so 100,000 messages stay a small post.
 * Pure: no `vscode` import.
 */
import type { SourceSite } from '../../core/protocol/events';
import type { Message, SessionSnapshot } from '../../core/session/model';
import type { Arrow, Lane, TimelineData, Wait } from '../../webview/shared/messages';
import { channelKindText } from './channelModel';
import { formatSite, truncate, type Localize } from './format';
import { processLabel } from './processModel';

export const MaxArrows = 5000;
export const MaxWaits = 5000;
/** Waits shorter than this are not drawn (every uncontended acquire would be noise). */
export const MinWaitMs = 1;

export interface TimelineProjection {
  readonly data: TimelineData;
  /** The real sites behind `data.sites`, for reveal requests. */
  readonly sites: readonly SourceSite[];
}

export function projectTimeline(
  snapshot: SessionSnapshot,
  generation: number,
  scrubMs: number | null,
  previewLength: number,
  t: Localize,
): TimelineProjection {
  const sites: SourceSite[] = [];
  const labels: string[] = [];
  const index = new Map<string, number>();
  const siteIndex = (site: SourceSite | null): number => {
    if (!site) return -1;
    const key = `${site.file}:${site.line}`;
    let i = index.get(key);
    if (i === undefined) {
      i = sites.length;
      sites.push(site);
      labels.push(formatSite(site) ?? key);
      index.set(key, i);
    }
    return i;
  };

  const lanes: Lane[] = [...snapshot.processes]
    .sort((a, b) => a.startedMs - b.startedMs || a.pid - b.pid)
    .map((p) => ({
      pid: p.pid,
      label: processLabel(p),
      state: p.state,
      startedMs: p.startedMs,
      exitedMs: p.exitedMs,
      reapedMs: p.reapedMs,
      zombieSinceMs: p.zombieSinceMs,
      site: siteIndex(p.createdAt),
    }));

  // Only the newest MaxArrows messages become arrows: take each channel's tail, then the newest overall.
  const candidates: Array<{ kind: string; m: Message }> = [];
  const waits: Wait[] = [];
  for (const c of snapshot.channels) {
    const kind = channelKindText(c.kind, t);
    const tail = c.recentMessages.length > MaxArrows ? c.recentMessages.slice(c.recentMessages.length - MaxArrows) : c.recentMessages;
    for (const m of tail) candidates.push({ kind, m });
    for (const o of c.recentOps) {
      if (o.waitedMs === null || o.waitedMs < MinWaitMs) continue;
      waits.push({
        pid: o.pid,
        startMs: Math.max(0, o.t - o.waitedMs),
        endMs: o.t,
        text: t('{0} {1} waited {2} ms', kind, o.op, Math.round(o.waitedMs)),
        site: siteIndex(o.site),
      });
    }
  }
  candidates.sort((a, b) => a.m.sentMs - b.m.sentMs);
  const arrows: Arrow[] = candidates.slice(Math.max(0, candidates.length - MaxArrows)).map(({ kind, m }) => ({
    from: m.fromPid,
    to: m.toPid,
    sentMs: m.sentMs,
    receivedMs: m.receivedMs,
    text: `${kind} ${m.op}${m.preview === null ? '' : ` ${truncate(m.preview, previewLength)}`}`,
    site: siteIndex(m.sentAt ?? m.receivedAt),
  }));
  waits.sort((a, b) => a.startMs - b.startMs);
  const keptWaits = waits.slice(Math.max(0, waits.length - MaxWaits));
  const totalMessages = snapshot.channels.reduce((n, c) => n + c.messageCount, 0);
  return {
    data: {
      generation,
      nowMs: snapshot.nowMs,
      scrubMs,
      ended: snapshot.run.endedMs !== null,
      lanes,
      arrows,
      waits: keptWaits,
      sites: labels,
      omittedArrows: Math.max(0, totalMessages - arrows.length),
    },
    sites,
  };
}
