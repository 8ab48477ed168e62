/**
 * Composition root: builds the extension (src/extension/processView.ts) and hands it to VS Code
 * to own. If building fails, the user sees why before the error is rethrown.
 */
import * as vscode from 'vscode';
import { createCoreServices } from './extension/run/coreAdapter';
import { ProcessView } from './extension/processView';

/** What `activate` returns: the live objects, for the in-host tests. */
export type ProcessViewApi = ProcessView;

export function activate(context: vscode.ExtensionContext): ProcessViewApi {
  try {
    const extension = new ProcessView(context, createCoreServices());
    context.subscriptions.push(extension);
    return extension;
  } catch (error) {
    void vscode.window.showErrorMessage(
      vscode.l10n.t('Process View failed to start: {0}', error instanceof Error ? error.message : String(error)),
    );
    throw error;
  }
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
