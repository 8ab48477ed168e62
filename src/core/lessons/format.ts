/**
 * The lesson format (docs/lessons.md, schemas/lesson.schema.json): a guided walk through a real
 * debug run of an example. A lesson is data; `validateLesson` turns parsed JSON into a typed
 * lesson or into errors that name the file and the field ("steps[2].pause.line: must be a
 * positive integer"). Pure: no file system, no `vscode`.
 */
import type { StopOnKind } from '../protocol/control';
import { STOP_ON_KINDS } from '../protocol/control';
import { CHANNEL_KINDS, PROCESS_ROLES, type ChannelKind, type ProcessRole } from '../protocol/events';

/** The tutorial groups, in the order the seeds teach them. */
export const LESSON_TOPICS = [
  'process-join',
  'daemon',
  'zombie-orphan',
  'main-guard',
  'lock',
  'queue',
  'joinable-queue',
  'pipe',
  'manager',
  'semaphore',
  'event',
  'pool',
  'sockets',
] as const;
export type LessonTopic = (typeof LESSON_TOPICS)[number];

export const LESSON_LANGUAGES = ['en', 'zh-cn'] as const;
export type LessonLanguage = (typeof LESSON_LANGUAGES)[number];
export type LessonText = Readonly<Record<LessonLanguage, string>>;

/** Which process: every field given must hold. `is`/`isNot` name a process bound earlier by a pause's `as`. */
export interface ProcessSelector {
  readonly role?: ProcessRole;
  readonly name?: string;
  /** A regular expression the name must match. */
  readonly nameMatches?: string;
  readonly is?: string;
  readonly isNot?: string;
}

export const PAUSE_EVENTS = ['started', 'exited', 'zombie', 'orphan'] as const;
export type PauseEvent = (typeof PAUSE_EVENTS)[number];

interface PauseBase {
  readonly process?: ProcessSelector;
  /** Name the process this step is about, for later steps' `is`/`isNot`. */
  readonly as?: string;
}
/** A process stops at a line of the script (by a breakpoint, or a step that lands there). */
export interface LinePause extends PauseBase {
  readonly line: number;
  /** Text the line must contain: the loader checks it, so a lesson cannot drift from its script. */
  readonly code?: string;
}
/** A process stops before an operation (the launch argument `stopOn`). */
export interface OperationPause extends PauseBase {
  readonly operation: StopOnKind;
  /** The method: put, get, send, recv, acquire, start, join... */
  readonly op?: string;
  /** The payload as the debugger shows it (Python's repr): "None" for a sentinel. */
  readonly preview?: string;
}
/** Something happens to a process in the run (nothing is paused for it). */
export interface EventPause extends PauseBase {
  readonly event: PauseEvent;
}
export type LessonPause = LinePause | OperationPause | EventPause;

export const PROCESS_STATES = ['alive', 'running', 'sleeping', 'waiting', 'stopped', 'zombie', 'exited', 'killed'] as const;
export type ExpectedProcessState = (typeof PROCESS_STATES)[number];

export interface ProcessExpectation {
  readonly process: ProcessSelector;
  readonly state?: ExpectedProcessState;
  readonly orphan?: boolean;
  readonly daemon?: boolean;
  /** How many processes match (default: at least one). */
  readonly count?: number;
}

export interface ChannelExpectation {
  /** The channel's kind (queue, pipe, lock, event...) and, to tell two apart, the line that created it. */
  readonly kind: ChannelKind;
  readonly createdAtLine?: number;
  /** Messages put or sent and not yet taken. */
  readonly inFlight?: number;
  /** Messages ever sent. */
  readonly messages?: number;
  /** Who holds it (a lock, a semaphore). */
  readonly heldBy?: ProcessSelector;
  /** How many processes hold it (a semaphore's users). */
  readonly holders?: number;
  /** How many processes wait on it. */
  readonly waiters?: number;
  readonly isSet?: boolean;
}

export interface EvaluateExpectation {
  readonly expression: string;
  /** The value as the debugger shows it (Python's repr). */
  readonly equals: string;
}

