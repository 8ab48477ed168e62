/**
 * launch.json for the `processview` debug type: F5 with no launch.json debugs the active Python
 * file; a script gets the interpreter Run with Process View uses (run/interpreter.ts) and the same
 * checks before it starts (trust, interpreter, syntax). A recording needs no trust: nothing runs.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { ProcessViewLaunchArguments } from '../../core/debug';
import { readConfig } from '../config';
import { revealLine } from '../editor/reveal';
import { DebugType } from '../ids';
import type { Logger } from '../log';
import { baseName } from '../models/format';
import { checkWith, findInterpreter } from '../run/interpreter';
import type { SyntaxProblem } from '../../core/tracer';

const t = vscode.l10n.t;

export type ProcessViewDebugConfiguration = vscode.DebugConfiguration & Partial<ProcessViewLaunchArguments>;

/** A launch configuration debugging a script with Process View. */
export function scriptConfiguration(script: vscode.Uri, stopOn: readonly string[]): ProcessViewDebugConfiguration {
  return {
    type: DebugType,
    request: 'launch',
    name: t('Process View: debug {0}', baseName(script.fsPath)),
    program: script.fsPath,
    cwd: vscode.workspace.getWorkspaceFolder(script)?.uri.fsPath ?? dirname(script.fsPath),
    stopOn: [...stopOn],
  };
}

/** A launch configuration debugging a recording (time travel). */
export function recordingConfiguration(file: vscode.Uri): ProcessViewDebugConfiguration {
  return { type: DebugType, request: 'launch', name: t('Process View: debug recording {0}', baseName(file.fsPath)), recording: file.fsPath };
}

/** Debugging runs the script's code: not in Restricted Mode. Returns false (and says why) when untrusted. */
export function mayRunScripts(log: Logger): boolean {
  if (vscode.workspace.isTrusted) return true;
  const manage = t('Manage Workspace Trust');
  void vscode.window
    .showWarningMessage(
      t('Process View does not debug scripts in Restricted Mode: debugging a script runs its code. Trust this folder to debug it; recordings can still be debugged.'),
      manage,
    )
    .then((choice) => (choice === manage ? vscode.commands.executeCommand('workbench.trust.manage') : undefined));
  log.warn('Not debugged: the workspace is not trusted');
  return false;
}

export class DebugConfigurationProvider implements vscode.DebugConfigurationProvider {
  constructor(
    private readonly log: Logger,
    private readonly stopOn: () => readonly string[],
  ) {}

  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [{ type: DebugType, request: 'launch', name: t('Process View: debug a script'), program: '${file}', stopOn: [] }];
  }

  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | null | undefined {
    let c = config as ProcessViewDebugConfiguration;
    if (!c.type && !c.request && !c.name) {
      // F5 with no launch.json: the Python file in the editor.
      const doc = vscode.window.activeTextEditor?.document;
      if (doc?.languageId !== 'python' || doc.uri.scheme !== 'file') {
        void vscode.window.showInformationMessage(t('Open a Python file to debug it with Process View, or add a "processview" configuration to launch.json.'));
        return undefined;
      }
      c = scriptConfiguration(doc.uri, this.stopOn());
    }
    if (!c.program && !c.recording) {
      void vscode.window.showErrorMessage(t('A Process View debug configuration needs "program" (a Python script) or "recording" (a .jsonl recording).'));
      // null opens launch.json so the user can fix it.
      return null;
    }
    if (c.program && !mayRunScripts(this.log)) return undefined;
    return c;
  }

  async resolveDebugConfigurationWithSubstitutedVariables(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | null | undefined> {
    const c = config as ProcessViewDebugConfiguration;
    if (!c.program) {
      // A recording's sources are looked for under the workspace folder too (it may have been made on another machine).
      if (c.recording) c.cwd ??= folder?.uri.fsPath ?? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(c.recording))?.uri.fsPath;
      return c;
    }
    if (!existsSync(c.program)) {
      void vscode.window.showErrorMessage(t('The script {0} does not exist.', c.program));
      return null;
    }
    const script = vscode.Uri.file(c.program);
    c.cwd ??= folder?.uri.fsPath ?? vscode.workspace.getWorkspaceFolder(script)?.uri.fsPath ?? dirname(c.program);
    let syntax: SyntaxProblem | null;
    if (!c.python) {
      const search = await findInterpreter(script, readConfig(script).pythonPath, this.log, c.program);
      if (!search.found) {
        void vscode.window.showErrorMessage(
          t('Process View found no Python 3 to debug {0} with. Tried: {1}. Select an interpreter or set "python" in launch.json.', baseName(c.program), search.tried.join('; ')),
        );
        return undefined;
      }
      c.python = search.found.info.executable;
      syntax = search.syntax;
    } else {
      const checked = await checkWith(c.python, c.program);
      if ('error' in checked) {
        void vscode.window.showErrorMessage(
          t('Process View found no Python 3 to debug {0} with. Tried: {1}. Select an interpreter or set "python" in launch.json.', baseName(c.program), checked.error),
        );
        return undefined;
      }
      syntax = checked.syntax;
    }
    if (syntax) {
      const goTo = t('Go to Line');
      void vscode.window
        .showErrorMessage(t('{0} has a syntax error, so it was not debugged: {1} (line {2}).', baseName(c.program), syntax.message, syntax.line ?? '?'), goTo)
        .then((choice) => (choice === goTo ? revealLine(script, syntax.line ?? 1) : undefined));
      return undefined;
    }
    this.log.info(`Debugging ${c.program} with ${c.python}${c.stopOn && c.stopOn.length > 0 ? `, pausing at ${c.stopOn.join(', ')}` : ''}`);
    return c;
  }
}
