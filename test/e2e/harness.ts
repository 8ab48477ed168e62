// The end-to-end helper API: scenarios drive the packaged extension, installed into code-server
// exactly as a user installs it, through the real workbench UI in Chromium.
//
//   import { scenario } from './harness';
//   scenario('runs a script from the Explorer', async (t) => {
//     const wb = await t.openWorkbench('examples');
//     await wb.explorerContextMenu('01_basics/hello.py', 'Run with Process View');
//     await wb.waitForTreeRows('Processes', (rows) => rows.length >= 2);
//     await wb.screenshot('hello-tree');
//   });
//
// Scenario files are test/e2e/**/*.e2e.ts; `npm run test:e2e` runs them (see run.ts).
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { root } from '../../scripts/lib/tools.cjs';

export const resultsDir = join(root, 'test-results', 'e2e');

/**
 * Every bound in the e2e tests is a hang guard around a wait for a state, never a measure: on a
 * busy machine (CI runs these next to two busy loops; a load average of 26 made 3-second steps
 * take longer) the workbench is slower, so each bound is multiplied by this. PV_E2E_TIME_SCALE
 * sets it; by default 3.
 */
export const TIME_SCALE = Math.max(1, Number(process.env.PV_E2E_TIME_SCALE ?? 3) || 3);
/** A bound of `ms`, scaled (see TIME_SCALE). */
export const slow = (ms: number): number => ms * TIME_SCALE;

/** One row of a tree or list in the workbench, as the user sees it. */
export interface TreeRow {
  /** The row's main text (e.g. "python3 worker.py"). */
  label: string;
  /** The dimmer text beside the label, if any (e.g. "pid 1234 · running"). */
  description: string;
  /** What a screen reader says for the row: the item's accessibility label or its tooltip text. */
  ariaLabel: string;
  /** Nesting depth: 1 for top-level rows. */
  level: number;
  /** true / false for rows with children, undefined for leaves. */
  expanded: boolean | undefined;
}

export interface ScenarioContext {
  /** Opens the workbench in a fresh browser tab on a folder (relative to the repo root, or absolute). */
  openWorkbench(folder: string): Promise<Workbench>;
  /**
   * The same, on a second code-server with workspace trust on: the folder opens in Restricted
   * Mode (not trusted yet, no startup prompt). The server starts on first use (a few seconds).
   */
  openUntrustedWorkbench(folder: string): Promise<Workbench>;
  /**
   * The same, on a code-server started with `--locale zh-cn` (and a test language pack that
   * makes zh-cn available): the extension's own texts (its l10n bundle, package.nls.zh-cn.json)
   * are in Simplified Chinese; the workbench around them stays English. Started on first use.
   */
  openChineseWorkbench(folder: string): Promise<Workbench>;
  /** Absolute path of a file or folder in the repo. */
  repoPath(relative: string): string;
}

export type ScenarioBody = (t: ScenarioContext) => Promise<void>;
export interface Scenario {
  name: string;
  body: ScenarioBody;
  timeoutMs: number;
}

// Every scenario file is bundled on its own, so the registry lives on globalThis, not in a module.
const REGISTRY = Symbol.for('process-view.e2e.scenarios');
type WithRegistry = typeof globalThis & { [REGISTRY]?: Scenario[] };
export function registeredScenarios(): Scenario[] {
  const g = globalThis as WithRegistry;
  return (g[REGISTRY] ??= []);
}

/** Declares a scenario. It fails if it throws or runs past `timeoutMs` (default 120 s), scaled (TIME_SCALE). */
export function scenario(name: string, body: ScenarioBody, options: { timeoutMs?: number } = {}): void {
  registeredScenarios().push({ name, body, timeoutMs: slow(options.timeoutMs ?? 120_000) });
}

