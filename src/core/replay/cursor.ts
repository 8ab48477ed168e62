/**
 * Stepping through a Replay forwards and backwards: Step Over (the next step of one process),
 * Step Into (the next step of any process), Step Back, Continue and Reverse Continue to the next
 * breakpoint or stop filter, Go To a moment. Breakpoints are source lines (any process that did
 * something at that line), with optional conditions on the step's fields and hit counts; the
 * hits of every breakpoint are worked out when it is set, so moving is a binary search.
 *
 * Hit counts count the matching steps of the whole recording in time order: "3" stops at the
 * third, whichever way you travel.
 *
 * No `vscode` import here, ever.
 */
import type { ProcessKey } from '../session/model';
import { countAtOrBefore, countBefore } from '../session/timeIndex';
import { ConditionError, parseCondition, parseHitCondition, type Condition, type Value } from './condition';
import type { ChangeKind, Replay, Step } from './replay';

/** Things to stop at that are not lines: DAP exception filters. */
export type StopFilter = ChangeKind | 'error' | 'failed';

/** In the order the Breakpoints view lists them; their words: src/core/debug/describe.ts, stopFilterText. */
export const STOP_FILTERS: ReadonlyArray<{ readonly id: StopFilter; readonly default: boolean }> = [
  { id: 'zombie', default: true },
  { id: 'orphaned', default: true },
  { id: 'killed', default: false },
  { id: 'error', default: false },
  { id: 'failed', default: false },
];

export interface BreakpointSpec {
  readonly line: number;
  readonly condition?: string;
  readonly hitCondition?: string;
}

export interface BreakpointResult {
  readonly id: number;
  readonly line: number;
  /** False when its condition is wrong or nothing happened at that line in the recording. */
  readonly verified: boolean;
  /** Why it is not verified, or how often it is hit. */
  readonly message: string;
  /** Steps it stops at. */
  readonly hits: number;
}

export type StopReason = 'step' | 'breakpoint' | 'exception' | 'start' | 'end' | 'goto';

export interface Stop {
  readonly index: number;
  readonly reason: StopReason;
  /** Breakpoints that hit there (reason 'breakpoint'). */
  readonly breakpointIds: readonly number[];
  /** The filter that hit (reason 'exception'). */
  readonly filter: StopFilter | null;
  /** Why the cursor did not move, when it did not ("pid 4242 has no earlier step"). */
  readonly note: string | null;
}

/** The fields a condition can read; each step answers what it has, null otherwise. */
export const CONDITION_FIELDS: ReadonlySet<string> = new Set([
  'kind', 'op', 'pid', 'ppid', 'tid', 't', 'file', 'line', 'channel', 'id', 'preview', 'size', 'waited', 'ok',
  'error', 'child', 'target', 'signal', 'exitCode', 'how', 'name', 'role', 'state', 'change',
]);

interface Breakpoint {
  readonly id: number;
  readonly file: string;
  readonly spec: BreakpointSpec;
  /** Step indices it stops at, ascending. */
  readonly hits: Int32Array;
}

export class Breakpoints {
  private byFile = new Map<string, Breakpoint[]>();
  private filters = new Set<StopFilter>(STOP_FILTERS.filter((f) => f.default).map((f) => f.id));
  private nextId = 1;
  /** Every step some breakpoint or filter stops at, ascending, rebuilt after a change. */
  private merged: Int32Array | null = null;

  constructor(
    private readonly replay: Replay,
    /** Recorded files a breakpoint's file stands for (the recording may come from another folder). */
    private readonly recordedFiles: (file: string) => readonly string[] = (f) => [f],
  ) {}

