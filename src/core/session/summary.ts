/**
 * The summary of a session that `process-view show --json` prints (its shape is promised in
 * issue 4 and docs/session-format.md; add fields, never rename them). Times are milliseconds from
 * the start of the run.
 */
import type { ChannelKind, ChannelOp, ProcessRole, SourceSite } from '../protocol/events';
import { byStart, type LostEvents, type ProcessState, type SessionSnapshot, type StallKind } from './model';
import { explainStall } from './explain';

export interface ProcessSummary {
  pid: number;
  key: string;
  /** Parent at creation. */
  parentPid: number | null;
  /** Last known parent. */
  ppid: number | null;
  name: string;
  role: ProcessRole;
  daemon: boolean;
  createdAt: SourceSite | null;
  state: ProcessState;
  startedMs: number;
  exitedMs: number | null;
  exitCode: number | null;
  signal: string | null;
  /** The uncaught exception it died of ("ValueError: bad input"), or null. */
  error: string | null;
  zombie: boolean;
  orphaned: boolean;
  adoptedBy: number | null;
  /** The adopter is the run's supervisor (Process View's subreaper, in place of init). */
  adoptedBySupervisor: boolean;
  reapedBy: number | null;
  traced: boolean;
}

export interface ChannelSummary {
  id: string;
  kind: ChannelKind;
  createdAt: SourceSite | null;
  /** Messages sent (put/send), all of them. */
  messages: number;
  ops: Partial<Record<ChannelOp, number>>;
}

export interface SessionSummary {
  run: {
    script: string;
    args: readonly string[];
    python: string | null;
    rootPid: number | null;
    startedAtIso: string;
    endedMs: number | null;
    exitCode: number | null;
    droppedEvents: number;
    lostEvents: readonly LostEvents[];
    warnings: readonly string[];
  };
  /** In the order they started (byStart), as every view lists them. */
  processes: ProcessSummary[];
  channels: ChannelSummary[];
  /** Deadlocks and waits that can never end (or only by a timeout), in words (explain.ts). */
  stalls: StallSummary[];
}

export interface StallSummary {
  kind: StallKind;
  text: string;
  pids: number[];
  sites: Array<{ file: string; line: number }>;
  sinceMs: number;
  foundMs: number;
  endedMs: number | null;
  endedBy: 'timeout' | 'exit' | null;
}

const ms = (v: number | null): number | null => (v === null ? null : Math.round(v * 10) / 10);

export function summarize(s: SessionSnapshot): SessionSummary {
  return {
    run: {
      script: s.run.script,
      args: s.run.args,
      python: s.run.python,
      rootPid: s.run.rootPid,
      startedAtIso: s.run.startedAtIso,
      endedMs: ms(s.run.endedMs),
      exitCode: s.run.exitCode,
      droppedEvents: s.run.droppedEvents,
      lostEvents: s.run.lostEvents,
      warnings: s.run.warnings,
    },
    processes: [...s.processes].sort(byStart).map((p) => ({
      pid: p.pid,
      key: p.key,
      parentPid: p.parentPid,
      ppid: p.ppid,
      name: p.name,
      role: p.role,
      daemon: p.daemon,
      createdAt: p.createdAt ? { file: p.createdAt.file, line: p.createdAt.line } : null,
      state: p.state,
      startedMs: ms(p.startedMs)!,
      exitedMs: ms(p.exitedMs),
      exitCode: p.exitCode,
      signal: p.signal,
      error: p.error,
      zombie: p.zombie,
      orphaned: p.orphaned,
      adoptedBy: p.adoptedBy,
      adoptedBySupervisor: p.adoptedBySupervisor,
      reapedBy: p.reapedBy,
      traced: p.traced,
    })),
    channels: s.channels.map((c) => ({
      id: c.id,
      kind: c.kind,
      createdAt: c.createdAt ? { file: c.createdAt.file, line: c.createdAt.line } : null,
      messages: c.messageCount,
      ops: { ...c.ops },
    })),
    stalls: s.stalls.map((st) => ({
      kind: st.kind,
      text: explainStall(st, s),
      pids: st.steps.map((x) => x.pid),
      sites: st.sites.map((x) => ({ file: x.file, line: x.line })),
      sinceMs: ms(st.sinceMs)!,
      foundMs: ms(st.foundMs)!,
      endedMs: ms(st.endedMs),
      endedBy: st.endedBy,
    })),
  };
}
