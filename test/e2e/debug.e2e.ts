// Debug with Process View as a user does it: a breakpoint set by clicking the gutter in a child
// process's target, Debug with Process View from the Explorer's context menu, the editor showing
// the paused line in the child, the Call Stack listing the processes by pid, Variables showing the
// child's argument, the Processes tree marking the child paused, none of the run's channels
// auto-forwarded as a port, Continue to the end. And Debug Recording on the zombie example's
// recording (made elsewhere: its sources are found in the
// project), Reverse Continue from its end back to the zombie.
// Screenshots go to test-results/e2e/.
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as net from 'node:net';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { poll, scenario, slow, type ScenarioContext, type TreeRow, type Workbench } from './harness';

/** Clicks the gutter (glyph margin) of a line of the active editor: a breakpoint, as a user sets one. */
async function clickGutter(wb: Workbench, line: number): Promise<void> {
  await wb.goToLine(line);
  const editor = wb.page.locator('.editor-instance .monaco-editor').first();
  const number = editor.locator('.margin-view-overlays .line-numbers', { hasText: new RegExp(`^\\s*${line}\\s*$`) }).first();
  await number.waitFor({ timeout: slow(10_000) });
  // A click can be lost while the window settles (as a right-click can, see the harness): clicked
  // again while no breakpoint shows. Only then: a click on a breakpoint would remove it.
  const mark = editor.locator('.codicon-debug-breakpoint, .codicon-debug-breakpoint-unverified').first();
  await poll(async () => {
    if (await mark.isVisible()) return true;
    const box = await number.boundingBox();
    const glyph = await editor.locator('.glyph-margin').first().boundingBox();
    assert.ok(box && glyph, 'the editor margin is laid out');
    await wb.page.mouse.click(glyph.x + glyph.width / 2, box.y + box.height / 2);
    return mark.waitFor({ timeout: slow(3_000) }).then(() => true, () => false);
  }, `a breakpoint on line ${line} after a click in its gutter`, 30_000, 500);
  // On the line clicked (its icon level with the line's number).
  const [at, icon] = await Promise.all([number.boundingBox(), mark.boundingBox()]);
  assert.ok(at && icon && Math.abs(icon.y + icon.height / 2 - (at.y + at.height / 2)) < at.height / 2, `the breakpoint is on line ${line}`);
}

/**
 * The editor shows a debugger stop in `file`: its tab is active and a line carries the stack
 * frame's decoration (the line's highlight; the margin's icon is not always drawn). On timeout,
 * says what the window had instead.
 */
async function waitForStackFrame(wb: Workbench, file: string, timeoutMs: number): Promise<void> {
  const marks = '.debug-top-stack-frame-line, .debug-focused-stack-frame-line, .codicon-debug-stackframe, .codicon-debug-stackframe-focused';
  const tab = wb.page.locator(`.tabs-container .tab.active[aria-label*="${file}"]`).first();
  await poll(async () => (await tab.isVisible()) && (await wb.page.locator(`.editor-instance .monaco-editor :is(${marks})`).count()) > 0, `a stop shown in ${file}`, timeoutMs, 250).catch(async (e: unknown) => {
    const tabs = await wb.page.locator('.tabs-container .tab').evaluateAll((ts) => ts.map((t) => `${t.getAttribute('aria-label') ?? '?'}${t.classList.contains('active') ? ' (active)' : ''}`));
    const found = await wb.page.locator(`:is(${marks})`).evaluateAll((ms) => ms.map((m) => m.className));
    throw new Error(`${e instanceof Error ? e.message : String(e)}; tabs: ${tabs.join(' | ')}; stack frame marks in the page: ${found.join(' | ') || 'none'}`);
  });
}

/** Clicks a button of the debug toolbar by its icon (debug-continue, debug-reverse-continue...), as a user does. */
async function clickToolbar(wb: Workbench, icon: string): Promise<void> {
  const button = wb.page.locator(`.debug-toolbar .action-label.codicon-${icon}`).first();
  await button.waitFor({ timeout: slow(15_000) });
  await button.click();
}

/**
 * Continue until the debug session ends. The toolbar is drawn anew as the views change: Continue
 * is clicked again while it still shows (with no other stop ahead, a click too many finds no
 * Continue once the process runs).
 */
async function continueToEnd(wb: Workbench): Promise<void> {
  const continueButton = wb.page.locator('.debug-toolbar .action-label.codicon-debug-continue').first();
  await continueButton.waitFor({ timeout: slow(15_000) });
  await poll(async () => {
    if (!(await wb.page.locator('.debug-toolbar').isVisible())) return true;
    if (await continueButton.isVisible()) await continueButton.click({ timeout: slow(3_000) }).catch(() => undefined);
    return undefined;
  }, 'the debug session to end after Continue', 60_000, 2_000);
}

/** A process's row in the Call Stack (a DAP thread: "Name · pid N"), once it is there, and its pid. */
async function callStackProcess(wb: Workbench, name: string): Promise<{ row: Locator; pid: string }> {
  const row = wb.viewPane('Call Stack').locator('.monaco-list-row', { hasText: new RegExp(`${name} · pid \\d+`) }).first();
  await row.waitFor({ timeout: slow(30_000) });
  const pid = /pid (\d+)/.exec(await row.innerText())?.[1];
  assert.ok(pid, `${name}'s pid in the Call Stack`);
  return { row, pid };
}

