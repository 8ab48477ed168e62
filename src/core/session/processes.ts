/**
 * The process half of the reducer: every process of the run, folded from the tracer's lifecycle
 * events (hello, created, running, exit, joined, signal; the supervisor's adopted and reaped) and
 * the sampler's snapshots. Decides states, zombies and orphans as docs/states.md says; the
 * Session (session.ts) routes events here and keeps the run, channels and lines itself.
 */
import type {
  HelloEvent,
  ProcessDiedEvent,
  WaitBeginEvent,
  WaitEndEvent,
  ProcessAdoptedEvent,
  ProcessCreatedEvent,
  ProcessExitEvent,
  ProcessJoinedEvent,
  ProcessReapedEvent,
  ProcessRole,
  ProcessRunningEvent,
  ProcessSignalEvent,
  SourceSite,
  StartMethod,
} from '../protocol/events';
import type { OsState, ProcessSample, Snapshot } from '../sampler/types';
import type { ProcessKey, ProcessNode, ProcessState, ProcessWait } from './model';
import { splitExitCode } from './signals';

/** A zombie shorter than this is ordinary reaping latency, not worth a flag. */
export const ZOMBIE_MIN_MS = 100;

/** The events about processes (the rest are channels and the tracer's own). */
export type ProcessEvent =
  | HelloEvent
  | ProcessCreatedEvent
  | ProcessRunningEvent
  | ProcessExitEvent
  | ProcessJoinedEvent
  | ProcessDiedEvent
  | ProcessSignalEvent
  | ProcessAdoptedEvent
  | ProcessReapedEvent;

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
  /**
   * exitCode and signal are its reaper's wait status (process.reaped, process.joined): the
   * kernel's word, which its own exit event, possibly read later, does not change (a SIGKILL can
   * land while a process that stamped its SIGTERM exit still flushes).
   */
  statusFromReaper = false;
  error: string | null = null;
  reapedMs: number | null = null;
  reapedBy: number | null = null;
  zombie = false;
  zombieSinceMs: number | null = null;
  /**
   * Seen as Z while its reaper is known to be in the call that reaps it: the supervisor's child
   * (the main process, an adopted orphan: it sits in waitpid for all of them), or a child whose
   * parent was already blocked in join/waitpid for it when it died. Dying, not a zombie: shown as
   * ended until the reaping's own event says whether a reaper that did not run in time made one.
   */
  beingReaped = false;
  orphaned = false;
  orphanedMs: number | null = null;
  adoptedBy: number | null = null;
  adoptedBySupervisor = false;
  /** `name` is only its command's base name, from a sample: any word of the tracer's replaces it. */
  nameFromSample = false;
  cpuPercent: number | null = null;
  rssBytes: number | null = null;
  traced = false;
  poolId: string | null = null;
  /** The wait it is in now: its main thread's, else its other threads' oldest (the Session's waits module decides it). */
  wait: ProcessWait | null = null;
  startTicks: number | null = null;
  /** Announced/seen running (hello, process.running or a live sample). */
  seenRunning = false;
  /** The last time a sample saw it alive and not a zombie. */
  lastAliveSampleMs: number | null = null;
  /** The first sample that saw it in state Z. */
  firstZombieSampleMs: number | null = null;
  /** The last sample that saw it in state Z: not reaped yet then. */
  lastZombieSampleMs: number | null = null;
  /** Its own process.exit: the last moment its Python ran (it died after). */
  exitEventMs: number | null = null;
  /** Its parent saw it dead (process.died) at this time, and alive at aliveSeenMs. */
  deathSeenMs: number | null = null;
  aliveSeenMs: number | null = null;
  /** When the kernel says it died (deadMs of process.died or process.joined): the best evidence. */
  kernelDeathMs: number | null = null;
  /** When its OS parent's call that reaped it (join, waitpid, poll) began. */
  reapBeganMs: number | null = null;
  /**
   * Reaped by the run supervisor: when its waitpid began. For an adopted orphan the supervisor
   * became its parent only when its creator died, so the reaping began at the later of the two.
   */
  supervisorWaitBeganMs: number | null = null;
  supervisorAdopted = false;
  /** A signal somebody sent it (terminate/kill), for a death the process could not report. */
  signalSent: string | null = null;
  signalSentMs: number | null = null;
  /** The sampler reported it gone (reaped). */
  gone = false;
  /** Its parent announced it (process.created). */
  announced = false;
  /** Its OS-level parent has been seen (hello or a sample); before that `ppid` is the creator's word. */
  osPpidSeen = false;

  dirty = true;
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
    // Blocked in a reported wait; also after its exit event while it flushes a Queue at exit.
    if (this.wait !== null && !this.gone && this.reapedMs === null && this.deathSeenMs === null && this.osState !== 'zombie') return 'waiting';
    if (this.ended) {
      if (this.osState === 'zombie' && !this.gone && this.reapedMs === null && !this.beingReaped) return 'zombie';
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
    const n: ProcessNode = {
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
      error: this.error,
      reapedMs: this.reapedMs,
      reapedBy: this.reapedBy,
      zombie: this.zombie,
      zombieSinceMs: this.zombieSinceMs,
      orphaned: this.orphaned,
      orphanedMs: this.orphanedMs,
      adoptedBy: this.adoptedBy,
      adoptedBySupervisor: this.adoptedBySupervisor,
      cpuPercent: this.cpuPercent,
      rssBytes: this.rssBytes,
      traced: this.traced,
      poolId: this.poolId,
      wait: this.wait,
    };
    this.cached = n;
    this.dirty = false;
    return n;
  }
}

