// What the in-host suites share: the extension's API, a deadline-bounded poll, and the rows of the
// Processes tree as a user would see them expanded.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ProcessViewApi } from '../../src/extension';
import type { ProcessRow, TreeRow } from '../../src/extension/models/processModel';

/** The repository (the tests run from out/test/host). */
export const root = join(__dirname, '..', '..', '..');
export const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { publisher: string; name: string };

export async function api(): Promise<ProcessViewApi> {
  const ext = vscode.extensions.getExtension<ProcessViewApi>(`${manifest.publisher}.${manifest.name}`);
  assert.ok(ext, 'extension not found');
  return ext.activate();
}

/** Resolves with the first truthy value of `check`, looked at every 50 ms; rejects after `timeoutMs` (a hang guard). */
export async function poll<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every row of the Processes tree, depth first, every node expanded. */
export function allRows(pv: ProcessViewApi): TreeRow[] {
  const out: TreeRow[] = [];
  const walk = (rows: readonly TreeRow[]): void => {
    for (const r of rows) {
      out.push(r);
      walk(pv.processes.getChildren(r));
    }
  };
  walk(pv.processes.getChildren());
  return out;
}

export const processRows = (pv: ProcessViewApi): ProcessRow[] => allRows(pv).filter((r): r is ProcessRow => r.kind === 'process');