/** The Variables view's rows once `ok` holds, Locals opened as a user opens it. */
async function localsShow(wb: Workbench, ok: (rows: string[]) => boolean, what: string): Promise<string[]> {
  return poll(async () => {
    const locals = wb.viewPane('Variables').locator('.monaco-list-row[aria-expanded="false"]', { hasText: 'Locals' }).first();
    if (await locals.isVisible()) await locals.click();
    const rows = await wb.paneTexts('Variables');
    return ok(rows) ? rows : undefined;
  }, what, 30_000);
}

/**
 * Set Value from a row's context menu in a debug view (Variables: DAP setVariable; Watch:
 * setExpression), as a user does it, until the view shows `done`. A menu or an Enter lost while
 * the view redraws is given again while the row still matches `row`.
 */
async function setValueFromMenu(wb: Workbench, view: string, row: RegExp, text: string, done: RegExp, what: string): Promise<void> {
  await poll(async () => {
    if ((await wb.paneTexts(view)).some((r) => done.test(r))) return true;
    const input = wb.viewPane(view).locator('.monaco-inputbox input').first();
    if (await input.isVisible()) {
      await input.fill(text);
      await input.press('Enter');
      return undefined;
    }
    const setValue = wb.page.locator('.monaco-menu .action-item .action-label', { hasText: 'Set Value' }).first();
    if (!(await setValue.isVisible())) {
      if (await wb.page.locator('.monaco-menu').first().isVisible()) await wb.page.keyboard.press('Escape');
      await wb.viewPane(view).locator('.monaco-list-row').filter({ hasText: row }).first().click({ button: 'right', timeout: slow(3_000) });
      await setValue.waitFor({ timeout: slow(3_000) });
    }
    await setValue.click({ timeout: slow(3_000) });
    return undefined;
  }, what, 30_000, 1_000);
}

/**
 * A script written to a new folder, opened in a workbench, a breakpoint clicked in its gutter,
 * Debug with Process View from the Explorer, and the editor showing the stop: where the scenarios
 * that begin at a breakpoint begin.
 */
async function debugToBreakpoint(t: ScenarioContext, file: string, lines: readonly string[], line: number): Promise<Workbench> {
  const dir = mkdtempSync(join(tmpdir(), 'pv-e2e-debug-'));
  writeFileSync(join(dir, file), lines.join('\n'));
  const wb = await t.openWorkbench(dir);
  await wb.openFile(file);
  await clickGutter(wb, line);
  await wb.explorerContextMenu(file, 'Debug with Process View');
  await waitForStackFrame(wb, file, slow(90_000));
  return wb;
}

const CHILD_LINE = 7;

