/**
 * Every command of the extension, from one table: the type makes a missing handler a compile
 * error, and ids.test.ts makes a command missing from package.json a test failure.
 */
import { copyFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { type CommandId, Commands } from './ids';
import type { Logger } from './log';
import { isProcessRow, signalRefusal, siteOf, type SiteCarrier } from './sourceSites';
import { revealLine } from './runController';
import type { Message } from '../core/session/model';
import type { SourceSite } from '../core/protocol/events';

const t = vscode.l10n.t;

export type CommandTable = Record<CommandId, (...args: unknown[]) => unknown>;

export function registerCommands(table: CommandTable, log: Logger): vscode.Disposable {
  const registrations = Object.entries(table).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (error) {
        log.error(`Command ${id} failed`, error);
        const showLog = t('Show Log');
        void vscode.window.showErrorMessage(t('Process View: {0}', error instanceof Error ? error.message : String(error)), showLog).then((c) => {
          if (c === showLog) log.show();
        });
        return undefined;
      }
    }),
  );
  return vscode.Disposable.from(...registrations);
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

export async function signalProcess(row: unknown, signal: 'SIGTERM' | 'SIGKILL', liveRootPid: number | null, log: Logger): Promise<void> {
  if (!isProcessRow(row)) return;
  const p = row.process;
  const refusal = signalRefusal(p, liveRootPid);
  if (refusal === 'no-run') {
    void vscode.window.showInformationMessage(t('Process {0} belongs to a run that has ended or to a recording; it cannot be signalled.', p.pid));
    return;
  }
  if (refusal === 'ended') {
    void vscode.window.showInformationMessage(t('Process {0} has already ended.', p.pid));
    return;
  }
  try {
    process.kill(p.pid, signal);
    log.info(`Sent ${signal} to ${p.pid} (${p.name})`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') void vscode.window.showInformationMessage(t('Process {0} has already ended.', p.pid));
    else throw new Error(t('Could not send {0} to process {1}: {2}', signal, p.pid, code ?? String(error)));
  }
}

export async function copyPid(row: unknown): Promise<void> {
  if (!isProcessRow(row)) return;
  await vscode.env.clipboard.writeText(String(row.process.pid));
}

/** `running`: the run is still going, so the copy holds what happened so far (it opens as cut short). */
export async function saveRecordingAs(source: string | undefined, running = false): Promise<void> {
  if (!source) {
    void vscode.window.showInformationMessage(t('There is no recording to save yet: run a script with Process View first.'));
    return;
  }
  const target = await vscode.window.showSaveDialog({
    filters: { [t('Process View recording')]: ['jsonl'] },
    saveLabel: t('Save Recording'),
    ...(vscode.workspace.workspaceFolders?.[0]
      ? { defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, source.split(/[\\/]/).pop() ?? 'run.jsonl') }
      : {}),
  });
  if (!target) return;
  await copyFile(source, target.fsPath);
  void vscode.window.showInformationMessage(
    running
      ? t('Recording saved to {0}. The run is still going: the file holds what happened so far; save again after it ends for the whole run.', target.fsPath)
      : t('Recording saved to {0}', target.fsPath),
  );
}

export async function pickExample(extensionUri: vscode.Uri): Promise<void> {
  const folder = vscode.Uri.joinPath(extensionUri, 'examples');
  let files: vscode.Uri[] = [];
  try {
    files = await collectPython(folder);
  } catch {
    files = [];
  }
  if (files.length === 0) {
    void vscode.window.showInformationMessage(t('No examples are installed with this copy of Process View.'));
    return;
  }
  const items = files
    .map((uri) => ({ label: vscode.workspace.asRelativePath(uri, false).replace(/^.*examples[\\/]/, ''), uri }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const picked = await vscode.window.showQuickPick(items, { placeHolder: t('Pick an example to open; then use Run with Process View') });
  if (!picked) return;
  await vscode.window.showTextDocument(picked.uri, { preview: false });
}

async function collectPython(folder: vscode.Uri): Promise<vscode.Uri[]> {
  const out: vscode.Uri[] = [];
  for (const [name, type] of await vscode.workspace.fs.readDirectory(folder)) {
    const uri = vscode.Uri.joinPath(folder, name);
    if (type === vscode.FileType.Directory && !name.startsWith('_') && !name.startsWith('.')) out.push(...(await collectPython(uri)));
    else if (type === vscode.FileType.File && name.endsWith('.py') && !name.startsWith('_')) out.push(uri);
  }
  return out;
}

export { Commands };
