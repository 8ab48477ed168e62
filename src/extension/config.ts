/**
 * Settings under `processView.*`, read through one typed function. Defaults live in package.json;
 * the fallbacks here only guard against a hand-edited settings file with the wrong type.
 */
import * as vscode from 'vscode';
import { ConfigSection, Settings, type SettingKey } from './ids';

export interface ProcessViewConfig {
  /** Empty: use the Python extension's interpreter, else python3 / python. */
  readonly pythonPath: string;
  readonly samplingIntervalMs: number;
  readonly payloadPreviewLength: number;
  readonly keepExitedProcesses: boolean;
  /** Bring the Process View container forward when the first run of the window starts. */
  readonly revealOnRun: boolean;
}

export function readConfig(scope?: vscode.ConfigurationScope): ProcessViewConfig {
  const c = vscode.workspace.getConfiguration(ConfigSection, scope);
  const num = (key: SettingKey, fallback: number, min: number, max: number): number => {
    const v = c.get<unknown>(key);
    return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback;
  };
  const pythonPath = c.get<unknown>(Settings.pythonPath);
  const keep = c.get<unknown>(Settings.keepExitedProcesses);
  const reveal = c.get<unknown>(Settings.revealOnRun);
  return {
    pythonPath: typeof pythonPath === 'string' ? pythonPath.trim() : '',
    samplingIntervalMs: num(Settings.samplingIntervalMs, 100, 20, 5000),
    payloadPreviewLength: num(Settings.payloadPreviewLength, 80, 10, 10000),
    keepExitedProcesses: typeof keep === 'boolean' ? keep : true,
    revealOnRun: typeof reveal === 'boolean' ? reveal : true,
  };
}

/** Calls `listener` only when one of the given settings changed. */
export function onConfigChange(keys: readonly SettingKey[], listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (keys.some((k) => e.affectsConfiguration(`${ConfigSection}.${k}`))) listener();
  });
}