/** Every process of one run, in order of first sight, with pid reuse told apart. */
export class ProcessTable {
  /** Every process ever, in order of first sight. */
  private readonly procs: ProcRec[] = [];
  /** The newest process holding each pid number. */
  private readonly byPid = new Map<number, ProcRec>();
  /** Pids that are not the run's (the supervisor). */
  private readonly hidden = new Set<number>();
  /**
   * Blocking waits in progress for children (wait.begin of op join/waitpid), by "pid:tid" of the
   * waiting thread; and when each such thread last ended a wait (its begin may arrive after).
   */
  private readonly openWaits = new Map<string, { readonly pid: number; readonly t: number; readonly childPid: number }>();
  private readonly waitEnded = new Map<string, number>();
  /** Orphans the supervisor reaped, by creator pid: judged again when their creator's death is. */
  private readonly supervisorReaped = new Map<number, ProcRec[]>();
  /** Something changed since the owner last looked (it clears this). */
  dirty = true;

  constructor(supervisorPid?: number) {
    if (supervisorPid !== undefined) this.hidden.add(supervisorPid);
  }

  // --------------------------------------------------------------------------------------------
  // Input

  applyEvent(e: ProcessEvent): void {
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
        p.nameFromSample = false;
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
        p.exitEventMs = e.t;
        if (e.exitCode !== null && !p.statusFromReaper) {
          const s = splitExitCode(e.exitCode);
          p.exitCode = s.exitCode;
          if (s.signal) p.signal = s.signal;
        }
        if (e.how === 'signal' && e.signal && !p.statusFromReaper) p.signal = e.signal;
        if (e.how === 'exception' && e.error) p.error = e.error;
        this.touch(p, e.t);
        this.judgeZombie(p, e.t); // its parent's reaping may have arrived first
        break;
      }
      case 'process.joined': {
        this.waitOver(e.pid, e.tid, e.t);
        if (e.stillAlive) break;
        const p = this.byPid.get(e.childPid);
        if (!p) break;
        // The call that reaped it began waitedMs earlier, if the joiner is its OS parent. A
        // forkserver child is reaped by the forkserver; its creator's join only hears of it.
        const reaper = p.startMethod !== 'forkserver' && (!p.osPpidSeen || p.ppid === e.pid);
        if (reaper && (p.reapBeganMs === null || e.t - e.waitedMs < p.reapBeganMs)) p.reapBeganMs = e.t - e.waitedMs;
        // Its parent knew it alive then (its sentinel): it died later.
        if (reaper && e.aliveMs !== undefined && e.aliveMs !== null) p.aliveSeenMs = Math.max(p.aliveSeenMs ?? -Infinity, e.t - e.aliveMs);
        if (e.deadMs !== undefined && e.deadMs !== null) p.kernelDeathMs = e.t - e.deadMs;
        this.reaped(p, e.t, e.pid, e.exitCode);
        break;
      }
      case 'process.died': {
        const p = this.byPid.get(e.childPid);
        if (!p) break;
        p.deathSeenMs = Math.min(p.deathSeenMs ?? Infinity, e.t);
        // A forkserver child's sentinel tells only once the forkserver reaped it: no word on when
        // it was alive.
        if (p.startMethod !== 'forkserver') p.aliveSeenMs = Math.max(p.aliveSeenMs ?? -Infinity, e.t - e.windowMs);
        if (e.deadMs !== undefined && e.deadMs !== null) p.kernelDeathMs = e.t - e.deadMs;
        this.judgeZombie(p, e.t);
        break;
      }
      case 'process.signal': {
        const p = this.byPid.get(e.targetPid);
        if (p && !p.ended) {
          p.signalSent = e.signal;
          p.signalSentMs = e.t;
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
        if (e.signal) {
          p.signal = e.signal;
          p.exitCode = null;
          p.statusFromReaper = true;
        }
        if (typeof e.waitedMs === 'number' && e.waitedMs >= 0) {
          p.supervisorWaitBeganMs = e.t - e.waitedMs;
          p.supervisorAdopted = e.adopted;
          if (e.adopted && p.parentPid !== null) {
            const list = this.supervisorReaped.get(p.parentPid);
            if (list) list.push(p);
            else this.supervisorReaped.set(p.parentPid, [p]);
          }
        }
        this.reaped(p, e.t, e.pid, code);
        break;
      }
    }
  }

  /**
   * A wait in progress began or ended (docs/protocol.md, "Waits in progress"). Only waits for
   * children matter here: a parent blocked in one when its child dies leaves no zombie.
   */
  applyWait(e: WaitBeginEvent | WaitEndEvent): void {
    if (e.kind === 'wait.end') {
      this.waitOver(e.pid, e.tid, e.t);
      return;
    }
    if ((e.op !== 'join' && e.op !== 'waitpid') || e.tid === undefined) return;
    const key = `${e.pid}:${e.tid}`;
    const ended = this.waitEnded.get(key);
    if (ended !== undefined && ended >= e.t) return; // its end came first
    this.openWaits.set(key, { pid: e.pid, t: e.t, childPid: e.childPid ?? -1 });
    // A child already seen as a zombie may turn out to have had its parent waiting all along.
    for (const p of this.procs) if (p.lastZombieSampleMs !== null && p.reapedMs === null && !p.gone) this.judgeZombie(p, e.t);
  }

  /** An event of thread `tid` of `pid` at `t`: a wait of that thread that began before it is over. */
  private waitOver(pid: number, tid: number | undefined, t: number): void {
    if (tid === undefined) return;
    const key = `${pid}:${tid}`;
    this.waitEnded.set(key, Math.max(t, this.waitEnded.get(key) ?? -Infinity));
    const w = this.openWaits.get(key);
    if (w && w.t <= t) this.openWaits.delete(key);
  }

  /**
   * Every process's wait in progress now (waits.ts decides them, with the stall each is part of);
   * a process not in `waits` waits for nothing.
   */
  setWaits(waits: ReadonlyMap<number, ProcessWait>, stallOf: ReadonlyMap<number, string>, t: number): void {
    for (const p of this.byPid.values()) {
      const w = waits.get(p.pid);
      const stallId = stallOf.get(p.pid) ?? null;
      if (!w) {
        if (p.wait !== null) {
          p.wait = null;
          this.touch(p, t);
        }
        continue;
      }
      const cur = p.wait;
      if (cur && cur.sinceMs === w.sinceMs && cur.op === w.op && cur.channelId === w.channelId && cur.childPid === w.childPid && cur.stallId === stallId) continue;
      p.wait = stallId === w.stallId ? w : { ...w, stallId };
      this.touch(p, t);
    }
  }

  /** A parent's wait in progress that covers `p` (for it, or for any child). */
  private parentWaiting(p: ProcRec): { readonly t: number } | undefined {
    if (this.openWaits.size === 0 || p.ppid === null) return undefined;
    for (const w of this.openWaits.values()) if (w.pid === p.ppid && (w.childPid === p.pid || w.childPid <= 0)) return w;
    return undefined;
  }

  /** A sampler snapshot; `rootPid` is the script's pid when known (a sample of it is the main process). */
  applySnapshot(s: Snapshot, rootPid: number | null): void {
    // A sample's reads take time (long on a busy machine): what it saw alive was alive at its
    // start or later, what it saw dead or gone was so by its end. Each is dated on its safe side.
    const end = s.tEnd !== undefined && s.tEnd >= s.t ? s.tEnd : s.t;
    for (const sample of s.processes) if (!this.hidden.has(sample.pid)) this.onSample(sample, s.t, end, rootPid);
    for (const pid of s.gone) {
      const p = this.byPid.get(pid);
      if (!p || p.gone) continue;
      p.gone = true;
      if (p.exitedMs === null) p.exitedMs = p.lastAliveSampleMs ?? end;
      if (p.signal === null && p.signalSent !== null && p.exitCode === null) p.signal = p.signalSent;
      if (p.reapedMs === null) {
        p.reapedMs = end;
        p.reapedBy = p.ppid;
      }
      p.cpuPercent = null;
      this.judgeZombie(p, end);
      this.touch(p, end);
    }
  }

  // --------------------------------------------------------------------------------------------
  // Output

  /** Every process now, in order of first sight (unchanged ones keep their object identity). */
  nodes(): ProcessNode[] {
    return this.procs.map((p) => p.node());
  }

  /** Every process as it was at `ms` (the ones started by then). */
  nodesAt(ms: number): ProcessNode[] {
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
    return processes;
  }

  /** Every process's versions over time, in order of first sight (for stepping through a recording). */
  histories(): Array<{ key: string; pid: number; history: ReadonlyArray<{ t: number; node: ProcessNode }> }> {
    return this.procs.map((p) => ({ key: p.key, pid: p.pid, history: p.history }));
  }

  /** When the process now holding `pid` started (the newest one when the pid was reused). */
  startedMs(pid: number): number | undefined {
    return this.byPid.get(pid)?.startedMs;
  }

  // --------------------------------------------------------------------------------------------
  // Processes

  /** The supervisor spoke: drop what samples made of it (it never says hello). */
  private hideSupervisor(pid: number): void {
    if (this.hidden.has(pid)) return;
    this.hidden.add(pid);
    // Orphans a sample saw re-parented to it before its first event said what it is.
    for (const q of this.procs) {
      if (q.adoptedBy === pid && !q.adoptedBySupervisor) {
        q.adoptedBySupervisor = true;
        this.touch(q, q.history[q.history.length - 1]?.t ?? q.startedMs); // its latest version says so
      }
    }
    const p = this.byPid.get(pid);
    if (p && !p.traced) {
      this.procs.splice(this.procs.indexOf(p), 1);
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
    if (!(e.name === 'MainProcess' && e.role !== 'main' && p.name !== '' && !p.nameFromSample)) {
      p.name = e.name;
      p.nameFromSample = false;
    }
    p.role = e.role;
    p.argv = e.argv;
    p.traced = true;
    p.seenRunning = true;
    if (e.startMethod) p.startMethod = e.startMethod;
    if (p.parentPid === null) p.parentPid = e.ppid;
    this.observePpid(p, e.ppid, e.t);
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
    if (!p.traced || p.name === '' || p.nameFromSample || (p.name === 'MainProcess' && p.role !== 'main')) {
      p.name = e.name;
      p.nameFromSample = false;
    }
    if (!p.traced) p.role = e.role;
    p.daemon = e.daemon;
    p.startMethod = e.startMethod;
    p.target = e.target ?? null;
    if (e.argv && p.argv.length === 0) p.argv = e.argv;
    p.createdAt = e.site ?? null;
    this.touch(p, e.t);
  }

  /** One process of a sample begun at `t` and ended at `end` (see applySnapshot). */
  private onSample(s: ProcessSample, t: number, end: number, rootPid: number | null): void {
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
      if (this.hidden.has(s.ppid) && s.pid !== rootPid) return;
      p = this.newProc(s.pid, t, s.startTicks);
      p.parentPid = s.ppid;
      p.ppid = s.ppid;
      p.role = s.pid === rootPid ? 'main' : 'external';
      p.name = commandName(s.command);
      p.nameFromSample = true;
      p.argv = s.command.split(' ');
    }
    if (p.startTicks === null) p.startTicks = s.startTicks;
    const structural = p.osState !== s.state;
    p.osState = s.state;
    p.cpuPercent = s.cpuPercent;
    p.rssBytes = s.rssBytes;
    if (!p.traced && (p.name === '' || p.argv.length === 0)) {
      if (p.name === '') {
        p.name = commandName(s.command);
        p.nameFromSample = true;
      }
      p.argv = s.command.split(' ');
    }
    if (s.state === 'zombie') {
      // Dead by the sample's end; still unreaped at its start.
      p.firstZombieSampleMs ??= end;
      p.lastZombieSampleMs = t;
      if (p.exitedMs === null) p.exitedMs = p.lastAliveSampleMs ?? end;
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
    }
    p.adoptedBy = newParent;
    p.adoptedBySupervisor = this.hidden.has(newParent);
    this.touch(p, t);
  }

  private reaped(p: ProcRec, t: number, by: number, exitCode: number | null | undefined): void {
    if (p.exitedMs === null) p.exitedMs = Math.min(t, p.lastAliveSampleMs !== null ? Math.max(p.lastAliveSampleMs, p.startedMs) : t);
    if (exitCode !== null && exitCode !== undefined) {
      const s = splitExitCode(exitCode);
      p.exitCode = s.exitCode;
      p.signal = s.signal;
      p.statusFromReaper = true;
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
   * Zombie: dead, and its parent had not called anything that reaps it, for at least
   * ZOMBIE_MIN_MS (docs/states.md, "How a zombie is decided"). Judged from evidence that holds on
   * any load, not from how close two timestamps happen to be:
   * - its death: as the kernel dated it, when a tracer could read that (Linux); else its own exit
   *   event, stamped at the last moment its Python ran (a sample that saw it alive later moves it
   *   later); without one, the signal that killed it, or the samples around it; never later than
   *   the first sample that saw it as Z;
   * - its reaping: when its OS parent's reaping call (join, waitpid, a poll) began, from that
   *   call's own event. A parent already blocked in it when the child died leaves no zombie at
   *   all; one whose call began after the death reaped it no earlier than the last sample that
   *   still saw it as Z. The same for the supervisor's waitpid, which says when it began (for an
   *   orphan: not before its creator died). Reaped by someone whose call we do not see (the forkserver, a parent outside the
   *   run, the supervisor of an older recording): the last sample that saw it as Z. Not reaped yet: the last sample that saw
   *   it as Z, unless its parent was already waiting for it when it died.
   * Re-judged whenever the evidence changes; the verdict can change with it.
   */
  private judgeZombie(p: ProcRec, t: number): void {
    this.judgeOne(p, t);
    // Its death bounds when the supervisor could begin reaping the orphans it left.
    const adoptees = this.supervisorReaped.get(p.pid);
    if (adoptees) for (const c of adoptees) if (c !== p) this.judgeOne(c, t);
  }

  private judgeOne(p: ProcRec, t: number): void {
    const died = deathEstimate(p);
    if (died === null) return;
    let until: number | null;
    let reaping = false;
    const supervisorBegan = this.supervisorReapBegan(p);
    // Reaped by its parent in the run, or by the supervisor: one rule (reapedAfter).
    if (p.reapBeganMs !== null) until = reapedAfter(p, died, p.reapBeganMs);
    else if (supervisorBegan !== null) until = reapedAfter(p, died, supervisorBegan);
    else if (p.reapedMs !== null || p.gone) until = Math.max(died, p.lastZombieSampleMs ?? -Infinity);
    else if (p.lastZombieSampleMs !== null && p.ppid !== null && this.hidden.has(p.ppid)) {
      // The supervisor's child (the main process, an adopted orphan): it sits in waitpid for all
      // of them, so this one is being reaped; its process.reaped, with when that waitpid began,
      // settles it (a busy supervisor still makes a zombie then).
      until = died;
      reaping = true;
    } else if (p.lastZombieSampleMs !== null) {
      // Not reaped yet. Its parent already in a reaping call when it died: dying, no zombie (as
      // above); otherwise a zombie until the last sample that saw it as Z, so far.
      const w = this.parentWaiting(p);
      reaping = w !== undefined && w.t <= died;
      until = reaping ? died : p.lastZombieSampleMs;
    } else until = null;
    const zombie = until !== null && until - died >= ZOMBIE_MIN_MS;
    // Since when, also while it is one now (the views say "zombie since"), flagged or not yet.
    const since = zombie || (!reaping && p.osState === 'zombie' && p.reapedMs === null && !p.gone) ? died : null;
    if (zombie !== p.zombie || since !== p.zombieSinceMs || reaping !== p.beingReaped) {
      p.zombie = zombie;
      p.zombieSinceMs = since;
      p.beingReaped = reaping;
      this.touch(p, t);
    }
  }

  /**
   * When the supervisor's reaping of `p` began, or null when not known: its waitpid's start, and
   * for an adopted orphan not before its creator died (until then the creator was its parent and
   * the supervisor could not reap it). A creator whose death nothing tells yet leaves it unknown.
   */
  private supervisorReapBegan(p: ProcRec): number | null {
    if (p.supervisorWaitBeganMs === null) return null;
    if (!p.supervisorAdopted) return p.supervisorWaitBeganMs;
    const creator = p.parentPid !== null ? this.byPid.get(p.parentPid) : undefined;
    if (!creator || creator === p || creator.startedMs > p.startedMs) return null;
    const creatorDied = deathEstimate(creator);
    return creatorDied === null ? null : Math.max(p.supervisorWaitBeganMs, creatorDied);
  }

  private newProc(pid: number, t: number, startTicks: number | null): ProcRec {
    const reuse = this.procs.some((q) => q.pid === pid);
    const key = !reuse ? String(pid) : startTicks !== null ? `${pid}@${startTicks}` : `${pid}#${this.procs.length}`;
    const p = new ProcRec(key, pid, t);
    p.startTicks = startTicks;
    this.procs.push(p);
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
    const node = p.node();
    const last = p.history[p.history.length - 1];
    const at = Math.max(t, last?.t ?? -Infinity);
    if (last && last.t === at) last.node = node;
    else p.history.push({ t: at, node });
  }
}