scenario('a gutter breakpoint in a child → Debug with Process View stops there, Call Stack by pid, Variables, Continue', async (t) => {
  const wb = await debugToBreakpoint(t, 'squares.py', [
    'import multiprocessing as mp',
    '',
    '',
    'def square(n, results):',
    '    """Runs in a child process: one per number."""',
    '    value = n * n',
    '    results.put((n, value))  # line 7: the breakpoint',
    '',
    '',
    "if __name__ == '__main__':",
    '    results = mp.Queue()',
    '    child = mp.Process(target=square, args=(7, results))',
    '    child.start()',
    '    print("got", results.get())',
    '    child.join()',
    '',
  ], CHILD_LINE);

  // The editor shows the paused line: the top stack frame's arrow, on line 7.
  await wb.page.locator('.statusbar-item', { hasText: new RegExp(`Ln ${CHILD_LINE},`) }).first().waitFor({ timeout: slow(15_000) });

  // The Call Stack: one thread per process, named with its pid; the child is the paused one.
  const stack = await poll(async () => {
    const rows = await wb.paneTexts('Call Stack');
    return rows.some((r) => /Process-1 · pid \d+/.test(r) && /paused/i.test(r)) && rows.some((r) => /MainProcess · pid \d+/.test(r)) ? rows : undefined;
  }, 'the Call Stack listing MainProcess and the paused Process-1 by pid', 30_000);
  const child = stack.find((r) => /Process-1 · pid \d+/.test(r));
  assert.ok(child, stack.join('\n'));
  const childPid = /pid (\d+)/.exec(child)?.[1];

  // Variables: the child's arguments, in its frame (Locals opened as a user opens it).
  // Both in one read: the rows of Locals can be read while they are being drawn.
  const vars = await localsShow(wb, (rows) => rows.some((r) => /^n\s*[=:]\s*7$/.test(r)) && rows.some((r) => /^value\s*[=:]\s*49$/.test(r)), 'Variables showing n = 7 and value = 49');
  assert.ok(vars.some((r) => /^value\s*[=:]\s*49$/.test(r)), vars.join('\n'));
  await wb.screenshot('debug-child-breakpoint');

  // Set Value (the variable's context menu), as a user changes a value at a stop: the row shows
  // the new one.
  await setValueFromMenu(wb, 'Variables', /value\s*[=:]\s*49/, '50', /^value\s*[=:]\s*50$/, 'Variables showing value = 50 after Set Value');
  const afterSet = await wb.paneTexts('Variables');
  assert.ok(afterSet.some((r) => /^n\s*[=:]\s*7$/.test(r)), `only the value chosen changed:\n${afterSet.join('\n')}`);
  await wb.screenshot('debug-child-set-value');

  // The Debug Console completes the paused frame's names and, after a dot, the object's methods.
  await wb.page.locator('.part.panel .composite-bar .action-item', { hasText: 'Debug Console' }).first().click({ timeout: slow(5_000) });
  const input = wb.page.locator('.repl-input-wrapper .monaco-editor').first();
  await input.click({ timeout: slow(5_000) });
  await wb.page.keyboard.type('results.qs', { delay: 30 });
  const suggestion = await poll(async () => {
    const widget = wb.page.locator('.editor-widget.suggest-widget.visible').first();
    if (!(await widget.isVisible())) {
      await wb.page.keyboard.press('Control+Space');
      return undefined;
    }
    const rows = (await widget.locator('.monaco-list-row').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
    return rows.some((r) => /^qsize\b/.test(r)) ? rows : undefined;
  }, 'the Debug Console suggesting qsize for results.qs', slow(20_000), 500);
  assert.ok(!suggestion.some((r) => /^results\.qs/.test(r)), suggestion.join('\n'));
  await wb.screenshot('debug-console-completions');
  await wb.page.keyboard.press('Tab');
  await poll(async () => ((await input.innerText()).includes('results.qsize') ? true : undefined), 'the input reading results.qsize after Tab', slow(5_000));
  await wb.page.keyboard.press('Enter');
  await poll(async () => {
    const out = (await wb.page.locator('.repl .monaco-list-row').allInnerTexts()).join('\n');
    return /bound method|Queue\.qsize/.test(out) ? out : undefined;
  }, 'the Debug Console showing the accepted method', slow(15_000));

  // Jump to Cursor, back to line 6, then Step Over: `value = n * n` runs again, undoing Set Value.
  await wb.goToLine(CHILD_LINE - 1);
  await wb.runCommand('Debug: Jump to Cursor');
  // The editor's arrow of the paused frame moves to line 6 (the glyph beside that line's number).
  const editor = wb.page.locator('.editor-instance .monaco-editor').first();
  const lineSix = editor.locator('.margin-view-overlays .line-numbers', { hasText: new RegExp(`^\\s*${CHILD_LINE - 1}\\s*$`) }).first();
  await poll(async () => {
    const arrow = await editor.locator('.codicon-debug-stackframe').first().boundingBox();
    const number = await lineSix.boundingBox();
    return arrow && number && Math.abs(arrow.y + arrow.height / 2 - (number.y + number.height / 2)) < 4 ? true : undefined;
  }, `the paused frame's arrow beside line ${CHILD_LINE - 1} after Jump to Cursor`, slow(15_000));
  await wb.screenshot('debug-jump-to-cursor');
  await clickToolbar(wb, 'debug-step-over');
  await localsShow(wb, (rows) => rows.some((r) => /^value\s*[=:]\s*49$/.test(r)), 'Variables showing value = 49 again after the jump and a step');

  // The Processes tree follows the debug run and marks the child paused.
  await wb.runCommand('Process View: Focus on Processes View');
  const rows = await wb.waitForTreeRows('Processes', (r) => r.some((row) => /^paused/i.test(row.description)), 30_000);
  const paused = rows.find((r) => /^paused/i.test(r.description));
  assert.ok(paused && paused.label.startsWith(`${childPid} `), rows.map((r) => `${r.label} ${r.description}`).join('\n'));
  await wb.screenshot('debug-child-paused-in-tree');

  // A remote window (this code-server is one) auto-forwards every localhost port it finds
  // listening and tells the user; the run's channels are Unix sockets, not ports. A listener of
  // the test's own is the control: once the Ports view lists it, the window has looked while the
  // debug run's channels were open, and no port may be the extension host's.
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const control = (listener.address() as net.AddressInfo).port;
  try {
    const ports = await poll(async () => {
      await wb.page.locator('.part.panel .composite-bar .action-item', { hasText: 'Ports' }).first().click({ timeout: slow(5_000) });
      const rows = (await wb.page.locator('.part.panel .monaco-list-row').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
      return rows.some((r) => r.startsWith(`${control} `)) ? rows : undefined;
    }, `the Ports view listing the test's own port ${control}`, slow(40_000), 1000);
    assert.ok(!ports.some((r) => /Code Extension Host/.test(r)), `ports of the extension host were auto-forwarded:\n${ports.join('\n')}`);
  } finally {
    listener.close();
  }

  // Continue: the child puts, the parent gets, the run ends and the debug session with it.
  await continueToEnd(wb);
  await wb.runCommand('Process View: Focus on Processes View');
  await wb.waitForTreeRows('Processes', (r) => r.length >= 2 && r.every((row) => !/^paused/i.test(row.description)) && r.some((row) => /^exited/.test(row.description)), 30_000);
  await wb.screenshot('debug-child-after-continue');
}, { timeoutMs: 300_000 });

/**
 * A script whose line 12 (the breakpoint) starts another process that runs `square(7)`, whose
 * line 6 is where a Step Into from line 12 lands.
 */
function squareScript(main: readonly string[]): string[] {
  return [
    'import multiprocessing as mp',
    '',
    '',
    'def square(n):',
    '    """Runs in another process."""',
    '    value = n * n  # line 6: where Step Into lands',
    '    print("square", value)',
    '',
    '',
    "if __name__ == '__main__':",
    ...main,
    '',
  ];
}

/**
 * Step Into from line 12 lands on line 6 in the process started there: its `square`, the Call
 * Stack as `shown` wants it, and the Variables showing `n` as one of `values` (7 by default): the
 * one shown.
 */
async function stepIntoSquare(wb: Workbench, shown: (rows: string[]) => boolean, what: string, values: readonly number[] = [7]): Promise<number> {
  await wb.page.locator('.statusbar-item', { hasText: /Ln 12,/ }).first().waitFor({ timeout: slow(15_000) });
  await clickToolbar(wb, 'debug-step-into');
  // The stop stepped into takes the focus: the editor's cursor on line 6, that process's locals shown.
  await wb.page.locator('.statusbar-item', { hasText: /Ln 6,/ }).first().waitFor({ timeout: slow(60_000) });
  const stack = await poll(async () => {
    const rows = await wb.paneTexts('Call Stack');
    return shown(rows) ? rows : undefined;
  }, what, 30_000);
  assert.ok(stack.some((r) => /^square\b/.test(r)), stack.join('\n'));
  return localsN(wb, values, 'in the process stepped into');
}

/** The Variables view's `n`, once it shows one of `values`. */
async function localsN(wb: Workbench, values: readonly number[], where: string): Promise<number> {
  const rows = await localsShow(wb, (r) => r.some((x) => values.some((v) => new RegExp(`^n\\s*[=:]\\s*${v}$`).test(x))), `Variables showing n = ${values.join(' or ')} ${where}`);
  return Number(/^n\s*[=:]\s*(\d+)$/.exec(rows.find((r) => /^n\s*[=:]\s*\d+$/.test(r))!)![1]);
}

scenario('Step Into on child.start() lands in the child: its target\'s first line in the editor, the child focused in the Call Stack; Set Value on a Watch expression there', async (t) => {
  const wb = await debugToBreakpoint(t, 'stepinto.py', squareScript([
    '    child = mp.Process(target=square, args=(7,))',
    '    child.start()  # line 12: the breakpoint',
    '    child.join()',
  ]), 12);
  await stepIntoSquare(
    wb,
    (rows) => rows.some((r) => /Process-1 · pid \d+/.test(r) && /Stepped in from its parent/i.test(r)) && rows.some((r) => /MainProcess · pid \d+/.test(r) && /paused/i.test(r)),
    'the Call Stack showing Process-1 stepped into and MainProcess paused',
  );
  await wb.screenshot('debug-step-into-child');

  // A Watch expression, set from its context menu (Set Value: DAP setExpression), in the child.
  const watch = await wb.expandedPane('Watch');
  await poll(async () => {
    if ((await wb.paneTexts('Watch')).some((r) => /^n\s*[=:]\s*7$/.test(r))) return true;
    const input = watch.locator('.monaco-inputbox input').first();
    if (await input.isVisible()) {
      await input.fill('n');
      await input.press('Enter');
      return undefined;
    }
    await watch.locator('.pane-header').first().hover();
    await watch.locator('.pane-header .action-label[aria-label^="Add Expression"]').first().click({ timeout: slow(3_000) });
    return undefined;
  }, 'the Watch view showing n: 7', 30_000, 1_000);
  await setValueFromMenu(wb, 'Watch', /n\s*[=:]\s*7/, 'n + 1', /^n\s*[=:]\s*8$/, 'the Watch view showing n: 8 after Set Value with n + 1');
  await localsShow(wb, (rows) => rows.some((r) => /^n\s*[=:]\s*8$/.test(r)), 'Variables showing n = 8: the child\'s own local changed');
  await wb.screenshot('debug-watch-set-value');
  await continueToEnd(wb);
}, { timeoutMs: 300_000 });

scenario('Step Into on pool.map() lands in the tasks, in both workers: the editor on the task\'s first line in the first to stop, the other stopped beside it; Continue hands the focus to it', async (t) => {
  const wb = await debugToBreakpoint(t, 'steptask.py', squareScript([
    '    with mp.Pool(2) as pool:',
    '        print(pool.map(square, [7, 8]))  # line 12: the breakpoint',
  ]), 12);
  const stepped = (r: string): boolean => /ForkPoolWorker-\d · pid \d+/.test(r) && /Stepped in from its parent/i.test(r);
  const first = await stepIntoSquare(wb, (rows) => rows.filter(stepped).length === 2, 'the Call Stack showing both workers stepped into', [7, 8]);
  await wb.screenshot('debug-step-into-pool-task');
  // Continue (the focused worker's): the focus goes to the other, still in its task.
  await clickToolbar(wb, 'debug-continue');
  const second = await localsN(wb, [15 - first], 'in the other worker, Continue having handed it the focus');
  assert.notEqual(second, first);
  await wb.page.locator('.statusbar-item', { hasText: /Ln 6,/ }).first().waitFor({ timeout: slow(15_000) });
  await continueToEnd(wb);
}, { timeoutMs: 300_000 });

scenario('Step Into Target: the line\'s calls offered, the one picked stepped into', async (t) => {
  const wb = await debugToBreakpoint(t, 'targets.py', [
    'def double(v):',
    '    return v * 2',
    '',
    '',
    'def label(v):',
    '    return "n=%d" % v  # line 6: where the step lands',
    '',
    '',
    "if __name__ == '__main__':",
    '    n = 3',
    '    print(label(double(n)))  # line 11: the breakpoint',
    '',
  ], 11);
  await wb.page.locator('.statusbar-item', { hasText: /Ln 11,/ }).first().waitFor({ timeout: slow(15_000) });
  // VS Code asks for the targets and offers them in a quick pick; label() is picked.
  const item = wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: /^\s*label\(\)\s*$/ }).first();
  await poll(async () => {
    if (await item.isVisible()) return true;
    await wb.startCommand('Debug: Step Into Target');
    return item.waitFor({ timeout: slow(5_000) }).then(() => true, () => undefined);
  }, 'the Step Into Target pick listing label()', 60_000, 1_000);
  const offered = (await wb.page.locator('.quick-input-widget .monaco-list-row').allInnerTexts()).map((x) => x.trim()).filter((x) => x !== '');
  assert.deepEqual(offered, ['double()', 'label()', 'print()'], offered.join(' | '));
  await wb.screenshot('debug-step-into-target-menu');
  await item.click();
  await wb.page.locator('.statusbar-item', { hasText: /Ln 6,/ }).first().waitFor({ timeout: slow(30_000) });
  await localsShow(wb, (rows) => rows.some((r) => /^v\s*[=:]\s*6$/.test(r)), 'Variables showing v = 6: in label, double having run');
  await wb.screenshot('debug-step-into-target');
  await continueToEnd(wb);
}, { timeoutMs: 300_000 });