/** Polls `check` until it returns something truthy; fails with `what` in the message at the deadline. */
export async function poll<T>(check: () => Promise<T> | T, what: string, timeoutMs = 15_000, intervalMs = 150): Promise<NonNullable<T>> {
  const deadline = Date.now() + slow(timeoutMs);
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${slow(timeoutMs)} ms waiting for ${what} (last: ${detail})`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** The code-server workbench in one browser tab. `page` is the raw Playwright page for anything else. */
export class Workbench {
  /** The Explorer row the last context menu was opened on (to open it again). */
  private menuRow: Locator | undefined;

  constructor(
    readonly page: Page,
    readonly folder: string,
  ) {}

  static async open(context: BrowserContext, serverUrl: string, folder: string): Promise<Workbench> {
    const abs = isAbsolute(folder) ? folder : join(root, folder);
    const page = await context.newPage();
    await page.goto(`${serverUrl}/?folder=${encodeURIComponent(abs)}`, { timeout: slow(60_000) });
    const wb = new Workbench(page, abs);
    await page.locator('.monaco-workbench').waitFor({ timeout: slow(60_000) });
    // The Explorer lists the folder once the remote file system answers: the workbench is usable.
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: slow(60_000) });
    return wb;
  }

  /** Runs a command by its title as shown in the Command Palette (e.g. "Process View: Stop"). */
  async runCommand(title: string, timeoutMs = 30_000): Promise<void> {
    await this.clickCommand(title, timeoutMs);
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: slow(10_000) }).catch(() => undefined);
  }

  /**
   * Finds the command's row and clicks it. The palette can close between the two (focus moving to
   * a starting run's terminal): a click that finds no row to click did nothing, so the palette is
   * opened again and the row looked for again.
   */
  private async clickCommand(title: string, timeoutMs: number): Promise<void> {
    await poll(async () => {
      const row = await this.findCommand(title, timeoutMs);
      await row.click({ timeout: slow(3_000) });
      return true;
    }, `a click on the command "${title}"`, timeoutMs, 200);
  }

  /**
   * Runs a command by its title and leaves whatever it opens alone: for commands that open a
   * quick input of their own (a file dialog, a pick), where runCommand would wait for it to close.
   */
  async startCommand(title: string, timeoutMs = 30_000): Promise<void> {
    await this.clickCommand(title, timeoutMs);
  }

  /**
   * Answers code-server's file dialog (Open or Save; in a browser it is a quick input showing a
   * path): types `path` over the proposed one and accepts it. Waits until the dialog has closed.
   */
  async answerFileDialog(path: string, timeoutMs = 20_000): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    const input = widget.locator('.quick-input-box input');
    // The dialog is up once its input holds a path (the Command Palette's holds ">…") and it has
    // listed the folder it starts in (until then it may still put that folder's path over ours).
    await poll(
      async () => (await widget.isVisible()) && (await input.inputValue()).startsWith('/') && (await widget.locator('.monaco-list-row').count()) > 0,
      'the file dialog',
      timeoutMs,
    );
    let message = '';
    await poll(async () => {
      if (!(await widget.isVisible())) return true;
      await input.fill(path, { timeout: slow(3_000) });
      // The dialog lists the typed path's folder as it reads the value; accept once it has.
      await poll(async () => (await input.inputValue()) === path && !(await widget.locator('.quick-input-progress-bar, .progress-bit').first().isVisible()), `the file dialog to show ${path}`, 5_000).catch(() => undefined);
      await input.press('Enter');
      const closed = await widget.waitFor({ state: 'hidden', timeout: slow(3_000) }).then(() => true, () => false);
      if (!closed) message = await widget.locator('.quick-input-message').innerText().catch(() => '');
      return closed;
    }, `the file dialog to accept ${path}${message ? ` (it said: ${message})` : ''}`, timeoutMs, 100).catch((e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}${message ? `; the dialog said: ${message}` : ''}`);
    });
  }

  /**
   * Types a command's title into the Command Palette until its row shows (the palette learns
   * extension commands a moment after the window opens) and returns that row, palette left open.
   */
  async findCommand(title: string, timeoutMs = 30_000): Promise<Locator> {
    const rows = this.page.locator('.quick-input-widget .monaco-list-row');
    const index = await poll(async () => {
      const input = await this.openQuickInput('>');
      // Short, so one attempt cannot eat the whole budget when the palette closes under us
      // (focus moving to a starting run's terminal or a new webview): the poll opens it again.
      await input.fill(`>${title}`, { timeout: slow(3_000) });
      await rows.first().waitFor({ timeout: slow(2_000) }).catch(() => undefined);
      const labels = await rows.allInnerTexts();
      // A row's text is the title, then key bindings or "recently used": match the title exactly.
      const exact = labels.findIndex((l) => l.split('\n').some((part) => part.trim() === title));
      return exact >= 0 ? exact + 1 : undefined;
    }, `a command titled "${title}" in the Command Palette`, timeoutMs, 500);
    return rows.nth(index - 1);
  }

  /**
   * Opens a file (path relative to the workbench folder) in an editor through Quick Open, and waits
   * until it is the active editor. Enter takes the focused row: it is pressed only once that row is
   * the file's (until Quick Open has filtered on the typed path, the focused row can be a recently
   * opened file's), and the whole is done again when the file's tab does not come forward (Quick
   * Open closed under us, focus moving while the window settles).
   */
  async openFile(relativePath: string): Promise<void> {
    const name = relativePath.split('/').pop() ?? relativePath;
    const focused = this.page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: name }).first();
    const active = this.page.locator(`.editor-group-container.active .tabs-container .tab.active[aria-label*="${name}"]`).first();
    await poll(async () => {
      if (await active.isVisible()) return true;
      const input = await this.openQuickInput('');
      await input.fill(relativePath, { timeout: slow(3_000) });
      await focused.waitFor({ timeout: slow(5_000) });
      await input.press('Enter', { timeout: slow(3_000) });
      return active.waitFor({ timeout: slow(5_000) }).then(() => true, () => false);
    }, `${relativePath} open in the active editor`, 30_000, 300);
  }

  /** Moves the cursor of the active editor to a line (1-based), scrolling it into view. */
  async goToLine(line: number): Promise<void> {
    const input = await this.openQuickInput(`:${line}`);
    await input.press('Enter');
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: slow(10_000) }).catch(() => undefined);
  }

  /** Reveals a file in the Explorer and right-clicks it; returns the context menu's item labels. */
  async rightClickInExplorer(relativePath: string): Promise<string[]> {
    return this.openExplorerMenu(relativePath, true);
  }

  /**
   * Reveals a file in the Explorer and right-clicks it until its context menu shows items; with
   * `read`, returns their labels. A menu can close right after it opened while the window settles
   * (CI run J: the file's hover came up and no menu; a later run: the menu showed, then went before
   * its items could be read): each of these is a reason to right-click again, not to fail.
   */
  private async openExplorerMenu(relativePath: string, read: boolean): Promise<string[]> {
    await this.openFile(relativePath);
    await this.runCommand('File: Reveal Active File in Explorer View');
    const name = relativePath.split('/').pop() ?? relativePath;
    const row = this.page.locator('.explorer-folders-view .monaco-list-row.selected', { hasText: name }).first();
    await row.waitFor({ timeout: slow(15_000) });
    this.menuRow = row;
    const items = this.page.locator('.monaco-menu .action-item:not(.disabled) .action-label');
    return poll(async () => {
      if (!(await items.first().isVisible())) {
        await row.click({ button: 'right', timeout: slow(3_000) }).catch(() => undefined);
        const shown = await items.first().waitFor({ timeout: slow(2_000) }).then(
          () => true,
          () => false,
        );
        if (!shown) {
          console.log(`    (no context menu after a right-click on ${name}; right-clicking again)`);
          return undefined;
        }
      }
      if (!read) return [];
      const labels = (await items.allInnerTexts().catch(() => [])).map((s) => s.trim()).filter((s) => s.length > 0);
      return labels.length > 0 ? labels : undefined; // closed while being read: open it again
    }, `the context menu of ${relativePath}`, 20_000, 300);
  }

  /** The labels of the open context menu (separators left out). */
  async contextMenuItems(): Promise<string[]> {
    const items = this.page.locator('.monaco-menu .action-item:not(.disabled) .action-label');
    await items.first().waitFor({ timeout: slow(10_000) });
    return (await items.allInnerTexts()).map((s) => s.trim()).filter((s) => s.length > 0);
  }

  /**
   * Clicks an item of the open context menu by its label. The menu can close by itself between
   * the read of its items and this click (as it can before they are read, see openExplorerMenu):
   * then the row it was opened on (rightClickInExplorer) is right-clicked again. A menu that
   * closed after a click on the item took the click; one that closed before any click did not.
   */
  async clickContextMenuItem(label: string): Promise<void> {
    const item = this.page.locator('.monaco-menu .action-item .action-label', { hasText: label }).first();
    const menu = this.page.locator('.monaco-menu').first();
    let seen: string[] = [];
    let clicked = false;
    await poll(async () => {
      if (clicked && !(await menu.isVisible())) return true; // it was taken (the menu closed late)
      if (!(await item.isVisible())) {
        if (await menu.isVisible()) {
          seen = await this.contextMenuItems().catch(() => []);
          await this.page.keyboard.press('Escape');
        }
        if (!this.menuRow) return false;
        await this.menuRow.click({ button: 'right', timeout: slow(3_000) });
        console.log(`    (the context menu closed before "${label}" was clicked; right-clicking again)`);
      }
      await item.click({ timeout: slow(3_000) });
      clicked = true;
      return this.menuClosed();
    }, `"${label}" to be taken by the context menu`, 20_000, 300).catch((e: unknown) => {
      throw new Error(`no "${label}" in the context menu; it had: ${seen.join(' | ')} (${e instanceof Error ? e.message : String(e)})`);
    });
  }

  /**
   * Whether the context menu closed after a click on one of its items. A menu that has only just
   * opened can ignore a click (it stays open, the item merely highlighted): then the caller clicks again.
   */
  private async menuClosed(): Promise<boolean> {
    return this.page
      .locator('.monaco-menu')
      .first()
      .waitFor({ state: 'hidden', timeout: slow(1_000) })
      .then(
        () => true,
        () => {
          console.log('    (the context menu ignored a click on its item; clicking again)');
          return false;
        },
      );
  }

  /**
   * Right-clicks a file in the Explorer and picks a context menu item. Opens the menu again when
   * it closes under us (focus moving while the window settles) before the item could be clicked.
   */
  async explorerContextMenu(relativePath: string, label: string): Promise<void> {
    await this.openExplorerMenu(relativePath, false);
    const name = relativePath.split('/').pop() ?? relativePath;
    const row = this.page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
    const item = this.page.locator('.monaco-menu .action-item:not(.disabled) .action-label', { hasText: label }).first();
    let seen: string[] = [];
    let clicked = false;
    await poll(async () => {
      // Clicked, and the menu closed late: the click was taken (opening the menu again would run the command twice).
      if (clicked && !(await this.page.locator('.monaco-menu').first().isVisible())) return true;
      if (!(await item.isVisible())) {
        if (await this.page.locator('.monaco-menu').first().isVisible()) {
          seen = await this.contextMenuItems().catch(() => []);
          await this.page.keyboard.press('Escape');
        }
        await row.click({ button: 'right', timeout: slow(3_000) });
      }
      await item.click({ timeout: slow(3_000) });
      clicked = true;
      return this.menuClosed();
    }, `"${label}" in the context menu of ${relativePath}`, 20_000, 300).catch((e: unknown) => {
      throw new Error(`no "${label}" in the context menu; it had: ${seen.join(' | ')} (${e instanceof Error ? e.message : String(e)})`);
    });
  }

  /** Shows a view by its title (e.g. "Processes"), through "View: Open View". */
  async openView(title: string): Promise<Locator> {
    // Short steps, polled: the quick input can close under us (a view or webview taking focus).
    await poll(async () => {
      const input = await this.openQuickInput('view ');
      await input.fill(`view ${title}`, { timeout: slow(3_000) });
      await this.page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().click({ timeout: slow(3_000) });
      return true;
    }, `a view titled "${title}" in View: Open View`, 20_000, 300);
    const pane = this.viewPane(title);
    await pane.waitFor({ timeout: slow(15_000) });
    return pane;
  }

  /** The pane (header + body) of a visible view, found by its title. */
  viewPane(title: string): Locator {
    return this.page
      .locator('.pane')
      .filter({ has: this.page.locator('.pane-header .title', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`, 'i') }) })
      .first();
  }

  /** A visible view's pane, expanded if it was collapsed (a collapsed pane renders no rows). */
  async expandedPane(title: string): Promise<Locator> {
    const pane = this.viewPane(title);
    const header = pane.locator('.pane-header').first();
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click({ timeout: slow(3_000) });
    return pane;
  }

  /** The rendered rows' texts of a visible view (Call Stack, Variables...), whitespace collapsed. */
  async paneTexts(title: string): Promise<string[]> {
    const pane = await this.expandedPane(title);
    return (await pane.locator('.pane-body .monaco-list-row').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
  }

  /** Reads the rendered rows of a tree view (only rows scrolled into view are rendered). */
  async treeRows(viewTitle: string): Promise<TreeRow[]> {
    if ((await this.viewPane(viewTitle).count()) === 0) await this.openView(viewTitle);
    const pane = await this.expandedPane(viewTitle);
    return pane.locator('.pane-body .monaco-list-row').evaluateAll((rows) =>
      rows.map((row) => {
        const text = (sel: string) => (row.querySelector(sel)?.textContent ?? '').trim();
        const expanded = row.getAttribute('aria-expanded');
        return {
          label: text('.label-name') || text('.monaco-highlighted-label') || (row.textContent ?? '').trim(),
          description: text('.label-description'),
          ariaLabel: row.getAttribute('aria-label') ?? '',
          level: Number(row.getAttribute('aria-level') ?? '1'),
          expanded: expanded === null ? undefined : expanded === 'true',
        };
      }),
    );
  }

  /** Polls a tree view until `predicate` holds for its rows; returns those rows. */
  async waitForTreeRows(viewTitle: string, predicate: (rows: TreeRow[]) => boolean, timeoutMs = 30_000): Promise<TreeRow[]> {
    let last: TreeRow[] = [];
    try {
      return await poll(async () => {
        last = await this.treeRows(viewTitle);
        return predicate(last) ? last : undefined;
      }, `rows of "${viewTitle}"`, timeoutMs);
    } catch (e) {
      const titles = await this.page.locator('.pane-header .title').allInnerTexts().catch(() => []);
      throw new Error(
        `rows of "${viewTitle}" never matched within ${slow(timeoutMs)} ms; last seen:\n${last.map((r) => `${'  '.repeat(r.level - 1)}${r.label} ${r.description}`).join('\n') || '(no rows)'}` +
          `\n(last error: ${e instanceof Error ? e.message : String(e)}; view titles in the window: ${titles.join(' | ')})`,
      );
    }
  }

  /**
   * Expands a row of a tree view (the first whose text matches `label`) by its twistie, and returns
   * a read of the rows that shows it expanded. A click can land on a row that the tree is drawing
   * anew as it updates (or the row can have no children yet): it is clicked again, as a user would,
   * while the rows read show it collapsed.
   */
  async expandTreeRow(viewTitle: string, label: RegExp, timeoutMs = 20_000): Promise<TreeRow[]> {
    const rows = this.viewPane(viewTitle).locator('.pane-body .monaco-list-row', { hasText: label });
    let last: TreeRow[] = [];
    return poll(async () => {
      last = await this.treeRows(viewTitle);
      const row = last.find((r) => label.test(r.label));
      if (row?.expanded === true) return last;
      if (row?.expanded === false) {
        await rows.first().locator('.monaco-tl-twistie').click({ timeout: slow(3_000) });
        // Read again only once the click had time to show (a second click on a slow redraw would fold it).
        await this.viewPane(viewTitle).locator('.pane-body .monaco-list-row[aria-expanded="true"]', { hasText: label }).first().waitFor({ timeout: slow(2_000) }).catch(() => undefined);
      }
      return undefined;
    }, `the row ${String(label)} of "${viewTitle}" expanded`, timeoutMs, 500).catch((e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; last seen: ${last.map((r) => `${r.label} (expanded: ${String(r.expanded)})`).join(' | ') || '(no rows)'}`);
    });
  }

  /** Texts of the notification toasts currently shown. */
  async notifications(): Promise<string[]> {
    return (await this.page.locator('.notification-toast .notification-list-item-message').allInnerTexts()).map((s) => s.trim());
  }

  /**
   * Waits for a notification whose text contains `text` and returns its full text. Looks at the
   * toasts and, since toasts hide after a while or under "Do Not Disturb", at the notification center.
   */
  async waitForNotification(text: string | RegExp, timeoutMs = 30_000): Promise<string> {
    const matches = (s: string) => (typeof text === 'string' ? s.includes(text) : text.test(s));
    return poll(async () => {
      const toasts = await this.page.locator('.notification-toast .notification-list-item').allInnerTexts();
      const hit = toasts.find(matches);
      if (hit) return hit;
      const center = this.page.locator('.notifications-center');
      if (!(await center.isVisible())) await this.runCommand('Notifications: Show Notifications', 5_000).catch(() => undefined);
      return (await center.locator('.notification-list-item').allInnerTexts()).find(matches);
    }, `a notification with "${String(text)}"`, timeoutMs, 500);
  }

  /** Saves a PNG of the whole window as test-results/e2e/<name>.png (or to `to`, relative to the repo). */
  async screenshot(name: string, to?: string): Promise<string> {
    const file = to ? join(root, to) : join(resultsDir, `${slug(name)}.png`);
    mkdirSync(join(file, '..'), { recursive: true });
    await this.page.screenshot({ path: file });
    return file;
  }

  private async openQuickInput(prefix: string): Promise<Locator> {
    const widget = this.page.locator('.quick-input-widget');
    if (await widget.isVisible()) await this.page.keyboard.press('Escape');
    // Quick Open (Ctrl+P) accepts ">" for commands; it is one key binding that browsers leave alone.
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ timeout: slow(10_000) });
    await input.fill(prefix, { timeout: slow(3_000) });
    return input;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
