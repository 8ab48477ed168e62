/**
 * Showing a source line in the editor: the line that created a process, sent or received a
 * message. Used by the trees (through commands), the timeline and the run's syntax-error notice.
 */
import * as vscode from 'vscode';
import type { SourceSite } from '../../core/protocol/events';
import type { Message } from '../../core/session/model';
import { siteOf, type SiteCarrier } from '../models/sourceSites';

const t = vscode.l10n.t;

export async function revealLine(file: vscode.Uri, line: number, column?: vscode.ViewColumn): Promise<vscode.TextEditor> {
  const editor = await vscode.window.showTextDocument(file, { preview: true, ...(column !== undefined ? { viewColumn: column } : {}) });
  const l = Math.max(0, Math.min(editor.document.lineCount - 1, line - 1));
  const range = editor.document.lineAt(l).range;
  editor.selection = new vscode.Selection(range.start, range.start);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return editor;
}

export async function revealSite(site: SourceSite | null, column?: vscode.ViewColumn): Promise<void> {
  if (!site) {
    void vscode.window.showInformationMessage(t('No source line is known for this item.'));
    return;
  }
  await revealLine(vscode.Uri.file(site.file), site.line, column);
}

export async function revealRow(row: unknown): Promise<void> {
  if (typeof row !== 'object' || row === null || !('kind' in row)) return;
  await revealSite(siteOf(row as SiteCarrier));
}

/** Shows the sending line and the receiving line of a message (side by side when in different files). */
export async function revealMessage(row: unknown): Promise<void> {
  const message = (row as { message?: Message } | undefined)?.message;
  if (!message) return;
  const { sentAt, receivedAt } = message;
  if (sentAt && receivedAt && sentAt.file === receivedAt.file) {
    const editor = await revealLine(vscode.Uri.file(sentAt.file), sentAt.line);
    const lines = [sentAt.line, receivedAt.line].map((l) => Math.max(0, Math.min(editor.document.lineCount - 1, l - 1)));
    editor.selections = lines.map((l) => {
      const range = editor.document.lineAt(l).range;
      return new vscode.Selection(range.start, range.end);
    });
    return;
  }
  if (sentAt) await revealSite(sentAt);
  if (receivedAt) await revealSite(receivedAt, sentAt ? vscode.ViewColumn.Beside : undefined);
  if (!sentAt && !receivedAt) await revealSite(null);
}
