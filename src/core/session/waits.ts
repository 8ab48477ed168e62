/**
 * Who waits for whom (issue 18): the waits in progress the tracer reports (docs/protocol.md,
 * "Waits in progress"), what each waits on, and the waits-for graph built from them: a process
 * → the live processes that could end its wait (the joined child, a lock's holder, the other
 * holders of a queue or of a pipe's other end, anyone for an Event). A set of waiting processes
 * that only each other could release is a stall (model.ts): a deadlock, a wait that can never end
 * (nothing alive could end it: the producers of an empty queue are gone, the reader holds the
 * pipe's writing end itself, a lock's holder died), or, when a timeout is all that ends it, a wait
 * that would deadlock without its timeout.
 *
 * No false alarms: any live process that is not itself stuck and could end a wait releases it (a
 * process that has not reported a wait may still put, send, release or set), and a stall is
 * reported only once every wait in it has lasted STALL_SETTLE_MS (events from different processes
 * arrive with delays). Holders are over-approximated: a channel's creator, every process that
 * used it, and every process started after it by a holder (a child may have been given it).
 */
import type { ChannelKind, ChannelOpEvent, SourceSite, WaitBeginEvent, WaitEndEvent } from '../protocol/events';
import type { ProcessNode, ProcessWait, Stall, StallFact, StallKind, StallStep } from './model';

/** A stall is reported once each of its waits has lasted this long (ms). */
export const STALL_SETTLE_MS = 1000;
/** How often operations alone (no wait began or ended) make the waits be looked at again. */
const ANALYSIS_EVERY_MS = 100;
/** Unread messages remembered per queue (for "its 1 MB message"); the count stays exact. */
const MAX_UNREAD = 1000;

interface OpenWait {
  readonly tid: number;
  readonly t: number;
  readonly wait: ProcessWait;
}

interface Unread {
  readonly pid: number;
  readonly size: number | null;
  readonly site: SourceSite | null;
}

class ChannelInfo {
  createdBy: number | null = null;
  createdAt: SourceSite | null = null;
  createdMs = 0;
  readonly users = new Set<number>();
  readonly producers = new Set<number>();
  /**
   * Queue: messages put and not read yet (oldest first, bounded) and their count: puts minus gets,
   * negative while gets of other processes arrived before the puts they read (processes' events
   * arrive in any order); `early`: such gets, not yet matched with a put.
   */
  readonly unread: Unread[] = [];
  unreadCount = 0;
  early = 0;
  /** Pipe: sends towards each end minus its receives (signed, as above); who used or closed each end. */
  readonly pending: [number, number] = [0, 0];
  readonly endUsers: [Set<number>, Set<number>] = [new Set(), new Set()];
  readonly endSenders: [Set<number>, Set<number>] = [new Set(), new Set()];
  readonly endClosed: [Set<number>, Set<number>] = [new Set(), new Set()];
  /** Lock / RLock: who holds it (with its depth for an RLock) and from which line. */
  holder: { pid: number; depth: number; site: SourceSite | null } | null = null;
  constructor(
    readonly id: string,
    public kind: ChannelKind | null,
  ) {}
}

const QUEUES = new Set<string>(['queue', 'joinable-queue', 'simple-queue']);
const LOCKS = new Set<string>(['lock', 'rlock']);
const DEAD = new Set<string>(['exited', 'killed', 'zombie']);
/** Machinery, not the program: never a holder of its channels. */
const NOT_HOLDERS = new Set<string>(['resource-tracker', 'forkserver', 'external']);

export class WaitTracker {
  private readonly open = new Map<number, Map<number, OpenWait>>();
  /** When each thread (pid → tid) last had an event: a wait that began before it is over. */
  private readonly lastEvent = new Map<number, Map<number, number>>();
  private readonly mainTid = new Map<number, number>();
  private readonly channels = new Map<string, ChannelInfo>();
  private readonly ends = new Map<string, { info: ChannelInfo; end: 0 | 1 }>();
  private readonly stalls: Stall[] = [];
  /** Counts stalls found and ended (Session.stallChanges). */
  stallChanges = 0;
  private readonly openStalls = new Map<string, number>();
  private stallSeq = 0;
  /** A wait began or ended since the last analysis. */
  private changed = false;
  private lastAnalysisMs = -Infinity;