/**
 * Until when a dead process reaped by a call that began at `began` (its parent's join, waitpid or
 * poll, or the supervisor's waitpid) was a zombie. Already in that call when it died: not at all,
 * however late the reaper then ran. Otherwise no earlier than the call's start nor than the last
 * sample that still saw it as Z: a reaper can be starved between calling and running (under strace
 * and busy loops, a parent 340 ms, CI).
 */
function reapedAfter(p: ProcRec, died: number, began: number): number {
  return began <= died ? died : Math.max(began, p.lastZombieSampleMs ?? -Infinity);
}

/**
 * When it died, as well as the evidence says (see judgeZombie), or null when nothing says it did.
 * Never later than the first sample that saw it as Z, nor than its reaping.
 */
function deathEstimate(p: ProcRec): number | null {
  const latest = Math.min(p.firstZombieSampleMs ?? Infinity, p.reapedMs ?? Infinity, p.deathSeenMs ?? Infinity);
  const alive = Math.max(p.lastAliveSampleMs ?? -Infinity, p.aliveSeenMs ?? -Infinity);
  let died: number;
  // The kernel's date (read from /proc while it was a zombie) is the death itself, on any load;
  // never before its exit stamp (the scheduler's clock can lag CLOCK_MONOTONIC on one CPU by the
  // time it spent in interrupts, where the kernel accounts that: the tracer checks its own CPU's).
  // The exit stamp is the last moment its Python ran: the death comes after it, by however long
  // the dying process then waited for a CPU; anyone who saw it alive later moves it later (a
  // sample; its parent, whose join or poll says when it last knew it alive, and whose sighting
  // says it was alive `windowMs` before). Its parent's sighting is only an upper bound: it is
  // late by a tick of the parent's tracer thread, and under load that thread is starved (seen: a
  // 618 ms tick, which hid a 356 ms zombie when the sighting was taken as the death).
  if (p.kernelDeathMs !== null) died = Math.max(p.kernelDeathMs, p.exitEventMs ?? -Infinity);
  else if (p.exitEventMs !== null) died = Math.max(p.exitEventMs, alive);
  else if (p.deathSeenMs !== null) died = p.deathSeenMs;
  else if (p.signalSentMs !== null && p.signal !== null && p.signal === p.signalSent) died = Math.max(p.signalSentMs, alive);
  else if (latest === Infinity) return p.gone && p.exitedMs !== null ? p.exitedMs : null;
  else died = alive > -Infinity ? (alive + latest) / 2 : latest;
  return Math.min(Math.max(died, alive), latest);
}

function baseName(file: string): string {
  const i = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return i >= 0 ? file.slice(i + 1) : file;
}

/** A display name for a process only the sampler saw: its program's base name. */
function commandName(command: string): string {
  const first = command.split(' ')[0] ?? command;
  return baseName(first) || command;
}
