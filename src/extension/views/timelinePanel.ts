/**
 * Hosts the timeline webview: one panel, beside the editor. Strict CSP (`default-src 'none'`,
 * scripts only with a fresh crypto nonce, styles and images only from media/), data only through
 * postMessage, every message from the webview validated. The run's messages go over incrementally
 * (TimelineFeed: only what is new, in bounded chunks); a webview that starts again (hidden, then
 * shown) says 'ready' and gets everything again. Scrubbing in the timeline moves the whole
 * extension to that moment (SessionStore.scrubTo), or, while a recording is being debugged, the
 * debugger, which the views follow; selecting a lane selects its process in the tree.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { isWebviewToHost, type HostToWebview, type TimelineUpdate, type WebviewStringKey } from '../../webview/shared/messages';
import { revealSite } from '../editor/reveal';
import { readConfig } from '../config';
import { TimelinePanelType } from '../ids';
import type { Logger } from '../log';
import type { SessionStore } from './sessionStore';
import { TimelineFeed } from '../models/timelineFeed';
import { timelineBody } from '../../webview/shared/timelineBody';

const t = vscode.l10n.t;
/** Posts at most this often while a run is busy (the store already throttles; the webview redraws per frame). */
const PostIntervalMs = 400;

/** The moment of a recording being debugged: scrubbing moves it (and the views follow it). */
export interface DebuggerMoment {
  /** Moves the debugger to ms (null: the end); false when no recording is being debugged. */
  scrubTo(ms: number | null): boolean;
  readonly debuggingRecording: boolean;
}