export interface StepExpectation {
  /** The process the step is about. */
  readonly process?: ProcessSelector;
  readonly operation?: { readonly kind?: StopOnKind; readonly op?: string; readonly preview?: string };
  readonly processes?: readonly ProcessExpectation[];
  readonly channels?: readonly ChannelExpectation[];
  /** In the paused process's top frame. */
  readonly evaluate?: readonly EvaluateExpectation[];
  /** Text the program's output contains by now. */
  readonly output?: readonly string[];
}

/** The right answer, found in the real run when the step is reached. */
export type QuestionAnswer =
  | { readonly process: ProcessSelector }
  | { readonly holderOf: ChannelKind }
  | { readonly evaluate: string; readonly equals?: string };

export interface LessonQuestion {
  readonly text: LessonText;
  /** For a value question: the choices offered (the answer is one of them). */
  readonly choices?: readonly string[];
  readonly answer: QuestionAnswer;
}

export const RESUME_KINDS = ['continue', 'next', 'stepIn', 'stepOut'] as const;
export type LessonResume = (typeof RESUME_KINDS)[number];

export interface LetGo {
  /** Default: the process this step paused. */
  readonly process?: ProcessSelector;
  readonly do?: LessonResume;
}

export interface LessonStep {
  readonly pause: LessonPause;
  readonly text: LessonText;
  readonly expect?: StepExpectation;
  readonly question?: LessonQuestion;
  /** Which paused processes go on after this step, and how. Default: the step's own process continues. Others stay paused. */
  readonly then?: readonly LetGo[];
}

export interface LessonEnd {
  readonly text: LessonText;
  readonly expect?: { readonly output?: readonly string[]; readonly exitCode?: number };
}

export interface Lesson {
  readonly id: string;
  readonly title: LessonText;
  readonly topic: LessonTopic;
  /** Place within its topic (lower first). */
  readonly order: number;
  /** The example, relative to the lesson file. */
  readonly script: string;
  readonly launch: { readonly args: readonly string[]; readonly env: Readonly<Record<string, string>> };
  readonly steps: readonly LessonStep[];
  readonly end?: LessonEnd;
}

export class LessonError extends Error {
  constructor(
    readonly file: string,
    /** Each "file: field: what is wrong". */
    readonly problems: readonly string[],
  ) {
    super(problems.join('\n'));
  }
}

export function isLinePause(p: LessonPause): p is LinePause {
  return 'line' in p;
}
export function isOperationPause(p: LessonPause): p is OperationPause {
  return 'operation' in p;
}
export function isEventPause(p: LessonPause): p is EventPause {
  return 'event' in p;
}

// ---------------------------------------------------------------------------------------------
// Validation

type Obj = Record<string, unknown>;

class Checker {
  readonly problems: string[] = [];
  /** Aliases bound by `as` so far, in step order. */
  readonly aliases = new Set<string>();

  fail(at: string, message: string): void {
    this.problems.push(`${at}: ${message}`);
  }

