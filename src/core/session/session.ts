/**
 * The reducer: folds tracer events and sampler snapshots into one model of the run (model.ts).
 *
 * State is kept incrementally so `snapshot()` is cheap enough for views redrawing at 10 Hz with
 * hundreds of processes and 100,000 messages: a snapshot reuses the frozen objects of whatever
 * did not change since the previous one. docs/states.md says how each state and flag is decided.
 */
import type {
  ChannelOpEvent,
  HelloEvent,
  ProcessCreatedEvent,
  ProcessRole,
  SourceSite,
  StartMethod,
  TracerEvent,
} from '../protocol/events';
import type { OsState, ProcessSample, Snapshot } from '../sampler/types';
import type { LineActivity, ProcessKey, ProcessNode, ProcessState, RunInfo, SessionSnapshot } from './model';
import { ChannelRec, kindFromOp, RECEIVE_CODES, SEND_CODES } from './channels';
import { splitExitCode } from './signals';
import { JOIN_WAIT, MAX_TIMELINE_MESSAGES, TimelineLog } from './timelineLog';

/** A zombie shorter than this is ordinary reaping latency, not worth a flag. */
export const ZOMBIE_MIN_MS = 100;
const MAX_WARNINGS = 50;

export interface Disposable {
  dispose(): void;
}

export interface SessionOptions {
  readonly run: Partial<RunInfo>;
  /** Messages and operations kept per channel for the views (the recording keeps all). Default 1000. */
  readonly maxMessagesPerChannel?: number;
  /** Messages the run's TimelineLog keeps (every message up to this many; then the newest half). */
  readonly maxTimelineMessages?: number;
  /**
   * The run supervisor's pid (tracer/supervisor.py): our machinery, not part of the run's tree,
   * so samples of it are ignored. Also learnt from its process.adopted/process.reaped events.
   */
  readonly supervisorPid?: number;
}

/** Everything known about one process, mutable; `node()` freezes it for a snapshot. */
class ProcRec {
  parentPid: number | null = null;
  ppid: number | null = null;
  name = '';
  role: ProcessRole = 'external';
  startMethod: StartMethod | null = null;
  daemon = false;
  target: string | null = null;
  argv: readonly string[] = [];
  createdAt: SourceSite | null = null;
  osState: OsState | null = null;
  startedMs: number;
  /** Time it stopped running: its own exit event, or the last moment a sample saw it alive. */
  exitedMs: number | null = null;
  exitCode: number | null = null;
  signal: string | null = null;
  reapedMs: number | null = null;
  reapedBy: number | null = null;
  zombie = false;
  zombieSinceMs: number | null = null;
  orphaned = false;
  orphanedMs: number | null = null;
  adoptedBy: number | null = null;
  cpuPercent: number | null = null;
  rssBytes: number | null = null;
  traced = false;
  poolId: string | null = null;
  startTicks: number | null = null;
  /** Announced/seen running (hello, process.running or a live sample). */
  seenRunning = false;
  /** The last time a sample saw it alive and not a zombie. */
  lastAliveSampleMs: number | null = null;
  /** The first sample that saw it in state Z. */
  firstZombieSampleMs: number | null = null;
  /** A signal somebody sent it (terminate/kill), for a death the process could not report. */
  signalSent: string | null = null;
  /** The sampler reported it gone (reaped). */
  gone = false;
  /** Its parent announced it (process.created). */
  announced = false;
  /** Its OS-level parent has been seen (hello or a sample); before that `ppid` is the creator's word. */
  osPpidSeen = false;
  notes: string[] = [];

  dirty = true;
  structural = true;
  private cached: ProcessNode | null = null;
  /** Versions of the node over time, for snapshotAt (only when something other than CPU/memory changed). */
  readonly history: Array<{ t: number; node: ProcessNode }> = [];

  constructor(
    readonly key: ProcessKey,
    readonly pid: number,
    startedMs: number,
  ) {
    this.startedMs = startedMs;
  }

  get ended(): boolean {
    return this.exitedMs !== null || this.gone || this.reapedMs !== null;
  }

