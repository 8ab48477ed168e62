// The README's screenshot, taken the way a user gets there: right-click an example in the
// Explorer → Run with Process View, with the source open next to the live Processes tree.
// Always saved to test-results/e2e/; PV_README_SCREENSHOT=1 also writes docs/images/process-view.png.
import * as assert from 'node:assert/strict';
import { scenario } from './harness';

const EXAMPLE = '34_producer_consumer_many.py';
const CODE_LINE = 24; // where the consumer and producer functions start, below the docstring

scenario('README screenshot: a producer/consumer run, source and process tree side by side', async (t) => {
  const wb = await t.openWorkbench('examples');
  await wb.openFile(EXAMPLE);
  await wb.goToLine(CODE_LINE + 30);
  await wb.goToLine(CODE_LINE);
  await wb.explorerContextMenu(EXAMPLE, 'Run with Process View');
  // main + three producers + two consumers (the run lasts a few seconds; they may have ended).
  // One read holding all of them and the main process's row (a read in the middle of a redraw can miss rows).
  const rows = await wb.waitForTreeRows('Processes', (r) => r.length >= 6 && r.some((row) => /\bmain\b/.test(row.description)), 60_000);
  assert.ok(rows.some((r) => /\bmain\b/.test(r.description)), rows.map((r) => `${r.label} ${r.description}`).join('\n'));
  // Open the queue in the Channels view so its messages show too.
  const channels = await wb.waitForTreeRows('Channels', (r) => r.some((row) => /Queue/.test(row.label)), 30_000);
  if (channels.find((r) => /Queue/.test(r.label))?.expanded === false) {
    const queueLevel = (await wb.expandTreeRow('Channels', /Queue/)).find((r) => /Queue/.test(r.label))?.level ?? 1;
    await wb.waitForTreeRows('Channels', (r) => r.some((row) => row.level > queueLevel), 10_000);
  }
  await wb.screenshot('readme-process-view');
  if (process.env.PV_README_SCREENSHOT === '1') await wb.screenshot('readme', 'docs/images/process-view.png');
}, { timeoutMs: 180_000 });