  object(v: unknown, at: string, allowed: readonly string[]): Obj | undefined {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      this.fail(at, 'must be an object');
      return undefined;
    }
    for (const k of Object.keys(v)) if (!allowed.includes(k)) this.fail(`${at}.${k}`.replace(/^\./, ''), `unknown field (expected one of: ${allowed.join(', ')})`);
    return v as Obj;
  }

  string(v: unknown, at: string, required = true): string | undefined {
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || v.trim() === '') {
      this.fail(at, v === undefined ? 'is required' : 'must be a non-empty string');
      return undefined;
    }
    return v;
  }

  positive(v: unknown, at: string, required = true): number | undefined {
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      this.fail(at, v === undefined ? 'is required' : 'must be a positive integer');
      return undefined;
    }
    return v;
  }

  count(v: unknown, at: string): number | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      this.fail(at, 'must be a whole number, 0 or more');
      return undefined;
    }
    return v;
  }

  bool(v: unknown, at: string): boolean | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') {
      this.fail(at, 'must be true or false');
      return undefined;
    }
    return v;
  }

  oneOf<T extends string>(v: unknown, at: string, values: readonly T[], required = true): T | undefined {
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      this.fail(at, v === undefined ? `is required (one of: ${values.join(', ')})` : `must be one of: ${values.join(', ')}`);
      return undefined;
    }
    return v as T;
  }

  strings(v: unknown, at: string): string[] | undefined {
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) {
      this.fail(at, 'must be a list of strings');
      return undefined;
    }
    return v.map((x, i) => this.string(x, `${at}[${i}]`) ?? '');
  }

  text(v: unknown, at: string): LessonText | undefined {
    const o = this.object(v, at, LESSON_LANGUAGES);
    if (!o) return undefined;
    const en = this.string(o.en, `${at}.en`);
    const zh = this.string(o['zh-cn'], `${at}.zh-cn`);
    return en !== undefined && zh !== undefined ? { en, 'zh-cn': zh } : undefined;
  }

  selector(v: unknown, at: string, bound = true): ProcessSelector | undefined {
    const o = this.object(v, at, ['role', 'name', 'nameMatches', 'is', 'isNot']);
    if (!o) return undefined;
    const role = this.oneOf(o.role, `${at}.role`, PROCESS_ROLES, false);
    const name = this.string(o.name, `${at}.name`, false);
    const nameMatches = this.string(o.nameMatches, `${at}.nameMatches`, false);
    if (nameMatches !== undefined) {
      try {
        new RegExp(nameMatches);
      } catch (e) {
        this.fail(`${at}.nameMatches`, `is not a valid regular expression (${(e as Error).message})`);
      }
    }
    const is = this.string(o.is, `${at}.is`, false);
    const isNot = this.string(o.isNot, `${at}.isNot`, false);
    for (const [k, alias] of [['is', is], ['isNot', isNot]] as const) {
      if (alias !== undefined && bound && !this.aliases.has(alias)) this.fail(`${at}.${k}`, `names "${alias}", which no earlier step's pause binds with "as"`);
    }
    if (Object.keys(o).length === 0) this.fail(at, 'must say which process (role, name, nameMatches, is or isNot)');
    return { ...(role ? { role } : {}), ...(name ? { name } : {}), ...(nameMatches ? { nameMatches } : {}), ...(is ? { is } : {}), ...(isNot ? { isNot } : {}) };
  }
}

/** Check parsed JSON against the lesson format. Every problem reads "file: field: what is wrong". */
export function validateLesson(json: unknown, file: string): { lesson: Lesson; problems: [] } | { lesson: undefined; problems: string[] } {
  const c = new Checker();
  const root = c.object(json, '(lesson)', ['$schema', 'id', 'title', 'topic', 'order', 'script', 'launch', 'steps', 'end']);
  const named = (): string[] => c.problems.map((p) => `${file}: ${p}`);
  if (!root) return { lesson: undefined, problems: named() };
  const id = c.string(root.id, 'id');
  if (id !== undefined && !/^[a-z0-9][a-z0-9-]*$/.test(id)) c.fail('id', 'must be lowercase letters, digits and dashes ("ticket-race")');
  const title = c.text(root.title, 'title');
  const topic = c.oneOf(root.topic, 'topic', LESSON_TOPICS);
  const order = root.order === undefined ? 1 : c.positive(root.order, 'order');
  const script = c.string(root.script, 'script');
  if (script !== undefined && !script.endsWith('.py')) c.fail('script', 'must name a Python file (.py), relative to the lesson file');
  const launch = { args: [] as string[], env: {} as Record<string, string> };
  if (root.launch !== undefined) {
    const l = c.object(root.launch, 'launch', ['args', 'env']);
    if (l) {
      launch.args = c.strings(l.args, 'launch.args') ?? [];
      if (l.env !== undefined) {
        const env = c.object(l.env, 'launch.env', Object.keys(l.env as object));
        for (const [k, v] of Object.entries(env ?? {})) {
          const s = c.string(v, `launch.env.${k}`);
          if (s !== undefined) launch.env[k] = s;
        }
      }
    }
  }
  const steps: LessonStep[] = [];
  if (!Array.isArray(root.steps) || root.steps.length === 0) c.fail('steps', 'must be a list of at least one step');
  else root.steps.forEach((s, i) => {
    const step = validateStep(c, s, `steps[${i}]`);
    if (step) steps.push(step);
  });
  let end: LessonEnd | undefined;
  if (root.end !== undefined) {
    const e = c.object(root.end, 'end', ['text', 'expect']);
    if (e) {
      const text = c.text(e.text, 'end.text');
      let expect: LessonEnd['expect'];
      if (e.expect !== undefined) {
        const x = c.object(e.expect, 'end.expect', ['output', 'exitCode']);
        if (x) {
          const output = c.strings(x.output, 'end.expect.output');
          const exitCode = x.exitCode === undefined ? undefined : typeof x.exitCode === 'number' && Number.isInteger(x.exitCode) ? x.exitCode : (c.fail('end.expect.exitCode', 'must be an integer'), undefined);
          expect = { ...(output ? { output } : {}), ...(exitCode !== undefined ? { exitCode } : {}) };
        }
      }
      if (text) end = { text, ...(expect ? { expect } : {}) };
    }
  }
  if (c.problems.length > 0 || !id || !title || !topic || !order || !script) return { lesson: undefined, problems: named() };
  return { lesson: { id, title, topic, order, script, launch, steps, ...(end ? { end } : {}) }, problems: [] };
}

