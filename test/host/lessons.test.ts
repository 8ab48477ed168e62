// Lessons inside a real VS Code: Start a Lesson (by command, as the walkthrough's link does) opens
// the zombie lesson's example and runs it in ONE processview debug session; each step is shown
// at the line the lesson pauses at, with its text; the question is answered by clicking a
// process in the Processes view (a wrong one first, then the right one); Next Step follows the
// lesson to its end, and the progress is remembered. Leave Lesson ends the run with nothing left.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import type { ProcessViewApi } from '../../src/extension';
import type { LessonState } from '../../src/extension/lessons/lessonController';
import { api, poll, processRows, root } from './support';

const lessonJson = (id: string) =>
  JSON.parse(readFileSync(join(root, 'examples', 'lessons', `${id}.lesson.json`), 'utf8')) as {
    title: { en: string };
    steps: Array<{ pause: { line?: number }; text: { en: string }; question?: { text: { en: string } } }>;
  };

/** The hover's markdown as read (without its escapes). */
const unescape = (md: string | undefined): string => (md ?? '').replace(/\\(.)/g, '$1');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits for step `index` to be shown (the run paused there, not waiting any more). */
function shownStep(pv: ProcessViewApi, index: number): Promise<LessonState> {
  return poll(() => {
    const s = pv.lessons.state;
    return s && s.stepIndex === index && !s.waiting ? s : undefined;
  }, `step ${index + 1} of the lesson (now: ${JSON.stringify(pv.lessons.state?.statusText)})`);
}

