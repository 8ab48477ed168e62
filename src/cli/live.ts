/**
 * What `record` shows on the terminal while the script runs (src/core/run records it):
 * - On a terminal: the live tree is a footer under the script's own output, redrawn a few times a
 *   second (the script's output is relayed through us so the two never overwrite each other).
 * - Not on a terminal: one plain line per process event (started, exited, zombie, orphaned,
 *   killed) on stderr, so logs and CI output read top to bottom.
 * - At the end, the final tree and the channels.
 * The script's output is relayed through us in every mode (src/cli/record.ts says how), so our
 * own lines always start on a line of their own, never in the middle of one of the script's.
 */
import type { Readable, Writable } from 'node:stream';
import type { RecordedRun, RecordedRunEnd } from '../core/run';
import { adopterText, describeLosses } from '../core/session';
import type { ProcessNode, SessionSnapshot } from '../core/session/model';
import { processLine, renderChannels, renderStalls, renderTree, runLine, ms, stallLine } from './tree';

export type LiveMode = 'tty' | 'lines' | 'quiet';

export interface LiveOptions {
  readonly mode: LiveMode;
  /** Where our own lines go (stderr). */
  readonly err?: NodeJS.WriteStream;
  /** Our stdout and stderr are the same file (a terminal, or `> log 2>&1`): one line for both. */
  readonly sameFile?: boolean;
}

/** Whether the last byte written to a file ended a line. */
class LineEnd {
  atLineStart = true;
  note(chunk: Buffer): void {
    if (chunk.length > 0) this.atLineStart = chunk[chunk.length - 1] === 10;
  }
}

export class LiveDisplay {
  private readonly err: NodeJS.WriteStream;
  private readonly footer: Footer | null;
  private readonly lines: EventLines | null;
  /** The script's output last written to our stdout, and to our stderr (the same one when sameFile). */
  private readonly outEnd = new LineEnd();
  private readonly errEnd: LineEnd;
  /** Our lines waiting for the script to end the line it is in the middle of (200 ms at most). */
  private held: string[] = [];
  private heldTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly recorded: RecordedRun,
    private readonly opts: LiveOptions,
  ) {
    this.err = opts.err ?? process.stderr;
    this.errEnd = opts.sameFile === false ? new LineEnd() : this.outEnd;
    const session = recorded.session;
    this.footer = opts.mode === 'tty' ? new Footer(this.err, () => session.snapshot()) : null;
    this.lines = opts.mode === 'lines' ? new EventLines((text) => this.say(text)) : null;
    if (opts.mode !== 'quiet') {
      // Each stall once, as it is found: on a terminal as in a log.
      const told = new Set<string>();
      let pending: NodeJS.Timeout | null = null;
      session.onDidChange(() => {
        pending ??= setTimeout(() => {
          pending = null;
          const snap = session.snapshot();
          for (const st of snap.stalls) {
            if (told.has(st.id)) continue;
            told.add(st.id);
            this.say(`[process-view ${ms(st.foundMs).padStart(9)}] ${stallLine(st, snap)}`);
          }
        }, 100);
      });
    }
    if (this.lines) {
      const lines = this.lines;
      // At most ten looks a second, however many events arrive.
      let pending: NodeJS.Timeout | null = null;
      session.onDidChange(() => {
        pending ??= setTimeout(() => {
          pending = null;
          lines.update(session.snapshot());
        }, 100);
      });
    }
  }

  /** Relay the script's output (what was piped) around the footer, noting where its lines end. */
  relay(stdout: Readable | null, stderr: Readable | null, stdin: Writable | null): void {
    const out = (target: NodeJS.WriteStream, end: LineEnd) => (chunk: Buffer) => {
      const write = (): void => {
        target.write(chunk);
        end.note(chunk);
        if (this.held.length > 0 && this.errEnd.atLineStart) this.release();
      };
      if (this.footer) this.footer.around(write, chunk[chunk.length - 1] === 10);
      else write();
    };
    stdout?.on('data', out(process.stdout, this.outEnd));
    stderr?.on('data', out(process.stderr, this.errEnd));
    if (stdin) {
      stdin.on('error', () => undefined); // the script closed its stdin: nothing to do
      process.stdin.pipe(stdin);
    }
  }

  /**
   * A line of our own on stderr, never inside a line of the script's: when the script is in the
   * middle of one (an unbuffered print writes its pieces one by one), ours waits for it to end,
   * for 200 ms at most (a prompt may wait for input): then ours goes on a line of its own.
   */
  say(text: string): void {
    this.held.push(text);
    if (this.errEnd.atLineStart) this.release();
    else this.heldTimer ??= setTimeout(() => this.release(), 200);
  }

  private release(): void {
    if (this.heldTimer) clearTimeout(this.heldTimer);
    this.heldTimer = null;
    const lines = this.held;
    this.held = [];
    if (lines.length === 0) return;
    if (this.footer) this.footer.around(() => this.writeOwn(lines.join('\n')), true);
    else this.writeOwn(lines.join('\n'));
  }

  private writeOwn(text: string): void {
    this.err.write(`${this.errEnd.atLineStart ? '' : '\n'}${text}\n`);
    this.errEnd.atLineStart = true;
  }

  /** The run ended (and its recording is closed): end line, final tree. */
  finish(end: RecordedRunEnd): SessionSnapshot {
    process.stdin.unpipe();
    process.stdin.pause();
    this.footer?.close();
    const snap = this.recorded.session.snapshot();
    this.lines?.update(snap);
    this.release(); // the script has ended: whatever of ours waited goes out now, before the summary
    if (this.opts.mode !== 'quiet') {
      const style = { color: this.err.isTTY === true, width: this.err.columns || undefined };
      const text = [runLine(snap), ...renderTree(snap, style), ...renderStalls(snap, style), ...renderChannels(snap, style), `Recorded to ${this.recorded.recordingPath}`];
      this.writeOwn(text.join('\n'));
    }
    const losses = describeLosses(snap.run);
    if (losses) this.writeOwn(`process-view: warning: ${losses}`);
    if (end.recordingError) this.writeOwn(`process-view: the recording is incomplete: ${end.recordingError}`);
    return snap;
  }
}

