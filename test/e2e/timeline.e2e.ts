// The timeline on a real flood (issue 16): 40 processes each send 1,000 messages through one
// Queue, then a Pool of 8 works through 200 tasks. The Processes view comes forward when the run
// starts; the timeline holds every message; a range dragged on its axis zooms into one second; a
// search finds the one message whose payload says "needle" and reveals the line that sent it.
// Screenshots at each step; the webview's own figures (first draw, frame times) are printed.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { poll, scenario, slow } from './harness';

const FLOOD = [
  'import multiprocessing as mp',
  '',
  'SENDERS, MESSAGES, WORKERS, TASKS = 40, 1000, 8, 200',
  '',
  '',
  'def send(q, me):',
  '    for i in range(MESSAGES):',
  '        if me == 17 and i == 500:',
  "            q.put(('needle', me, i))",
  '        else:',
  '            q.put((me, i))',
  '',
  '',
  'def work(n):',
  '    return sum(range(n * 100))',
  '',
  '',
  "if __name__ == '__main__':",
  '    q = mp.Queue()',
  '    senders = [mp.Process(target=send, args=(q, k)) for k in range(SENDERS)]',
  '    for p in senders:',
  '        p.start()',
  '    for _ in range(SENDERS * MESSAGES):',
  '        q.get()',
  '    for p in senders:',
  '        p.join()',
  '    pool = mp.Pool(WORKERS)',
  '    print(len(pool.map(work, range(TASKS))))',
  '    pool.close()',
  '    pool.join()',
  '',
].join('\n');
const NEEDLE_LINE = 9;

/** The webview's figures (#stats, written by the webview after each frame). */
interface Stats {
  rows: number;
  loadedMs: number;
  frames: number[];
  lod: string;
}

scenario('a flood of 40,000 messages in the timeline: every message, zoom into one second, search a payload', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pv-e2e-flood-'));
  writeFileSync(join(dir, 'flood.py'), FLOOD);
  const wb = await t.openWorkbench(dir);
  await wb.openFile('flood.py');
  await wb.runCommand('Process View: Run with Process View');
  // The Processes view comes forward by itself (processView.revealOnRun), Explorer was in front.
  await wb.viewPane('Processes').waitFor({ timeout: slow(30_000) });
  await wb.screenshot('timeline-flood-run-started');

  await wb.runCommand('Process View: Show Timeline');
  const webview = wb.page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
  const stats = async (): Promise<Stats> => {
    const s = webview.locator('#stats');
    const [rows, loaded, frames, lod] = await Promise.all(['data-rows', 'data-loaded', 'data-frames', 'data-lod'].map((a) => s.getAttribute(a, { timeout: slow(5_000) })));
    return { rows: Number(rows ?? 0), loadedMs: Number(loaded || Number.NaN), frames: (frames ?? '').split(' ').filter(Boolean).map(Number), lod: lod ?? '' };
  };
  // Every message, once the run has ended (the time readout says End).
  await webview.locator('#time', { hasText: /\(End\)/ }).waitFor({ timeout: slow(180_000) });
  const all = await poll(async () => {
    const s = await stats();
    return s.rows >= 40_000 && Number.isFinite(s.loadedMs) ? s : undefined;
  }, 'the timeline to hold all 40,000 messages', 60_000);
  await wb.screenshot('timeline-flood-whole-run');
  assert.equal(all.lod, 'density', 'the whole run is too many arrows: density');

  // Zoom into one second: drag a range on the time axis.
  const canvas = webview.locator('#canvas');
  const box = await canvas.boundingBox();
  assert.ok(box);
  const rangeText = async (): Promise<[number, number]> => {
    const m = /([\d.]+) s – ([\d.]+) s/.exec(await webview.locator('#range').innerText());
    assert.ok(m, 'the range readout');
    return [Number(m[1]), Number(m[2])];
  };
  const [a, b] = await rangeText();
  const plotLeft = box.x + 170;
  const plotWidth = box.width - 170 - 12;
  const xAt = (s: number): number => plotLeft + ((s - a) / (b - a)) * plotWidth;
  const from = a + (b - a) * 0.3;
  await wb.page.mouse.move(xAt(from), box.y + 8);
  await wb.page.mouse.down();
  await wb.page.mouse.move(xAt(from + 0.5), box.y + 8, { steps: 5 });
  await wb.page.mouse.move(xAt(from + 1), box.y + 8, { steps: 5 });
  await wb.page.mouse.up();
  const [za, zb] = await poll(async () => {
    const r = await rangeText();
    return r[1] - r[0] < 1.2 ? r : undefined;
  }, 'the view to span about one second', 10_000);
  assert.ok(Math.abs(zb - za - 1) < 0.05, `one second in view (${za}–${zb})`);
  await wb.screenshot('timeline-flood-one-second');

  // Frame times while zooming and panning (the webview measures each draw).
  const before = (await stats()).frames.length;
  await wb.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await wb.page.keyboard.down('Control');
  for (let k = 0; k < 10; k++) await wb.page.mouse.wheel(0, k < 5 ? -100 : 100);
  await wb.page.keyboard.up('Control');
  await wb.page.mouse.down();
  await wb.page.mouse.move(box.x + box.width / 2 - 200, box.y + box.height / 2, { steps: 10 });
  await wb.page.mouse.up();
  const after = await stats();
  const frames = after.frames.slice(-Math.max(1, after.frames.length - before)).sort((x, y) => x - y);
  console.log(`    timeline figures: ${all.rows} messages, loaded ${all.loadedMs} ms after the webview started; ` +
    `draw while zooming/panning: median ${frames[frames.length >> 1]} ms, max ${frames.at(-1)} ms over ${frames.length} frames`);

  // Search a payload: one match, selected; its sending line is revealed in the editor.
  await webview.locator('#search').fill('needle');
  await webview.locator('#search').press('Enter');
  await webview.locator('#matches', { hasText: /^1 of 1$/ }).waitFor({ timeout: slow(15_000) });
  const details = await webview.locator('#details-text').innerText();
  assert.match(details, /needle/);
  assert.match(details, /flood\.py:9/);
  await wb.page.locator('.statusbar-item', { hasText: new RegExp(`Ln ${NEEDLE_LINE},`) }).first().waitFor({ timeout: slow(15_000) });
  assert.match(await wb.page.locator('.monaco-editor .view-line').filter({ hasText: 'needle' }).first().innerText(), /q\.put\(\('needle'/);
  await wb.screenshot('timeline-flood-search-needle');
}, { timeoutMs: 420_000 });
