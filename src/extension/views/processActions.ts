/** What the Processes view's context menu does to a process: signal it, copy its pid. */
import * as vscode from 'vscode';
import type { Logger } from '../log';
import { isProcessRow, signalRefusal } from '../models/sourceSites';

const t = vscode.l10n.t;

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
