/**
 * The Channels view as pure data: one row per queue / pipe / lock / event / pool / manager, with
 * its message log (sender → receiver, time, payload preview) or, for locks and events, its
 * operations. No `vscode` import (tested with node:test).
 */
import type { ChannelKind } from '../../core/protocol/events';
import type { Channel, Message, OpRecord, SessionSnapshot } from '../../core/session/model';
import { formatDuration, formatRunTime, formatSite, truncate, type Localize } from './format';

/** The newest entries shown under a channel; the recording holds all of them. */
export const MaxLogRows = 200;

/** The kind's name in the user's words: one list for the views and the stall explanations. */
import { channelKindText } from '../../core/session/explain';

export { channelKindText };

export const carriesMessages = (kind: ChannelKind): boolean =>
  kind === 'queue' || kind === 'joinable-queue' || kind === 'simple-queue' || kind === 'pipe' || kind === 'connection' ||
  kind === 'pool' || kind === 'proxy' || kind === 'manager';

/** Pipe ends are shown under their pipe, not as channels of their own. */
export function visibleChannels(snapshot: SessionSnapshot): Channel[] {
  return snapshot.channels
    .filter((c) => c.kind !== 'connection' || c.messageCount > 0 || c.recentOps.length > 0)
    .slice()
    .sort((a, b) => a.createdMs - b.createdMs);
}

export function channelLabel(c: Channel, t: Localize): string {
  const site = formatSite(c.createdAt);
  return site ? t('{0} at {1}', channelKindText(c.kind, t), site) : channelKindText(c.kind, t);
}

export function channelDescription(c: Channel, t: Localize): string {
  const total = Object.values(c.ops).reduce<number>((sum, n) => sum + (n ?? 0), 0);
  // A pool's submits and results, a dict proxy's calls are operations, not messages.
  if (carriesMessages(c.kind) && (c.messageCount > 0 || total === 0)) {
    return c.messageCount === 1 ? t('1 message') : t('{0} messages', c.messageCount);
  }
  return total === 1 ? t('1 operation') : t('{0} operations', total);
}

export function channelTooltipLines(c: Channel, t: Localize): string[] {
  const lines = [channelLabel(c, t), t('Created by {0} at {1}', c.createdBy, formatRunTime(c.createdMs))];
  const ops = Object.entries(c.ops)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([op, n]) => `${op} ×${n}`);
  if (ops.length > 0) lines.push(ops.join(', '));
  if (c.recentMessages.length < c.messageCount) {
    lines.push(t('Showing the newest {0} of {1} messages; the recording has all of them.', Math.min(c.recentMessages.length, MaxLogRows), c.messageCount));
  }
  return lines;
}

/** "1.234 s  4312 → 4313" ("→ ?" until it is received). */
export function messageLabel(m: Message): string {
  return `${formatRunTime(m.sentMs)}  ${m.fromPid} → ${m.toPid ?? '?'}`;
}

export function messageDescription(m: Message, previewLength: number): string {
  return m.preview === null ? '' : truncate(m.preview, previewLength);
}

export function messageTooltipLines(m: Message, t: Localize): string[] {
  const lines = [t('{0} by {1} at {2}', m.op, m.fromPid, formatSite(m.sentAt) ?? '?')];
  if (m.toPid !== null && m.receivedMs !== null) {
    lines.push(
      t('Received by {0} at {1}, {2} later', m.toPid, formatSite(m.receivedAt) ?? '?', formatDuration(m.receivedMs - m.sentMs)),
    );
  } else {
    lines.push(t('Not received yet'));
  }
  if (m.size !== null) lines.push(t('{0} bytes pickled', m.size));
  return lines;
}

/** "0.500 s  4313 acquire (waited 120 ms)". */
export function opLabel(o: OpRecord, t: Localize): string {
  const waited = o.waitedMs !== null && o.waitedMs > 0 ? t(' (waited {0})', formatDuration(o.waitedMs)) : '';
  const failed = o.ok ? '' : t(' (failed)');
  return `${formatRunTime(o.t)}  ${o.pid} ${o.op}${waited}${failed}`;
}

/** Newest first, bounded. */
export function logRows<T>(items: readonly T[]): T[] {
  return items.slice(Math.max(0, items.length - MaxLogRows)).reverse();
}

/**
 * Messages newest first by the time they were sent. The channel's order is the order the
 * messages were matched in, which differs when several processes put at once.
 */
export function messageRows(messages: readonly Message[]): Message[] {
  return logRows(messages).sort((a, b) => b.sentMs - a.sentMs || b.seq - a.seq);
}