  /** Replaces the breakpoints of one file. */
  set(file: string, specs: readonly BreakpointSpec[]): BreakpointResult[] {
    const results: BreakpointResult[] = [];
    const bps: Breakpoint[] = [];
    const recorded = this.recordedFiles(file);
    for (const spec of specs) {
      const id = this.nextId++;
      let condition: Condition | null = null;
      let hitTest: ((hit: number) => boolean) | null = null;
      try {
        if (spec.condition !== undefined && spec.condition.trim() !== '') condition = parseCondition(spec.condition, CONDITION_FIELDS);
        if (spec.hitCondition !== undefined && spec.hitCondition.trim() !== '') hitTest = parseHitCondition(spec.hitCondition);
      } catch (e) {
        if (!(e instanceof ConditionError)) throw e;
        results.push({ id, line: spec.line, verified: false, message: e.message, hits: 0 });
        continue;
      }
      const sites = recorded.map((f) => this.replay.siteIds.get(`${f}:${spec.line}`)).filter((s): s is number => s !== undefined);
      const hits: number[] = [];
      let matched = 0;
      if (sites.length > 0) {
        const want = new Set(sites);
        const siteOf = this.replay.siteOf;
        for (let i = 0; i < siteOf.length; i++) {
          if (!want.has(siteOf[i]!)) continue;
          if (condition && !condition.test((f) => this.field(i, f))) continue;
          matched++;
          if (!hitTest || hitTest(matched)) hits.push(i);
        }
      }
      bps.push({ id, file, spec, hits: Int32Array.from(hits) });
      const message =
        sites.length === 0
          ? 'Nothing happened at this line in the recording (no process operation, message or start).'
          : hits.length === 0
            ? matched === 0
              ? `No step at this line matches the condition (${spec.condition ?? ''}).`
              : `The hit count ${spec.hitCondition ?? ''} is never reached (${matched} matching steps).`
            : `${hits.length} step(s) stop here.`;
      results.push({ id, line: spec.line, verified: hits.length > 0, message, hits: hits.length });
    }
    if (bps.length > 0) this.byFile.set(file, bps);
    else this.byFile.delete(file);
    this.merged = null;
    return results;
  }

  setFilters(filters: readonly StopFilter[]): void {
    this.filters = new Set(filters);
    this.merged = null;
  }

  get activeFilters(): readonly StopFilter[] {
    return [...this.filters];
  }

  /** The next step after `from` (or before it, backwards) that something stops at, or -1. */
  next(from: number, backwards: boolean): number {
    const m = this.stops();
    // First index in m greater than from (forwards) or last less than from (backwards).
    let lo = 0;
    let hi = m.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (m[mid]! <= from) lo = mid + 1;
      else hi = mid;
    }
    if (!backwards) return lo < m.length ? m[lo]! : -1;
    let k = lo - 1;
    while (k >= 0 && m[k]! >= from) k--;
    return k >= 0 ? m[k]! : -1;
  }

  /** Why step i stops: the breakpoints that hit there, and the filter. */
  why(i: number): { breakpointIds: number[]; filter: StopFilter | null } {
    const ids: number[] = [];
    for (const bps of this.byFile.values()) for (const bp of bps) if (contains(bp.hits, i)) ids.push(bp.id);
    return { breakpointIds: ids, filter: this.filterOf(i) };
  }

  /** The value of a condition field at step i. */
  field(i: number, name: string): Value {
    return stepField(this.replay, this.replay.steps[i]!, name);
  }

  private filterOf(i: number): StopFilter | null {
    const step = this.replay.steps[i]!;
    for (const c of step.changes) if (this.filters.has(c.kind)) return c.kind;
    const e = step.event;
    if (!e) return null;
    if (this.filters.has('error') && e.kind === 'process.exit' && (e.how === 'exception' || (e.exitCode !== null && e.exitCode !== 0))) return 'error';
    if (this.filters.has('failed') && e.kind === 'channel.op' && e.ok === false) return 'failed';
    if (this.filters.has('failed') && e.kind === 'process.joined' && e.stillAlive) return 'failed';
    return null;
  }

  private stops(): Int32Array {
    if (this.merged) return this.merged;
    const all = new Set<number>();
    for (const bps of this.byFile.values()) for (const bp of bps) for (const i of bp.hits) all.add(i);
    if (this.filters.size > 0) for (let i = 0; i < this.replay.length; i++) if (this.filterOf(i) !== null) all.add(i);
    this.merged = Int32Array.from(all).sort();
    return this.merged;
  }
}

function contains(sorted: Int32Array, x: number): boolean {
  const i = countBefore(sorted, x);
  return i < sorted.length && sorted[i] === x;
}

