/**
 * A recorded run as a sequence of steps, for time travel: every tracer event in time order, and
 * the changes of a process's state that only the process table saw (a zombie, an orphan, a
 * death by SIGKILL), each at its moment. The model at any step is the Session's snapshotAt at
 * that step's time; the Session is fed in time order, so what it says at a moment is what a
 * Session fed only the records up to that moment says (test/unit/session/moments.test.ts).
 *
 * No `vscode` import here, ever.
 */
import type { ChannelKind, SourceSite, TracerEvent } from '../protocol/events';
import { readRecording, runInfoFromHeader, type Recording } from '../recording/reader';
import type { BodyRecord } from '../recording/format';
import { Session } from '../session/session';
import { countAtOrBefore, countBefore } from '../session/timeIndex';
import type { ChannelState, ProcessKey, ProcessNode, SessionSnapshot } from '../session/model';

/** A change of a process's state worth stopping at. */
export type ChangeKind = 'zombie' | 'orphaned' | 'exited' | 'killed';

export interface StateChange {
  readonly kind: ChangeKind;
  readonly pid: number;
  readonly key: ProcessKey;
  /** The process right after the change. */
  readonly node: ProcessNode;
}

export interface Step {
  readonly index: number;
  /** Milliseconds since the run started. */
  readonly t: number;
  /** The process it is about: the event's own, or for the supervisor's events the child's. */
  readonly pid: number;
  readonly key: ProcessKey | null;
  /** The tracer event; null for a change only the process table saw. */
  readonly event: TracerEvent | null;
  readonly changes: readonly StateChange[];
  /** The user's source line it happened at, when the tracer knew one. */
  readonly site: SourceSite | null;
}

/** The whole run at one step: what a debugger shows when it stops there. */
export interface Moment {
  readonly step: Step;
  readonly snapshot: SessionSnapshot;
  /** The step's process as it was then (after the step). */
  readonly process: ProcessNode | null;
  /** Every channel's contents then. */
  readonly channels: readonly ChannelState[];
  /** The processes that existed then (the threads a debugger shows), oldest first. */
  readonly processes: readonly ProcessNode[];
}

/** Events that are not the program's (the tracer's own bookkeeping): not steps. */
const NOT_STEPS: ReadonlySet<string> = new Set(['tracer.dropped', 'tracer.error']);

export interface ReplayOptions {
  /** Messages listed per channel in a Moment (the counts are always whole). Default 100. */
  readonly channelLimit?: number;
}

export class Replay {
  readonly steps: readonly Step[];
  /** Step times, for binary search. */
  readonly times: Float64Array;
  /** Per step: the id of its source line in `siteIds` terms (-1: none), for fast breakpoint scans. */
  readonly siteOf: Int32Array;
  /** "file:line" → id. */
  readonly siteIds: ReadonlyMap<string, number>;
  /** Every file the recorded events name. */
  readonly files: readonly string[];
  private readonly byKey = new Map<ProcessKey, number[]>();
  private readonly channelLimit: number;
  private readonly histories = new Map<ProcessKey, ReadonlyArray<{ readonly t: number; readonly node: ProcessNode }>>();
  /** Channel (and pipe end) id → the channel's kind. */
  private readonly kinds = new Map<string, ChannelKind>();

  constructor(
    readonly session: Session,
    readonly recording: Omit<Recording, 'records'>,
    events: readonly TracerEvent[],
    options: ReplayOptions = {},
  ) {
    this.channelLimit = options.channelLimit ?? 100;
    const histories = session.processHistories();
    for (const h of histories) this.histories.set(h.key, h.history);
    for (const c of session.snapshot().channels) {
      this.kinds.set(c.id, c.kind);
      for (const end of [c.detail.end0, c.detail.end1]) if (typeof end === 'string') this.kinds.set(end, c.kind);
    }
    const pidKeys = new Map<number, Array<{ key: ProcessKey; from: number }>>();
    for (const h of histories) {
      const from = h.history[0]?.node.startedMs ?? h.history[0]?.t ?? 0;
      const list = pidKeys.get(h.pid) ?? [];
      list.push({ key: h.key, from: Math.min(from, h.history[0]?.t ?? from) });
      pidKeys.set(h.pid, list);
    }
    const keyAt = (pid: number, t: number): ProcessKey | null => {
      const list = pidKeys.get(pid);
      if (!list) return null;
      let found = list[0]!.key;
      for (const k of list) if (k.from <= t) found = k.key;
      return found;
    };

    // Changes from each process's history, by time.
    const changes: StateChange[] = [];
    const changeTimes: number[] = [];
    for (const h of histories) {
      let prev: ProcessNode | null = null;
      for (const { t, node } of h.history) {
        for (const kind of changesBetween(prev, node)) {
          changes.push({ kind, pid: h.pid, key: h.key, node });
          changeTimes.push(t);
        }
        prev = node;
      }
    }

    // Events in time order (file order among equal times), then changes attached to the event
    // that caused them when one is at the same moment, else steps of their own.
    const order = events.map((e, i) => ({ e, i })).filter((x) => !NOT_STEPS.has(x.e.kind));
    order.sort((a, b) => a.e.t - b.e.t || a.i - b.i);
    type Draft = { t: number; pid: number; event: TracerEvent | null; changes: StateChange[] };
    const drafts: Draft[] = order.map(({ e }) => ({ t: e.t, pid: subjectPid(e), event: e, changes: [] }));
    const draftTimes = Float64Array.from(drafts, (d) => d.t);
    const loose: Array<{ t: number; change: StateChange }> = [];
    changes.forEach((change, k) => {
      const t = changeTimes[k]!;
      // Events at exactly this time: prefer one about this process.
      let lo = countBefore(draftTimes, t);
      let pick = -1;
      for (; lo < drafts.length && drafts[lo]!.t === t; lo++) {
        const d = drafts[lo]!;
        if (pick < 0) pick = lo;
        if (d.pid === change.pid || aboutPid(d.event, change.pid)) {
          pick = lo;
          break;
        }
      }
      if (pick >= 0) drafts[pick]!.changes.push(change);
      else loose.push({ t, change });
    });
    for (const { t, change } of loose) drafts.push({ t, pid: change.pid, event: null, changes: [change] });
    drafts.sort((a, b) => a.t - b.t || (a.event === null ? 1 : 0) - (b.event === null ? 1 : 0));

    const siteIds = new Map<string, number>();
    const files = new Set<string>();
    this.times = new Float64Array(drafts.length);
    this.siteOf = new Int32Array(drafts.length);
    this.steps = drafts.map((d, index) => {
      const site = d.event?.site ?? null;
      let id = -1;
      if (site) {
        const k = `${site.file}:${site.line}`;
        id = siteIds.get(k) ?? siteIds.size;
        siteIds.set(k, id);
        files.add(site.file);
      }
      this.times[index] = d.t;
      this.siteOf[index] = id;
      const key = keyAt(d.pid, d.t);
      if (key !== null) {
        const list = this.byKey.get(key) ?? [];
        list.push(index);
        this.byKey.set(key, list);
      }
      return { index, t: d.t, pid: d.pid, key, event: d.event, changes: d.changes, site };
    });
    this.siteIds = siteIds;
    this.files = [...files];
  }

