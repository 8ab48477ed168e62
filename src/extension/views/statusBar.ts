/**
 * Status bar item with live counts ("3 processes · 1 zombie"); clicking it opens the Processes view.
 */
import * as vscode from 'vscode';
import { countProcesses } from '../models/processModel';
import { StatusBarItemId, Views } from '../ids';
import type { SessionStore } from './sessionStore';

const t = vscode.l10n.t;

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(StatusBarItemId, vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: vscode.Disposable;
  private running = false;

  constructor(private readonly store: SessionStore) {
    this.item.name = t('Process View');
    this.item.command = `${Views.processes}.focus`;
    this.subscription = store.onDidChange(() => this.update());
    this.update();
  }

  setRunning(running: boolean): void {
    this.running = running;
    this.update();
  }

  private update(): void {
    const snapshot = this.store.current();
    if (!snapshot) {
      this.item.hide();
      return;
    }
    const c = countProcesses(snapshot);
    const parts = [t('{0} alive', c.alive)];
    if (c.zombies > 0) parts.push(t('{0} zombie', c.zombies));
    if (c.orphans > 0) parts.push(t('{0} orphan', c.orphans));
    if (c.ended > 0) parts.push(t('{0} ended', c.ended));
    const icon = this.running ? '$(sync~spin)' : '$(server-process)';
    this.item.text = `${icon} ${parts.join(' · ')}`;
    this.item.tooltip = this.running ? t('Process View: run in progress. Click to show the processes.') : t('Process View: click to show the processes.');
    this.item.backgroundColor = c.zombies > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
