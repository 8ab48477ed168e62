/**
 * A notification for each deadlock or wait that can never end that the session finds (issue 18),
 * with the explanation in words and a button that shows the lines involved. Once per stall; a
 * stall that is already over when first seen (an opened recording, a timeout that ended it) is
 * only in the tree and the timeline.
 */
import * as vscode from 'vscode';
import type { SourceSite } from '../../core/protocol/events';
import { explainStall } from '../../core/session/explain';
import type { SessionSnapshot } from '../../core/session/model';
import { revealLine } from '../editor/reveal';
import type { SessionStore } from './sessionStore';

const t = vscode.l10n.t;

export class StallNotifier implements vscode.Disposable {
  private readonly told = new Set<string>();
  private readonly sub: vscode.Disposable;
  private shown: SessionSnapshot | undefined;

  constructor(private readonly store: SessionStore) {
    this.sub = store.onDidChange(() => this.look());
  }

  private look(): void {
    const snap = this.store.live();
    if (!snap || snap === this.shown) return;
    this.shown = snap;
    for (const st of snap.stalls) {
      if (this.told.has(st.id)) continue;
      this.told.add(st.id);
      if (st.endedMs !== null) continue;
      const text = explainStall(st, snap, t);
      const reveal = t('Reveal the lines');
      const show = st.kind === 'timeout' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
      void show(text, reveal).then((choice) => (choice === reveal ? revealSites(st.sites) : undefined));
    }
  }

  dispose(): void {
    this.sub.dispose();
  }
}

/** Opens the first line's file with every line of that file selected; other files beside it. */
async function revealSites(sites: readonly SourceSite[]): Promise<void> {
  const first = sites[0];
  if (!first) return;
  const editor = await revealLine(vscode.Uri.file(first.file), first.line);
  const lines = sites.filter((s) => s.file === first.file).map((s) => Math.max(0, Math.min(editor.document.lineCount - 1, s.line - 1)));
  editor.selections = lines.map((l) => {
    const range = editor.document.lineAt(l).range;
    return new vscode.Selection(range.start, range.end);
  });
  for (const s of sites) if (s.file !== first.file) await revealLine(vscode.Uri.file(s.file), s.line, vscode.ViewColumn.Beside);
}