/** Like validateLesson, but throws a LessonError naming the file and every problem. */
export function parseLesson(text: string, file: string): Lesson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new LessonError(file, [`${file}: not valid JSON (${(e as Error).message})`]);
  }
  const r = validateLesson(json, file);
  if (!r.lesson) throw new LessonError(file, r.problems);
  return r.lesson;
}

function validateStep(c: Checker, v: unknown, at: string): LessonStep | undefined {
  const o = c.object(v, at, ['pause', 'text', 'expect', 'question', 'then']);
  if (!o) return undefined;
  const pause = validatePause(c, o.pause, `${at}.pause`);
  const text = c.text(o.text, `${at}.text`);
  const expect = o.expect === undefined ? undefined : validateExpect(c, o.expect, `${at}.expect`);
  let question: LessonQuestion | undefined;
  if (o.question !== undefined) {
    const q = c.object(o.question, `${at}.question`, ['text', 'choices', 'answer']);
    if (q) {
      const qt = c.text(q.text, `${at}.question.text`);
      const choices = c.strings(q.choices, `${at}.question.choices`);
      const a = c.object(q.answer, `${at}.question.answer`, ['process', 'holderOf', 'evaluate', 'equals']);
      let answer: QuestionAnswer | undefined;
      if (a) {
        const kinds = ['process', 'holderOf', 'evaluate'].filter((k) => a[k] !== undefined);
        if (kinds.length !== 1) c.fail(`${at}.question.answer`, 'must have exactly one of: process, holderOf, evaluate');
        else if (a.process !== undefined) {
          const s = c.selector(a.process, `${at}.question.answer.process`);
          if (s) answer = { process: s };
        } else if (a.holderOf !== undefined) {
          const k = c.oneOf(a.holderOf, `${at}.question.answer.holderOf`, CHANNEL_KINDS);
          if (k) answer = { holderOf: k };
        } else {
          const expr = c.string(a.evaluate, `${at}.question.answer.evaluate`);
          const equals = c.string(a.equals, `${at}.question.answer.equals`, false);
          if (expr) answer = { evaluate: expr, ...(equals !== undefined ? { equals } : {}) };
          if (equals !== undefined && choices && !choices.includes(equals)) c.fail(`${at}.question.answer.equals`, 'must be one of the choices');
        }
        if (a.equals !== undefined && a.evaluate === undefined) c.fail(`${at}.question.answer.equals`, 'goes with evaluate');
      }
      if (pause && isEventPause(pause) && answer && 'evaluate' in answer) c.fail(`${at}.question.answer.evaluate`, 'needs a paused process: this step waits for an event');
      if (qt && answer) question = { text: qt, ...(choices ? { choices } : {}), answer };
    }
  }
  let then: LetGo[] | undefined;
  if (o.then !== undefined) {
    if (!Array.isArray(o.then)) c.fail(`${at}.then`, 'must be a list of { process, do }');
    else {
      then = [];
      o.then.forEach((g, i) => {
        const go = c.object(g, `${at}.then[${i}]`, ['process', 'do']);
        if (!go) return;
        const process = go.process === undefined ? undefined : c.selector(go.process, `${at}.then[${i}].process`);
        const how = c.oneOf(go.do, `${at}.then[${i}].do`, RESUME_KINDS, false);
        if (!process && pause && isEventPause(pause)) c.fail(`${at}.then[${i}].process`, 'is required: this step waits for an event and pauses no process');
        then!.push({ ...(process ? { process } : {}), ...(how ? { do: how } : {}) });
      });
    }
  }
  if (expect?.evaluate && pause && isEventPause(pause)) c.fail(`${at}.expect.evaluate`, 'needs a paused process: this step waits for an event');
  if (!pause || !text) return undefined;
  return { pause, text, ...(expect ? { expect } : {}), ...(question ? { question } : {}), ...(then ? { then } : {}) };
}

