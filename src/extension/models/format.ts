/**
 * Small formatting helpers shared by the views. Pure (no `vscode` import): the view layer passes
 * `vscode.l10n.t` in as `Localize`, tests pass `plain` (core/localize.ts).
 */
import type { SourceSite } from '../../core/protocol/events';

export type { Localize } from '../../core/localize';

export function baseName(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut >= 0 ? path.slice(cut + 1) : path;
}

/** "producer.py:14" */
export function formatSite(site: SourceSite | null | undefined): string | null {
  return site ? `${baseName(site.file)}:${site.line}` : null;
}

/** 850 ms, 3.2 s, 2 min 5 s */
export function formatDuration(ms: number): string {
  const abs = Math.max(0, ms);
  if (abs < 1000) return `${Math.round(abs)} ms`;
  if (abs < 60_000) return `${(abs / 1000).toFixed(1)} s`;
  const minutes = Math.floor(abs / 60_000);
  const seconds = Math.round((abs % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}

/** Time since the start of the run, as shown in logs: "12.345 s". */
export function formatRunTime(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(3)} s`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${(bytes / (1024 * 1024 * 1024)).toFixed(2)} GB`;
}

/** Cuts a payload preview to `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
  if (max <= 0 || text.length <= max) return text;
  return `${text.slice(0, Math.max(1, max - 1))}…`;
}

/** Escapes text for a MarkdownString, so payloads and names show as typed, never as markup. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>&~]/g, (c) => `\\${c}`);
}
