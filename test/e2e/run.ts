// The end-to-end runner. It installs the packaged VSIX into a fresh code-server extensions
// folder with `code-server --install-extension` (what a user does), starts code-server, drives
// Debian's Chromium with playwright-core through every scenario in out/test/e2e/**/*.e2e.js,
// saves a screenshot of each (test-results/e2e/), and ends with `N passed, N failed`.
//   node out/test/e2e/run.js [path/to/x.vsix]     (PV_E2E_GREP=text runs only matching scenarios)
import { chromium, type Browser } from 'playwright-core';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CHROMIUM_ARGS, chromiumBin, codeServerBin, codeServerEnv, isInstalled, QUIET_WORKBENCH_SETTINGS, root, run, startCodeServer, tailOf,
} from '../../scripts/lib/tools.cjs';
import { registeredScenarios, resultsDir, Workbench, type ScenarioContext } from './harness';

const RUN_TIMEOUT_MS = Number(process.env.PV_E2E_TIMEOUT_MS ?? 20 * 60_000);

// Module-level so that a signal or the overall deadline can still stop them.
let server: Awaited<ReturnType<typeof startCodeServer>> | undefined;
let untrustedServer: Awaited<ReturnType<typeof startCodeServer>> | undefined;
let chineseServer: Awaited<ReturnType<typeof startCodeServer>> | undefined;
let browser: Browser | undefined;
function abort(message: string, code: number): void {
  console.error(message);
  server?.stop();
  untrustedServer?.stop();
  chineseServer?.stop();
  void browser?.close().catch(() => undefined);
  console.log('0 passed, 1 failed');
  process.exit(code);
}
process.on('SIGINT', () => abort('e2e: interrupted', 130));
process.on('SIGTERM', () => abort('e2e: terminated', 143));

function scenarioFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) found.push(...scenarioFiles(p));
    else if (name.endsWith('.e2e.js')) found.push(p);
  }
  return found.sort();
}

function findVsix(): string {
  const arg = process.argv[2];
  if (arg) return arg;
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  const file = join(root, `${manifest.name}-${manifest.version}.vsix`);
  try {
    statSync(file);
  } catch {
    throw new Error(`${file} not found: run \`npm run package\` first`);
  }
  return file;
}

