// What a user sees: the welcome state, Run with Process View from the Explorer's context menu,
// the live Processes tree (a zombie, explained), the Channels view, and the timeline webview
// keeping a hostile payload as text. Screenshots go to test-results/e2e/.
import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scenario } from './harness';

scenario('the Processes view welcomes a new user and offers the examples', async (t) => {
  const wb = await t.openWorkbench('examples');
  // A user clicks the activity bar icon; the palette command is the same thing, and it waits until
  // the extension's contributions are loaded.
  await wb.runCommand('Process View: Focus on Processes View');
  const pane = wb.viewPane('Processes');
  const welcome = pane.locator('.welcome-view-content');
  await welcome.waitFor({ timeout: 20_000 });
  const text = await welcome.innerText();
  assert.match(text, /Run a Python script/);
  const buttons = await welcome.locator('.monaco-button').allInnerTexts();
  assert.ok(buttons.some((b) => b.includes('Run with Process View')), buttons.join(' | '));
  assert.ok(buttons.some((b) => b.includes('Open an Example')), buttons.join(' | '));
  await wb.screenshot('welcome');
});

scenario('right-click a .py in the Explorer → Run with Process View shows the zombie in the tree', async (t) => {
  const wb = await t.openWorkbench('examples');
  const items = await wb.rightClickInExplorer('18_zombie.py');
  assert.ok(items.includes('Run with Process View'), `context menu: ${items.join(' | ')}`);
  await wb.clickContextMenuItem('Run with Process View');
  // While the parent sleeps, its child is a zombie, nested under it.
  const rows = await wb.waitForTreeRows('Processes', (r) => r.some((row) => /zombie/.test(row.description)), 40_000);
  const main = rows.find((r) => /\bmain\b/.test(r.description));
  const zombie = rows.find((r) => /zombie/.test(r.description));
  assert.ok(main && zombie, rows.map((r) => `${r.label} ${r.description}`).join('\n'));
  assert.equal(zombie.level, main.level + 1, 'the zombie is nested under its parent');
  await wb.screenshot('zombie-in-tree');
  // Hovering the row explains the zombie in words.
  const row = wb.viewPane('Processes').locator('.monaco-list-row', { hasText: zombie.label }).first();
  await row.hover();
  const hover = wb.page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'Zombie' }).first();
  await hover.waitFor({ timeout: 10_000 });
  assert.match(await hover.innerText(), /has not called join\(\)/);
  await wb.screenshot('zombie-tooltip');
  // After the run: the child was reaped; it stays, greyed, as exited.
  await wb.waitForTreeRows('Processes', (r) => r.some((row) => row.label === zombie.label && /exited/.test(row.description)), 30_000);
  await wb.screenshot('zombie-after-run');
});

scenario('a payload of <img src=x onerror=alert(1)> stays text in the Channels view and the timeline', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pv-e2e-xss-'));
  writeFileSync(
    join(dir, 'xss.py'),
    [
      'import multiprocessing as mp',
      '',
      'def child(q):',
      '    print("got", q.get())',
      '',
      "if __name__ == '__main__':",
      '    q = mp.Queue()',
      '    p = mp.Process(target=child, args=(q,))',
      '    p.start()',
      "    q.put('<img src=x onerror=alert(1)>')",
      '    p.join()',
      '',
    ].join('\n'),
  );
  const wb = await t.openWorkbench(dir);
  const dialogs: string[] = [];
  wb.page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await wb.explorerContextMenu('xss.py', 'Run with Process View');
  await wb.runCommand('Process View: Focus on Channels View');
  const channels = await wb.waitForTreeRows('Channels', (r) => r.some((row) => /Queue/.test(row.label) && /^1 message$/.test(row.description)), 40_000);
  const queueRow = wb.viewPane('Channels').locator('.monaco-list-row', { hasText: 'Queue' }).first();
  // The row's own click reveals the creating line; the twistie expands it.
  if (channels.find((r) => /Queue/.test(r.label))?.expanded === false) await queueRow.locator('.monaco-tl-twistie').click();
  const log = await wb.waitForTreeRows('Channels', (r) => r.some((row) => row.description.includes('<img src=x onerror=alert(1)>')), 15_000);
  assert.ok(log.length >= 2);
  await wb.runCommand('Process View: Show Timeline');
  const webview = wb.page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
  const list = webview.locator('#events');
  await webview.locator('#list summary').click({ timeout: 20_000 });
  const entry = list.locator('button', { hasText: '<img src=x onerror=alert(1)>' }).first();
  await entry.waitFor({ timeout: 20_000 });
  assert.equal(await webview.locator('img').count(), 0, 'no <img> element was created from the payload');
  await wb.screenshot('timeline-payload-as-text');
  assert.deepEqual(dialogs, [], 'no alert() ran');
});