scenario('Debug with Process View stops where an uncaught exception is about to end a child: the exception widget, its locals, Continue', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pv-e2e-uncaught-'));
  writeFileSync(
    join(dir, 'parse.py'),
    [
      'import multiprocessing as mp',
      '',
      '',
      'def parse(text):',
      '    value = int(text)  # line 5: raises in the child',
      '    return value',
      '',
      '',
      'def work(text):',
      '    print("parsed", parse(text))',
      '',
      '',
      "if __name__ == '__main__':",
      '    child = mp.Process(target=work, args=("forty-two",))',
      '    child.start()',
      '    child.join()',
      '    print("child exit code", child.exitcode)',
      '',
    ].join('\n'),
  );
  const wb = await t.openWorkbench(dir);
  // No breakpoint: "Uncaught exceptions" is on by default.
  await wb.explorerContextMenu('parse.py', 'Debug with Process View');
  await waitForStackFrame(wb, 'parse.py', slow(90_000));
  await wb.page.locator('.statusbar-item', { hasText: /Ln 5,/ }).first().waitFor({ timeout: slow(15_000) });
  // VS Code's exception widget under the line: the type (exceptionInfo), the message, the traceback.
  const widget = wb.page.locator('.exception-widget').first();
  await widget.waitFor({ timeout: slow(30_000) });
  const said = await poll(async () => {
    const text = (await widget.innerText()).replace(/\s+/g, ' ');
    return /ValueError/.test(text) && /forty-two/.test(text) && /in parse/.test(text) ? text : undefined;
  }, 'the exception widget naming ValueError, its message and the traceback', 30_000);
  assert.doesNotMatch(said, /processview_tracer/, said);
  // The child's frame, its locals as they were when int() raised.
  await wb.runCommand('View: Show Run and Debug');
  await localsShow(wb, (rows) => rows.some((r) => /^text\s*[=:]\s*'forty-two'$/.test(r)), "Variables showing text = 'forty-two'");
  const stack = await wb.paneTexts('Call Stack');
  assert.ok(stack.some((r) => /Process-1 · pid \d+/.test(r) && /exception/i.test(r)), stack.join('\n'));
  await wb.screenshot('debug-uncaught-exception');
  // Continue: the child prints its traceback and exits 1, as without the debugger; the run ends.
  await continueToEnd(wb);
  await wb.runCommand('Process View: Focus on Processes View');
  const first = await wb.waitForTreeRows('Processes', (r) => r.some((row) => /raised ValueError/.test(row.description)), 30_000);
  await wb.screenshot('debug-uncaught-after-continue');
  // Unticked in the Breakpoints view, the filter is off from the next run's first moment: the
  // initialize response names the filters (the only place VS Code's view takes them from), so
  // VS Code sends the choice before the run.
  const pidsOf = (rows: TreeRow[]): string[] => rows.flatMap((r) => /^\s*(\d+)\s/.exec(r.label)?.[1] ?? []);  // "18242 Process-1"
  assert.equal(pidsOf(first).length, first.length, first.map((r) => r.label).join('\n'));
  const firstPids = new Set(pidsOf(first));
  await wb.runCommand('View: Show Run and Debug');
  const filter = (await wb.expandedPane('Breakpoints')).locator('.monaco-list-row', { hasText: 'Uncaught exceptions' }).first();
  await filter.waitFor({ timeout: slow(15_000) });
  const box = filter.locator('.monaco-checkbox').first();
  await box.click({ timeout: slow(5_000) });
  await poll(async () => ((await box.getAttribute('aria-checked')) === 'false' ? true : undefined), 'the "Uncaught exceptions" box unticked', slow(5_000));
  await wb.screenshot('debug-uncaught-filter-off');
  await wb.explorerContextMenu('parse.py', 'Debug with Process View');
  await wb.runCommand('Process View: Focus on Processes View');
  // The new run (other pids) ends with its child's exception, and nothing stopped on the way.
  await wb.waitForTreeRows('Processes', (r) => r.some((row) => /raised ValueError/.test(row.description) && pidsOf([row]).some((pid) => !firstPids.has(pid))), 60_000);
  await poll(async () => ((await wb.page.locator('.debug-toolbar').isVisible()) ? undefined : true), 'the second debug session to end on its own', slow(30_000));
  assert.equal(await wb.page.locator('.exception-widget').count(), 0, 'no exception widget: nothing stopped');

  // "Raised exceptions" (off by default), ticked: an exception raised inside json and caught by
  // the child's own code stops at the child's line that called json.loads.
  writeFileSync(
    join(dir, 'caught.py'),
    [
      'import json',
      'import multiprocessing as mp',
      '',
      '',
      'def load(text):',
      '    try:',
      '        return json.loads(text)  # line 7: raises inside json, caught below',
      '    except ValueError:',
      '        return None',
      '',
      '',
      'def work(text):',
      '    print("loaded", load(text))',
      '',
      '',
      "if __name__ == '__main__':",
      '    child = mp.Process(target=work, args=("{",))',
      '    child.start()',
      '    child.join()',
      '',
    ].join('\n'),
  );
  await wb.runCommand('View: Show Run and Debug');
  const raised = (await wb.expandedPane('Breakpoints')).locator('.monaco-list-row', { hasText: 'Raised exceptions' }).first();
  await raised.waitFor({ timeout: slow(15_000) });
  const raisedBox = raised.locator('.monaco-checkbox').first();
  assert.equal(await raisedBox.getAttribute('aria-checked'), 'false', 'off by default');
  await raisedBox.click({ timeout: slow(5_000) });
  await poll(async () => ((await raisedBox.getAttribute('aria-checked')) === 'true' ? true : undefined), 'the "Raised exceptions" box ticked', slow(5_000));
  await wb.explorerContextMenu('caught.py', 'Debug with Process View');
  await waitForStackFrame(wb, 'caught.py', slow(90_000));
  await wb.page.locator('.statusbar-item', { hasText: /Ln 7,/ }).first().waitFor({ timeout: slow(15_000) });
  const raisedWidget = wb.page.locator('.exception-widget').first();
  await raisedWidget.waitFor({ timeout: slow(30_000) });
  await poll(async () => (/JSONDecodeError/.test(await raisedWidget.innerText()) ? true : undefined), 'the exception widget naming JSONDecodeError', 30_000);
  await wb.screenshot('debug-raised-exception');
  await continueToEnd(wb);

  // Edit Condition on the filter: only KeyError (and its subclasses) stops now; the same run of
  // caught.py goes to its end, and the Breakpoints view shows the condition.
  await wb.runCommand('View: Show Run and Debug');
  const raisedRow = (await wb.expandedPane('Breakpoints')).locator('.monaco-list-row', { hasText: 'Raised exceptions' }).first();
  await poll(async () => ((await wb.page.locator('.debug-toolbar').isVisible()) ? undefined : true), 'the raised-exception session to end', slow(30_000));
  const editCondition = wb.page.locator('.monaco-menu .action-item .action-label', { hasText: /^Edit Condition/ }).first();
  await poll(async () => {
    if (!(await editCondition.isVisible())) {
      await raisedRow.click({ button: 'right', timeout: slow(3_000) });
      return undefined;
    }
    return true;
  }, 'the "Edit Condition..." item on the filter', slow(15_000), 1_000);
  await editCondition.click({ timeout: slow(3_000) });
  const conditionInput = (await wb.expandedPane('Breakpoints')).locator('input').first();
  await conditionInput.waitFor({ timeout: slow(5_000) });
  await conditionInput.fill('KeyError');
  await conditionInput.press('Enter');
  await poll(async () => (/KeyError/.test(await raisedRow.innerText()) ? true : undefined), 'the filter showing its condition', slow(10_000));
  await wb.screenshot('debug-raised-condition');
  await wb.runCommand('Process View: Focus on Processes View');
  const before = new Set(pidsOf(await wb.waitForTreeRows('Processes', (r) => r.length > 0, 15_000)));
  await wb.explorerContextMenu('caught.py', 'Debug with Process View');
  await wb.runCommand('Process View: Focus on Processes View');
  // The new run (other pids) ends, every process exited, and nothing stopped on the way.
  await wb.waitForTreeRows('Processes', (r) => r.length >= 2 && pidsOf(r).every((pid) => !before.has(pid)) && r.every((row) => /^exited/.test(row.description)), 90_000);
  await poll(async () => ((await wb.page.locator('.debug-toolbar').isVisible()) ? undefined : true), 'the conditioned session to end on its own', slow(30_000));
  assert.equal(await wb.page.locator('.exception-widget').count(), 0, 'no exception widget: JSONDecodeError is not a KeyError');
}, { timeoutMs: 450_000 });

