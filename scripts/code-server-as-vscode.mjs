// Behaves like a desktop VS Code started by @vscode/test-electron's runTests, on machines where
// only code-server (VS Code's server + web workbench, with a real Node extension host) can run:
//
//   code-server-as-vscode --extensionDevelopmentPath=DIR --extensionTestsPath=FILE [WORKSPACE]
//                         [--extensions-dir=DIR] [--user-data-dir=DIR] [other VS Code flags, ignored]
//
// It starts code-server with the smoke-test driver enabled, opens the workbench in headless
// Chromium with the test payload in the URL (how VS Code's own browser integration tests run),
// relays the extension host's log lines (window.codeAutomationLog) to stdout, and exits with the
// code the tests end with (window.codeAutomationExit). Everything is deadline-bounded:
// PV_HOST_TIMEOUT_MS (default 10 minutes) caps the whole run.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { format } from 'node:util';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumBin, isInstalled, startCodeServer, tailOf } from './lib/tools.cjs';

const TOTAL_TIMEOUT_MS = Number(process.env.PV_HOST_TIMEOUT_MS ?? 10 * 60_000);
const STARTUP_TIMEOUT_MS = 90_000;
// The workbench's own chatter, which the smoke-test driver relays along with the extension
// host's output; PV_VERBOSE=1 shows it.
const NOISE = /^(\[(AgentHost|AgentHost:remote|ChatModelSelection|Service Worker|AccountPolicyGate|reconnection-grace-time)\]|Ignoring fetching additional builtin|Creating a socket|Resolving connection token|Resolved connection token|Creation of workbench contribution|Timed out waiting for authentication provider|Updating additional builtin extensions cache)/;

function parseArgs(argv) {
  const opts = { devPaths: [], testsPath: undefined, extensionsDir: undefined, userDataDir: undefined, workspace: undefined };
  const valued = { extensionDevelopmentPath: 'devPaths', extensionTestsPath: 'testsPath', 'extensions-dir': 'extensionsDir', 'user-data-dir': 'userDataDir' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(arg);
    if (!m) {
      opts.workspace = resolve(arg);
      continue;
    }
    const key = valued[m[1]];
    if (!key) continue; // desktop-only flags (--no-sandbox, --skip-welcome, ...) mean nothing here
    const value = resolve(m[2] ?? argv[++i]);
    if (key === 'devPaths') opts.devPaths.push(value);
    else opts[key] = value;
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
if (!opts.testsPath || opts.devPaths.length === 0) {
  console.error('usage: code-server-as-vscode --extensionDevelopmentPath=DIR --extensionTestsPath=FILE [WORKSPACE]');
  process.exit(2);
}
if (!isInstalled()) {
  console.error('code-server is not set up: run `node scripts/setup.mjs` (npm test does it on its own)');
  process.exit(2);
}

const scratch = mkdtempSync(join(tmpdir(), 'pv-code-server-'));
if (opts.userDataDir) mkdirSync(opts.userDataDir, { recursive: true });
if (opts.extensionsDir) mkdirSync(opts.extensionsDir, { recursive: true });

let server;
let browser;
let exitCode = 1;
const overall = setTimeout(() => {
  console.error(`[code-server-as-vscode] no result from the extension host after ${TOTAL_TIMEOUT_MS / 1000} s: giving up`);
  void finish(124);
}, TOTAL_TIMEOUT_MS);

let finishing = false;
async function finish(code) {
  if (finishing) return;
  finishing = true;
  clearTimeout(overall);
  if (code !== 0 && server) {
    const tail = await tailOf(server.logFile, 20);
    if (tail) console.error(`[code-server-as-vscode] last lines of the code-server log:\n${tail}`);
  }
  await Promise.race([browser?.close(), new Promise((r) => setTimeout(r, 10_000))]).catch(() => {});
  server?.stop();
  rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  process.exit(code);
}
process.on('SIGINT', () => void finish(130));
process.on('SIGTERM', () => void finish(143));

try {
  const workspace = opts.workspace ?? opts.devPaths[0];
  server = await startCodeServer({
    stateDir: scratch,
    folder: workspace,
    userDataDir: opts.userDataDir,
    extensionsDir: opts.extensionsDir,
    extraArgs: ['--vscode-option', 'enable-smoke-test-driver'],
    timeoutMs: STARTUP_TIMEOUT_MS,
  });
  const { port, url: base } = server;
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = [
    ...opts.devPaths.map((p) => ['extensionDevelopmentPath', remote(p)]),
    ['extensionTestsPath', remote(opts.testsPath)],
  ];
  const url = `${base}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

  browser = await chromium.launch({ executablePath: chromiumBin, headless: true, args: CHROMIUM_ARGS, timeout: STARTUP_TIMEOUT_MS });
  const page = await browser.newPage();
  const result = new Promise((resolveExit) => {
    void page.exposeFunction('codeAutomationExit', (code) => resolveExit(Number(code)));
  });
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const list = Array.isArray(args) ? args : [args];
    if (process.env.PV_RAW_LOG) process.stderr.write(`RAW ${type} ${JSON.stringify(list).slice(0, 300)}\n`);
    // Console arguments arrive as sent: a format string and its values.
    const line = format(...list);
    if (!process.env.PV_VERBOSE && NOISE.test(line)) return;
    if (type === 'error' || type === 'warn') process.stderr.write(`${line}\n`);
    else process.stdout.write(`${line}\n`);
  });
  page.on('pageerror', (e) => {
    if (process.env.PV_VERBOSE) console.error(`[workbench] ${e.message}`);
  });
  await page.goto(url, { timeout: STARTUP_TIMEOUT_MS });
  exitCode = await result;
} catch (e) {
  console.error(`[code-server-as-vscode] ${e instanceof Error ? e.message : e}`);
  exitCode = 1;
}
await finish(exitCode);