describe('Lessons (real debug sessions)', function () {
  this.timeout(600_000);
  const sessions: string[] = [];
  let started: vscode.Disposable | undefined;
  let ended = new Set<string>();
  let endedSub: vscode.Disposable | undefined;

  before(() => {
    started = vscode.debug.onDidStartDebugSession((s) => s.type === 'processview' && sessions.push(s.id));
    endedSub = vscode.debug.onDidTerminateDebugSession((s) => ended.add(s.id));
  });
  after(() => {
    started?.dispose();
    endedSub?.dispose();
  });
  afterEach(async () => {
    const pv = await api();
    await pv.lessons.leave();
  });

  it('declares the lesson commands', async () => {
    await api();
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['processView.startLesson', 'processView.openLessonFile', 'processView.lessonNext', 'processView.lessonRestart', 'processView.lessonLeave', 'processView.lessonAnswer']) {
      assert.ok(commands.includes(id), id);
    }
  });

  it('offers "Start the Lesson" at the top of an example a lesson walks through, and starts that lesson', async () => {
    const pv = await api();
    const lensesOf = async (file: string): Promise<vscode.CodeLens[]> => {
      const doc = await vscode.workspace.openTextDocument(isAbsolute(file) ? file : join(root, 'examples', file));
      const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      return all.filter((l) => l.command?.command === 'processView.startLesson');
    };
    const lenses = await lensesOf('07_memory_isolation_global.py');
    assert.deepEqual(
      lenses.map((l) => [l.range.start.line, l.command?.arguments]),
      [[0, ['memory-isolation']]],
    );
    assert.match(lenses[0]!.command!.title, new RegExp(`Start the Lesson: ${lessonJson('memory-isolation').title.en}`));
    assert.deepEqual(await lensesOf('01_process_function.py'), [], 'an example no lesson walks through has none');
    const dir = mkdtempSync(join(tmpdir(), 'pv-lens-'));
    const text = readFileSync(join(root, 'examples', '07_memory_isolation_global.py'), 'utf8');
    writeFileSync(join(dir, 'copy.py'), text);
    writeFileSync(join(dir, 'changed.py'), `${text}print('changed')\n`);
    assert.deepEqual((await lensesOf(join(dir, 'copy.py'))).map((l) => l.command?.arguments), [['memory-isolation']], 'a copy of the example elsewhere offers it too');
    assert.deepEqual(await lensesOf(join(dir, 'changed.py')), [], 'a changed copy is not the lesson\'s example');
    rmSync(dir, { recursive: true, force: true });

    await vscode.commands.executeCommand(lenses[0]!.command!.command, ...(lenses[0]!.command!.arguments ?? []));
    const state = await shownStep(pv, 0);
    assert.equal(state.lessonId, 'memory-isolation');
  });

  it('follows the zombie lesson to its end: pauses, texts, a question answered in the Processes view, progress', async () => {
    const pv = await api();
    const lesson = lessonJson('zombie');
    const n = lesson.steps.length;
    sessions.length = 0;
    ended = new Set();
    await vscode.commands.executeCommand('processView.startLesson', 'zombie');

    // Step 1: the main process paused on p.start(), the text after that line.
    let s = await shownStep(pv, 0);
    assert.equal(sessions.length, 1, 'one debug session for the whole lesson');
    assert.ok(s.shownAt?.file.endsWith('18_zombie.py'), s.shownAt?.file);
    assert.equal(s.shownAt?.line, lesson.steps[0]!.pause.line);
    assert.equal(s.text, lesson.steps[0]!.text.en);
    assert.ok(s.afterText?.startsWith(`» Step 1 of ${n}: The main process is paused on p.start().`), s.afterText);
    assert.match(s.statusText, new RegExp(`Lesson: .* — step 1 of ${n}$`));
    assert.ok(unescape(s.hover).includes(lesson.steps[0]!.text.en), `the hover has the whole text: ${s.hover}`);
    assert.ok(s.hover?.includes('command:processView.lessonNext'), 'and the Next Step button');
    assert.deepEqual(s.failedChecks, []);
    await poll(() => vscode.window.activeTextEditor?.document.uri.fsPath.endsWith('18_zombie.py'), "the lesson's example in the editor", 30_000);

    // Step 2: the child is a zombie; the question asks which process it is.
    await vscode.commands.executeCommand('processView.lessonNext');
    s = await shownStep(pv, 1);
    assert.equal(s.shownAt?.line, lesson.steps[1]!.pause.line);
    assert.equal(s.text, lesson.steps[1]!.text.en);
    assert.equal(s.question, lesson.steps[1]!.question!.text.en);
    assert.deepEqual(s.failedChecks, [], 'the run shows the zombie the lesson talks about');
    const main = await poll(() => processRows(pv).find((r) => r.process.role === 'main'), 'the main process in the tree');
    const child = await poll(() => processRows(pv).find((r) => r.process.role === 'child'), 'the child in the tree');
    // A wrong answer first (the main process), then the child clicked in the tree.
    await vscode.commands.executeCommand('processView.lessonAnswer', main.process.pid);
    await poll(() => pv.lessons.state?.answers.length === 1, 'the wrong answer judged');
    assert.equal(pv.lessons.state?.answers[0]?.right, false, 'the main process is not the zombie');
    await vscode.commands.executeCommand('processView.processes.focus');
    // The child clicked in the tree while its row is already selected (the debugger selects the
    // paused process's row): the click answers, though VS Code reports no selection change.
    const childRow = await poll(() => processRows(pv).find((r) => r.process.pid === child.process.pid), "the child's row");
    await pv.processView.reveal(childRow, { select: true, focus: true });
    const click = pv.processes.getTreeItem(childRow).command;
    assert.equal(click?.command, 'processView.clickProcess', "a process row's click");
    await vscode.commands.executeCommand(click.command, ...(click.arguments ?? []));
    await poll(() => pv.lessons.state?.answers.length === 2, 'the answer from the Processes view');
    const answered = pv.lessons.state?.answers[1];
    assert.deepEqual(answered, { step: 1, given: child.process.pid, right: true });
    assert.ok(unescape(pv.lessons.state?.hover).includes('Answered: right.'), 'the step says so');
    assert.ok((pv.lessons.progressOf('zombie')?.done ?? 0) >= 2, 'the steps reached are remembered');

    // Steps 3 and 4: before and after join().
    for (let i = 2; i < n; i++) {
      await vscode.commands.executeCommand('processView.lessonNext');
      s = await shownStep(pv, i);
      assert.equal(s.shownAt?.line, lesson.steps[i]!.pause.line, `step ${i + 1}'s line`);
      assert.equal(s.text, lesson.steps[i]!.text.en);
      assert.deepEqual(s.failedChecks, [], `step ${i + 1}'s checks`);
      assert.match(s.statusText, new RegExp(`step ${i + 1} of ${n}$`));
    }

    // Next after the last step: the run ends by itself, the lesson is finished and remembered.
    await vscode.commands.executeCommand('processView.lessonNext');
    const end = await poll(() => (pv.lessons.state === undefined && pv.lessons.lastEnd?.lessonId === 'zombie' ? pv.lessons.lastEnd : undefined), 'the end of the lesson');
    assert.equal(end.ok, true, JSON.stringify(end.failedChecks));
    assert.match(end.text, /zombies behind/);
    await poll(() => sessions.every((id) => ended.has(id)), 'the debug session to end');
    assert.deepEqual(pv.lessons.progressOf('zombie'), { done: n, finished: true });
    assert.equal(sessions.length, 1, 'still one debug session');
  });

  it('Leave Lesson ends the run at any step, with no process of it left', async () => {
    const pv = await api();
    sessions.length = 0;
    ended = new Set();
    await vscode.commands.executeCommand('processView.startLesson', 'ticket-race');
    const s = await shownStep(pv, 0);
    assert.equal(s.shownAt?.line, lessonJson('ticket-race').steps[0]!.pause.line);
    const pids = await poll(() => {
      const rows = processRows(pv).filter((r) => r.process.role === 'main' || r.process.role === 'child');
      return rows.length >= 2 ? rows.map((r) => r.process.pid) : undefined;
    }, 'the run in the tree');
    await vscode.commands.executeCommand('processView.lessonLeave');
    assert.equal(pv.lessons.state, undefined, 'no lesson shown');
    await poll(() => sessions.length === 1 && ended.has(sessions[0]!), 'the debug session to end');
    await poll(() => pids.every((pid) => !alive(pid)), `every process of the run to be gone (${pids.join(', ')})`, 60_000);
  });
});
