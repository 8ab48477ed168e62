/**
 * The core's words in the user's language where VS Code's `l10n.t` is not there: the standalone
 * debug adapter (`process-view debug-adapter`) picks them from the `locale` of DAP's initialize
 * request (VS Code sends its display language, e.g. "zh-cn"; other clients may send "zh-CN").
 *
 * One table: the extension's l10n bundle (l10n/bundle.l10n.<locale>.json, shipped in the VSIX),
 * which holds the core's strings too — the localization test checks that every t('...') of
 * src/core/debug and src/core/session/explain.ts has its entry. Inside VS Code the extension
 * passes `l10n.t`, which reads the same bundle. The mechanism is localize.ts's: a `Localize`
 * function with `{0}` placeholders; English is the key itself.
 *
 * No `vscode` import here, ever.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { plain, type Localize } from './localize';

/** The folder with the l10n bundles: the package's l10n/, found upwards from this bundle's folder. */
function bundleDir(): string | null {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'l10n');
    if (existsSync(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

/** The bundle's locale for a client's locale ("zh-CN", "zh-cn", "zh-Hans-CN", "zh" → "zh-cn"), or null for English. */
export function bundleLocale(locale: string | null | undefined, available: readonly string[]): string | null {
  if (!locale) return null;
  const l = locale.toLowerCase().replace(/_/g, '-');
  if (available.includes(l)) return l;
  const lang = l.split('-')[0]!;
  // Simplified Chinese unless the client says a traditional one (zh-TW, zh-HK, zh-MO, zh-Hant).
  if (lang === 'zh' && !/^zh-(tw|hk|mo|hant)/.test(l) && available.includes('zh-cn')) return 'zh-cn';
  return available.find((a) => a.split('-')[0] === lang) ?? null;
}

const cache = new Map<string, Readonly<Record<string, string>>>();

/** A Localize for a client's locale: English (the keys) when there is no bundle for it. */
export function localizerFor(locale: string | null | undefined, dir: string | null = bundleDir()): Localize {
  if (!dir || !locale) return plain;
  let available: string[];
  try {
    available = readdirSync(dir)
      .map((f) => /^bundle\.l10n\.(.+)\.json$/.exec(f)?.[1])
      .filter((x): x is string => x !== undefined);
  } catch {
    return plain;
  }
  const name = bundleLocale(locale, available);
  if (!name) return plain;
  const file = path.join(dir, `bundle.l10n.${name}.json`);
  let table = cache.get(file);
  if (!table) {
    try {
      table = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    } catch {
      return plain;
    }
    cache.set(file, table);
  }
  const t = table;
  return (message, ...args) => plain(t[message] ?? message, ...args);
}
