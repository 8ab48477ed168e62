/**
 * package.json agrees with src/extension/ids.ts, every `%key%` has an English and a Chinese text,
 * and every string the extension passes to l10n.t has a Simplified Chinese translation.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listFiles } from '../../../scripts/lib/tools.cjs';
import { Commands, ConfigSection, ContextKeys, DebugType, Settings, ViewContainerId, Views } from '../../../src/extension/ids';
import { STOP_ON_KINDS } from '../../../src/core/protocol/control';

const root = join(__dirname, '..', '..', '..', '..');
interface MenuEntry {
  command: string;
  when?: string;
}
interface Contributes {
  commands: Array<{ command: string; enablement?: string }>;
  viewsContainers: { activitybar: Array<{ id: string }> };
  views: Record<string, Array<{ id: string }>>;
  configuration: { properties: Record<string, unknown> };
  menus: Record<string, MenuEntry[]>;
  debuggers: Array<{ type: string; languages: string[]; configurationAttributes: { launch: { properties: Record<string, { items?: { enum?: string[] } }> } } }>;
  breakpoints: Array<{ language: string }>;
}
const readJson = <T>(path: string): T => JSON.parse(readFileSync(join(root, path), 'utf8')) as T;
const pkg = readJson<{ contributes: Contributes }>('package.json');
const contributes = pkg.contributes;

describe('package.json agrees with ids.ts', () => {
  it('declares exactly the commands of ids.ts', () => {
    const declared = contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(declared, Object.values(Commands).sort());
  });

  it('declares the view container and views of ids.ts', () => {
    assert.equal(contributes.viewsContainers.activitybar[0]?.id, ViewContainerId);
    assert.deepEqual((contributes.views[ViewContainerId] ?? []).map((v) => v.id).sort(), Object.values(Views).sort());
  });

  it('declares exactly the settings of ids.ts', () => {
    const declared = Object.keys(contributes.configuration.properties).sort();
    assert.deepEqual(declared, Object.values(Settings).map((k) => `${ConfigSection}.${k}`).sort());
  });

  it('declares the processview debug type, its launch attributes and Python breakpoints', () => {
    assert.deepEqual(contributes.debuggers.map((d) => d.type), [DebugType]);
    const launch = contributes.debuggers[0]!.configurationAttributes.launch.properties;
    for (const key of ['program', 'args', 'cwd', 'env', 'python', 'stopOnEntry', 'stopOn', 'recording', 'startAt']) assert.ok(launch[key], key);
    assert.deepEqual(launch.stopOn?.items?.enum, [...STOP_ON_KINDS]);
    assert.deepEqual(contributes.breakpoints, [{ language: 'python' }]);
  });

  it('menus name only declared commands, and when clauses only declared keys', () => {
    const commands = new Set<string>(Object.values(Commands));
    const known = new Set<string>([...Object.values(ContextKeys), ...Object.values(Views)]);
    for (const [menu, entries] of Object.entries(contributes.menus)) {
      for (const e of entries) {
        assert.ok(commands.has(e.command), `${menu}: ${e.command}`);
        for (const key of e.when?.match(/processView\.[A-Za-z.]+/g) ?? []) assert.ok(known.has(key), `${menu}: ${key} in "${e.when}"`);
      }
    }
    for (const c of contributes.commands) {
      for (const key of (c.enablement ?? '').match(/processView\.[A-Za-z.]+/g) ?? []) assert.ok(known.has(key), key);
    }
  });
});

describe('localization', () => {
  const nls = readJson<Record<string, string>>('package.nls.json');
  const nlsZh = readJson<Record<string, string>>('package.nls.zh-cn.json');
  const bundleZh = readJson<Record<string, string>>('l10n/bundle.l10n.zh-cn.json');

  it('every %key% of package.json has English and Chinese text', () => {
    const keys = new Set([...JSON.stringify(pkg).matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]!));
    for (const k of keys) {
      assert.equal(typeof nls[k], 'string', `package.nls.json: ${k}`);
      assert.equal(typeof nlsZh[k], 'string', `package.nls.zh-cn.json: ${k}`);
    }
    assert.deepEqual(Object.keys(nlsZh).sort(), Object.keys(nls).sort());
  });

  /** String literals passed to t(...) / l10n.t(...) in the extension sources. */
  function sourceStrings(): Set<string> {
    // explain.ts: the stall explanations the Processes view shows (core, through the view's t);
    // src/core/debug: what the debugger says (the extension's l10n.t, or core/l10n.ts for initialize's locale);
    // tracer/python.ts: the untested-Python note every front end shows; replay/describe.ts: a
    // replay's step descriptions and channel states (the debugger's stepping through a recording).
    const files = [
      join(root, 'src', 'extension.ts'),
      ...listFiles(join(root, 'src', 'extension'), /\.ts$/),
      join(root, 'src', 'core', 'session', 'explain.ts'),
      join(root, 'src', 'core', 'tracer', 'python.ts'),
      join(root, 'src', 'core', 'replay', 'describe.ts'),
      ...listFiles(join(root, 'src', 'core', 'debug'), /\.ts$/),
    ];
    const out = new Set<string>();
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      // Single- or double-quoted (a string with an apostrophe may be written either way).
      for (const m of text.matchAll(/\bt\(\s*'((?:[^'\\]|\\.)*)'/g)) out.add(m[1]!.replace(/\\'/g, "'"));
      for (const m of text.matchAll(/\bt\(\s*"((?:[^"\\]|\\.)*)"/g)) out.add(m[1]!.replace(/\\"/g, '"'));
    }
    return out;
  }

  it('every string the extension shows has a Simplified Chinese translation', () => {
    const strings = sourceStrings();
    assert.ok(strings.size > 100, `found only ${strings.size} strings: the scan is broken`);
    const missing = [...strings].filter((s) => typeof bundleZh[s] !== 'string' || bundleZh[s]?.length === 0);
    assert.deepEqual(missing, []);
  });

  it('translations keep their placeholders and the bundle has no stale entries', () => {
    const strings = sourceStrings();
    for (const [en, zh] of Object.entries(bundleZh)) {
      assert.ok(strings.has(en), `stale entry: ${en}`);
      const placeholders = (s: string) => (s.match(/\{\d+\}/g) ?? []).sort();
      assert.deepEqual(placeholders(zh), placeholders(en), en);
    }
  });
});
