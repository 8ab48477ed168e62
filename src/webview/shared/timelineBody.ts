/**
 * The timeline webview's static markup (no data: that arrives by postMessage), shared by the
 * panel (src/extension/views/timelinePanel.ts) and the benchmark page (bench/timeline-page.mjs).
 * Labels are filled in by the webview from the localized strings the host sends.
 */
export const timelineBody = `<div id="toolbar">
  <label for="scrub" id="scrub-label"></label>
  <input id="scrub" type="range" min="0" max="0" step="1" value="0">
  <span id="time" aria-live="polite"></span>
  <button id="live" type="button"></button>
</div>
<div id="toolbar2">
  <input id="search" type="search" spellcheck="false">
  <button id="prev" type="button" class="icon">&#8593;</button>
  <button id="next" type="button" class="icon">&#8595;</button>
  <span id="matches" aria-live="polite"></span>
  <span class="gap"></span>
  <button id="zoom-out" type="button" class="icon">&#8722;</button>
  <button id="zoom-in" type="button" class="icon">+</button>
  <button id="fit" type="button"></button>
  <span id="range"></span>
</div>
<div id="scroller" tabindex="0" role="application" aria-describedby="hint"><canvas id="canvas" aria-hidden="true"></canvas><div id="spacer"></div></div>
<div id="tooltip" role="tooltip" hidden></div>
<div id="details" role="status" aria-live="polite"><span id="details-text"></span><span id="details-actions"></span></div>
<div id="status"></div>
<div id="hint"></div>
<details id="list"><summary id="events-summary"></summary><ol id="events"></ol></details>
<div id="stats" hidden></div>`;