  /** The tid of a process's main thread (its hello / process.running). */
  noteMain(pid: number, tid: number | undefined): void {
    if (tid !== undefined && !this.mainTid.has(pid)) this.mainTid.set(pid, tid);
  }

  /** Any event of a thread: a reported wait of it that began at or before is over. */
  noteEvent(pid: number, tid: number | undefined, t: number): void {
    if (tid === undefined) return;
    let m = this.lastEvent.get(pid);
    if (!m) this.lastEvent.set(pid, (m = new Map()));
    const prev = m.get(tid);
    if (prev === undefined || t > prev) m.set(tid, t);
    if (this.open.size === 0) return;
    const open = this.open.get(pid);
    const w = open?.get(tid);
    if (open && w && w.t <= t) {
      open.delete(tid);
      // An empty entry would keep due() asking for an analysis at every event of the run.
      if (open.size === 0) this.open.delete(pid);
      this.changed = true;
    }
  }

  applyWait(e: WaitBeginEvent | WaitEndEvent, site: SourceSite | null): void {
    if (e.kind === 'wait.end' || e.tid === undefined) {
      this.noteEvent(e.pid, e.tid, e.t);
      return;
    }
    const ended = this.lastEvent.get(e.pid)?.get(e.tid);
    if (ended !== undefined && ended >= e.t) return; // its end came first
    const end = e.id ? this.ends.get(e.id) : undefined;
    const wait: ProcessWait = {
      op: e.op,
      channelId: end ? end.info.id : e.id ?? null,
      pipeEnd: end ? end.end : null,
      childPid: e.childPid ?? null,
      timeoutS: e.timeout ?? null,
      site,
      sinceMs: e.t,
      stallId: null,
    };
    let m = this.open.get(e.pid);
    if (!m) this.open.set(e.pid, (m = new Map()));
    m.set(e.tid, { tid: e.tid, t: e.t, wait });
    this.changed = true;
  }

  applyCreated(id: string, kind: ChannelKind, pid: number, t: number, site: SourceSite | null, detail: Readonly<Record<string, unknown>> | undefined): void {
    const c = this.channel(id, kind);
    c.kind = kind;
    c.createdBy = pid;
    c.createdAt = site;
    c.createdMs = t;
    if (kind === 'pipe' && detail) {
      if (typeof detail['end0'] === 'string') this.ends.set(detail['end0'], { info: c, end: 0 });
      if (typeof detail['end1'] === 'string') this.ends.set(detail['end1'], { info: c, end: 1 });
    }
  }

  applyOp(e: ChannelOpEvent): void {
    const end = this.ends.get(e.id);
    const c = end ? end.info : this.channel(e.id, null);
    c.users.add(e.pid);
    const ok = e.ok !== false;
    if (end) {
      const x = end.end;
      c.endUsers[x].add(e.pid);
      if ((e.op === 'send' || e.op === 'send_bytes') && ok) {
        c.endSenders[x].add(e.pid);
        c.pending[x === 0 ? 1 : 0]++;
      } else if ((e.op === 'recv' || e.op === 'recv_bytes') && ok) c.pending[x]--;
      else if (e.op === 'close') c.endClosed[x].add(e.pid);
    } else if (e.op === 'put' && ok) {
      c.producers.add(e.pid);
      c.unreadCount++;
      if (c.early > 0) c.early--; // read already
      else if (c.unread.length < MAX_UNREAD) c.unread.push({ pid: e.pid, size: e.size ?? null, site: e.site ?? null });
    } else if (e.op === 'get' && ok) {
      c.unreadCount--;
      if (c.unread.length > 0) c.unread.shift();
      else c.early++;
    } else if (e.op === 'acquire' && ok) {
      if (c.holder && c.holder.pid === e.pid) c.holder.depth++;
      else c.holder = { pid: e.pid, depth: 1, site: e.site ?? null };
    } else if (e.op === 'release' && ok && c.holder && c.holder.pid === e.pid) {
      if (--c.holder.depth <= 0) c.holder = null;
    }
  }

  /** Look again at the next chance, whatever changed (the run ended). */
  lookAgain(): void {
    this.changed = true;
  }