scenario('Pause on a child blocked in get() on an empty queue: the Debug Console says what it waits in, then the deadlock once its parent joins it; Stop ends both', async (t) => {
  const wb = await debugToBreakpoint(t, 'stuck.py', [
    'import multiprocessing as mp',
    '',
    '',
    'def consumer(q):',
    '    item = q.get()  # line 5: waits for a message nobody sends',
    '    print("got", item)',
    '',
    '',
    "if __name__ == '__main__':",
    '    q = mp.Queue()',
    '    child = mp.Process(target=consumer, args=(q,), name="Consumer")',
    '    child.start()',
    '    child.join()  # line 13: the breakpoint',
    '',
  ], 13);
  const { row: consumerRow, pid } = await callStackProcess(wb, 'Consumer');
  await wb.page.locator('.part.panel .composite-bar .action-item', { hasText: 'Debug Console' }).first().click({ timeout: slow(5_000) });
  const consoleText = async (): Promise<string> => (await wb.page.locator('.repl .monaco-list-row').allInnerTexts()).join('\n').replace(/\s+/g, ' ');
  // The child selected in the Call Stack, Pause (the toolbar's, for the selected process), again
  // until the Debug Console answers: the wait is known once the tracer reports it. A Pause that
  // came before the child was in its get (a loaded machine) stopped it on the get's line: it is
  // continued into the get, and paused again.
  const pauseUntil = async (said: RegExp, what: string): Promise<string> =>
    poll(async () => {
      const text = await consoleText();
      if (said.test(text)) return text;
      await consumerRow.click({ timeout: slow(3_000) });
      if ((await consumerRow.getAttribute('aria-selected')) !== 'true') return undefined;
      const pause = wb.page.locator('.debug-toolbar .action-label.codicon-debug-pause').first();
      const resume = wb.page.locator('.debug-toolbar .action-label.codicon-debug-continue').first();
      if (await pause.isVisible()) await pause.click({ timeout: slow(3_000) }).catch(() => undefined);
      else if (await resume.isVisible()) await resume.click({ timeout: slow(3_000) }).catch(() => undefined); // the child stopped: it is selected
      return undefined;
    }, what, slow(60_000), 1_000);
  const waits = new RegExp(`Consumer · pid ${pid} · child of \\d+ waits in get on the Queue created at line 10 at stuck\\.py:5 \\(for [^)]+ so far\\): it pauses when that call returns`);
  await pauseUntil(waits, 'the Debug Console saying the child waits in get at stuck.py:5');
  await wb.screenshot('debug-pause-waiting');
  // MainProcess goes on into join(): the two wait for each other. Pause the child again: the
  // Debug Console now explains the deadlock.
  await wb.viewPane('Call Stack').locator('.monaco-list-row', { hasText: /MainProcess · pid \d+/ }).first().click({ timeout: slow(5_000) });
  await clickToolbar(wb, 'debug-continue');
  const text = await pauseUntil(/waits in get[^\n]*it pauses when that call returns, at the next line of your code\. Deadlock/i, 'the Debug Console explaining the deadlock after a second Pause');
  assert.match(text, /Deadlock: MainProcess waits at line 13 for Consumer to exit; Consumer waits at line 5 for a message on the Queue created at line 10, which is empty/, text);
  await wb.screenshot('debug-pause-deadlock');
  // Stop ends both processes: the session ends, the Processes view has none alive.
  await clickToolbar(wb, 'debug-stop');
  await poll(async () => ((await wb.page.locator('.debug-toolbar').isVisible()) ? undefined : true), 'the debug session to end after Stop', slow(30_000));
  await wb.runCommand('Process View: Focus on Processes View');
  await wb.waitForTreeRows('Processes', (r) => r.some((x) => x.label.startsWith(`${pid} `)) && r.every((x) => !/^(running|waiting|sleeping|paused)/i.test(x.description)), 60_000);
}, { timeoutMs: 300_000 });