export class TimelinePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly feed = new TimelineFeed();
  private lastUpdate: TimelineUpdate | undefined;
  /** Messages posted since the webview last started (for host tests). */
  private postedMessages = 0;
  private lastPost = 0;
  private pending: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly store: SessionStore,
    private readonly log: Logger,
    /** Selects a process in the Processes view (a lane was selected). */
    private readonly focusProcess: (pid: number) => void,
    /** A Debug Recording session's moment, which scrubbing moves (ProcessViewDebugging). */
    private readonly debuggerMoment: DebuggerMoment = { scrubTo: () => false, debuggingRecording: false },
  ) {
    this.disposables.push(store.onDidChange(() => this.schedulePost()));
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
      return;
    }
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    const scripts = vscode.Uri.joinPath(this.extensionUri, 'out', 'webview');
    const panel = vscode.window.createWebviewPanel(
      TimelinePanelType,
      t('Process View: Timeline'),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [media, scripts] },
    );
    panel.webview.html = this.html(panel.webview, media, scripts);
    // A hidden webview is unloaded; shown again, it says 'ready' and gets everything again.
    const subs: vscode.Disposable[] = [panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m))];
    panel.onDidDispose(() => {
      for (const s of subs) s.dispose();
      this.panel = undefined;
      // Closing the timeline returns the views to live (not while a recording is debugged: they show its moment).
      if (this.store.scrubbedTo !== null && !this.debuggerMoment.debuggingRecording) this.store.scrubTo(null);
    });
    this.panel = panel;
  }

  /** What the webview was sent (for host tests): the latest update and the messages posted in all. */
  get sent(): { readonly update: TimelineUpdate | undefined; readonly messages: number } {
    return { update: this.lastUpdate, messages: this.postedMessages };
  }

  private receive(message: unknown): void {
    if (!isWebviewToHost(message)) {
      this.log.warn(`Ignored a malformed message from the timeline: ${JSON.stringify(message)?.slice(0, 200)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
        this.post({ type: 'strings', strings: webviewStrings() });
        this.feed.restart();
        this.postedMessages = 0;
        this.postNow();
        return;
      case 'reveal': {
        const site = this.feed.site(message.generation, message.site);
        if (site) void revealSite(site, vscode.ViewColumn.One);
        return;
      }
      case 'focusProcess':
        if (message.generation === this.feed.generation) this.focusProcess(message.pid);
        return;
      case 'scrub':
        this.scrub(message.ms);
        return;
    }
  }

  /** What the webview's scrubber (or a click on its time axis) does: ms since the run started, null for its newest moment. */
  scrub(ms: number | null): void {
    if (!this.debuggerMoment.scrubTo(ms)) this.store.scrubTo(ms);
  }

  private schedulePost(): void {
    if (!this.panel || this.pending) return;
    const wait = Math.max(0, PostIntervalMs - (Date.now() - this.lastPost));
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.postNow();
    }, wait);
  }

  private postNow(): void {
    // A hidden webview is unloaded: nothing to send until it says 'ready' again.
    if (!this.panel || !this.panel.visible) return;
    this.lastPost = Date.now();
    const snapshot = this.store.live();
    const log = this.store.timelineLog();
    if (!snapshot || !log) {
      this.lastUpdate = undefined;
      this.feed.restart();
      this.post({ type: 'clear' });
      return;
    }
    const update = this.feed.next(log, snapshot, this.store.scrubbedTo, readConfig().payloadPreviewLength, t);
    this.lastUpdate = update;
    this.postedMessages = (update.reset ? 0 : this.postedMessages) + (update.messages?.sentMs.length ?? 0);
    this.post({ type: 'update', update });
    // A live run's backlog goes in chunks, one per turn (a finished run's rows come in one post).
    if (this.feed.pending(log) && !this.pending) {
      this.pending = setTimeout(() => {
        this.pending = undefined;
        this.postNow();
      }, 0);
    }
  }

  private post(message: HostToWebview): void {
    void this.panel?.webview.postMessage(message);
  }

  private html(webview: vscode.Webview, media: vscode.Uri, scripts: vscode.Uri): string {
    const nonce = randomBytes(18).toString('base64');
    const css = webview.asWebviewUri(vscode.Uri.joinPath(media, 'timeline.css'));
    const js = webview.asWebviewUri(vscode.Uri.joinPath(scripts, 'timeline.js'));
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `img-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    // The only dynamic parts are URIs and the nonce; data arrives by postMessage.
    return `<!DOCTYPE html>
<html lang="${vscode.env.language}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css.toString()}">
<title>${escapeHtml(t('Process View: Timeline'))}</title>
</head>
<body>
${timelineBody}
<script nonce="${nonce}" src="${js.toString()}"></script>
</body>
</html>`;
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function webviewStrings(): Record<WebviewStringKey, string> {
  return {
    live: t('Live'),
    liveTitle: t('Show the run as it is now'),
    end: t('End'),
    endTitle: t('Show the run as it ended'),
    scrubLabel: t('Time'),
    empty: t('No run yet: use Run with Process View or Open Recording.'),
    loading: t('Loading messages: {0} of {1}'),
    zombie: t('zombie'),
    waiting: t('waiting in {0}'),
    running: t('running'),
    exited: t('exited'),
    killed: t('killed'),
    at: t('at'),
    messages: t('Messages in view'),
    search: t('Search messages: payload, channel, pid or process name'),
    previous: t('Previous match (Shift+Enter)'),
    next: t('Next match (Enter)'),
    matches: t('{0} of {1}'),
    noMatch: t('No match'),
    zoomIn: t('Zoom in (+)'),
    zoomOut: t('Zoom out (-)'),
    fit: t('Whole run'),
    fitTitle: t('Show the whole run (0)'),
    hint: t('Ctrl+wheel or +/- zooms, drag pans, drag on the time axis zooms to a range and a click on it goes to that moment, arrows move, Up/Down pick a process, [ and ] step through its messages, Enter shows the line.'),
    sentBy: t('sent by {0}'),
    receivedBy: t('received by {0}'),
    notReceived: t('not received yet'),
    goSent: t('Go to sending line'),
    goReceived: t('Go to receiving line'),
    showInTree: t('Show in Processes'),
    lane: t('{0}: {1}'),
    density: t('{0} messages sent, received or on their way here'),
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
