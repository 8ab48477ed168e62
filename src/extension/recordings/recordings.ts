/**
 * Recordings in the editor: every run is recorded into the extension's storage (the newest
 * KeptRecordings are kept), Save Recording copies one out to keep it, Open Recording shows one in
 * the same views as a run.
 */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Logger } from '../log';
import { baseName } from '../models/format';
import type { SessionStore, ViewableSession } from '../views/sessionStore';

const t = vscode.l10n.t;

/** Recordings kept in the extension's storage (Save Recording copies one out to keep it for good). */
const KeptRecordings = 20;

/** The folder in the extension's global storage that every run records into. */
export class RecordingFolder {
  constructor(
    private readonly storageDir: vscode.Uri,
    private readonly log: Logger,
  ) {}

  /** A new file for a run of `script`, after making room by removing the oldest. */
  newPath(script: string): string {
    const dir = join(this.storageDir.fsPath, 'recordings');
    mkdirSync(dir, { recursive: true });
    this.prune(dir);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    return join(dir, `${baseName(script).replace(/\.py$/, '')}-${stamp}.jsonl`);
  }

  /** Keeps the newest recordings only, so the storage folder does not grow with every run. */
  private prune(dir: string): void {
    try {
      const files = readdirSync(dir)
        .filter((f) => f.endsWith('.jsonl'))
        .map((f) => ({ path: join(dir, f), mtime: statSync(join(dir, f)).mtimeMs }))
        .sort((a, b) => b.mtime - a.mtime);
      for (const old of files.slice(KeptRecordings - 1)) rmSync(old.path, { force: true });
    } catch (error) {
      this.log.warn(`Could not prune old recordings in ${dir}: ${String(error)}`);
    }
  }
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

export interface OpenRecordingDeps {
  readonly load: (file: string) => Promise<{ session: ViewableSession; warnings: readonly string[] }>;
  readonly store: SessionStore;
  readonly isRunning: () => boolean;
  /** Shows the views once the recording is in the store. */
  readonly reveal: () => Promise<void>;
}

/** Open Recording: `target`, or a file the user picks; refused while a run is going. */
export async function openRecording(deps: OpenRecordingDeps, target: vscode.Uri | undefined): Promise<void> {
  const file =
    target ??
    (
      await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: { [t('Process View recording')]: ['jsonl'] },
        openLabel: t('Open Recording'),
      })
    )?.[0];
  if (!file) return;
  if (deps.isRunning()) {
    void vscode.window.showWarningMessage(t('Stop the current run before opening a recording.'));
    return;
  }
  const { session, warnings } = await deps.load(file.fsPath);
  deps.store.show(session, { kind: 'recording', file: file.fsPath });
  for (const w of warnings) void vscode.window.showWarningMessage(t('Recording {0}: {1}', file.fsPath, w));
  await deps.reveal();
}
