/**
 * The lesson format (src/core/lessons/format.ts): good lessons pass, each kind of mistake gets
 * an error naming the file and the field; the shipped lessons all load, cover every topic, and
 * the JSON Schema shipped for editors agrees with the validator's lists.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { STOP_ON_KINDS } from '../../../src/core/protocol/control';
import { CHANNEL_KINDS, PROCESS_ROLES } from '../../../src/core/protocol/events';
import {
  LESSON_TOPICS,
  LessonError,
  PROCESS_STATES,
  checkLessonAgainstScript,
  lessonText,
  loadLessons,
  parseLesson,
  validateLesson,
} from '../../../src/core/lessons';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const FILE = '/lessons/t.lesson.json';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests break lessons in every way JSON allows
type Json = any;
const T = { en: 'Look at the tree.', 'zh-cn': '看进程树。' };

function good(): Record<string, unknown> {
  return {
    id: 'ticket-race',
    title: { en: 'Ticket race', 'zh-cn': '抢票' },
    topic: 'lock',
    script: '../24_ticket_without_lock.py',
    steps: [
      { pause: { line: 49, code: 'open(db)', process: { role: 'child' }, as: 'a' }, text: T, then: [] },
      { pause: { line: 49, process: { role: 'child', isNot: 'a' } }, text: T, expect: { evaluate: [{ expression: 'dic', equals: "{'count': 1}" }] }, then: [{ process: { is: 'a' }, do: 'next' }] },
      { pause: { operation: 'lock', op: 'acquire', preview: 'None' }, text: T, question: { text: T, answer: { holderOf: 'lock' } } },
      { pause: { event: 'zombie', process: { role: 'child' } }, text: T, expect: { processes: [{ process: { role: 'child' }, state: 'zombie', count: 1 }] } },
    ],
    end: { text: T, expect: { output: ['购票成功'], exitCode: 0 } },
  };
}

function problems(mutate: (l: Record<string, Json>) => void): string[] {
  const l = good();
  mutate(l);
  const r = validateLesson(l, FILE);
  assert.equal(r.lesson, undefined, 'the lesson is refused');
  return r.problems;
}

describe('lesson format', () => {
  test('a good lesson is accepted, with defaults filled in', () => {
    const r = validateLesson(good(), FILE);
    assert.deepEqual(r.problems, []);
    assert.ok(r.lesson);
    assert.equal(r.lesson.order, 1);
    assert.deepEqual(r.lesson.launch, { args: [], env: {} });
    assert.equal(r.lesson.steps.length, 4);
    assert.deepEqual(r.lesson.steps[2]!.pause, { operation: 'lock', op: 'acquire', preview: 'None' });
  });

  test('each mistake names the file and the field', () => {
    const cases: Array<[(l: Record<string, Json>) => void, string]> = [
      [(l) => (l.steps[2].pause = { line: 0 }), 'steps[2].pause.line: must be a positive integer'],
      [(l) => (l.steps[0].pause.line = '49'), 'steps[0].pause.line: must be a positive integer'],
      [(l) => delete l.title['zh-cn'], 'title.zh-cn: is required'],
      [(l) => (l.topic = 'threads'), 'topic: must be one of: process-join, daemon'],
      [(l) => (l.steps[1].pause.process.isNot = 'b'), 'steps[1].pause.process.isNot: names "b", which no earlier step'],
      [(l) => (l.steps[0].pause.operation = 'queue'), 'steps[0].pause: must have exactly one of: line, operation, event'],
      [(l) => (l.steps[0].pause.process = { nameMatches: '(' }), 'steps[0].pause.process.nameMatches: is not a valid regular expression'],
      [(l) => (l.steps[3].expect.evaluate = [{ expression: 'x', equals: '1' }]), 'steps[3].expect.evaluate: needs a paused process'],
      [(l) => (l.steps[1].then[0].do = 'jump'), 'steps[1].then[0].do: must be one of: continue, next, stepIn, stepOut'],
      [(l) => (l.steps[3].then = [{ do: 'continue' }]), 'steps[3].then[0].process: is required: this step waits for an event'],
      [(l) => (l.steps[2].question.answer = { holderOf: 'lock', evaluate: 'x' }), 'steps[2].question.answer: must have exactly one of'],
      [(l) => (l.steps[0].colour = 'red'), 'steps[0].colour: unknown field'],
      [(l) => (l.steps[3].expect.processes[0].state = 'dead'), 'steps[3].expect.processes[0].state: must be one of'],
      [(l) => (l.steps[3].expect.processes[0].count = -1), 'steps[3].expect.processes[0].count: must be a whole number'],
      [(l) => (l.steps = []), 'steps: must be a list of at least one step'],
      [(l) => (l.script = 'x.txt'), 'script: must name a Python file'],
      [(l) => (l.id = 'Ticket Race'), 'id: must be lowercase letters'],
      [(l) => (l.steps[0].pause.process = {}), 'steps[0].pause.process: must say which process'],
      [(l) => (l.end.expect.exitCode = 'zero'), 'end.expect.exitCode: must be an integer'],
    ];
    for (const [mutate, expected] of cases) {
      const found = problems(mutate);
      assert.ok(found.some((p) => p.startsWith(`${FILE}: ${expected}`)), `expected "${expected}", got:\n${found.join('\n')}`);
    }
  });

  test('parseLesson throws a LessonError for bad JSON and for a bad lesson', () => {
    assert.throws(() => parseLesson('{', FILE), (e: unknown) => e instanceof LessonError && e.message.startsWith(`${FILE}: not valid JSON`));
    assert.throws(() => parseLesson(JSON.stringify({ ...good(), topic: 'x' }), FILE), (e: unknown) => e instanceof LessonError && e.problems.length === 1);
  });

  test('a pause line must still say what the lesson claims', () => {
    const lesson = parseLesson(JSON.stringify(good()), FILE);
    const script = Array.from({ length: 60 }, (_, i) => (i === 48 ? '    with open(db) as f:' : 'pass')).join('\n');
    assert.deepEqual(checkLessonAgainstScript(lesson, script, FILE), []);
    const moved = script.replace('    with open(db) as f:', 'pass');
    assert.match(checkLessonAgainstScript(lesson, moved, FILE)[0]!, /steps\[0\]\.pause\.code: line 49 of \.\.\/24_ticket_without_lock\.py does not contain "open\(db\)"/);
    assert.match(checkLessonAgainstScript(lesson, 'pass\n', FILE)[0]!, /steps\[0\]\.pause\.line: 49 is past the end/);
  });

  test('the text follows the UI language', () => {
    assert.equal(lessonText(T, 'zh-cn'), '看进程树。');
    assert.equal(lessonText(T, 'zh-tw'), '看进程树。');
    assert.equal(lessonText(T, 'en'), 'Look at the tree.');
    assert.equal(lessonText(T, 'de'), 'Look at the tree.');
  });

  test('the shipped lessons load, at least 24, covering every topic of the tutorials', () => {
    const { lessons, errors } = loadLessons(path.join(ROOT, 'examples', 'lessons'));
    assert.deepEqual(errors.map((e) => e.message), []);
    assert.ok(lessons.length >= 24, `${lessons.length} lessons`);
    assert.deepEqual([...new Set(lessons.map((l) => l.lesson.topic))], [...LESSON_TOPICS], 'every topic, in the tutorials\' order');
    assert.equal(new Set(lessons.map((l) => l.lesson.id)).size, lessons.length, 'ids are unique');
    for (const l of lessons) assert.equal(path.basename(l.file), `${l.lesson.id}.lesson.json`, 'a lesson file is named after its id');
  });

  test('the JSON Schema agrees with the validator', () => {
    const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas', 'lesson.schema.json'), 'utf8'));
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.deepEqual(pkg.contributes.jsonValidation, [{ fileMatch: '*.lesson.json', url: './schemas/lesson.schema.json' }]);
    assert.deepEqual(schema.properties.topic.enum, [...LESSON_TOPICS]);
    assert.deepEqual(schema.definitions.process.properties.role.enum, [...PROCESS_ROLES]);
    const step = schema.properties.steps.items.properties;
    assert.deepEqual(step.pause.oneOf[1].properties.operation.enum, [...STOP_ON_KINDS]);
    assert.deepEqual(step.expect.properties.processes.items.properties.state.enum, [...PROCESS_STATES]);
    assert.deepEqual(step.expect.properties.channels.items.properties.kind.enum, [...CHANNEL_KINDS]);
    // Every field the schema offers is one the validator takes: a lesson using them all passes.
    const all = good();
    (all.steps as Json[])[1].expect = {
      process: { is: 'a' },
      operation: { kind: 'lock', op: 'acquire', preview: 'x' },
      processes: [{ process: { nameMatches: '^P' }, state: 'alive', orphan: false, daemon: false, count: 2 }],
      channels: [{ kind: 'lock', createdAtLine: 3, inFlight: 0, messages: 0, heldBy: { is: 'a' }, holders: 1, waiters: 0, isSet: false }],
      evaluate: [{ expression: 'x', equals: '1' }],
      output: ['y'],
    };
    (all as Json).launch = { args: ['fork'], env: { A: 'b' } };
    (all as Json).order = 2;
    assert.deepEqual(validateLesson(all, FILE).problems, []);
    assert.deepEqual(Object.keys(step.expect.properties).sort(), ['channels', 'evaluate', 'operation', 'output', 'process', 'processes']);
  });
});