/** The live tree drawn under the script's output on a terminal. */
class Footer {
  private drawn = 0;
  private closed = false;
  private atLineStart = true;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly snapshot: () => SessionSnapshot,
  ) {
    this.timer = setInterval(() => this.redraw(), 250);
    this.timer.unref();
  }

  /** Write script output: lift the footer, write, put it back when the output ended its line. */
  around(write: () => void, endsLine: boolean): void {
    if (this.closed) {
      write();
      return;
    }
    this.erase();
    write();
    this.atLineStart = endsLine;
    if (endsLine) this.draw();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.erase();
  }

  private redraw(): void {
    if (!this.atLineStart || this.closed) return; // a prompt is waiting on its line: do not draw under it
    this.erase();
    this.draw();
  }

  private draw(): void {
    // A terminal that reports no size (0) gets the classic 80x24.
    const rows = Math.max(3, Math.floor((this.out.rows || 24) / 2));
    const snap = this.snapshot();
    const style = { color: true, width: (this.out.columns || 80) - 1 };
    let lines = [`── ${runLine(snap)} ──`, ...renderTree(snap, style)];
    if (lines.length > rows) lines = [...lines.slice(0, rows - 1), `… ${lines.length - rows + 1} more`];
    this.out.write(`${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }

  private erase(): void {
    if (this.drawn === 0) return;
    // Up to the first footer line, then clear to the end of the screen.
    this.out.write(`\x1b[${this.drawn}F\x1b[J`);
    this.drawn = 0;
  }
}

/** Plain lines for a log: what changed for each process since the previous look. */
class EventLines {
  private readonly seen = new Map<string, { state: string; zombie: boolean; orphaned: boolean }>();
  constructor(private readonly say: (text: string) => void) {}

  update(s: SessionSnapshot): void {
    for (const p of s.processes) {
      const was = this.seen.get(p.key);
      const now = { state: p.state, zombie: p.zombie, orphaned: p.orphaned };
      if (was && was.state === now.state && was.zombie === now.zombie && was.orphaned === now.orphaned) continue;
      this.seen.set(p.key, now);
      for (const text of this.describe(p, was)) this.say(`[process-view ${ms(s.nowMs).padStart(9)}] ${text}`);
    }
  }

  private describe(p: ProcessNode, was: { state: string; zombie: boolean; orphaned: boolean } | undefined): string[] {
    const out: string[] = [];
    const style = { color: false };
    if (!was) out.push(`started ${processLine(p, style, 0)}${p.parentPid !== null ? ` (parent ${p.parentPid})` : ''}`);
    else if (was.state !== p.state) {
      if (p.state === 'exited') out.push(`${p.pid} ${p.name} exited with code ${p.exitCode ?? '?'}`);
      else if (p.state === 'killed') out.push(`${p.pid} ${p.name} killed by ${p.signal ?? 'a signal'}`);
      else if (p.state === 'zombie') out.push(`${p.pid} ${p.name} is a zombie (exited; its parent ${p.ppid ?? '?'} has not waited for it)`);
      else if (p.state === 'stopped') out.push(`${p.pid} ${p.name} stopped`);
    }
    if (p.zombie && !was?.zombie) out.push(`${p.pid} ${p.name} was a zombie for at least 100 ms`);
    if (p.orphaned && !was?.orphaned) out.push(`${p.pid} ${p.name} orphaned: adopted by ${adopterText(p)}`);
    return out;
  }
}
