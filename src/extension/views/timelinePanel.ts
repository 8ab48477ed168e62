/**
 * Hosts the timeline webview: one panel, beside the editor. Strict CSP (`default-src 'none'`,
 * scripts only with a fresh crypto nonce, styles and images only from media/), data only through
 * postMessage, every message from the webview validated. Scrubbing in the timeline moves the
 * whole extension to that moment (SessionStore.scrubTo).
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { isWebviewToHost, type HostToWebview, type WebviewStringKey } from '../../webview/shared/messages';
import { revealSite } from '../editor/reveal';
import { readConfig } from '../config';
import { TimelinePanelType } from '../ids';
import type { Logger } from '../log';
import type { SessionStore } from './sessionStore';
import { projectTimeline, type TimelineProjection } from '../models/timelineData';
import type { SourceSite } from '../../core/protocol/events';

const t = vscode.l10n.t;
/** Posts at most this often while a run is busy (the store already throttles; the webview redraws per frame). */
const PostIntervalMs = 400;

export class TimelinePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private generation = 0;
  private projection: TimelineProjection | undefined;
  private lastPost = 0;
  private pending: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly store: SessionStore,
    private readonly log: Logger,
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
    const subs: vscode.Disposable[] = [
      panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      // A hidden webview keeps its state with setState; when it shows again it gets fresh data.
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.visible) this.postNow();
      }),
    ];
    panel.onDidDispose(() => {
      for (const s of subs) s.dispose();
      this.panel = undefined;
      // Closing the timeline returns the views to live.
      if (this.store.scrubbedTo !== null) this.store.scrubTo(null);
    });
    this.panel = panel;
  }

  /** The webview as a test sees it (for host tests): the last projection posted. */
  get lastProjection(): TimelineProjection | undefined {
    return this.projection;
  }

  private receive(message: unknown): void {
    if (!isWebviewToHost(message)) {
      this.log.warn(`Ignored a malformed message from the timeline: ${JSON.stringify(message)?.slice(0, 200)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
        this.post({ type: 'strings', strings: webviewStrings() });
        this.postNow();
        return;
      case 'reveal': {
        const site: SourceSite | undefined =
          this.projection && this.projection.data.generation === message.generation ? this.projection.sites[message.site] : undefined;
        if (site) void revealSite(site, vscode.ViewColumn.One);
        return;
      }
      case 'scrub':
        this.store.scrubTo(message.ms);
        return;
    }
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
    if (!this.panel) return;
    this.lastPost = Date.now();
    const snapshot = this.store.live();
    if (!snapshot) {
      this.projection = undefined;
      this.post({ type: 'clear' });
      return;
    }
    this.projection = projectTimeline(snapshot, ++this.generation, this.store.scrubbedTo, readConfig().payloadPreviewLength, t);
    this.post({ type: 'data', data: this.projection.data });
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
<div id="toolbar">
  <label for="scrub" id="scrub-label"></label>
  <input id="scrub" type="range" min="0" max="0" step="1" value="0">
  <span id="time" aria-live="polite"></span>
  <button id="live" type="button"></button>
</div>
<div id="scroller" tabindex="0"><canvas id="canvas"></canvas><div id="spacer"></div></div>
<div id="tooltip" role="tooltip" hidden></div>
<div id="status"></div>
<details id="list"><summary id="events-summary"></summary><ol id="events"></ol></details>
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
    omitted: t('{0} older messages are not drawn (the Channels view and the recording have them).'),
    zombie: t('zombie'),
    waited: t('waited'),
    at: t('at'),
    messages: t('Newest messages'),
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