function validatePause(c: Checker, v: unknown, at: string): LessonPause | undefined {
  const o = c.object(v, at, ['line', 'code', 'operation', 'op', 'preview', 'event', 'process', 'as']);
  if (!o) return undefined;
  const kinds = ['line', 'operation', 'event'].filter((k) => o[k] !== undefined);
  if (kinds.length !== 1) {
    c.fail(at, 'must have exactly one of: line, operation, event');
    return undefined;
  }
  const process = o.process === undefined ? undefined : c.selector(o.process, `${at}.process`);
  const as = c.string(o.as, `${at}.as`, false);
  const base = { ...(process ? { process } : {}), ...(as ? { as } : {}) };
  let pause: LessonPause | undefined;
  if (o.line !== undefined) {
    const line = c.positive(o.line, `${at}.line`);
    const code = c.string(o.code, `${at}.code`, false);
    for (const k of ['op', 'preview']) if (o[k] !== undefined) c.fail(`${at}.${k}`, 'goes with operation');
    if (line !== undefined) pause = { line, ...(code ? { code } : {}), ...base };
  } else if (o.operation !== undefined) {
    const operation = c.oneOf(o.operation, `${at}.operation`, STOP_ON_KINDS);
    const op = c.string(o.op, `${at}.op`, false);
    const preview = typeof o.preview === 'string' ? o.preview : o.preview === undefined ? undefined : (c.fail(`${at}.preview`, 'must be a string'), undefined);
    if (o.code !== undefined) c.fail(`${at}.code`, 'goes with line');
    if (operation) pause = { operation, ...(op ? { op } : {}), ...(preview !== undefined ? { preview } : {}), ...base };
  } else {
    const event = c.oneOf(o.event, `${at}.event`, PAUSE_EVENTS);
    for (const k of ['code', 'op', 'preview']) if (o[k] !== undefined) c.fail(`${at}.${k}`, 'does not go with event');
    if (event) pause = { event, ...base };
  }
  if (as !== undefined) c.aliases.add(as); // bound from this step on (the step's own checks may use it)
  return pause;
}

