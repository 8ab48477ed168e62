/**
 * A function breakpoint's name (Breakpoints view, Add Function Breakpoint): the dotted name of
 * one of the program's functions, `worker`, `Counter.increment` or `tasks.worker`, matched in
 * each process by the end of the function's module-qualified name (the tracer's
 * `_debug.function_name_parts` reads it the same way, and refuses what this refuses).
 *
 * No `vscode` import here, ever.
 */
import { plain, type Localize } from '../localize';

// Python identifiers: a letter or underscore, then letters, digits, underscores (Unicode's ID classes, as str.isidentifier).
const PART = /^[\p{ID_Start}_][\p{ID_Continue}]*$/u;

/** The name as the tracer matches it (a trailing `()` forgiven, spaces trimmed), or why it cannot be one. */
export function parseFunctionName(text: string, t: Localize = plain): { readonly name: string } | { readonly error: string } {
  let name = text.trim();
  if (name.endsWith('()')) name = name.slice(0, -2).trimEnd();
  const parts = name.split('.').map((p) => p.trim());
  if (name === '' || !parts.every((p) => PART.test(p))) {
    return { error: t('"{0}" is not a function\'s name. Write it as Python names it: worker, Counter.increment, or with its module: tasks.worker.', text) };
  }
  return { name: parts.join('.') };
}
