// Lessons as a learner takes them: the zombie lesson started from the Getting Started
// walkthrough (its zombie step's button), the ticket race without a lock from the Command
// Palette in a Chinese UI (code-server --locale zh-cn, see openChineseWorkbench). Each step: the status bar says which step,
// the step's text stands after the paused line in the editor, a screenshot is taken; questions
// are answered as a learner does (the zombie clicked in the Processes view, the count picked
// from the list); Next Step in the status bar goes on, to the lesson's end.
// Screenshots: test-results/e2e/lesson-*.png.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { poll, scenario, slow, type Workbench } from './harness';

interface LessonFile {
  title: Record<'en' | 'zh-cn', string>;
  steps: Array<{ pause: { line?: number }; text: Record<'en' | 'zh-cn', string>; question?: unknown }>;
}
const lessonFile = (root: string, id: string): LessonFile => JSON.parse(readFileSync(join(root, 'examples', 'lessons', `${id}.lesson.json`), 'utf8')) as LessonFile;

const UI = {
  en: { step: (k: number, n: number) => `step ${k} of ${n}`, stepAfter: (k: number, n: number) => `Step ${k} of ${n}`, next: 'Next Step', finished: 'Lesson finished' },
  'zh-cn': { step: (k: number, n: number) => `第 ${k} 步，共 ${n} 步`, stepAfter: (k: number, n: number) => `第 ${k} 步，共 ${n} 步`, next: '下一步', finished: '课程结束' },
} as const;

/** The lesson's status bar entry, once it says step k. */
async function waitForStep(wb: Workbench, lang: 'en' | 'zh-cn', k: number, n: number): Promise<string> {
  const item = wb.page.locator('.statusbar-item', { hasText: UI[lang].step(k, n) }).first();
  await item.waitFor({ timeout: slow(120_000) });
  return item.innerText();
}

/**
 * The text after the paused line. The after-text of a decoration lives in a CSS rule (::after
 * content), not in the DOM text, so look for it in the style sheets.
 */
async function waitForAfterText(wb: Workbench, lang: 'en' | 'zh-cn', k: number, n: number, text: string): Promise<void> {
  const want = `${UI[lang].stepAfter(k, n)}: ${text.slice(0, 12)}`;
  await wb.page
    .waitForFunction(
      (w) =>
        Array.from(document.styleSheets).some((sheet) => {
          try {
            return Array.from(sheet.cssRules).some((rule) => rule.cssText.includes(w));
          } catch {
            return false; // a style sheet from another origin
          }
        }),
      want,
      { timeout: slow(30_000) },
    )
    .catch(() => assert.fail(`the paused line is not followed by "${want}…"`));
}

/** The editor shows the paused line (the lesson reveals it; the cursor stays where the learner left it). */
async function waitForLine(wb: Workbench, line: number): Promise<void> {
  const number = wb.page.locator('.editor-instance .monaco-editor .margin-view-overlays .line-numbers', { hasText: new RegExp(`^\\s*${line}\\s*$`) }).first();
  await number.waitFor({ timeout: slow(30_000) }).catch(() => assert.fail(`line ${line} is not on screen`));
}

async function nextStep(wb: Workbench, lang: 'en' | 'zh-cn'): Promise<void> {
  await wb.page.locator('.statusbar-item', { hasText: UI[lang].next }).first().click();
}