  /**
   * Waits began or ended (at once), or time moved on enough to look again: at most every
   * ANALYSIS_EVERY_MS for what operations changed (a flood of puts while a process waits must
   * not cost an analysis each; a stall needs STALL_SETTLE_MS anyway).
   */
  due(nowMs: number): boolean {
    if (this.changed) return true; // also when the last wait ended: the views must hear of it
    if (this.open.size === 0 && this.openStalls.size === 0) return false;
    return nowMs - this.lastAnalysisMs >= ANALYSIS_EVERY_MS;
  }

  /** Every process's wait now (its main thread's, else its oldest), by pid. */
  waitsNow(nodes: readonly ProcessNode[]): Map<number, ProcessWait> {
    const out = new Map<number, ProcessWait>();
    const byPid = new Map(nodes.map((n) => [n.pid, n]));
    for (const [pid, m] of this.open) {
      const n = byPid.get(pid);
      // Dead: reaped, or a zombie in the OS (its state may say exited while the supervisor reaps it).
      if (n && (n.reapedMs !== null || n.state === 'zombie' || n.osState === 'zombie')) {
        this.open.delete(pid); // its waits ended with it
        continue;
      }
      if (m.size === 0) continue;
      const main = this.mainTid.get(pid);
      const w = (main !== undefined ? m.get(main) : undefined) ?? [...m.values()].sort((a, b) => a.t - b.t)[0];
      if (w) out.set(pid, w.wait);
    }
    return out;
  }

  /** The stalls so far (ended ones included). */
  allStalls(): readonly Stall[] {
    return this.stalls;
  }

  /**
   * Look for stalls among `waits` (this.waitsNow) now. Returns the stall each waiting pid is part of.
   */
  analyse(nowMs: number, nodes: readonly ProcessNode[], waits: ReadonlyMap<number, ProcessWait>): Map<number, string> {
    this.changed = false;
    this.lastAnalysisMs = nowMs;
    const byPid = new Map(nodes.map((n) => [n.pid, n]));
    // Alive: waiting now (a flush at exit outlives the exit event), or not known to have ended
    // (the nodes may still say 'waiting' for a wait that has just ended with the process).
    const alive = (pid: number) => {
      const n = byPid.get(pid);
      return n !== undefined && (waits.has(pid) || (!DEAD.has(n.state) && n.exitedMs === null && n.reapedMs === null));
    };
    const edges = new Map<number, { waitsOn: number[]; facts: StallFact[]; deadEnd: boolean }>();
    for (const [pid, w] of waits) {
      if (nowMs - w.sinceMs < STALL_SETTLE_MS) continue;
      const g = this.graphOf(pid, w, byPid, alive);
      if (g) edges.set(pid, g);
    }
    const found = new Map<string, Stall>();
    const hard = stuck(edges, (pid) => waits.get(pid)!.timeoutS === null);
    const soft = stuck(edges, () => true);
    for (const comp of components(hard, edges)) this.addFound(found, comp, edges, waits, byPid, nowMs, false);
    const rest = new Set([...soft].filter((p) => !hard.has(p)));
    for (const comp of components(rest, edges)) this.addFound(found, comp, edges, waits, byPid, nowMs, true);

    const result = new Map<number, string>();
    for (const [key, s] of found) {
      let idx = this.openStalls.get(key);
      if (idx === undefined) {
        idx = this.stalls.length;
        this.stalls.push({ ...s, id: `stall-${++this.stallSeq}` });
        this.openStalls.set(key, idx);
        this.stallChanges++;
      }
      for (const st of this.stalls[idx]!.steps) result.set(st.pid, this.stalls[idx]!.id);
    }
    for (const [key, idx] of [...this.openStalls]) {
      if (found.has(key)) continue;
      const s = this.stalls[idx]!;
      // Only a timeout ends a 'timeout' stall while its processes live; anything else that ends a
      // stall is a process in it ending (or being interrupted on its way to: Stop, Ctrl+C).
      const gone = s.steps.some((st) => !alive(st.pid));
      this.stalls[idx] = { ...s, endedMs: nowMs, endedBy: s.kind === 'timeout' && !gone ? 'timeout' : 'exit' };
      this.openStalls.delete(key);
      this.stallChanges++;
    }
    return result;
  }

  // --------------------------------------------------------------------------------------------

  private channel(id: string, kind: ChannelKind | null): ChannelInfo {
    let c = this.channels.get(id);
    if (!c) this.channels.set(id, (c = new ChannelInfo(id, kind)));
    return c;
  }