function validateExpect(c: Checker, v: unknown, at: string): StepExpectation | undefined {
  const o = c.object(v, at, ['process', 'operation', 'processes', 'channels', 'evaluate', 'output']);
  if (!o) return undefined;
  const out: Record<string, unknown> = {};
  if (o.process !== undefined) out.process = c.selector(o.process, `${at}.process`);
  if (o.operation !== undefined) {
    const op = c.object(o.operation, `${at}.operation`, ['kind', 'op', 'preview']);
    if (op) {
      const kind = c.oneOf(op.kind, `${at}.operation.kind`, STOP_ON_KINDS, false);
      const name = c.string(op.op, `${at}.operation.op`, false);
      const preview = c.string(op.preview, `${at}.operation.preview`, false);
      out.operation = { ...(kind ? { kind } : {}), ...(name ? { op: name } : {}), ...(preview ? { preview } : {}) };
    }
  }
  if (o.processes !== undefined) {
    if (!Array.isArray(o.processes)) c.fail(`${at}.processes`, 'must be a list');
    else
      out.processes = o.processes.map((p, i) => {
        const a = `${at}.processes[${i}]`;
        const x = c.object(p, a, ['process', 'state', 'orphan', 'daemon', 'count']);
        if (!x) return undefined;
        const process = c.selector(x.process, `${a}.process`);
        const state = c.oneOf(x.state, `${a}.state`, PROCESS_STATES, false);
        const orphan = c.bool(x.orphan, `${a}.orphan`);
        const daemon = c.bool(x.daemon, `${a}.daemon`);
        const count = c.count(x.count, `${a}.count`);
        return { process, ...(state ? { state } : {}), ...(orphan !== undefined ? { orphan } : {}), ...(daemon !== undefined ? { daemon } : {}), ...(count !== undefined ? { count } : {}) };
      });
  }
  if (o.channels !== undefined) {
    if (!Array.isArray(o.channels)) c.fail(`${at}.channels`, 'must be a list');
    else
      out.channels = o.channels.map((ch, i) => {
        const a = `${at}.channels[${i}]`;
        const x = c.object(ch, a, ['kind', 'createdAtLine', 'inFlight', 'messages', 'heldBy', 'holders', 'waiters', 'isSet']);
        if (!x) return undefined;
        const kind = c.oneOf(x.kind, `${a}.kind`, CHANNEL_KINDS);
        const createdAtLine = c.positive(x.createdAtLine, `${a}.createdAtLine`, false);
        const inFlight = c.count(x.inFlight, `${a}.inFlight`);
        const messages = c.count(x.messages, `${a}.messages`);
        const heldBy = x.heldBy === undefined ? undefined : c.selector(x.heldBy, `${a}.heldBy`);
        const waiters = c.count(x.waiters, `${a}.waiters`);
        const holders = c.count(x.holders, `${a}.holders`);
        const isSet = c.bool(x.isSet, `${a}.isSet`);
        return {
          kind,
          ...(createdAtLine ? { createdAtLine } : {}),
          ...(inFlight !== undefined ? { inFlight } : {}),
          ...(messages !== undefined ? { messages } : {}),
          ...(heldBy ? { heldBy } : {}),
          ...(waiters !== undefined ? { waiters } : {}),
          ...(holders !== undefined ? { holders } : {}),
          ...(isSet !== undefined ? { isSet } : {}),
        };
      });
  }
  if (o.evaluate !== undefined) {
    if (!Array.isArray(o.evaluate)) c.fail(`${at}.evaluate`, 'must be a list of { expression, equals }');
    else
      out.evaluate = o.evaluate.map((e, i) => {
        const x = c.object(e, `${at}.evaluate[${i}]`, ['expression', 'equals']);
        if (!x) return undefined;
        return { expression: c.string(x.expression, `${at}.evaluate[${i}].expression`), equals: c.string(x.equals, `${at}.evaluate[${i}].equals`) };
      });
  }
  if (o.output !== undefined) out.output = c.strings(o.output, `${at}.output`);
  return out as StepExpectation;
}

/** Lines a lesson pauses at must say what the script has there: the problems, none when it agrees. */
export function checkLessonAgainstScript(lesson: Lesson, scriptText: string, file: string): string[] {
  const lines = scriptText.split(/\r?\n/);
  const problems: string[] = [];
  lesson.steps.forEach((s, i) => {
    if (!isLinePause(s.pause)) return;
    const text = lines[s.pause.line - 1];
    if (text === undefined) problems.push(`${file}: steps[${i}].pause.line: ${s.pause.line} is past the end of ${lesson.script} (${lines.length} lines)`);
    else if (s.pause.code !== undefined && !text.includes(s.pause.code)) problems.push(`${file}: steps[${i}].pause.code: line ${s.pause.line} of ${lesson.script} does not contain "${s.pause.code}" (it reads: ${text.trim()})`);
  });
  return problems;
}

/** The text in the language asked for: zh-cn for any Chinese UI, English otherwise. */
export function lessonText(text: LessonText, language: string): string {
  return language.toLowerCase().startsWith('zh') ? text['zh-cn'] : text.en;
}
