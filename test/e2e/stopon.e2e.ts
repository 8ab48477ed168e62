// stopOn: ["queue"] in a launch.json, started with Debug: Start Debugging as a user presses F5: each
// process pauses before each Queue.put and Queue.get, the Call Stack says what is about to happen
// ("Paused before Queue.put(42) to Queue@line 10"), and Continue steps the run from put to get to
// its end. Screenshots go to test-results/e2e/.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { poll, scenario, slow } from './harness';

const PROGRAM = [
  'import multiprocessing as mp',
  '',
  'def consumer(q):',
  '    while True:',
  '        item = q.get()  # line 5',
  '        if item is None:',
  '            break',
  '',
  "if __name__ == '__main__':",
  '    q = mp.Queue()  # line 10',
  "    c = mp.Process(target=consumer, args=(q,), name='Consumer')",
  '    c.start()',
  '    q.put(42)',
  '    q.put(None)',
  '    c.join()',
  '',
].join('\n');

scenario('stopOn queue in launch.json → F5 pauses before each put and get, Continue steps through them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pv-e2e-stopon-'));
  writeFileSync(join(dir, 'prodcons.py'), PROGRAM);
  mkdirSync(join(dir, '.vscode'));
  writeFileSync(
    join(dir, '.vscode', 'launch.json'),
    JSON.stringify({ version: '0.2.0', configurations: [{ type: 'processview', request: 'launch', name: 'Queue steps', program: '${workspaceFolder}/prodcons.py', stopOn: ['queue'] }] }, null, 2),
  );
  const wb = await t.openWorkbench(dir);
  await wb.openFile('prodcons.py');
  await wb.runCommand('View: Show Run and Debug');
  await wb.runCommand('Debug: Start Debugging');

  // Both processes pause before their first operation on the queue (the Call Stack shows a thread's
  // state in capitals: matched without case).
  const first = await poll(async () => {
    const rows = await wb.paneTexts('Call Stack');
    return rows.some((r) => /MainProcess · pid \d+.*Paused before Queue\.put\(42\) to Queue@line 10/i.test(r)) &&
      rows.some((r) => /Consumer · pid \d+.*Paused before Queue\.get\(\) from Queue@line 10/i.test(r))
      ? rows
      : undefined;
  }, 'the Call Stack: MainProcess paused before put(42), Consumer before get()', slow(90_000)).catch(async (e: unknown) => {
    throw new Error(`${String(e)}\nCall Stack: ${(await wb.paneTexts('Call Stack')).join('\n')}`);
  });
  assert.ok(first.length >= 2);
  await wb.screenshot('stopon-queue-first-put-and-get');

  // Continue whichever process is focused until the second put is about to happen; then to the end.
  const continueButton = wb.page.locator('.debug-toolbar .action-label.codicon-debug-continue').first();
  let sawSecondPut = false;
  await poll(async () => {
    const rows = await wb.paneTexts('Call Stack').catch(() => []);
    if (rows.some((r) => /Paused before Queue\.put\(None\) to Queue@line 10/i.test(r))) {
      if (!sawSecondPut) await wb.screenshot('stopon-queue-second-put');
      sawSecondPut = true;
    }
    if (!(await wb.page.locator('.debug-toolbar').isVisible())) return true;
    if (await continueButton.isVisible()) await continueButton.click().catch(() => undefined);
    return undefined;
  }, 'Continue through every put and get to the end of the run', slow(120_000), 1000);
  assert.ok(sawSecondPut, 'the run paused before the second put');
  await wb.screenshot('stopon-queue-ended');
}, { timeoutMs: 400_000 });