  /** Who could end `pid`'s wait `w` (live processes), and why it cannot end; null: it will end. */
  private graphOf(
    pid: number,
    w: ProcessWait,
    byPid: ReadonlyMap<number, ProcessNode>,
    alive: (pid: number) => boolean,
  ): { waitsOn: number[]; facts: StallFact[]; deadEnd: boolean } | null {
    const others = () => [...byPid.values()].filter((n) => n.pid !== pid && !NOT_HOLDERS.has(n.role) && alive(n.pid)).map((n) => n.pid);
    if (w.op === 'join' && w.childPid !== null && w.childPid > 0) {
      return alive(w.childPid) ? { waitsOn: [w.childPid], facts: [], deadEnd: false } : null;
    }
    if (w.op === 'waitpid') {
      const kids = w.childPid !== null && w.childPid > 0 ? [w.childPid] : [...byPid.values()].filter((n) => n.ppid === pid).map((n) => n.pid);
      const live = kids.filter(alive);
      return live.length > 0 ? { waitsOn: live, facts: [], deadEnd: false } : null;
    }
    const c = w.channelId ? this.channels.get(w.channelId) : undefined;
    if (!c || !c.kind) return null; // nothing known about what it waits on: no verdict
    const holders = (end: 0 | 1 | null) => this.holders(c, end, byPid).filter((p) => p !== pid && alive(p));
    if (QUEUES.has(c.kind)) {
      if (w.op === 'get') {
        if (c.unreadCount > 0) return null;
        const facts: StallFact[] = [{ kind: 'empty' }];
        const producers = [...c.producers].filter((p) => p !== pid);
        if (producers.length > 0 && !producers.some(alive)) facts.push({ kind: 'gone', pids: producers });
        const on = holders(null);
        return { waitsOn: on, facts, deadEnd: on.length === 0 || facts.length > 1 };
      }
      if (w.op === 'put' || w.op === 'flush') {
        const mine = c.unread.find((u) => u.pid === pid);
        const facts: StallFact[] = w.op === 'put' ? [{ kind: 'full' }] : [{ kind: 'unread', size: mine?.size ?? null, site: mine?.site ?? null }];
        const on = holders(null);
        return { waitsOn: on, facts, deadEnd: on.length === 0 };
      }
      const on = holders(null);
      return { waitsOn: on, facts: [], deadEnd: on.length === 0 };
    }
    if (c.kind === 'pipe' && w.pipeEnd !== null && (w.op === 'recv' || w.op === 'recv_bytes')) {
      const e = w.pipeEnd as 0 | 1;
      if (c.pending[e] > 0) return null;
      const other: 0 | 1 = e === 0 ? 1 : 0;
      const facts: StallFact[] = [];
      if (this.holders(c, other, byPid).includes(pid)) facts.push({ kind: 'holds-other-end' });
      const senders = [...c.endSenders[other]].filter((p) => p !== pid);
      if (senders.length > 0 && !senders.some(alive)) facts.push({ kind: 'gone', pids: senders });
      const on = holders(other);
      return { waitsOn: on, facts, deadEnd: on.length === 0 };
    }
    if (LOCKS.has(c.kind) && w.op === 'acquire') {
      const h = c.holder;
      if (!h || h.pid === pid) return null; // free (it is about to get it), or its own thread's
      const gone = !alive(h.pid);
      return { waitsOn: gone ? [] : [h.pid], facts: [{ kind: 'held', pid: h.pid, site: h.site, gone }], deadEnd: gone };
    }
    // An Event, Condition, Barrier, semaphore, pool...: anyone else alive could end it.
    const on = others();
    return { waitsOn: on, facts: [], deadEnd: on.length === 0 };
  }

  /** Processes that may hold the channel (or the pipe's end): see the module comment. */
  private holders(c: ChannelInfo, end: 0 | 1 | null, byPid: ReadonlyMap<number, ProcessNode>): number[] {
    const set = new Set<number>(end === null ? c.users : c.endUsers[end]);
    if (c.createdBy !== null) set.add(c.createdBy);
    // Children (and theirs) started after it by a holder may have been given it.
    let grew = true;
    while (grew) {
      grew = false;
      for (const n of byPid.values()) {
        if (set.has(n.pid) || NOT_HOLDERS.has(n.role) || n.startedMs < c.createdMs) continue;
        if (n.parentPid !== null && set.has(n.parentPid)) {
          set.add(n.pid);
          grew = true;
        }
      }
    }
    if (end !== null) for (const p of c.endClosed[end]) set.delete(p);
    return [...set];
  }

