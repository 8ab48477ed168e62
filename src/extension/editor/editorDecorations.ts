/**
 * Editor decorations on the lines that created processes or passed messages: a dim after-text
 * with counts and the last payload, and a hover with the recent history. Redrawn with the
 * (throttled) store and when editors become visible.
 */
import * as vscode from 'vscode';
import type { LineActivity, SessionSnapshot } from '../../core/session/model';
import { readConfig } from '../config';
import { escapeMarkdown } from '../models/format';
import { lineHoverLines, lineSummary } from '../models/lineModel';
import type { SessionStore } from '../views/sessionStore';

const t = vscode.l10n.t;

export class EditorDecorations implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    after: {
      color: new vscode.ThemeColor('editorCodeLens.foreground'),
      fontStyle: 'italic',
      margin: '0 0 0 2em',
    },
    isWholeLine: true,
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly store: SessionStore) {
    this.disposables.push(
      store.onDidChange(() => this.updateAll()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.updateAll()),
    );
    this.updateAll();
  }

  private updateAll(): void {
    const snapshot = this.store.current();
    const byFile = new Map<string, LineActivity[]>();
    for (const line of snapshot?.lines ?? []) {
      const list = byFile.get(line.site.file) ?? [];
      list.push(line);
      byFile.set(line.site.file, list);
    }
    const previewLength = readConfig().payloadPreviewLength;
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.scheme !== 'file') continue;
      const lines = snapshot ? byFile.get(editor.document.uri.fsPath) : undefined;
      editor.setDecorations(this.type, lines && snapshot ? this.decorations(editor.document, lines, snapshot, previewLength) : []);
    }
  }

  private decorations(
    document: vscode.TextDocument,
    lines: readonly LineActivity[],
    snapshot: SessionSnapshot,
    previewLength: number,
  ): vscode.DecorationOptions[] {
    const out: vscode.DecorationOptions[] = [];
    for (const line of lines) {
      const index = line.site.line - 1;
      if (index < 0 || index >= document.lineCount) continue;
      const text = lineSummary(line, previewLength, t);
      if (!text) continue;
      const hover = new vscode.MarkdownString();
      for (const l of lineHoverLines(snapshot, line, previewLength, t)) hover.appendMarkdown(`${escapeMarkdown(l)}  \n`);
      const range = document.lineAt(index).range;
      out.push({ range, hoverMessage: hover, renderOptions: { after: { contentText: `  ${text}` } } });
    }
    return out;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.type.dispose();
  }
}
