/**
 * The reducer: folds tracer events and sampler snapshots into one model of the run (model.ts).
 *
 * State is kept incrementally so `snapshot()` is cheap enough for views redrawing at 10 Hz with
 * hundreds of processes and 100,000 messages: a snapshot reuses the frozen objects of whatever
 * did not change since the previous one. Processes are kept by processes.ts (docs/states.md says
 * how each state and flag is decided), channels by channels.ts; the run and the lines live here.
 */
import type { ChannelKind, ChannelOp, ChannelOpEvent, SourceSite, TracerEvent } from '../protocol/events';
import type { Snapshot } from '../sampler/types';
import type { ChannelState, LineActivity, ProcessNode, RunInfo, SessionSnapshot } from './model';
import { ChannelRec, kindFromOp, OP_OTHER, OP_SENT, RECEIVE_CODES, SEND_CODES } from './channels';
import { ProcessTable } from './processes';
import { countAtOrBefore } from './timeIndex';
import { JOIN_WAIT, MAX_TIMELINE_MESSAGES, TimelineLog } from './timelineLog';
import { WaitTracker } from './waits';

const MAX_WARNINGS = 50;
const NO_OP = { id: '', channel: null, end: null } as const;

export interface Disposable {
  dispose(): void;
}

/** Send and receive times by site index, sorted, and what ops no longer kept counted (for snapshotAt). */
interface LineTimes {
  readonly version: number;
  readonly sent: Array<Float64Array | undefined>;
  readonly received: Array<Float64Array | undefined>;
  readonly sentBase: Int32Array;
  readonly receivedBase: Int32Array;
}

export interface SessionOptions {
  readonly run: Partial<RunInfo>;
  /** Messages and operations kept per channel for the views (the recording keeps all). Default 1000. */
  readonly maxMessagesPerChannel?: number;
  /** Ops each channel keeps for questions about the past (then its oldest half, counted). */
  readonly maxHistoryOps?: number;
  /** Messages the run's TimelineLog keeps (every message up to this many; then the newest half). */
  readonly maxTimelineMessages?: number;
  /**
   * The run supervisor's pid (tracer/supervisor.py): our machinery, not part of the run's tree,
   * so samples of it are ignored. Also learnt from its process.adopted/process.reaped events.
   */
  readonly supervisorPid?: number;
}

interface LineRec {
  site: SourceSite;
  /** Its index among the interned sites. */
  siteIdx: number;
  processesStarted: number[];
  sent: number;
  received: number;
  lastPreview: string | null;
  lastMs: number;
  cached: LineActivity | null;
}

export class Session {
  private run: RunInfo;
  private readonly maxMessages: number;
  private readonly maxHistoryOps: number | undefined;
  private readonly processes: ProcessTable;
  private readonly channels = new Map<string, ChannelRec>();
  private readonly channelOrder: ChannelRec[] = [];
  /** Pipe end id → (pipe id, end index). */
  private readonly pipeEnds = new Map<string, { pipe: string; end: number }>();
  /** Lines in order of first activity; and by interned site index. */
  private readonly lines: LineRec[] = [];
  private readonly lineBySite: Array<LineRec | undefined> = [];
  /** file → line → index into `sites` (two levels: no string built per event). */
  private readonly siteIndex = new Map<string, Map<number, number>>();
  private readonly sites: SourceSite[] = [];
  /** Every message and wait of the run, for the timeline (the channels keep only their newest). */
  private readonly timeline: TimelineLog;
  /** Waits in progress and the waits-for graph (waits.ts). */
  private readonly waits = new WaitTracker();
  private nowMs = 0;
  private dirty = true;
  private linesDirty = true;
  private channelsDirty = true;
  private cached: SessionSnapshot | null = null;
  private cachedChannels: SessionSnapshot['channels'] = [];
  private cachedLines: SessionSnapshot['lines'] = [];
  private readonly listeners = new Set<() => void>();
  private notifyQueued = false;
  /** The channel (and pipe end) of the latest op's id. */
  private lastOp: { readonly id: string; readonly channel: ChannelRec | null; readonly end: number | null } = NO_OP;
  /** Bumped by every channel op: the line index below is rebuilt when it moved. */
  private opsVersion = 0;
  private lineIndex: LineTimes | null = null;

  constructor(opts: SessionOptions) {
    this.maxMessages = opts.maxMessagesPerChannel ?? 1000;
    this.maxHistoryOps = opts.maxHistoryOps;
    this.timeline = new TimelineLog(this.sites, opts.maxTimelineMessages ?? MAX_TIMELINE_MESSAGES);
    this.processes = new ProcessTable(opts.supervisorPid);
    this.run = {
      script: '',
      args: [],
      python: null,
      rootPid: null,
      startedAtIso: new Date().toISOString(),
      endedMs: null,
      exitCode: null,
      droppedEvents: 0,
      lostEvents: [],
      tracerErrors: 0,
      warnings: [],
      ...opts.run,
    };
  }

