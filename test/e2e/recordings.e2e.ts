// Restricted Mode (an untrusted folder: nothing runs, recordings still open) and Save Recording
// (a finished run saved through code-server's file dialog, then opened again).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { root } from '../../scripts/lib/tools.cjs';
import { poll, scenario, type TreeRow, type Workbench, slow } from './harness';

/** A recording made from examples/18_zombie.py: main process 11926, its child 11945. */
const FIXTURE = 'test/fixtures/recordings/18_zombie.jsonl';

/** Command lines of the processes on this machine that mention `text` (Linux: /proc). */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (cmdline.includes(text)) found.push(`${name}: ${cmdline}`);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** Waits until an element has stopped moving (a notification toast slides in). */
async function settled(locator: Locator): Promise<void> {
  let last = '';
  await poll(async () => {
    const box = JSON.stringify(await locator.boundingBox());
    const same = box === last;
    last = box;
    return same;
  }, 'the notification to stop moving', 5_000, 200);
}

const rowsText = (rows: TreeRow[]): string => rows.map((r) => `${'  '.repeat(r.level - 1)}${r.label} ${r.description}`).join('\n');

/** The Processes view's message line (e.g. "Recording: x.jsonl"). */
async function processesMessage(wb: Workbench): Promise<string> {
  return (await wb.viewPane('Processes').locator('.pane-body .message').first().innerText().catch(() => '')).trim();
}

scenario('Restricted Mode: Run with Process View refuses and starts nothing; a recording still opens', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pv-e2e-untrusted-'));
  // If this ran, it would leave ran.txt behind and stay alive long after the scenario's checks.
  writeFileSync(
    join(dir, 'would_run.py'),
    ['import pathlib, time', '', "pathlib.Path(__file__).with_name('ran.txt').write_text('ran')", 'time.sleep(30)', ''].join('\n'),
  );
  copyFileSync(t.repoPath(FIXTURE), join(dir, 'zombie-run.jsonl'));
  const wb = await t.openUntrustedWorkbench(dir);
  // The workbench says it is in Restricted Mode, and so does the Processes view.
  await wb.page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: slow(30_000) });
  await wb.runCommand('Process View: Focus on Processes View');
  await wb.viewPane('Processes').locator('.welcome-view-content', { hasText: 'turned off in Restricted Mode' }).waitFor({ timeout: slow(30_000) });

  const items = await wb.rightClickInExplorer('would_run.py');
  assert.ok(items.includes('Run with Process View'), `context menu: ${items.join(' | ')}`);
  await wb.clickContextMenuItem('Run with Process View');
  const refusal = wb.page.locator('.notification-toast', { hasText: 'does not run scripts in Restricted Mode' }).first();
  await refusal.waitFor({ timeout: slow(30_000) });
  assert.match(
    await refusal.innerText(),
    /Process View does not run scripts in Restricted Mode: running a script executes its code\. Trust this folder to run it\./,
  );
  const manage = refusal.locator('.monaco-button', { hasText: 'Manage Workspace Trust' });
  assert.equal(await manage.count(), 1, 'a Manage Workspace Trust action');
  await settled(refusal);
  await wb.screenshot('restricted-mode-refusal');
  // The action opens the Workspace Trust editor, where the user can trust the folder.
  await manage.click();
  const trustEditor = wb.page.locator('.workspace-trust-editor').first();
  await trustEditor.waitFor({ timeout: slow(15_000) });
  await wb.screenshot('restricted-mode-manage-trust');
  // It opens as a modal editor, which keeps the keyboard until closed.
  await poll(async () => {
    if (await trustEditor.isVisible()) await wb.page.keyboard.press('Escape');
    return trustEditor.waitFor({ state: 'hidden', timeout: slow(2_000) }).then(() => true, () => false);
  }, 'the Workspace Trust editor to close', 15_000);

  // Recordings still open in Restricted Mode (Explorer context menu on a .jsonl).
  await wb.explorerContextMenu('zombie-run.jsonl', 'Open Recording…');
  // Opening a recording brings up the Processes view (and the timeline beside the editor).
  await wb.viewPane('Processes').waitFor({ timeout: slow(15_000) });
  const rows = await wb.waitForTreeRows(
    'Processes',
    (r) => r.some((row) => row.label.startsWith('11926 ') && /\bmain\b/.test(row.description)) && r.some((row) => row.label.startsWith('11945 ')),
    30_000,
  );
  assert.ok(rows.some((r) => /\bmain\b/.test(r.description)), rowsText(rows));
  await poll(async () => (await processesMessage(wb)).includes('Recording: zombie-run.jsonl'), 'the Processes view to say which recording it shows', 10_000);
  // The timeline opens beside it and draws the recording (its time readout is filled then).
  await wb.page.frameLocator('iframe.webview').frameLocator('iframe#active-frame').locator('#time', { hasText: ' s' }).waitFor({ timeout: slow(20_000) });
  await wb.screenshot('restricted-mode-recording-open');

  // All of the above took seconds; a run started by the click would still be alive (it sleeps 30 s).
  assert.deepEqual(processesMentioning(join(dir, 'would_run.py')), [], 'no process runs the script');
  assert.equal(existsSync(join(dir, 'ran.txt')), false, 'the script did not run');
  // No run's terminal was opened either.
  assert.equal(await wb.page.locator('.terminal-tabs-entry, .single-terminal-tab', { hasText: 'would_run.py' }).count(), 0, 'no terminal for the script');
}, { timeoutMs: 180_000 });

