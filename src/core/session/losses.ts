/**
 * Events a run produced that the model (and the recording) lack, in the user's words: counted by
 * the tracer or the receiver as `tracer.dropped` (docs/protocol.md), folded into RunInfo.lostEvents.
 * English, for the CLI and logs; the extension words the same facts through l10n.
 */
import type { LostEvents, RunInfo } from './model';

/** Why events of a process were lost, as a clause about that process. */
export function lossReason(reason: string | null): string {
  switch (reason) {
    case 'buffer-full':
      return 'it produced them faster than Process View could take them';
    case 'exit':
      return 'it ended before Process View could take them';
    case 'connection-lost':
      return 'its connection to Process View broke';
    case 'cut-batch':
      return 'it was ended while sending them';
    case null:
      return 'reason not given';
    default:
      return reason;
  }
}

const count = (n: number): string => n.toLocaleString('en-US');

/** Per process, largest first: "12,000 of process 4242 (why; why)". */
function byProcess(lost: readonly LostEvents[]): string[] {
  const per = new Map<number, LostEvents[]>();
  for (const l of lost) per.set(l.pid, [...(per.get(l.pid) ?? []), l]);
  return [...per]
    .map(([pid, ls]) => ({ pid, n: ls.reduce((a, l) => a + l.count, 0), why: ls.map((l) => lossReason(l.reason)) }))
    .sort((a, b) => b.n - a.n)
    .map((p) => `${count(p.n)} of process ${p.pid} (${p.why.join('; ')})`);
}

/** "N events lost" in one sentence, or null when none were. */
export function describeLosses(run: Pick<RunInfo, 'droppedEvents' | 'lostEvents'>): string | null {
  if (run.droppedEvents <= 0) return null;
  const parts = byProcess(run.lostEvents);
  const shown = parts.slice(0, 4).join(', ') + (parts.length > 4 ? `, and ${parts.length - 4} more processes` : '');
  const n = run.droppedEvents;
  return `${count(n)} event${n === 1 ? '' : 's'} lost${shown ? `: ${shown}` : ''}. They are not in the recording; what it shows of ${parts.length === 1 ? 'that process' : 'those processes'} is incomplete.`;
}