scenario('lesson: the zombie lesson from the Getting Started walkthrough, followed to its end', async (t) => {
  const lesson = lessonFile(t.repoPath(''), 'zombie');
  const n = lesson.steps.length;
  const wb = await t.openWorkbench('examples');
  // The walkthrough, as a learner finds it: Welcome: Open Walkthrough… → ours → the zombie step.
  await wb.startCommand('Welcome: Open Walkthrough...');
  await wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Learn multiprocessing with Process View' }).first().click({ timeout: slow(15_000) });
  await wb.page.locator('.getting-started-step', { hasText: 'See a zombie and an orphan' }).first().click({ timeout: slow(20_000) });
  const start = wb.page.locator('.getting-started-step.expanded .monaco-button, .getting-started-step.expanded a', { hasText: 'Start the Zombie Lesson' }).first();
  await start.waitFor({ timeout: slow(15_000) });
  await wb.screenshot('lesson-zombie-0-walkthrough');
  await start.click();

  for (let k = 1; k <= n; k++) {
    const status = await waitForStep(wb, 'en', k, n);
    assert.match(status, /Lesson: A zombie/);
    await waitForAfterText(wb, 'en', k, n, lesson.steps[k - 1]!.text.en);
    await waitForLine(wb, lesson.steps[k - 1]!.pause.line!);
    await wb.screenshot(`lesson-zombie-${k}`);
    if (lesson.steps[k - 1]!.question) {
      // Which process is the zombie? Click it in the Processes view.
      await wb.runCommand('Process View: Focus on Processes View');
      // The row is found again before each click (the tree redraws as the run's samples come);
      // a click that landed elsewhere gets "Not quite", and the learner clicks the zombie again.
      await poll(async () => {
        const rows = await wb.waitForTreeRows('Processes', (r) => r.some((row) => /^zombie/.test(row.description)), 60_000);
        const zombie = rows.findIndex((row) => /^zombie/.test(row.description));
        await wb.viewPane('Processes').locator('.pane-body .monaco-list-row').nth(zombie).click({ timeout: slow(5_000) });
        return wb.waitForNotification('Right:', slow(10_000)).catch(() => undefined);
      }, 'a "Right:" answer after clicking the zombie in the Processes view', slow(90_000), 500);
      await wb.screenshot(`lesson-zombie-${k}-answered`);
    }
    await nextStep(wb, 'en');
  }
  const end = await wb.waitForNotification(UI.en.finished, slow(60_000));
  assert.match(end, /zombies behind/);
  await wb.screenshot('lesson-zombie-end');
}, { timeoutMs: 420_000 });

scenario('lesson: the ticket race from the Command Palette, in a Chinese UI, followed to its end', async (t) => {
  const lesson = lessonFile(t.repoPath(''), 'ticket-race');
  const n = lesson.steps.length;
  const lang = 'zh-cn';
  const wb = await t.openChineseWorkbench('examples');
  await wb.startCommand('Process View: 开始一节课');
  // The pick: lessons under their topics' separators, titles in Chinese. The lock's lessons are
  // below the first screenful: the learner types to find the ticket race.
  await wb.page.locator('.quick-input-widget .monaco-list-row').first().waitFor({ timeout: slow(15_000) });
  const separators = await wb.page.locator('.quick-input-widget .quick-input-list-separator').allInnerTexts();
  assert.ok(separators.length > 0, 'topics separate the lessons');
  await wb.screenshot('lesson-ticket-race-0-pick');
  await wb.page.locator('.quick-input-widget .quick-input-box input').fill('抢票');
  const row = wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: lesson.title[lang] }).first();
  await row.waitFor({ timeout: slow(15_000) });
  await row.click();

  for (let k = 1; k <= n; k++) {
    const status = await waitForStep(wb, lang, k, n);
    assert.ok(status.includes(`课程：${lesson.title[lang]}`), status);
    await waitForAfterText(wb, lang, k, n, lesson.steps[k - 1]!.text[lang]);
    await waitForLine(wb, lesson.steps[k - 1]!.pause.line!);
    await wb.screenshot(`lesson-ticket-race-${k}`);
    if (lesson.steps[k - 1]!.question) {
      // 买家 A 会写回多少张票？ The learner picks from the list.
      await wb.waitForNotification('问题：', 30_000);
      // In a toast, or in the notification center the harness opened to find it.
      await wb.page.locator('.notification-list-item', { hasText: '问题：' }).locator('.monaco-button', { hasText: '回答' }).first().click({ timeout: slow(15_000) });
      const input = wb.page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ timeout: slow(15_000) });
      await input.fill('0');
      await input.press('Enter');
      await wb.waitForNotification('正确：', 30_000);
      await wb.screenshot(`lesson-ticket-race-${k}-answered`);
    }
    await nextStep(wb, lang);
  }
  const end = await wb.waitForNotification(UI[lang].finished, slow(60_000));
  assert.match(end, /购票成功/);
  await wb.screenshot('lesson-ticket-race-end');
}, { timeoutMs: 420_000 });
