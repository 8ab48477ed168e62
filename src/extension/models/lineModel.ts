/**
 * What the editor shows at a source line: a short after-text ("started 3 processes: 4313, 4314,
 * 4315 · put ×12 · last 'hello'") and a hover with the recent history of that line.
 * Pure: no `vscode` import.
 */
import type { Channel, LineActivity, Message, SessionSnapshot } from '../../core/session/model';
import { channelKindText } from './channelModel';
import { formatRunTime, formatSite, truncate, type Localize } from './format';
import { stateText } from './processModel';

/** Hover rows per line. */
export const MaxHoverRows = 10;
/** Pids listed inline before "…". */
const MaxInlinePids = 5;

export function lineSummary(line: LineActivity, previewLength: number, t: Localize): string {
  const parts: string[] = [];
  const n = line.processesStarted.length;
  if (n > 0) {
    const pids = line.processesStarted.slice(0, MaxInlinePids).join(', ') + (n > MaxInlinePids ? ', …' : '');
    parts.push(n === 1 ? t('started 1 process: {0}', pids) : t('started {0} processes: {1}', n, pids));
  }
  if (line.sent > 0) parts.push(t('sent ×{0}', line.sent));
  if (line.received > 0) parts.push(t('received ×{0}', line.received));
  if (line.lastPreview !== null && (line.sent > 0 || line.received > 0)) {
    parts.push(t('last {0}', truncate(line.lastPreview, previewLength)));
  }
  return parts.join(' · ');
}

const sameLine = (a: { file: string; line: number } | null, file: string, lineNo: number): boolean =>
  a !== null && a.file === file && a.line === lineNo;

/** The newest messages sent or received at this line, across channels, newest first. */
export function lineMessages(snapshot: SessionSnapshot, file: string, lineNo: number): Array<{ channel: Channel; message: Message }> {
  const out: Array<{ channel: Channel; message: Message }> = [];
  for (const channel of snapshot.channels) {
    for (const message of channel.recentMessages) {
      if (sameLine(message.sentAt, file, lineNo) || sameLine(message.receivedAt, file, lineNo)) out.push({ channel, message });
    }
  }
  out.sort((a, b) => Math.max(b.message.sentMs, b.message.receivedMs ?? 0) - Math.max(a.message.sentMs, a.message.receivedMs ?? 0));
  return out.slice(0, MaxHoverRows);
}

/** Hover text as plain lines (the view layer escapes them into Markdown). */
export function lineHoverLines(snapshot: SessionSnapshot, line: LineActivity, previewLength: number, t: Localize): string[] {
  const lines: string[] = [];
  const { file, line: lineNo } = line.site;
  if (line.processesStarted.length > 0) {
    const byPid = new Map(snapshot.processes.map((p) => [p.pid, p]));
    lines.push(t('Processes started here:'));
    for (const pid of line.processesStarted.slice(0, MaxHoverRows)) {
      const p = byPid.get(pid);
      lines.push(p ? t('{0} {1}: {2}', pid, p.name, stateText(p, t)) : String(pid));
    }
    if (line.processesStarted.length > MaxHoverRows) lines.push(t('…and {0} more', line.processesStarted.length - MaxHoverRows));
  }
  const messages = lineMessages(snapshot, file, lineNo);
  if (messages.length > 0) {
    lines.push(t('Recent messages:'));
    for (const { channel, message } of messages) {
      const preview = message.preview === null ? '' : ` ${truncate(message.preview, previewLength)}`;
      const other = sameLine(message.sentAt, file, lineNo) ? message.receivedAt : message.sentAt;
      const where = other ? ` (${t('other end at {0}', formatSite(other) ?? '?')})` : '';
      lines.push(
        `${formatRunTime(message.sentMs)}  ${channelKindText(channel.kind, t)} ${message.op}  ${message.fromPid} → ${message.toPid ?? '?'}${preview}${where}`,
      );
    }
  }
  return lines;
}