  state(): ProcessState {
    if (this.ended) {
      if (this.osState === 'zombie' && !this.gone && this.reapedMs === null) return 'zombie';
      return this.signal !== null ? 'killed' : 'exited';
    }
    switch (this.osState) {
      case 'zombie':
        return 'zombie';
      case 'stopped':
        return 'stopped';
      case 'sleeping':
      case 'disk-sleep':
      case 'idle':
        return 'sleeping';
      case 'running':
        return 'running';
      default:
        return this.seenRunning ? 'running' : 'starting';
    }
  }

  node(): ProcessNode {
    if (this.cached && !this.dirty) return this.cached;
    const n: ProcessNode & { notes: readonly string[] } = {
      key: this.key,
      pid: this.pid,
      parentPid: this.parentPid,
      ppid: this.ppid,
      name: this.name,
      role: this.role,
      startMethod: this.startMethod,
      daemon: this.daemon,
      target: this.target,
      argv: this.argv,
      createdAt: this.createdAt,
      state: this.state(),
      osState: this.osState,
      startedMs: this.startedMs,
      exitedMs: this.exitedMs,
      exitCode: this.exitCode,
      signal: this.signal,
      reapedMs: this.reapedMs,
      reapedBy: this.reapedBy,
      zombie: this.zombie,
      zombieSinceMs: this.zombieSinceMs,
      orphaned: this.orphaned,
      orphanedMs: this.orphanedMs,
      adoptedBy: this.adoptedBy,
      cpuPercent: this.cpuPercent,
      rssBytes: this.rssBytes,
      traced: this.traced,
      poolId: this.poolId,
      notes: this.notes.slice(),
    };
    this.cached = n;
    this.dirty = false;
    return n;
  }
}

interface LineRec {
  site: SourceSite;
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
  /** Every process ever, in order of first sight. */
  private readonly procs: ProcRec[] = [];
  private readonly byKey = new Map<ProcessKey, ProcRec>();
  /** The newest process holding each pid number. */
  private readonly byPid = new Map<number, ProcRec>();
  private readonly channels = new Map<string, ChannelRec>();
  private readonly channelOrder: ChannelRec[] = [];
  /** Pipe end id → (pipe id, end index). */
  private readonly pipeEnds = new Map<string, { pipe: string; end: number }>();
  private readonly lines = new Map<string, LineRec>();
  private readonly siteIndex = new Map<string, number>();
  private readonly sites: SourceSite[] = [];
  /** Every message and wait of the run, for the timeline (the channels keep only their newest). */
  private readonly timeline: TimelineLog;
  private nowMs = 0;
  private dirty = true;
  /** The process table has been sampled in this run: zombies need a sample's word. */
  private sampled = false;
  private linesDirty = true;
  private channelsDirty = true;
  private cached: SessionSnapshot | null = null;
  private cachedChannels: SessionSnapshot['channels'] = [];
  private cachedLines: SessionSnapshot['lines'] = [];
  private readonly listeners = new Set<() => void>();
  private notifyQueued = false;
  /** Pids that are not the run's (the supervisor). */
  private readonly hidden = new Set<number>();

  constructor(opts: SessionOptions) {
    this.maxMessages = opts.maxMessagesPerChannel ?? 1000;
    this.timeline = new TimelineLog(this.sites, opts.maxTimelineMessages ?? MAX_TIMELINE_MESSAGES);
    if (opts.supervisorPid !== undefined) this.hidden.add(opts.supervisorPid);
    this.run = {
      script: '',
      args: [],
      python: null,
      rootPid: null,
      startedAtIso: new Date().toISOString(),
      endedMs: null,
      exitCode: null,
      droppedEvents: 0,
      tracerErrors: 0,
      warnings: [],
      ...opts.run,
    };
  }

  // --------------------------------------------------------------------------------------------
  // Input