scenario('Terminate Thread on a paused child in the Call Stack ends that process (SIGTERM); its parent goes on and the run ends', async (t) => {
  const wb = await debugToBreakpoint(t, 'sleeper.py', [
    'import multiprocessing as mp',
    'import time',
    '',
    '',
    'def nap():',
    '    time.sleep(600)  # line 6: the breakpoint',
    '',
    '',
    "if __name__ == '__main__':",
    '    child = mp.Process(target=nap, name="Sleeper")',
    '    child.start()',
    '    child.join()',
    '    print("exit code", child.exitcode)',
    '',
  ], 6);
  const { row, pid } = await callStackProcess(wb, 'Sleeper');
  const item = wb.page.locator('.monaco-menu .action-item:not(.disabled) .action-label', { hasText: /^Terminate Thread$/ }).first();
  await poll(async () => {
    if (!(await item.isVisible())) {
      if (await wb.page.locator('.monaco-menu').first().isVisible()) await wb.page.keyboard.press('Escape');
      await row.click({ button: 'right', timeout: slow(3_000) });
      return undefined;
    }
    await item.click({ timeout: slow(3_000) });
    return true;
  }, '"Terminate Thread" in the Call Stack\'s context menu of the child', slow(20_000), 1_000);
  // The Processes view: the child killed by SIGTERM, the main process exited; the session ends by itself.
  await wb.runCommand('Process View: Focus on Processes View');
  const rows = await wb.waitForTreeRows('Processes', (r) => r.some((x) => x.label.startsWith(`${pid} `) && /killed by SIGTERM/.test(x.description)) && r.some((x) => /^exited/.test(x.description)), 60_000);
  await wb.screenshot('debug-terminate-thread');
  await poll(async () => ((await wb.page.locator('.debug-toolbar').isVisible()) ? undefined : true), 'the debug session to end on its own', slow(30_000));
  assert.ok(rows.length >= 2, rows.map((r) => `${r.label} ${r.description}`).join('\n'));
}, { timeoutMs: 240_000 });

