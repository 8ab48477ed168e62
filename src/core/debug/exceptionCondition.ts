/**
 * The condition of an exception filter (Breakpoints view, Edit Condition): which exception types
 * stop. `ValueError, queue.Empty` stops for those (and their subclasses) only; `!queue.Empty`
 * for every type but that one; both kinds may be mixed. Names, not expressions: nothing of the
 * program is evaluated to decide (the tracer matches them, `_debug._exception_matches`).
 *
 * No `vscode` import here, ever.
 */
import { plain, type Localize } from '../localize';

export interface ExceptionCondition {
  /** Types that stop (empty: every type but the excluded ones). */
  readonly names: readonly string[];
  /** Types that never stop. */
  readonly excluded: readonly string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** The condition's names, or the reason it cannot be read, in the user's words. */
export function parseExceptionCondition(text: string, t: Localize = plain): ExceptionCondition | { readonly error: string } {
  const names: string[] = [];
  const excluded: string[] = [];
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const not = item.startsWith('!');
    const name = (not ? item.slice(1) : item).trim();
    if (!NAME.test(name)) {
      return { error: t('"{0}" is not an exception type\'s name. Write names separated by commas (ValueError, queue.Empty); !Name leaves one out.', item) };
    }
    (not ? excluded : names).push(name);
  }
  if (names.length === 0 && excluded.length === 0) return { error: t('Name at least one exception type (ValueError, queue.Empty); !Name leaves one out.') };
  return { names, excluded };
}
