// Scenarios about the installed VSIX itself, independent of what the views show.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../../scripts/lib/tools.cjs';
import { scenario, slow } from './harness';

interface Manifest {
  displayName: string;
  contributes?: {
    commands?: { command: string; title: string; category?: string; enablement?: string }[];
    menus?: { commandPalette?: { command: string; when?: string }[] };
  };
}
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;
// Titles may be "%key%" placeholders resolved from package.nls.json (English is what the UI shows here).
const nlsFile = join(root, 'package.nls.json');
const nls = (existsSync(nlsFile) ? JSON.parse(readFileSync(nlsFile, 'utf8')) : {}) as Record<string, string>;
const localize = (s: string): string => s.replace(/^%(.+)%$/, (whole, key: string) => nls[key] ?? whole);
const workspace = existsSync(join(root, 'examples')) ? 'examples' : '.';

scenario('the installed extension shows in the Extensions view', async (t) => {
  const wb = await t.openWorkbench(workspace);
  await wb.runCommand('Extensions: Show Installed Extensions');
  const row = wb.page.locator('.extensions-viewlet .monaco-list-row', { hasText: localize(manifest.displayName) }).first();
  await row.waitFor({ timeout: slow(30_000) });
});

scenario('every contributed command is in the Command Palette', async (t) => {
  const wb = await t.openWorkbench(workspace);
  // Commands the palette shows from the start: no enablement clause, not hidden or conditional there.
  const shown = (manifest.contributes?.commands ?? []).filter((c) => !c.enablement && !paletteWhen(c.command));
  assert.ok(shown.length > 0 || (manifest.contributes?.commands ?? []).length === 0);
  for (const c of shown) {
    const title = c.category ? `${localize(c.category)}: ${localize(c.title)}` : localize(c.title);
    await wb.findCommand(title); // throws with the title when the palette never shows it
    await wb.page.keyboard.press('Escape');
  }
});

function paletteWhen(command: string): string | undefined {
  return manifest.contributes?.menus?.commandPalette?.find((m) => m.command === command)?.when;
}