  // --------------------------------------------------------------------------------------------
  // Input

  applyEvent(e: TracerEvent): void {
    this.advance(e.t);
    if (e.kind !== 'wait.begin') this.waits.noteEvent(e.pid, e.tid, e.t);
    switch (e.kind) {
      case 'hello':
        this.waits.noteMain(e.pid, e.tid);
        this.processes.applyEvent(e);
        if (e.role === 'main' && this.run.python === null) this.run = { ...this.run, python: e.python };
        if (e.role === 'main' && this.run.rootPid === null) this.run = { ...this.run, rootPid: e.pid };
        break;
      case 'process.created':
        this.processes.applyEvent(e);
        if (e.site) {
          const l = this.line(this.internSite(e.site), e.site);
          l.processesStarted.push(e.childPid);
          l.lastMs = e.t;
          l.cached = null;
          this.linesDirty = true;
        }
        break;
      case 'process.joined':
        this.timeline.wait(e.pid, e.t - e.waitedMs, e.t, JOIN_WAIT, -1, e.childPid, e.site ? this.internSite(e.site) : -1);
        this.processes.applyEvent(e);
        break;
      case 'wait.begin':
      case 'wait.end':
        // Interned now: the timeline's lane shows the open wait's line by its index among the sites.
        if (e.kind === 'wait.begin' && e.site) this.internSite(e.site);
        this.processes.applyWait(e);
        this.waits.applyWait(e, e.site ?? null);
        break;
      case 'process.running':
        this.waits.noteMain(e.pid, e.tid);
        this.processes.applyEvent(e);
        break;
      case 'process.died':
      case 'process.exit':
      case 'process.signal':
      case 'process.adopted':
      case 'process.reaped':
        this.processes.applyEvent(e);
        break;
      case 'channel.created': {
        const c = this.channel(e.id, e.channel, e.pid, e.t, true);
        c.applyCreated(e);
        this.waits.applyCreated(e.id, e.channel, e.pid, e.t, e.site ?? null, e.detail);
        if (e.channel === 'pipe' && e.detail) {
          const { end0, end1 } = e.detail;
          if (typeof end0 === 'string') this.pipeEnds.set(end0, { pipe: e.id, end: 0 });
          if (typeof end1 === 'string') this.pipeEnds.set(end1, { pipe: e.id, end: 1 });
          this.lastOp = NO_OP; // an end may have been taken for a channel of its own
        }
        this.channelsDirty = true;
        break;
      }
      case 'channel.op':
        this.onOp(e);
        this.waits.applyOp(e);
        break;
      case 'tracer.dropped': {
        const reason = e.reason ?? null;
        const lost = this.run.lostEvents;
        const i = lost.findIndex((l) => l.pid === e.pid && l.reason === reason);
        const lostEvents = i < 0 ? [...lost, { pid: e.pid, reason, count: e.count }] : lost.map((l, k) => (k === i ? { ...l, count: l.count + e.count } : l));
        this.run = { ...this.run, droppedEvents: this.run.droppedEvents + e.count, lostEvents };
        break;
      }
      case 'tracer.error':
        this.run = {
          ...this.run,
          tracerErrors: this.run.tracerErrors + 1,
          warnings: this.capWarnings([...this.run.warnings, `tracer error in ${e.pid}: ${e.message}`]),
        };
        break;
      default:
        // A newer tracer's event kind: ignored, the rest of the model still holds.
        break;
    }
    this.updateWaits();
    this.changed();
  }

  applySnapshot(s: Snapshot): void {
    this.advance(s.t);
    this.processes.applySnapshot(s, this.run.rootPid);
    this.updateWaits();
    this.changed();
  }

  /**
   * How many stalls have been found or ended so far: a recorder writes a sample that changed it
   * even when nothing else in it is new, so a replay looks again at the same moment and finds
   * the same stall (samples are the only clock between events).
   */
  stallChanges(): number {
    return this.waits.stallChanges;
  }

  /** Each process's wait and the stalls among them, when they may have changed (waits.ts). */
  private updateWaits(): void {
    if (!this.waits.due(this.nowMs)) return;
    const nodes = this.processes.nodes();
    const waits = this.waits.waitsNow(nodes);
    const stallOf = this.waits.analyse(this.nowMs, nodes, waits);
    this.processes.setWaits(waits, stallOf, this.nowMs);
  }


  /** The run ended (the launcher saw the script's exit). */
  endRun(t: number, exitCode: number | null): void {
    this.advance(t);
    this.run = { ...this.run, endedMs: t, exitCode };
    this.waits.lookAgain();
    this.updateWaits();
    this.changed();
  }