/** A step's field for conditions (and for the debugger's Event scope). */
export function stepField(replay: Replay, step: Step, name: string): Value {
  const e = step.event as (Record<string, unknown> & { kind: string }) | null;
  const raw = (k: string): Value => {
    const v = e?.[k];
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : null;
  };
  switch (name) {
    case 'kind':
      return e ? e.kind : step.changes[0] ? `process.${step.changes[0].kind}` : null;
    case 'pid':
      return step.pid;
    case 't':
      return step.t;
    case 'file':
      return step.site?.file ?? null;
    case 'line':
      return step.site?.line ?? null;
    case 'channel':
      return e?.kind === 'channel.created' ? raw('channel') : e?.kind === 'channel.op' ? replay.channelKind(String(e.id)) : null;
    case 'waited':
      return raw('waitedMs');
    case 'ok':
      return e?.kind === 'channel.op' ? e.ok !== false : null;
    case 'error': {
      const d = e?.detail as Record<string, unknown> | undefined;
      return raw('error') ?? (typeof d?.error === 'string' ? d.error : null);
    }
    case 'child':
      return raw('childPid');
    case 'target':
      return raw('targetPid');
    case 'state':
    case 'name':
    case 'role': {
      const node = step.key !== null ? replay.processAt(step.key, step.t) : null;
      return node ? (node[name] as Value) : null;
    }
    case 'change':
      return step.changes[0]?.kind ?? null;
    default:
      return raw(name);
  }
}

export class Cursor {
  private at: number;

  constructor(
    readonly replay: Replay,
    readonly breakpoints: Breakpoints,
    start: number = 0,
  ) {
    this.at = Math.min(Math.max(0, start), Math.max(0, replay.length - 1));
  }

  get index(): number {
    return this.at;
  }

  get step(): Step {
    return this.replay.steps[this.at]!;
  }

  /** The next step of any process. */
  stepInto(): Stop {
    if (this.at + 1 >= this.replay.length) return this.stay('end', 'This is the last step of the recording.');
    return this.move(this.at + 1, 'step');
  }

  /** The previous step of any process. */
  stepBackInto(): Stop {
    if (this.at === 0) return this.stay('start', 'This is the first step of the recording.');
    return this.move(this.at - 1, 'step');
  }

  /** The next step of this process. */
  stepOver(key: ProcessKey): Stop {
    const own = this.replay.stepsOf(key);
    const k = countAtOrBefore(own, own.length, this.at);
    if (k >= own.length) return this.stay('step', `${this.who(key)} has no later step in the recording.`);
    return this.move(own[k]!, 'step');
  }

  /** The previous step of this process. */
  stepBack(key: ProcessKey): Stop {
    const own = this.replay.stepsOf(key);
    const k = countBefore(own, this.at) - 1;
    if (k < 0) return this.stay('step', `${this.who(key)} has no earlier step in the recording.`);
    return this.move(own[k]!, 'step');
  }

  /** Forwards to the next breakpoint or filter, or the last step. */
  continue(): Stop {
    const i = this.breakpoints.next(this.at, false);
    if (i < 0) return this.move(this.replay.length - 1, 'end');
    return this.hit(i);
  }

  /** Backwards to the previous breakpoint or filter, or the first step. */
  reverseContinue(): Stop {
    const i = this.breakpoints.next(this.at, true);
    if (i < 0) return this.move(0, 'start');
    return this.hit(i);
  }

  /** To the last step at or before ms (the timeline's scrubber). */
  goTo(ms: number): Stop {
    return this.move(this.replay.indexAt(ms), 'goto');
  }

  /** To step i. */
  goToIndex(i: number): Stop {
    return this.move(Math.min(Math.max(0, i), this.replay.length - 1), 'goto');
  }

  private hit(i: number): Stop {
    this.at = i;
    const why = this.breakpoints.why(i);
    const reason: StopReason = why.breakpointIds.length > 0 ? 'breakpoint' : 'exception';
    return { index: i, reason, breakpointIds: why.breakpointIds, filter: why.filter, note: null };
  }

  private move(i: number, reason: StopReason): Stop {
    this.at = i;
    return { index: i, reason, breakpointIds: [], filter: null, note: null };
  }

  private stay(reason: StopReason, note: string): Stop {
    return { index: this.at, reason, breakpointIds: [], filter: null, note };
  }

  private who(key: ProcessKey): string {
    const pid = this.replay.session.snapshot().processes.find((p) => p.key === key)?.pid;
    return pid !== undefined ? `pid ${pid}` : `process ${key}`;
  }
}
