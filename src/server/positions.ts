import type { Position, Range } from './protocol';

/**
 * The analyzer counts columns in code points; LSP counts UTF-16 code units. They differ only
 * for characters outside the Basic Multilingual Plane (emoji), so convert per line.
 */
export function toUtf16(lines: readonly string[], p: Position): Position {
  const text = lines[p.line];
  if (text === undefined) return p;
  let units = 0;
  let points = 0;
  for (const ch of text) {
    if (points >= p.character) break;
    units += ch.length; // 2 for astral characters
    points += 1;
  }
  return { line: p.line, character: units + Math.max(0, p.character - points) };
}

export function rangeToUtf16(lines: readonly string[], r: Range): Range {
  return { start: toUtf16(lines, r.start), end: toUtf16(lines, r.end) };
}