  get length(): number {
    return this.steps.length;
  }

  /** The warnings of the recording (cut short, damaged lines), as the reader words them. */
  get warnings(): readonly string[] {
    return this.recording.warnings;
  }

  /** The steps of one process, in order. */
  stepsOf(key: ProcessKey): readonly number[] {
    return this.byKey.get(key) ?? [];
  }

  /** The last step at or before ms (0 when ms is before the first). */
  indexAt(ms: number): number {
    const n = countAtOrBefore(this.times, this.times.length, ms);
    return Math.max(0, n - 1);
  }

  /** A process as it was at ms (its earliest version before it started). */
  processAt(key: ProcessKey, ms: number): ProcessNode | null {
    const h = this.histories.get(key);
    if (!h || h.length === 0) return null;
    let lo = 0;
    let hi = h.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (h[mid]!.t <= ms) lo = mid + 1;
      else hi = mid;
    }
    return h[Math.max(0, lo - 1)]!.node;
  }

  /** The kind of the channel an id names (a pipe end's is its pipe's). */
  channelKind(id: string): ChannelKind | null {
    return this.kinds.get(id) ?? null;
  }

  /** The run at step i: the model then, the step's process, every channel's contents. */
  momentAt(i: number): Moment {
    const step = this.steps[i]!;
    const snapshot = this.session.snapshotAt(step.t);
    let process: ProcessNode | null = null;
    for (const p of snapshot.processes) if (p.key === step.key || (step.key === null && p.pid === step.pid)) process = p;
    const processes = snapshot.processes.filter((p) => (p.state !== 'exited' && p.state !== 'killed') || p.key === step.key);
    return { step, snapshot, process, channels: this.session.channelStatesAt(step.t, this.channelLimit), processes };
  }
}

/** Open a recording for time travel: read it whole, feed a Session in time order. */
export async function openReplay(path: string, options: ReplayOptions = {}): Promise<Replay> {
  const rec = await readRecording(path);
  return replayOf(rec, options);
}

/** A replay of a recording already read. */
export function replayOf(rec: Recording, options: ReplayOptions = {}): Replay {
  const { header, records, ...rest } = rec;
  const session = new Session({
    run: runInfoFromHeader(header),
    ...(header.supervisorPid ? { supervisorPid: header.supervisorPid } : {}),
  });
  const timeOf = (r: BodyRecord): number => (r.type === 'event' ? r.event.t : r.sample.t);
  const sorted = records.map((r, i) => ({ r, i })).sort((a, b) => timeOf(a.r) - timeOf(b.r) || a.i - b.i);
  const events: TracerEvent[] = [];
  for (const { r } of sorted) {
    if (r.type === 'event') {
      session.applyEvent(r.event);
      events.push(r.event);
    } else session.applySnapshot(r.sample);
  }
  if (rest.end) session.endRun(rest.end.t ?? session.snapshot().nowMs, rest.end.exitCode);
  for (const w of rest.warnings) session.addWarning(w);
  return new Replay(session, { header, ...rest }, events, options);
}

/** What a step is about: the supervisor's adopted/reaped events are about the child. */
function subjectPid(e: TracerEvent): number {
  return e.kind === 'process.adopted' || e.kind === 'process.reaped' ? e.childPid : e.pid;
}

function aboutPid(e: TracerEvent | null, pid: number): boolean {
  if (!e) return false;
  switch (e.kind) {
    case 'process.created':
    case 'process.joined':
    case 'process.died':
    case 'process.adopted':
    case 'process.reaped':
      return e.childPid === pid;
    case 'process.signal':
      return e.targetPid === pid;
    default:
      return false;
  }
}

/** The changes worth a stop between two versions of a process. */
function changesBetween(prev: ProcessNode | null, node: ProcessNode): ChangeKind[] {
  const out: ChangeKind[] = [];
  const was = prev?.state;
  if (node.state === 'zombie' && was !== 'zombie') out.push('zombie');
  if (node.orphaned && !(prev?.orphaned ?? false)) out.push('orphaned');
  if (node.state === 'killed' && was !== 'killed') out.push('killed');
  else if (node.state === 'exited' && was !== 'exited' && was !== 'killed') out.push('exited');
  return out;
}
