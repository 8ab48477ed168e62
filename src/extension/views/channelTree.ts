/**
 * The Channels view: queues, pipes, locks, events, pools and managers, each with its newest
 * messages (time, sender → receiver, payload preview) or operations. Clicking a message reveals
 * both of its ends in the source.
 */
import * as vscode from 'vscode';
import type { Channel, Message, OpRecord, SessionSnapshot } from '../../core/session/model';
import {
  carriesMessages,
  channelDescription,
  channelLabel,
  channelTooltipLines,
  logRows,
  messageDescription,
  messageRows,
  messageLabel,
  messageTooltipLines,
  opLabel,
  visibleChannels,
} from '../models/channelModel';
import { escapeMarkdown, truncate } from '../models/format';
import { Commands, ItemContext } from '../ids';
import type { SessionStore } from './sessionStore';

const t = vscode.l10n.t;

export type ChannelRow =
  | { readonly kind: 'channel'; readonly id: string; readonly channel: Channel }
  | { readonly kind: 'message'; readonly id: string; readonly channel: Channel; readonly message: Message }
  | { readonly kind: 'op'; readonly id: string; readonly channel: Channel; readonly op: OpRecord };

const markdown = (lines: readonly string[]): vscode.MarkdownString => {
  const md = new vscode.MarkdownString();
  for (const line of lines) md.appendMarkdown(`${escapeMarkdown(line)}\n\n`);
  return md;
};

export class ChannelItem extends vscode.TreeItem {
  constructor(readonly row: Extract<ChannelRow, { kind: 'channel' }>) {
    const c = row.channel;
    const hasLog = c.recentMessages.length > 0 || c.recentOps.length > 0;
    super(channelLabel(c, t), hasLog ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    this.id = row.id;
    this.description = channelDescription(c, t);
    this.iconPath = new vscode.ThemeIcon(channelIcon(c));
    this.contextValue = ItemContext.channel;
    this.tooltip = markdown(channelTooltipLines(c, t));
    if (c.createdAt) this.command = { command: Commands.revealSource, title: t('Reveal Creating Line'), arguments: [row] };
  }
}

export class MessageItem extends vscode.TreeItem {
  constructor(readonly row: Extract<ChannelRow, { kind: 'message' }>, previewLength: number) {
    const m = row.message;
    super(messageLabel(m), vscode.TreeItemCollapsibleState.None);
    this.id = row.id;
    this.description = messageDescription(m, previewLength);
    this.iconPath = new vscode.ThemeIcon(m.toPid === null ? 'mail' : 'mail-read');
    this.contextValue = ItemContext.message;
    const lines = messageTooltipLines(m, t);
    if (m.preview !== null) lines.push(truncate(m.preview, 2000));
    this.tooltip = markdown(lines);
    this.command = { command: Commands.revealMessage, title: t('Reveal Both Ends'), arguments: [row] };
  }
}

export class OpItem extends vscode.TreeItem {
  constructor(readonly row: Extract<ChannelRow, { kind: 'op' }>) {
    const o = row.op;
    super(opLabel(o, t), vscode.TreeItemCollapsibleState.None);
    this.id = row.id;
    this.description = o.preview ?? '';
    this.iconPath = new vscode.ThemeIcon(o.waitedMs !== null && o.waitedMs > 0 ? 'watch' : 'debug-stackframe-dot');
    this.contextValue = ItemContext.op;
    if (o.site) this.command = { command: Commands.revealSource, title: t('Reveal Line'), arguments: [row] };
  }
}

function channelIcon(c: Channel): string {
  switch (c.kind) {
    case 'queue':
    case 'joinable-queue':
    case 'simple-queue':
      return 'inbox';
    case 'pipe':
    case 'connection':
      return 'arrow-swap';
    case 'lock':
    case 'rlock':
    case 'semaphore':
    case 'bounded-semaphore':
    case 'condition':
    case 'barrier':
      return 'lock';
    case 'event':
      return 'bell';
    case 'pool':
      return 'layers';
    case 'manager':
    case 'proxy':
      return 'server';
    case 'value':
    case 'array':
      return 'symbol-variable';
  }
}

export class ChannelTreeProvider implements vscode.TreeDataProvider<ChannelRow>, vscode.Disposable {
  private snapshot: SessionSnapshot | undefined;
  private byChannel = new Map<string, Channel>();
  private readonly changed = new vscode.EventEmitter<ChannelRow | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly store: SessionStore,
    private readonly previewLength: () => number,
  ) {
    this.subscription = store.onDidChange((s) => this.update(s));
    this.update(store.current());
  }

  update(snapshot: SessionSnapshot | undefined = this.store.current()): void {
    this.snapshot = snapshot;
    this.byChannel = new Map((snapshot?.channels ?? []).map((c) => [c.id, c]));
    this.changed.fire(undefined);
  }

  getTreeItem(row: ChannelRow): vscode.TreeItem {
    switch (row.kind) {
      case 'channel':
        return new ChannelItem(row);
      case 'message':
        return new MessageItem(row, this.previewLength());
      case 'op':
        return new OpItem(row);
    }
  }

  getChildren(row?: ChannelRow): ChannelRow[] {
    if (!this.snapshot) return [];
    if (!row) return visibleChannels(this.snapshot).map((channel) => ({ kind: 'channel', id: `c:${channel.id}`, channel }));
    if (row.kind !== 'channel') return [];
    const channel = this.byChannel.get(row.channel.id) ?? row.channel;
    if (carriesMessages(channel.kind) && channel.recentMessages.length > 0) {
      return messageRows(channel.recentMessages).map((message) => ({
        kind: 'message',
        id: `m:${channel.id}:${message.seq}`,
        channel,
        message,
      }));
    }
    return logRows(channel.recentOps).map((op, i) => ({ kind: 'op', id: `o:${channel.id}:${op.t}:${op.pid}:${i}`, channel, op }));
  }

  getParent(row: ChannelRow): ChannelRow | undefined {
    return row.kind === 'channel' ? undefined : { kind: 'channel', id: `c:${row.channel.id}`, channel: row.channel };
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