  applyEvent(e: TracerEvent): void {
    this.advance(e.t);
    switch (e.kind) {
      case 'hello':
        this.onHello(e);
        break;
      case 'process.created':
        this.onCreated(e);
        break;
      case 'process.running': {
        const p = this.proc(e.pid, e.t, e.ppid);
        p.name = e.name;
        p.role = e.role;
        p.daemon = e.daemon;
        p.traced = true;
        p.seenRunning = true;
        this.touch(p, e.t);
        break;
      }
      case 'process.exit': {
        const p = this.proc(e.pid, e.t, e.ppid);
        p.exitedMs = e.t;
        if (e.exitCode !== null) {
          const s = splitExitCode(e.exitCode);
          p.exitCode = s.exitCode;
          if (s.signal) p.signal = s.signal;
        }
        if (e.how === 'signal' && e.signal) p.signal = e.signal;
        if (e.how === 'exception' && e.error) this.note(p, `Raised ${e.error}.`);
        this.touch(p, e.t);
        break;
      }
      case 'process.joined': {
        this.timeline.wait(e.pid, e.t - e.waitedMs, e.t, JOIN_WAIT, -1, e.childPid, e.site ? this.internSite(e.site) : -1);
        if (e.stillAlive) break;
        const p = this.byPid.get(e.childPid);
        if (!p) break;
        this.reaped(p, e.t, e.pid, e.exitCode);
        break;
      }
      case 'process.signal': {
        const p = this.byPid.get(e.targetPid);
        if (p && !p.ended) {
          p.signalSent = e.signal;
          this.touch(p, e.t);
        }
        break;
      }
      case 'process.adopted': {
        this.hideSupervisor(e.pid);
        const p = this.proc(e.childPid, e.t, null);
        this.reparent(p, e.pid, e.t);
        break;
      }
      case 'process.reaped': {
        this.hideSupervisor(e.pid);
        const p = this.byPid.get(e.childPid);
        if (!p) break;
        const code = e.signal ? null : e.exitCode;
        if (e.signal) p.signal = e.signal;
        this.reaped(p, e.t, e.pid, code);
        break;
      }
      case 'channel.created': {
        const c = this.channel(e.id, e.channel, e.pid, e.t);
        c.applyCreated(e);
        if (e.channel === 'pipe' && e.detail) {
          const { end0, end1 } = e.detail;
          if (typeof end0 === 'string') this.pipeEnds.set(end0, { pipe: e.id, end: 0 });
          if (typeof end1 === 'string') this.pipeEnds.set(end1, { pipe: e.id, end: 1 });
        }
        this.channelsDirty = true;
        break;
      }
      case 'channel.op':
        this.onOp(e);
        break;
      case 'tracer.dropped':
        this.run = { ...this.run, droppedEvents: this.run.droppedEvents + e.count };
        break;
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
    this.changed();
  }

  applySnapshot(s: Snapshot): void {
    this.advance(s.t);
    this.sampled = true;
    for (const sample of s.processes) if (!this.hidden.has(sample.pid)) this.onSample(sample, s.t);
    for (const pid of s.gone) {
      const p = this.byPid.get(pid);
      if (!p || p.gone) continue;
      p.gone = true;
      if (p.exitedMs === null) p.exitedMs = p.lastAliveSampleMs ?? s.t;
      if (p.signal === null && p.signalSent !== null && p.exitCode === null) p.signal = p.signalSent;
      if (p.reapedMs === null) {
        p.reapedMs = s.t;
        p.reapedBy = p.ppid;
      }
      p.cpuPercent = null;
      this.judgeZombie(p, s.t);
      this.touch(p, s.t);
    }
    this.changed();
  }

  /** The run ended (the launcher saw the script's exit). */
  endRun(t: number, exitCode: number | null): void {
    this.advance(t);
    this.run = { ...this.run, endedMs: t, exitCode };
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
    this.refreshOpenZombies();
    if (this.cached && !this.dirty) return this.cached;
    if (this.channelsDirty) {
      this.cachedChannels = this.channelOrder.map((c) => c.snapshot());
      this.channelsDirty = false;
    }
    if (this.linesDirty) {
      this.cachedLines = [...this.lines.values()].map(freezeLine);
      this.linesDirty = false;
    }
    this.cached = {
      run: this.run,
      nowMs: this.nowMs,
      processes: this.procs.map((p) => p.node()),
      channels: this.cachedChannels,
      lines: this.cachedLines,
    };
    this.dirty = false;
    return this.cached;
  }

  /** The model as it was at `ms` (for scrubbing a timeline). Costs O(processes + operations). */
  snapshotAt(ms: number): SessionSnapshot {
    if (ms >= this.nowMs) return this.snapshot();
    this.snapshot(); // brings every process's history up to date
    const processes: ProcessNode[] = [];
    for (const p of this.procs) {
      if (p.startedMs > ms) continue;
      const h = p.history;
      let lo = 0;
      let hi = h.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (h[mid]!.t <= ms) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      processes.push(found >= 0 ? h[found]!.node : h[0]?.node ?? p.node());
    }
    const channels = [];
    // Sent and received counts per interned site: [2 * site] sent, [2 * site + 1] received.
    const lineCounts = new Int32Array(this.sites.length * 2);
    for (const c of this.channelOrder) {
      const snap = c.snapshotAt(ms);
      if (snap) channels.push(snap);
      const hist = c.history;
      for (let i = 0; i < hist.n; i++) {
        const siteIdx = hist.site[i]!;
        if (siteIdx < 0 || hist.t[i]! > ms) continue;
        const op = hist.code[i]!;
        if (SEND_CODES.has(op)) lineCounts[2 * siteIdx]!++;
        else if (RECEIVE_CODES.has(op)) lineCounts[2 * siteIdx + 1]!++;
      }
    }
    const lines: LineActivity[] = [];
    for (const l of this.lines.values()) {
      const idx = this.siteIndex.get(siteKey(l.site))!;
      const sent = lineCounts[2 * idx] ?? 0;
      const received = lineCounts[2 * idx + 1] ?? 0;
      const started = l.processesStarted.filter((pid) => {
        const p = this.byPid.get(pid);
        return p !== undefined && p.startedMs <= ms;
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
    return { run, nowMs: ms, processes, channels, lines };
  }

  /** Every message and blocking wait of the run so far, as columns (read-only for callers). */
  timelineLog(): TimelineLog {
    return this.timeline;
  }

  /** The process currently holding a pid (the newest one when the pid was reused). */
  processByPid(pid: number): ProcessNode | undefined {
    return this.byPid.get(pid)?.node();
  }

  // --------------------------------------------------------------------------------------------
  // Processes

  /** The supervisor spoke: drop what samples made of it (it never says hello). */
  private hideSupervisor(pid: number): void {
    if (this.hidden.has(pid)) return;
    this.hidden.add(pid);
    const p = this.byPid.get(pid);
    if (p && !p.traced) {
      this.procs.splice(this.procs.indexOf(p), 1);
      this.byKey.delete(p.key);
      this.byPid.delete(pid);
      this.dirty = true;
    }
  }

  private onHello(e: HelloEvent): void {
    // The script's parent is the run supervisor (or whatever launched it): never part of the run.
    if (e.role === 'main' && e.ppid > 1) this.hideSupervisor(e.ppid);
    let p = this.byPid.get(e.pid);
    if (p && e.startTicks !== undefined && p.startTicks !== null && p.startTicks !== e.startTicks) p = undefined;
    if (p && p.ended && p.traced) p = undefined; // a second hello from a finished pid: a reuse
    if (!p) p = this.newProc(e.pid, e.t, e.startTicks ?? null);
    if (e.t < p.startedMs) p.startedMs = e.t;
    if (e.startTicks !== undefined) p.startTicks = e.startTicks;
    // An os.fork() child inherits the name "MainProcess"; the creator's word ("os.fork") says more.
    if (!(e.name === 'MainProcess' && e.role !== 'main' && p.name !== '')) p.name = e.name;
    p.role = e.role;
    p.argv = e.argv;
    p.traced = true;
    p.seenRunning = true;
    if (e.startMethod) p.startMethod = e.startMethod;
    if (p.parentPid === null) p.parentPid = e.ppid;
    this.observePpid(p, e.ppid, e.t);
    if (e.role === 'main' && this.run.python === null) this.run = { ...this.run, python: e.python };
    if (e.role === 'main' && this.run.rootPid === null) this.run = { ...this.run, rootPid: e.pid };
    this.touch(p, e.t);
  }

  private onCreated(e: ProcessCreatedEvent): void {
    let p = this.byPid.get(e.childPid);
    // A pid that was already announced and ended, announced again, is a new process with a reused
    // number. One not yet announced is this very child: its own events (even its exit) can arrive
    // before its parent's word that it was created.
    if (p && p.ended && p.announced) p = undefined;
    if (!p) p = this.newProc(e.childPid, e.t, null);
    p.announced = true;
    p.startedMs = Math.min(p.startedMs, e.t);
    p.parentPid = e.pid;
    if (p.ppid === null) p.ppid = e.pid;
    // The child's own hello may have come first with the same facts; creation adds the site.
    if (!p.traced || p.name === '' || (p.name === 'MainProcess' && p.role !== 'main')) p.name = e.name;
    if (!p.traced) p.role = e.role;
    p.daemon = e.daemon;
    p.startMethod = e.startMethod;
    p.target = e.target ?? null;
    if (e.argv && p.argv.length === 0) p.argv = e.argv;
    p.createdAt = e.site ?? null;
    this.touch(p, e.t);
    if (e.site) {
      const l = this.line(e.site);
      l.processesStarted.push(e.childPid);
      l.lastMs = e.t;
      l.cached = null;
      this.linesDirty = true;
    }
  }

  private onSample(s: ProcessSample, t: number): void {
    let p = this.byPid.get(s.pid);
    if (p && p.startTicks !== null && p.startTicks !== s.startTicks) {
      // The pid was reused: the one we knew is gone.
      if (!p.gone) {
        p.gone = true;
        if (p.exitedMs === null) p.exitedMs = p.lastAliveSampleMs ?? t;
        this.touch(p, t);
      }
      p = undefined;
    }
    if (p && p.gone) p = undefined;
    if (!p) {
      // Another child of the supervisor than the script (our machinery): not the run's.
      if (this.hidden.has(s.ppid) && s.pid !== this.run.rootPid) return;
      p = this.newProc(s.pid, t, s.startTicks);
      p.parentPid = s.ppid;
      p.ppid = s.ppid;
      p.role = s.pid === this.run.rootPid ? 'main' : 'external';
      p.name = commandName(s.command);
      p.argv = s.command.split(' ');
    }
    if (p.startTicks === null) p.startTicks = s.startTicks;
    const structural = p.osState !== s.state;
    p.osState = s.state;
    p.cpuPercent = s.cpuPercent;
    p.rssBytes = s.rssBytes;
    if (!p.traced && (p.name === '' || p.argv.length === 0)) {
      p.name = commandName(s.command);
      p.argv = s.command.split(' ');
    }
    if (s.state === 'zombie') {
      p.firstZombieSampleMs ??= t;
      if (p.exitedMs === null) p.exitedMs = p.lastAliveSampleMs ?? t;
      if (p.signal === null && p.signalSent !== null && p.exitCode === null) p.signal = p.signalSent;
      this.judgeZombie(p, t);
    } else {
      p.seenRunning = true;
      p.lastAliveSampleMs = t;
    }
    this.observePpid(p, s.ppid, t);
    if (structural) this.touch(p, t);
    else {
      p.dirty = true;
      this.dirty = true;
    }
  }

  /** A new parent pid was seen: unless it is the parent at creation, the process was orphaned. */
  private observePpid(p: ProcRec, ppid: number, t: number): void {
    if (ppid <= 0) return;
    if (!p.osPpidSeen) {
      p.osPpidSeen = true;
      // The OS parent may differ from the creator without any orphaning: forkserver children
      // are forked by the forkserver. It is an orphan only if the creator already ended.
      const creator = p.parentPid !== null ? this.byPid.get(p.parentPid) : undefined;
      if (ppid !== p.parentPid && p.parentPid !== null && creator?.ended) {
        this.reparent(p, ppid, t);
        return;
      }
      p.ppid = ppid;
      if (p.parentPid === null) p.parentPid = ppid;
      return;
    }
    if (ppid === p.ppid) return;
    this.reparent(p, ppid, t);
  }

  private reparent(p: ProcRec, newParent: number, t: number): void {
    if (p.ppid === newParent && p.orphaned) return;
    const oldParent = p.ppid ?? p.parentPid;
    p.ppid = newParent;
    p.osPpidSeen = true;
    if (newParent === oldParent) return;
    if (!p.orphaned) {
      p.orphaned = true;
      const parent = oldParent !== null ? this.byPid.get(oldParent) : undefined;
      p.orphanedMs = parent?.exitedMs !== null && parent?.exitedMs !== undefined ? Math.min(parent.exitedMs, t) : t;
      this.note(
        p,
        `Orphaned: its parent ${oldParent ?? '?'} ended while it was still running; adopted by ${
          newParent === 1 ? 'init (pid 1)' : `pid ${newParent}`
        }.`,
      );
    }
    p.adoptedBy = newParent;
    this.touch(p, t);
  }

  private reaped(p: ProcRec, t: number, by: number, exitCode: number | null | undefined): void {
    if (p.exitedMs === null) p.exitedMs = Math.min(t, p.lastAliveSampleMs !== null ? Math.max(p.lastAliveSampleMs, p.startedMs) : t);
    if (exitCode !== null && exitCode !== undefined) {
      const s = splitExitCode(exitCode);
      p.exitCode = s.exitCode;
      if (s.signal) p.signal = s.signal;
    } else if (p.signal === null && p.signalSent !== null && p.exitCode === null) {
      p.signal = p.signalSent;
    }
    if (p.reapedMs === null || t < p.reapedMs) {
      p.reapedMs = t;
      p.reapedBy = by;
    }
    this.judgeZombie(p, t);
    this.touch(p, t);
  }

  /**
   * Zombie: it had exited and its parent had not waited yet, for at least ZOMBIE_MIN_MS.
   *
   * When the process table is sampled, a sample in state Z is required: a process's own exit
   * event comes before interpreter shutdown (atexit, queue feeder threads, flushing), which can
   * take longer than 100 ms, so "exit event → reap" alone overstates. It died between the last
   * sample that saw it alive (or its exit event, if later) and the first sample that saw it a
   * zombie; the middle of that window is the estimate. Without any samples (a recording made
   * without the sampler), the exit event and the reap are all there is.
   */
  private judgeZombie(p: ProcRec, t: number): void {
    if (p.exitedMs === null) return;
    let died: number;
    if (p.firstZombieSampleMs !== null) {
      const lo = Math.max(p.exitedMs, p.lastAliveSampleMs ?? -Infinity);
      died = lo <= p.firstZombieSampleMs ? (lo + p.firstZombieSampleMs) / 2 : p.firstZombieSampleMs;
    } else if (!this.sampled) {
      died = p.exitedMs;
    } else return;
    const until = p.reapedMs ?? (!p.gone ? t : null);
    if (until === null) return;
    if (p.zombieSinceMs === null && (p.firstZombieSampleMs !== null || until - died >= ZOMBIE_MIN_MS)) p.zombieSinceMs = died;
    if (!p.zombie && until - died >= ZOMBIE_MIN_MS) {
      p.zombie = true;
      p.zombieSinceMs = died;
      const parent = p.parentPid ?? p.ppid;
      const line = p.createdAt ? ` started at ${baseName(p.createdAt.file)}:${p.createdAt.line}` : '';
      this.note(
        p,
        `Zombie: exited at ${fmtMs(died)}${line}, but its parent ${parent ?? '?'} had not joined (waited for) it${
          p.reapedMs !== null ? ` until ${fmtMs(p.reapedMs)}` : ' yet'
        }.`,
      );
      this.touch(p, t);
    }
  }

  /** Zombies still unreaped grow older with time: re-judge them when the clock moved. */
  private refreshOpenZombies(): void {
    // Only processes seen as Z and not yet flagged can change; cheap on typical runs.
    for (const p of this.openZombies) {
      if (p.zombie || p.gone || p.reapedMs !== null) {
        this.openZombies.delete(p);
        continue;
      }
      this.judgeZombie(p, this.nowMs);
    }
  }
  private readonly openZombies = new Set<ProcRec>();

  private newProc(pid: number, t: number, startTicks: number | null): ProcRec {
    const reuse = this.procs.some((q) => q.pid === pid);
    const key = !reuse ? String(pid) : startTicks !== null ? `${pid}@${startTicks}` : `${pid}#${this.procs.length}`;
    const p = new ProcRec(key, pid, t);
    p.startTicks = startTicks;
    this.procs.push(p);
    this.byKey.set(key, p);
    this.byPid.set(pid, p);
    this.dirty = true;
    return p;
  }

  /** The current process with this pid, created on first sight. */
  private proc(pid: number, t: number, ppid: number | null): ProcRec {
    let p = this.byPid.get(pid);
    // Events of different processes race: whatever it did first bounds when it started.
    if (p && t < p.startedMs) p.startedMs = t;
    if (!p) {
      p = this.newProc(pid, t, null);
      if (ppid !== null) {
        p.parentPid = ppid;
        p.ppid = ppid;
      }
    } else if (ppid !== null) this.observePpid(p, ppid, t);
    return p;
  }

  private touch(p: ProcRec, t: number): void {
    p.dirty = true;
    this.dirty = true;
    if (p.osState === 'zombie' && !p.zombie) this.openZombies.add(p);
    const node = p.node();
    const last = p.history[p.history.length - 1];
    const at = Math.max(t, last?.t ?? -Infinity);
    if (last && last.t === at) last.node = node;
    else p.history.push({ t: at, node });
  }

  private note(p: ProcRec, text: string): void {
    if (!p.notes.includes(text)) p.notes.push(text);
  }

  // --------------------------------------------------------------------------------------------
  // Channels

  private onOp(e: ChannelOpEvent): void {
    const end = this.pipeEnds.get(e.id);
    const id = end ? end.pipe : e.id;
    const c = this.channel(id, kindFromOp(e.op), e.pid, e.t);
    const siteIdx = e.site ? this.internSite(e.site) : -1;
    const r = c.applyOp(e, end ? end.end : null, siteIdx);
    this.channelsDirty = true;
    if (e.site && (r.sent || r.received)) {
      const l = this.line(e.site);
      if (r.sent) l.sent++;
      else l.received++;
      l.lastPreview = e.preview ?? l.lastPreview;
      l.lastMs = e.t;
      l.cached = null;
      this.linesDirty = true;
    }
  }

  private channel(id: string, kind: ReturnType<typeof kindFromOp>, pid: number, t: number): ChannelRec {
    let c = this.channels.get(id);
    if (!c) {
      c = new ChannelRec(id, kind, pid, t, this.maxMessages, this.timeline);
      this.channels.set(id, c);
      this.channelOrder.push(c);
    }
    return c;
  }

  private internSite(site: SourceSite): number {
    const k = siteKey(site);
    let i = this.siteIndex.get(k);
    if (i === undefined) {
      i = this.sites.length;
      this.sites.push(site);
      this.siteIndex.set(k, i);
    }
    return i;
  }

  private line(site: SourceSite): LineRec {
    const k = siteKey(site);
    let l = this.lines.get(k);
    if (!l) {
      this.internSite(site);
      l = { site, processesStarted: [], sent: 0, received: 0, lastPreview: null, lastMs: 0, cached: null };
      this.lines.set(k, l);
    }
    return l;
  }

  // --------------------------------------------------------------------------------------------

  private advance(t: number): void {
    if (t > this.nowMs) {
      this.nowMs = t;
      if (this.openZombies.size > 0) this.dirty = true;
    }
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

function siteKey(s: SourceSite): string {
  return `${s.file}:${s.line}`;
}

function baseName(file: string): string {
  const i = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return i >= 0 ? file.slice(i + 1) : file;
}

function fmtMs(ms: number): string {
  return `${Math.round(ms)} ms`;
}

/** A display name for a process only the sampler saw: its program's base name. */
function commandName(command: string): string {
  const first = command.split(' ')[0] ?? command;
  return baseName(first) || command;
}
