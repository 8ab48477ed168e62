/**
 * The one place the views get their data from: the session being shown (a live run or an opened
 * recording), the moment shown (live, or a time the user scrubbed to in the timeline), and a
 * throttled change event so 100,000 messages do not mean 100,000 redraws.
 */
import * as vscode from 'vscode';
import type { SessionSnapshot } from '../../core/session/model';
import type { TimelineLog } from '../../core/session/timelineLog';

/** What the store needs from the core's Session (src/core/session). */
export interface ViewableSession {
  snapshot(): SessionSnapshot;
  snapshotAt(ms: number): SessionSnapshot;
  /** Every message and wait of the run, for the timeline. */
  timelineLog(): TimelineLog;
  onDidChange(listener: () => void): { dispose(): void } | (() => void);
}

export type SessionOrigin = { readonly kind: 'run'; readonly script: string } | { readonly kind: 'recording'; readonly file: string };

/** Redraws at most this often while a run is busy. */
const RedrawIntervalMs = 250;

export class SessionStore implements vscode.Disposable {
  private session: ViewableSession | undefined;
  private unsubscribe: (() => void) | undefined;
  private pending: ReturnType<typeof setTimeout> | undefined;
  private lastFire = 0;
  private scrubMs: number | null = null;
  private cached: SessionSnapshot | undefined;
  private readonly changed = new vscode.EventEmitter<SessionSnapshot | undefined>();
  /** Fires with the snapshot to draw (throttled). */
  readonly onDidChange = this.changed.event;
  origin: SessionOrigin | undefined;

  /** Shows a session (replacing the previous one). */
  show(session: ViewableSession, origin: SessionOrigin): void {
    this.detach();
    this.session = session;
    this.origin = origin;
    this.scrubMs = null;
    const sub = session.onDidChange(() => this.schedule());
    this.unsubscribe = typeof sub === 'function' ? sub : () => sub.dispose();
    this.fireNow();
  }

  clear(): void {
    this.detach();
    this.session = undefined;
    this.origin = undefined;
    this.fireNow();
  }

  get hasSession(): boolean {
    return this.session !== undefined;
  }

  /** The time shown, or null for live. */
  get scrubbedTo(): number | null {
    return this.scrubMs;
  }

  /** Shows the model as it was at `ms` (null: back to live). */
  scrubTo(ms: number | null): void {
    this.scrubMs = ms;
    this.fireNow();
  }

  /** The snapshot to draw now (cached until the next change). */
  current(): SessionSnapshot | undefined {
    if (!this.session) return undefined;
    if (!this.cached) this.cached = this.scrubMs === null ? this.session.snapshot() : this.session.snapshotAt(this.scrubMs);
    return this.cached;
  }

  /** The latest live snapshot, whatever is being scrubbed. */
  live(): SessionSnapshot | undefined {
    return this.session?.snapshot();
  }

  /** The shown session's message log (the timeline reads it incrementally). */
  timelineLog(): TimelineLog | undefined {
    return this.session?.timelineLog();
  }

  /** Forces a redraw soon (e.g. after a setting changed). */
  refresh(): void {
    this.fireNow();
  }

  private schedule(): void {
    if (this.pending) return;
    const wait = Math.max(0, RedrawIntervalMs - (Date.now() - this.lastFire));
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.fireNow();
    }, wait);
  }

  private fireNow(): void {
    if (this.pending) {
      clearTimeout(this.pending);
      this.pending = undefined;
    }
    this.lastFire = Date.now();
    this.cached = undefined;
    this.changed.fire(this.current());
  }

  private detach(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    this.cached = undefined;
  }

  dispose(): void {
    this.detach();
    this.changed.dispose();
  }
}
