/**
 * Every command of the extension, from one table: the type makes a missing handler a compile
 * error, and test/unit/extension/manifest.test.ts makes a command missing from package.json a
 * test failure. The handlers live in the rooms (views/, editor/, run/, recordings/).
 */
import * as vscode from 'vscode';
import type { CommandId } from './ids';
import type { Logger } from './log';

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
