/**
 * Which source line a tree row points at, and what signalling a process from the tree is allowed
 * to do. Pure: no `vscode` import.
 */
import type { SourceSite } from '../../core/protocol/events';
import type { Channel, Message, OpRecord, ProcessNode } from '../../core/session/model';
import { isEnded } from './processModel';

/** The rows of both views that point at a line, structurally (so this file stays vscode-free). */
export type SiteCarrier =
  | { readonly kind: 'process'; readonly process: ProcessNode }
  | { readonly kind: 'pool'; readonly pool: Channel | null }
  | { readonly kind: 'channel'; readonly channel: Channel }
  | { readonly kind: 'op'; readonly op: OpRecord }
  | { readonly kind: 'message'; readonly message: Message };

export function siteOf(row: SiteCarrier): SourceSite | null {
  switch (row.kind) {
    case 'process':
      return row.process.createdAt;
    case 'pool':
      return row.pool?.createdAt ?? null;
    case 'channel':
      return row.channel.createdAt;
    case 'op':
      return row.op.site;
    case 'message':
      return row.message.sentAt ?? row.message.receivedAt;
  }
}

export type SignalRefusal = 'no-run' | 'ended' | null;

/**
 * Whether a process shown in the tree may be signalled: only while its run is live (the pids of a
 * recording or of a finished run may belong to someone else by now) and only when it has not ended.
 */
export function signalRefusal(p: ProcessNode, liveRootPid: number | null): SignalRefusal {
  if (liveRootPid === null) return 'no-run';
  if (isEnded(p) || p.state === 'zombie') return 'ended';
  return null;
}

export function isProcessRow(value: unknown): value is { kind: 'process'; process: ProcessNode } {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'process' && 'process' in value;
}
