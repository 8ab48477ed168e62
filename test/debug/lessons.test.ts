/**
 * Every shipped lesson (examples/lessons/*.lesson.json) run end to end through the live debug
 * backend, on the Python under test (PV_TEST_PYTHON): each step's pause must happen, in order,
 * at the line, process and state the lesson claims; every check and question must hold in the
 * real run; the run must end as the lesson says, with no process of it left.
 * PV_LESSON=id runs one lesson.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { LiveDebugBackend } from '../../src/core/debug';
import { isLinePause, isOperationPause, lessonLaunch, loadLessons, LessonRunner, type CheckResult, type LoadedLesson } from '../../src/core/lessons';
import { noneLeft, PYTHON } from './harness';

const LESSONS_DIR = path.resolve(__dirname, '..', '..', '..', 'examples', 'lessons');

function failed(checks: readonly CheckResult[]): string {
  return checks.filter((c) => !c.ok).map((c) => `${c.what} — the run showed: ${c.actual}`).join('\n');
}

async function runLesson({ lesson, file }: LoadedLesson): Promise<void> {
  const marker = `pvtest-${randomBytes(6).toString('hex')}`;
  const launch = lessonLaunch(lesson, file);
  const backend = await LiveDebugBackend.launch({
    program: launch.program,
    cwd: launch.cwd,
    args: launch.args,
    env: { ...launch.env, PV_TEST_RUN: marker },
    python: PYTHON,
    stopOn: launch.stopOn,
    breakpoints: launch.breakpoints,
  });
  // The model may take long to show a step's expected state on a loaded machine (13 processes
  // starting under the debugger, each connecting to it): hang guards, not the product's defaults.
  const runner = new LessonRunner(lesson, file, backend, { expectTimeoutMs: 90_000, stepTimeoutMs: 120_000, endTimeoutMs: 120_000 });
  try {
    for (let i = 0; i < lesson.steps.length; i++) {
      const r = await runner.nextStep();
      assert.ok(r, `step ${i + 1} was reported`);
      assert.equal(r.index, i, 'steps come in order, none skipped');
      const pause = r.step.pause;
      if (isLinePause(pause)) assert.equal(r.site?.line, pause.line, `step ${i + 1} pauses at line ${pause.line}`);
      if (isOperationPause(pause)) assert.ok(r.site, `step ${i + 1} pauses at a line of the program`);
      assert.ok(r.ok, `step ${i + 1} (${r.description}):\n${failed(r.checks)}`);
      if (r.step.question) assert.ok(r.answer && (r.answer.kind === 'value' || r.answer.pids.length > 0), `step ${i + 1}: the question's answer is found in the run`);
    }
    assert.equal(await runner.nextStep(), undefined, 'no step after the last');
    const end = await runner.finish();
    assert.equal(end.stopped, false, 'the run ends by itself after the last step');
    assert.ok(end.ok, `the end:\n${failed(end.checks)}`);
  } finally {
    await runner.stop();
    runner.dispose();
    backend.dispose();
    await noneLeft(marker);
  }
}

describe('lessons, end to end on the real debugger', { timeout: 1_800_000 }, () => {
  const { lessons, errors } = loadLessons(LESSONS_DIR);
  test('every lesson file is valid', () => {
    assert.deepEqual(errors.map((e) => e.message), []);
    assert.ok(lessons.length >= 24, `at least 24 lessons (found ${lessons.length})`);
  });
  const only = process.env.PV_LESSON;
  for (const l of lessons.filter((x) => !only || only.split(',').includes(x.lesson.id))) {
    test(`${l.lesson.id}: ${l.lesson.title.en}`, { timeout: 300_000 }, () => runLesson(l));
  }
});