async function main(): Promise<number> {
  if (!isInstalled()) throw new Error('code-server is not set up: run `node scripts/setup.mjs`');
  const vsix = findVsix();
  // Scenario files register themselves when loaded (see harness.ts).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  for (const file of scenarioFiles(__dirname)) require(file);
  const grep = process.env.PV_E2E_GREP;
  const scenarios = registeredScenarios().filter((s) => !grep || s.name.includes(grep));
  if (scenarios.length === 0) throw new Error(`no e2e scenario found under ${__dirname}${grep ? ` matching "${grep}"` : ''}`);

  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  const state = mkdtempSync(join(tmpdir(), 'pv-e2e-'));
  const extensionsDir = join(state, 'extensions');
  const userDataDir = join(state, 'user-data');
  const settings = QUIET_WORKBENCH_SETTINGS;
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings));

  let passed = 0;
  let failed = 0;
  try {
    console.log(`installing ${vsix}`);
    const env = codeServerEnv({ XDG_CONFIG_HOME: join(state, 'xdg', 'config'), XDG_DATA_HOME: join(state, 'xdg', 'data'), XDG_CACHE_HOME: join(state, 'xdg', 'cache') });
    const common = ['--extensions-dir', extensionsDir, '--user-data-dir', userDataDir];
    await run(codeServerBin, [...common, '--install-extension', vsix], { env, capture: true, timeoutMs: 120_000, label: 'code-server --install-extension' });
    const { stdout } = await run(codeServerBin, [...common, '--list-extensions', '--show-versions'], { env, capture: true, timeoutMs: 60_000 });
    console.log(`installed: ${stdout.trim().split('\n').join(', ')}`);

    server = await startCodeServer({ stateDir: state, extensionsDir, userDataDir });
    browser = await chromium.launch({ executablePath: chromiumBin, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
    const serverUrl = server.url;
    // A second code-server with workspace trust on, started when a scenario first asks for it:
    // a folder opened there is in Restricted Mode until the user trusts it (trust lives in the
    // browser's storage, and every scenario has a fresh browser context).
    const untrustedUrl = async (): Promise<string> => {
      if (!untrustedServer) {
        const userData = join(state, 'trust', 'user-data');
        mkdirSync(join(userData, 'User'), { recursive: true });
        const trustSettings = { ...settings, 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' };
        writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(trustSettings));
        untrustedServer = await startCodeServer({ stateDir: join(state, 'trust'), extensionsDir, userDataDir: userData, workspaceTrust: true });
      }
      return untrustedServer.url;
    };

    // A third, with the UI language set to Simplified Chinese, also started when first asked for.
    const chineseUrl = async (): Promise<string> => {
      if (!chineseServer) {
        // code-server switches its display language only to one a language pack provides, and
        // none can be downloaded here: a test pack that translates nothing of VS Code
        // (test/e2e/fixtures/zh-cn-language-pack) makes zh-cn one, so the extension runs with
        // vscode.env.language 'zh-cn' and shows its own Chinese texts. The server learns of an
        // installed pack from languagepacks.json in its user data folder, which it writes only
        // when the workbench lists languages: written here, as that cache would say.
        const dir = join(state, 'zh-cn');
        const userData = join(dir, 'user-data');
        const extensions = join(dir, 'extensions');
        mkdirSync(join(userData, 'User'), { recursive: true });
        writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(settings));
        const fixture = join(root, 'test', 'e2e', 'fixtures', 'zh-cn-language-pack');
        const packVsix = join(dir, 'zh-cn-language-pack.vsix');
        await run(join(root, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', packVsix], {
          cwd: fixture,
          capture: true,
          timeoutMs: 120_000,
          label: 'vsce package (test language pack)',
        });
        const zhCommon = ['--extensions-dir', extensions, '--user-data-dir', userData];
        for (const x of [vsix, packVsix]) await run(codeServerBin, [...zhCommon, '--install-extension', x], { env, capture: true, timeoutMs: 120_000, label: 'code-server --install-extension' });
        const pack = JSON.parse(readFileSync(join(fixture, 'package.json'), 'utf8')) as { name: string; publisher: string; version: string };
        const id = `${pack.publisher}.${pack.name}`;
        const installed = join(extensions, `${id}-${pack.version}`);
        const cache = { 'zh-cn': { hash: 'pvtest', extensions: [{ extensionIdentifier: { id }, version: pack.version }], translations: { vscode: join(installed, 'translations', 'main.i18n.json') }, label: '中文(简体)' } };
        writeFileSync(join(userData, 'languagepacks.json'), JSON.stringify(cache));
        chineseServer = await startCodeServer({ stateDir: dir, extensionsDir: extensions, userDataDir: userData, extraArgs: ['--locale', 'zh-cn'] });
      }
      return chineseServer.url;
    };

    for (const s of scenarios) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const pages: Workbench[] = [];
      const t: ScenarioContext = {
        openWorkbench: async (folder) => {
          const wb = await Workbench.open(context, serverUrl, folder);
          pages.push(wb);
          return wb;
        },
        openUntrustedWorkbench: async (folder) => {
          const wb = await Workbench.open(context, await untrustedUrl(), folder);
          pages.push(wb);
          return wb;
        },
        openChineseWorkbench: async (folder) => {
          const wb = await Workbench.open(context, await chineseUrl(), folder);
          pages.push(wb);
          return wb;
        },
        repoPath: (relative) => join(root, relative),
      };
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          s.body(t),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`scenario still running after ${s.timeoutMs / 1000} s`)), s.timeoutMs);
          }),
        ]);
        const last = pages.at(-1);
        if (last) await last.screenshot(s.name);
        passed++;
        console.log(`  ✓ ${s.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      } catch (e) {
        failed++;
        const shot = pages.at(-1) ? await pages.at(-1)!.screenshot(`${s.name}-failure`).catch(() => undefined) : undefined;
        // Playwright colours its call logs; a CI log wants plain text.
        const text = (e instanceof Error ? e.stack ?? e.message : String(e)).replace(/\x1b\[[0-9;]*m/g, '');
        console.log(`  ✗ ${s.name}\n    ${text.split('\n').join('\n    ')}`);
        if (shot) console.log(`    screenshot: ${shot}`);
      } finally {
        clearTimeout(timer);
        await context.close().catch(() => undefined);
      }
    }
  } finally {
    await browser?.close().catch(() => undefined);
    server?.stop();
    untrustedServer?.stop();
    chineseServer?.stop();
    if (failed > 0) {
      for (const [which, s] of [['code-server', server], ['the second code-server (workspace trust on)', untrustedServer], ['the Chinese code-server', chineseServer]] as const) {
        const tail = s ? await tailOf(s.logFile, 15) : '';
        if (tail) console.log(`last lines of the log of ${which}:\n${tail}`);
      }
    }
    rmSync(state, { recursive: true, force: true, maxRetries: 3 });
  }
  console.log(`screenshots: ${resultsDir}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

const deadline = setTimeout(() => abort(`e2e run still going after ${RUN_TIMEOUT_MS / 1000} s: giving up`, 124), RUN_TIMEOUT_MS);
deadline.unref();

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`e2e: ${e instanceof Error ? e.message : String(e)}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