scenario('Save Recording after a run writes a recording that Open Recording shows again', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pv-e2e-save-'));
  const script = join(dir, 'saver.py');
  writeFileSync(
    script,
    [
      'import multiprocessing as mp',
      '',
      'def child():',
      "    print('child says hi')",
      '',
      "if __name__ == '__main__':",
      "    p = mp.get_context('fork').Process(target=child)",
      '    p.start()',
      '    p.join()',
      '',
    ].join('\n'),
  );
  const wb = await t.openWorkbench(dir);
  // A recording is open before the run: Save must save the run shown afterwards, not this one.
  await wb.startCommand('Process View: Open Recording…');
  await wb.answerFileDialog(t.repoPath(FIXTURE));
  await wb.waitForTreeRows('Processes', (r) => r.some((row) => row.label.startsWith('11926 ')), 30_000);

  await wb.explorerContextMenu('saver.py', 'Run with Process View');
  // The run is over when its main process shows as exited (its child too).
  // The rows asserted on below, in one read: this run's main process, ended, and its child under it.
  const isMain = (row: TreeRow): boolean => /\bmain\b/.test(row.description) && /^exited/.test(row.description) && !row.label.startsWith('11926 ');
  const childOf = (r: TreeRow[], main: TreeRow | undefined): TreeRow | undefined =>
    main && r.slice(r.indexOf(main) + 1).find((row) => row.level === main.level + 1 && /^exited/.test(row.description));
  const ran = await wb.waitForTreeRows('Processes', (r) => childOf(r, r.find(isMain)) !== undefined, 40_000);
  const main = ran.find(isMain);
  const child = childOf(ran, main);
  assert.ok(main && child, rowsText(ran));
  const mainPid = Number(main.label.split(' ')[0]);
  const childPid = Number(child.label.split(' ')[0]);

  const target = join(dir, 'saved-run.jsonl');
  await wb.startCommand('Process View: Save Recording…');
  await wb.answerFileDialog(target);
  await wb.waitForNotification(`Recording saved to ${target}`, 15_000);
  await wb.screenshot('save-recording-saved');

  // The file is a complete recording of this run (docs/session-format.md). Its events are in
  // compressed blocks (format 2): read them back through the CLI's export, the same reader.
  assert.ok(readFileSync(target, 'utf8').endsWith('\n'), 'the file ends with a newline');
  const exported = execFileSync(process.execPath, [join(root, 'out', 'cli.js'), 'export', target], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const records = exported.split('\n').filter((l) => l !== '').map((l, i) => {
    try {
      return JSON.parse(l) as { type: string; [k: string]: unknown };
    } catch {
      throw new Error(`line ${i + 1} of export ${target} is not JSON: ${l.slice(0, 200)}`);
    }
  });
  const header = records[0] as { type: string; format?: string; version?: number; script?: string };
  assert.equal(header.type, 'header');
  assert.equal(header.format, 'process-view-session');
  assert.equal(header.version, 2);
  assert.equal(header.script, script, 'the recording is of the run just made, not of the recording opened before');
  const events = records.filter((r) => r.type === 'event').map((r) => r.event as { kind: string; pid: number; role?: string });
  assert.ok(events.some((e) => e.kind === 'hello' && e.pid === mainPid && e.role === 'main'), `a hello from the main process ${mainPid}`);
  assert.ok(events.some((e) => e.kind === 'process.created'), 'a process.created event');
  assert.ok(events.some((e) => e.kind === 'hello' && e.pid === childPid), `a hello from the child ${childPid}`);
  const end = records.at(-1) as { type: string; exitCode?: number | null };
  assert.equal(end.type, 'end', 'the last line is the end record');
  assert.equal(end.exitCode, 0);

  // Show something else first, so the rows below can only come from the saved file.
  await wb.startCommand('Process View: Open Recording…');
  await wb.answerFileDialog(t.repoPath(FIXTURE));
  await wb.waitForTreeRows('Processes', (r) => r.some((row) => row.label.startsWith('11926 ')) && !r.some((row) => row.label === main.label), 30_000);
  await wb.startCommand('Process View: Open Recording…');
  await wb.answerFileDialog(target);
  const reopened = await wb.waitForTreeRows(
    'Processes',
    // The child's level too, in the same read (a row drawn anew under its parent can be read before the parent's).
    (r) => {
      const m = r.find((row) => row.label === main.label && /\bmain\b/.test(row.description));
      return m !== undefined && r.some((row) => row.label === child.label && row.level === m.level + 1) && !r.some((row) => row.label.startsWith('11926 '));
    },
    30_000,
  );
  assert.equal(reopened.find((r) => r.label === child.label)?.level, reopened.find((r) => r.label === main.label)!.level + 1, 'the child is under its parent');
  await poll(async () => (await processesMessage(wb)).includes('Recording: saved-run.jsonl'), 'the Processes view to say it shows saved-run.jsonl', 10_000);
  // Opening a recording also opens the timeline beside it; the tree is what this checks.
  await wb.runCommand('Process View: Focus on Processes View');
  await wb.screenshot('save-recording-reopened');
}, { timeoutMs: 180_000 });