  /** Facts about the run learnt after it started (python version, root pid, a warning). */
  updateRun(patch: Partial<RunInfo>): void {
    this.run = { ...this.run, ...patch, warnings: this.capWarnings(patch.warnings ?? this.run.warnings) };
    this.changed();
  }

  addWarning(text: string): void {
    this.updateRun({ warnings: [...this.run.warnings, text] });
  }

  onDidChange(listener: () => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  // --------------------------------------------------------------------------------------------
  // Output

  snapshot(): SessionSnapshot {
    if (this.processes.dirty) this.dirty = true;
    if (this.cached && !this.dirty) return this.cached;
    if (this.channelsDirty) {
      this.cachedChannels = this.channelOrder.map((c) => c.snapshot());
      this.channelsDirty = false;
    }
    if (this.linesDirty) {
      this.cachedLines = this.lines.map(freezeLine);
      this.linesDirty = false;
    }
    this.cached = {
      run: this.run,
      nowMs: this.nowMs,
      processes: this.processes.nodes(),
      channels: this.cachedChannels,
      lines: this.cachedLines,
      stalls: this.waits.allStalls().slice(),
    };
    this.dirty = false;
    this.processes.dirty = false;
    return this.cached;
  }

  /**
   * The model as it was at `ms` (scrubbing the timeline, stepping through a recording). The first
   * call after new input builds time indexes (O(n log n)); later calls cost O(processes × log +
   * channels × (log n + the messages shown) + lines × log n).
   */
  snapshotAt(ms: number): SessionSnapshot {
    if (ms >= this.nowMs) return this.snapshot();
    this.snapshot(); // brings every process's history up to date
    const processes = this.processes.nodesAt(ms);
    const channels = [];
    for (const c of this.channelOrder) {
      const snap = c.snapshotAt(ms);
      if (snap) channels.push(snap);
    }
    const times = this.lineTimes();
    const lines: LineActivity[] = [];
    for (const l of this.lines) {
      const idx = l.siteIdx;
      const sentT = times.sent[idx];
      const receivedT = times.received[idx];
      // Ops a channel no longer keeps are counted in the base (see OpHistory).
      const sent = (times.sentBase[idx] ?? 0) + (sentT ? countAtOrBefore(sentT, sentT.length, ms) : 0);
      const received = (times.receivedBase[idx] ?? 0) + (receivedT ? countAtOrBefore(receivedT, receivedT.length, ms) : 0);
      const started = l.processesStarted.filter((pid) => {
        const startedMs = this.processes.startedMs(pid);
        return startedMs !== undefined && startedMs <= ms;
      });
      if (sent === 0 && received === 0 && started.length === 0) continue;
      lines.push({
        site: l.site,
        processesStarted: started,
        sent,
        received,
        lastPreview: null,
        lastMs: ms,
      });
    }
    const run = this.run.endedMs !== null && this.run.endedMs > ms ? { ...this.run, endedMs: null, exitCode: null } : this.run;
    const stalls = this.waits
      .allStalls()
      .filter((s) => s.foundMs <= ms)
      .map((s) => (s.endedMs !== null && s.endedMs > ms ? { ...s, endedMs: null, endedBy: null } : s));
    return { run, nowMs: ms, processes, channels, lines, stalls };
  }

  /** What each channel held at `ms`: messages in flight (at most `limit` each), holders, waiters. */
  channelStatesAt(ms: number, limit = 100): ChannelState[] {
    const states: ChannelState[] = [];
    for (const c of this.channelOrder) {
      const state = c.stateAt(ms, limit);
      if (c.createdMs <= ms || Object.keys(state.ops).length > 0) states.push(state);
    }
    return states;
  }

  /** The versions of every process over time (what snapshotAt picks from), in order of first sight. */
  processHistories(): ReadonlyArray<{ readonly key: string; readonly pid: number; readonly history: ReadonlyArray<{ readonly t: number; readonly node: ProcessNode }> }> {
    this.snapshot();
    return this.processes.histories();
  }

  /** Send and receive times of every line, sorted, rebuilt after new ops (for snapshotAt's counts). */
  private lineTimes(): LineTimes {
    if (this.lineIndex && this.lineIndex.version === this.opsVersion) return this.lineIndex;
    const nSites = this.sites.length;
    const sentN = new Int32Array(nSites);
    const recvN = new Int32Array(nSites);
    const sentBase = new Int32Array(nSites);
    const receivedBase = new Int32Array(nSites);
    for (const c of this.channelOrder) {
      const h = c.history;
      for (const [site, n] of h.droppedSent) sentBase[site]! += n;
      for (const [site, n] of h.droppedReceived) receivedBase[site]! += n;
      for (let i = 0; i < h.n; i++) {
        const site = h.site[i]!;
        if (site < 0 || h.ok[i] === 0) continue;
        if (SEND_CODES.has(h.code[i]!)) sentN[site]!++;
        else if (RECEIVE_CODES.has(h.code[i]!)) recvN[site]!++;
      }
    }
    const sent = Array.from(sentN, (n) => (n > 0 ? new Float64Array(n) : undefined));
    const received = Array.from(recvN, (n) => (n > 0 ? new Float64Array(n) : undefined));
    sentN.fill(0);
    recvN.fill(0);
    for (const c of this.channelOrder) {
      const h = c.history;
      for (let i = 0; i < h.n; i++) {
        const site = h.site[i]!;
        if (site < 0 || h.ok[i] === 0) continue;
        if (SEND_CODES.has(h.code[i]!)) sent[site]![sentN[site]!++] = h.t[i]!;
        else if (RECEIVE_CODES.has(h.code[i]!)) received[site]![recvN[site]!++] = h.t[i]!;
      }
    }
    for (const a of [...sent, ...received]) a?.sort();
    this.lineIndex = { version: this.opsVersion, sent, received, sentBase, receivedBase };
    return this.lineIndex;
  }

  /** Every message and blocking wait of the run so far, as columns (read-only for callers). */
  timelineLog(): TimelineLog {
    return this.timeline;
  }

  // --------------------------------------------------------------------------------------------
  // Channels

  private onOp(e: ChannelOpEvent): void {
    // Consecutive ops are mostly on one channel (a batch is one process's): skip the lookups then.
    let c: ChannelRec;
    let end: number | null;
    if (e.id === this.lastOp.id && this.lastOp.channel !== null) {
      c = this.lastOp.channel;
      end = this.lastOp.end;
    } else {
      const pipeEnd = this.pipeEnds.get(e.id);
      c = this.channel(pipeEnd ? pipeEnd.pipe : e.id, e.op, e.pid, e.t);
      end = pipeEnd ? pipeEnd.end : null;
      this.lastOp = { id: e.id, channel: c, end };
    }
    const siteIdx = e.site ? this.internSite(e.site) : -1;
    const r = c.applyOp(e, end, siteIdx);
    this.opsVersion++;
    this.channelsDirty = true;
    if (e.site && r !== OP_OTHER) {
      const l = this.line(siteIdx, e.site);
      if (r === OP_SENT) l.sent++;
      else l.received++;
      l.lastPreview = e.preview ?? l.lastPreview;
      l.lastMs = e.t;
      l.cached = null;
      this.linesDirty = true;
    }
  }

  /** The channel `id`, made on first sight: of the kind `created` says, or else guessed from an op. */
  private channel(id: string, created: ChannelKind | ChannelOp, pid: number, t: number, isKind = false): ChannelRec {
    let c = this.channels.get(id);
    if (!c) {
      c = new ChannelRec(id, isKind ? (created as ChannelKind) : kindFromOp(created as ChannelOp), pid, t, this.maxMessages, this.timeline, this.maxHistoryOps);
      this.channels.set(id, c);
      this.channelOrder.push(c);
    }
    return c;
  }

  private internSite(site: SourceSite): number {
    let byLine = this.siteIndex.get(site.file);
    if (byLine === undefined) this.siteIndex.set(site.file, (byLine = new Map()));
    let i = byLine.get(site.line);
    if (i === undefined) {
      i = this.sites.length;
      this.sites.push(site);
      byLine.set(site.line, i);
    }
    return i;
  }

  /** The line of interned site `siteIdx` (which is `site`). */
  private line(siteIdx: number, site: SourceSite): LineRec {
    let l = this.lineBySite[siteIdx];
    if (!l) {
      l = { site, siteIdx, processesStarted: [], sent: 0, received: 0, lastPreview: null, lastMs: 0, cached: null };
      this.lineBySite[siteIdx] = l;
      this.lines.push(l);
    }
    return l;
  }

  // --------------------------------------------------------------------------------------------

  private advance(t: number): void {
    if (t > this.nowMs) this.nowMs = t;
  }

  private capWarnings(w: readonly string[]): readonly string[] {
    return w.length > MAX_WARNINGS ? w.slice(w.length - MAX_WARNINGS) : w;
  }

  private changed(): void {
    this.dirty = true;
    if (this.notifyQueued || this.listeners.size === 0) return;
    // Coalesce: a burst of events makes one notification, after the current synchronous batch.
    this.notifyQueued = true;
    queueMicrotask(() => {
      this.notifyQueued = false;
      for (const l of [...this.listeners]) l();
    });
  }
}

function freezeLine(l: LineRec): LineActivity {
  if (!l.cached) {
    l.cached = {
      site: l.site,
      processesStarted: l.processesStarted.slice(),
      sent: l.sent,
      received: l.received,
      lastPreview: l.lastPreview,
      lastMs: l.lastMs,
    };
  }
  return l.cached;
}