  private addFound(
    found: Map<string, Stall>,
    comp: number[],
    edges: ReadonlyMap<number, { waitsOn: number[]; facts: StallFact[]; deadEnd: boolean }>,
    waits: ReadonlyMap<number, ProcessWait>,
    byPid: ReadonlyMap<number, ProcessNode>,
    nowMs: number,
    timed: boolean,
  ): void {
    // The explanation starts at the main process (or the oldest) and follows who it waits on.
    const inComp = new Set(comp);
    const first = [...comp].sort((a, b) => rank(byPid.get(a)) - rank(byPid.get(b)) || a - b)[0]!;
    const order: number[] = [];
    const visit = (p: number) => {
      if (order.includes(p) || !inComp.has(p)) return;
      order.push(p);
      for (const q of edges.get(p)!.waitsOn) visit(q);
    };
    visit(first);
    for (const p of [...comp].sort((a, b) => a - b)) visit(p);
    const steps: StallStep[] = order.map((pid) => {
      const g = edges.get(pid)!;
      return { pid, wait: waits.get(pid)!, waitsOn: g.waitsOn, facts: g.facts };
    });
    const kind: StallKind = timed
      ? 'timeout'
      : order.some((p) => edges.get(p)!.deadEnd || edges.get(p)!.facts.some((f) => f.kind === 'gone' || f.kind === 'holds-other-end' || (f.kind === 'held' && f.gone)))
        ? 'never'
        : 'deadlock';
    const sites: SourceSite[] = [];
    const addSite = (s: SourceSite | null | undefined) => {
      if (s && !sites.some((x) => x.file === s.file && x.line === s.line)) sites.push(s);
    };
    for (const st of steps) {
      addSite(st.wait.site);
      if (st.wait.channelId) addSite(this.channels.get(st.wait.channelId)?.createdAt);
      for (const f of st.facts) if (f.kind === 'unread' || f.kind === 'held') addSite(f.site);
    }
    const key = `${kind}|${steps.map((s) => `${s.pid}:${s.wait.op}:${s.wait.channelId ?? s.wait.childPid}:${s.wait.sinceMs}`).join(',')}`;
    found.set(key, {
      id: '',
      kind,
      steps,
      sinceMs: Math.max(...steps.map((s) => s.wait.sinceMs)),
      foundMs: nowMs,
      endedMs: null,
      endedBy: null,
      sites,
    });
  }
}

function rank(n: ProcessNode | undefined): number {
  return n?.role === 'main' ? 0 : 1;
}

/**
 * The waiting processes that only each other could release: start from every waiting process
 * that `keep` accepts, drop any whose wait a process outside the set could end, until none drops.
 */
function stuck(edges: ReadonlyMap<number, { waitsOn: number[] }>, keep: (pid: number) => boolean): Set<number> {
  const s = new Set([...edges.keys()].filter(keep));
  let changed = true;
  while (changed) {
    changed = false;
    for (const p of [...s]) {
      if (edges.get(p)!.waitsOn.some((q) => !s.has(q))) {
        s.delete(p);
        changed = true;
      }
    }
  }
  return s;
}

/** Connected parts of the set (edges taken both ways). */
function components(set: ReadonlySet<number>, edges: ReadonlyMap<number, { waitsOn: number[] }>): number[][] {
  const seen = new Set<number>();
  const out: number[][] = [];
  for (const start of set) {
    if (seen.has(start)) continue;
    const comp: number[] = [];
    const stack = [start];
    seen.add(start);
    while (stack.length > 0) {
      const p = stack.pop()!;
      comp.push(p);
      const next = [...edges.get(p)!.waitsOn, ...[...set].filter((q) => edges.get(q)!.waitsOn.includes(p))];
      for (const q of next) {
        if (set.has(q) && !seen.has(q)) {
          seen.add(q);
          stack.push(q);
        }
      }
    }
    out.push(comp);
  }
  return out;
}