scenario('Debug Recording on the zombie example: Reverse Continue from the end to the zombie', async (t) => {
  // A recording made on another machine, kept in the project beside the example it ran: its
  // recorded path is nowhere here, and the example is found under the project.
  const project = mkdtempSync(join(tmpdir(), 'pv-e2e-recording-'));
  mkdirSync(join(project, 'examples'));
  mkdirSync(join(project, 'recordings'));
  copyFileSync(t.repoPath('examples/18_zombie.py'), join(project, 'examples', '18_zombie.py'));
  const fixture = readFileSync(t.repoPath('test/fixtures/recordings/18_zombie.jsonl'), 'utf8');
  assert.ok(fixture.includes('/work/main/examples/18_zombie.py'), 'the fixture names the path it was recorded at');
  writeFileSync(join(project, 'recordings', '18_zombie.jsonl'), fixture.split('/work/main/examples/').join('/home/someone-else/process-view/examples/'));
  const wb = await t.openWorkbench(project);
  await wb.explorerContextMenu('recordings/18_zombie.jsonl', 'Debug Recording');
  // It runs to the first stop filter (a process becomes a zombie: on by default) or the end.
  await waitForStackFrame(wb, '18_zombie.py', slow(60_000));
  await wb.runCommand('View: Show Run and Debug');
  await wb.screenshot('debug-recording-first-stop');
  // To the end, then back: Reverse Continue lands on the zombie again.
  // Each move waits for the Call Stack of the stop it leads to: the rows of the stop before are
  // still shown until VS Code has the new stop (Reverse Continue clicked on them would go back from
  // the first stop). At the end no process is left: the stop's description is in the pane's
  // header, not in a thread's row. A frame's row names 18_zombie.py: "zombie" is looked for in the rest.
  const callStackText = async (): Promise<string> => {
    return (await (await wb.expandedPane('Call Stack')).innerText()).replace(/\s+/g, ' ');
  };
  const atEnd = (text: string): boolean => /End of the recording/i.test(text);
  let seen = '';
  await clickToolbar(wb, 'debug-continue');
  await poll(async () => atEnd((seen = await callStackText())), 'the Call Stack at the end of the recording after Continue', 30_000).catch((e: unknown) => {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; the Call Stack said: ${seen}`);
  });
  await clickToolbar(wb, 'debug-reverse-continue');
  // The rows are what must show it: the pane's text and its rows are read apart, and VS Code may
  // redraw the list between the two (a CI run read the zombie in the one and no rows in the other).
  await poll(async () => {
    seen = await callStackText();
    if (atEnd(seen)) return undefined;
    const rows = await wb.paneTexts('Call Stack');
    seen = rows.join(' | ');
    return rows.some((r) => /zombie/i.test(r.replace(/18_zombie\.py/g, ''))) && rows.some((r) => /pid \d+/.test(r)) ? rows : undefined;
  }, 'the Call Stack\'s rows at the moment the child became a zombie: a pid, and the zombie', 30_000).catch((e: unknown) => {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; the Call Stack said: ${seen}`);
  });
  await wb.screenshot('debug-recording-reverse-to-zombie');
  await wb.runCommand('Process View: Focus on Processes View');
  const rows = await wb.waitForTreeRows('Processes', (r) => r.some((row) => /^zombie/.test(row.description)) && r.length >= 2, 30_000);
  assert.ok(rows.some((row) => !/^zombie/.test(row.description)), 'the zombie\'s parent is listed too');
  await wb.screenshot('debug-recording-zombie-in-tree');
}, { timeoutMs: 240_000 });
