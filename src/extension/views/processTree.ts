/**
 * The Processes view: draws the forest built by processModel.ts. One TreeItem class per node kind,
 * each with its contextValue (menus), icon and default command; getParent for reveal; tooltips
 * resolved when hovered. Ended processes are greyed through a FileDecorationProvider on their
 * resource URI, since a TreeItem label has no colour of its own.
 */
import * as vscode from 'vscode';
import type { SessionSnapshot } from '../../core/session/model';
import { escapeMarkdown } from '../models/format';
import { Commands, ItemContext, ProcessUriScheme } from '../ids';
import {
  buildProcessForest,
  explainProcess,
  isEnded,
  poolDescription,
  poolLabel,
  processDescription,
  processLabel,
  processTooltipLines,
  stateLook,
  type PoolRow,
  type ProcessForest,
  type ProcessRow,
  type TreeRow,
} from '../models/processModel';
import type { SessionStore } from './sessionStore';

const t = vscode.l10n.t;

export class ProcessItem extends vscode.TreeItem {
  constructor(
    readonly row: ProcessRow,
    snapshot: SessionSnapshot | undefined,
    /** Why the debugger paused it, while it is paused. */
    paused?: string,
  ) {
    const p = row.process;
    super(processLabel(p), row.children.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    this.id = row.id;
    this.description = paused !== undefined ? `${paused} · ${processDescription(p, t)}` : processDescription(p, t);
    const look = stateLook(p);
    this.iconPath = paused !== undefined ? new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('debugIcon.pauseForeground')) : new vscode.ThemeIcon(look.icon, new vscode.ThemeColor(look.color));
    const ended = isEnded(p);
    this.contextValue = ended ? ItemContext.processEnded : ItemContext.processAlive;
    // The path carries what the decoration provider needs: no lookup, and a new URI when the state changes.
    this.resourceUri = vscode.Uri.from({ scheme: ProcessUriScheme, path: `/${ended ? 'ended' : 'live'}/${p.pid}` });
    // Screen readers get the zombie / orphan explanation that sighted users get from the tooltip.
    const explained = snapshot ? explainProcess(p, snapshot, t) : [];
    this.accessibilityInformation = { label: [`${processLabel(p)}, ${this.description}`, ...explained].join('. ') };
    // Every process row has one (a lesson's answer may be the main process, which has no creating line).
    this.command = { command: Commands.clickProcess, title: t('Choose Process'), arguments: [row] };
  }
}

export class PoolItem extends vscode.TreeItem {
  constructor(readonly row: PoolRow) {
    super(poolLabel(row, t), vscode.TreeItemCollapsibleState.Expanded);
    this.id = row.id;
    this.description = poolDescription(row, t);
    this.iconPath = new vscode.ThemeIcon('layers');
    this.contextValue = ItemContext.pool;
    if (row.pool?.createdAt) {
      this.command = { command: Commands.revealSource, title: t('Reveal Creating Line'), arguments: [row] };
    }
  }
}

export class ProcessTreeProvider implements vscode.TreeDataProvider<TreeRow>, vscode.Disposable {
  private forest: ProcessForest = { roots: [], byId: new Map(), hiddenCount: 0 };
  private snapshot: SessionSnapshot | undefined;
  private readonly changed = new vscode.EventEmitter<TreeRow | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private pausedOf: ((pid: number) => string | undefined) | undefined;
  /**
   * Rows that have had children in this run. VS Code keeps the state a row was drawn with, and a row
   * drawn as a leaf stays collapsed when its first child comes, hiding it. Such a row gets a new id
   * the first time it has children (the maintainers' advice, microsoft/vscode#183360), so it is drawn
   * expanded; after that its id holds, and so does what the user expanded or collapsed.
   */
  private readonly parents = new Set<string>();
  private parentsOfRun: string | undefined;

  constructor(
    private readonly store: SessionStore,
    private showExited: () => boolean,
  ) {
    this.subscription = store.onDidChange((s) => this.update(s));
    this.update(store.current());
  }

  /** Rebuilds the forest (after a new snapshot or the show/hide ended toggle). */
  update(snapshot: SessionSnapshot | undefined = this.store.current()): void {
    this.snapshot = snapshot;
    this.forest = snapshot ? buildProcessForest(snapshot, this.showExited()) : { roots: [], byId: new Map(), hiddenCount: 0 };
    if (snapshot?.run.startedAtIso !== this.parentsOfRun) {
      this.parents.clear();
      this.parentsOfRun = snapshot?.run.startedAtIso;
    }
    for (const row of this.forest.byId.values()) if (row.kind === 'process' && row.children.length > 0) this.parents.add(row.id);
    this.changed.fire(undefined);
  }

  /** While a debug run is shown: why each paused process is paused (undefined: it runs). */
  setPauses(pausedOf: ((pid: number) => string | undefined) | undefined): void {
    this.pausedOf = pausedOf;
    this.changed.fire(undefined);
  }

  /** The row of a live process, for reveal. */
  rowOfPid(pid: number): TreeRow | undefined {
    for (const row of this.forest.byId.values()) if (row.kind === 'process' && row.process.pid === pid && !isEnded(row.process)) return row;
    return undefined;
  }

  get hiddenCount(): number {
    return this.forest.hiddenCount;
  }

  getTreeItem(row: TreeRow): vscode.TreeItem {
    if (row.kind !== 'process') return new PoolItem(row);
    const item = new ProcessItem(row, this.snapshot, isEnded(row.process) ? undefined : this.pausedOf?.(row.process.pid));
    if (this.parents.has(row.id)) item.id = `${row.id}/parent`;
    return item;
  }

  getChildren(row?: TreeRow): TreeRow[] {
    return row ? row.children : [...this.forest.roots];
  }

  /** The row of the newest process with this pid (pids are reused), if it is in the tree. */
  rowForPid(pid: number): TreeRow | undefined {
    let found: TreeRow | undefined;
    for (const row of this.forest.byId.values()) {
      if (row.kind === 'process' && row.process.pid === pid && (!found || (found.kind === 'process' && row.process.startedMs > found.process.startedMs))) found = row;
    }
    return found;
  }

  getParent(row: TreeRow): TreeRow | undefined {
    return row.parentId === null ? undefined : this.forest.byId.get(row.parentId);
  }

  /** Tooltips are built only when hovered: they hold several sentences per process. */
  resolveTreeItem(item: vscode.TreeItem, row: TreeRow): vscode.TreeItem {
    if (row.kind === 'process' && this.snapshot) {
      const md = new vscode.MarkdownString();
      const [first, ...rest] = processTooltipLines(row.process, this.snapshot, t);
      md.appendMarkdown(`**${escapeMarkdown(first ?? '')}**\n\n`);
      for (const line of rest) md.appendMarkdown(`${escapeMarkdown(line)}\n\n`);
      item.tooltip = md;
    }
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** Greys ended processes' labels. */
export class EndedProcessDecorations implements vscode.FileDecorationProvider {
  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== ProcessUriScheme || !uri.path.startsWith('/ended/')) return undefined;
    return new vscode.FileDecoration(undefined, t('ended'), new vscode.ThemeColor('disabledForeground'));
  }
}
