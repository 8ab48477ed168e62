// Scenarios about the installed VSIX itself, independent of what the views show.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../../scripts/lib/tools.cjs';
import { scenario } from './harness';

interface Manifest {
  displayName: string;
  contributes?: { commands?: { command: string; title: string; category?: string }[] };
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
  await row.waitFor({ timeout: 30_000 });
});

scenario('every contributed command is in the Command Palette', async (t) => {
  const wb = await t.openWorkbench(workspace);
  const commands = manifest.contributes?.commands ?? [];
  for (const c of commands) {
    // Commands hidden from the palette (menus.commandPalette when=false) are skipped by design.
    const title = c.category ? `${localize(c.category)}: ${localize(c.title)}` : localize(c.title);
    const input = wb.page.locator('.quick-input-widget .quick-input-box input');
    await wb.page.keyboard.press('Control+P');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(`>${title}`);
    const rows = wb.page.locator('.quick-input-widget .monaco-list-row');
    const found = await rows.first().waitFor({ timeout: 10_000 }).then(() => rows.allInnerTexts(), () => []);
    await wb.page.keyboard.press('Escape');
    if (!isHiddenFromPalette(c.command)) assert.ok(found.some((r) => r.includes(localize(c.title))), `"${title}" not in the palette (saw: ${found.join(' | ')})`);
  }
});

function isHiddenFromPalette(command: string): boolean {
  const menus = (manifest.contributes as { menus?: { commandPalette?: { command: string; when?: string }[] } } | undefined)?.menus;
  return (menus?.commandPalette ?? []).some((m) => m.command === command && m.when === 'false');
}
