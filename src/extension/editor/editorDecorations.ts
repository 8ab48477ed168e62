/**
 * Editor decorations on the lines that created processes or passed messages: a dim after-text
 * with counts and the last payload, and a hover with the recent history. Redrawn with the
 * (throttled) store and when editors become visible.
 *
 * The hover comes from a hover provider, built when the user hovers, not as each decoration's
 * hoverMessage: VS Code parses every MarkdownString it is given (to find links) on each
 * setDecorations, which during a flood was redone four times a second for every busy line (the
 * largest item of an extension-host profile taken under load; idle, the CPU figures do not show
 * it: bench/vscode-run-cost.md). For the same reason an editor whose after-texts did not change
 * is not sent them again.
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
  /** The lines with activity of the snapshot drawn last, by file then line number. */
  private byFile = new Map<string, Map<number, LineActivity>>();
  private drawnFrom: SessionSnapshot | undefined;
  /** What each visible editor was last given, to skip sending the same again. */
  private readonly sent = new WeakMap<vscode.TextEditor, string>();

  constructor(private readonly store: SessionStore) {
    this.disposables.push(
      store.onDidChange(() => this.updateAll()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.updateAll()),
      vscode.languages.registerHoverProvider({ scheme: 'file' }, { provideHover: (document, position) => this.hover(document, position) }),
    );
    this.updateAll();
  }

  private updateAll(): void {
    const snapshot = this.store.current();
    this.index(snapshot);
    const previewLength = readConfig().payloadPreviewLength;
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.scheme !== 'file') continue;
      const lines = this.byFile.get(editor.document.uri.fsPath);
      const decorations = lines ? this.decorations(editor.document, lines, previewLength) : [];
      const key = decorations.map((d) => `${d.range.start.line}\u0000${d.renderOptions?.after?.contentText ?? ''}`).join('\u0001');
      if (this.sent.get(editor) === key) continue;
      this.sent.set(editor, key);
      editor.setDecorations(this.type, decorations);
    }
  }

  private index(snapshot: SessionSnapshot | undefined): void {
    if (snapshot === this.drawnFrom) return;
    this.drawnFrom = snapshot;
    this.byFile = new Map();
    for (const line of snapshot?.lines ?? []) {
      let lines = this.byFile.get(line.site.file);
      if (!lines) this.byFile.set(line.site.file, (lines = new Map()));
      lines.set(line.site.line, line);
    }
  }

  private decorations(document: vscode.TextDocument, lines: ReadonlyMap<number, LineActivity>, previewLength: number): vscode.DecorationOptions[] {
    const out: vscode.DecorationOptions[] = [];
    for (const line of lines.values()) {
      const index = line.site.line - 1;
      if (index < 0 || index >= document.lineCount) continue;
      const text = lineSummary(line, previewLength, t);
      if (!text) continue;
      out.push({ range: document.lineAt(index).range, renderOptions: { after: { contentText: `  ${text}` } } });
    }
    return out.sort((a, b) => a.range.start.line - b.range.start.line);
  }

  /** The recent history of a decorated line, when the user hovers it. */
  private hover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const snapshot = this.store.current();
    this.index(snapshot);
    const line = this.byFile.get(document.uri.fsPath)?.get(position.line + 1);
    if (!snapshot || !line) return undefined;
    const previewLength = readConfig().payloadPreviewLength;
    if (!lineSummary(line, previewLength, t)) return undefined;
    const text = new vscode.MarkdownString();
    for (const l of lineHoverLines(snapshot, line, previewLength, t)) text.appendMarkdown(`${escapeMarkdown(l)}  \n`);
    return new vscode.Hover(text, document.lineAt(position.line).range);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.type.dispose();
  }
}
