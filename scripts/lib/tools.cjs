// Shared by the scripts: where the test tools live, and child processes with deadlines.
// Everything downloaded or installed for tests is cached under .vscode-test/ (git-ignored).
// CommonJS so that both the .mjs scripts and the TypeScript test harness (bundled as CJS) can use it.
'use strict';
const { spawn } = require('node:child_process');
const { createWriteStream, existsSync, mkdirSync, readdirSync } = require('node:fs');
const { readFile } = require('node:fs/promises');
const { createServer } = require('node:net');
const { delimiter, isAbsolute, join } = require('node:path');

// The repo root: the nearest folder above this file with the project's package.json. Walking up
// (rather than a fixed '../..') keeps it right when esbuild bundles this file into out/test/.
function findRoot(dir) {
  for (let d = dir; ; d = join(d, '..')) {
    const manifest = join(d, 'package.json');
    if (existsSync(manifest) && JSON.parse(require('node:fs').readFileSync(manifest, 'utf8')).name === 'process-view') return d;
    if (d === join(d, '..')) throw new Error(`no process-view package.json above ${dir}`);
  }
}
const root = findRoot(__dirname);
const cacheDir = join(root, '.vscode-test');

// code-server 4.139.x is VS Code 1.139 and declares engines.node 24.
const NODE_VERSION = '24.21.0';
const CODE_SERVER_VERSION = '4.139.1';
const nodeDir = join(cacheDir, `node-${NODE_VERSION}`);
const nodeBin = join(nodeDir, 'bin', 'node');
const codeServerPrefix = join(cacheDir, `code-server-${CODE_SERVER_VERSION}`);
const codeServerBin = join(codeServerPrefix, 'bin', 'code-server');
const chromiumBin = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Environment for anything that runs code-server: Node 24 first on PATH, no marketplace. */
function codeServerEnv(extra = {}) {
  return {
    ...process.env,
    PATH: `${join(nodeDir, 'bin')}${delimiter}${process.env.PATH ?? ''}`,
    EXTENSIONS_GALLERY: '{}',
    ...extra,
  };
}

function isInstalled() {
  return existsSync(nodeBin) && existsSync(codeServerBin) && existsSync(join(codeServerPrefix, '.complete'));
}

/**
 * Runs a command to completion, inheriting stdio unless `capture` is set.
 * Rejects with a clear message on a non-zero exit or when `timeoutMs` passes (the whole
 * process group is killed then, so a hung child cannot keep CI waiting).
 */
function run(cmd, args, { timeoutMs = 10 * 60_000, capture = false, cwd = root, env = process.env, label } = {}) {
  const name = label ?? [cmd, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env,
      stdio: capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
      detached: true,
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (err += d));
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new Error(`${name}: still running after ${Math.round(timeoutMs / 1000)} s, killed`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${name}: could not start (${e.message})`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout: out, stderr: err });
      else {
        const tail = (err || out).trim().split('\n').slice(-15).join('\n');
        reject(new Error(`${name}: exited with ${code ?? signal}${tail ? `\n${tail}` : ''}`));
      }
    });
  });
}

/** Kills a detached child and everything it started (its process group). */
function killGroup(child, signal = 'SIGKILL') {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns a truthy value or the deadline passes. */
async function waitFor(check, { timeoutMs, intervalMs = 200, what }) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      lastError = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}`);
}

/**
 * Starts code-server on 127.0.0.1 with its state in `stateDir` (user data, extensions unless
 * given, XDG dirs: nothing is written to the home folder) and waits until it answers.
 * Its output goes to `stateDir/code-server.log`. Returns { child, port, url, logFile, stop }.
 */
async function startCodeServer({ stateDir, folder, port, extensionsDir, userDataDir, extraArgs = [], timeoutMs = 90_000, workspaceTrust = false }) {
  const dir = (...p) => {
    const d = join(stateDir, ...p);
    mkdirSync(d, { recursive: true });
    return d;
  };
  port ??= await freePort();
  const logFile = join(stateDir, 'code-server.log');
  dir();
  const out = createWriteStream(logFile);
  const child = spawn(
    codeServerBin,
    [
      '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
      '--user-data-dir', userDataDir ?? dir('user-data'),
      '--extensions-dir', extensionsDir ?? dir('extensions'),
      '--disable-telemetry', '--disable-update-check',
      // Workspace trust is off unless asked for (the e2e Restricted Mode scenario asks).
      ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
      '--disable-getting-started-override', '--ignore-last-opened',
      ...extraArgs,
      ...(folder ? [folder] : []),
    ],
    {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: codeServerEnv({ XDG_CONFIG_HOME: dir('xdg', 'config'), XDG_DATA_HOME: dir('xdg', 'data'), XDG_CACHE_HOME: dir('xdg', 'cache') }),
    },
  );
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  let exited;
  child.on('exit', (code, signal) => (exited = code ?? signal));
  const url = `http://127.0.0.1:${port}`;
  const stop = () => killGroup(child, 'SIGKILL');
  try {
    await waitFor(
      async () => {
        if (exited !== undefined) throw new Error(`code-server exited early with ${exited}; see ${logFile}`);
        return (await fetch(`${url}/healthz`)).ok;
      },
      { timeoutMs, what: `code-server to answer on ${url}` },
    );
  } catch (e) {
    stop();
    throw e;
  }
  return { child, port, url, logFile, stop };
}

/** The last `n` lines of a text file, or '' when it cannot be read. */
async function tailOf(file, n = 20) {
  try {
    return (await readFile(file, 'utf8')).trim().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

/** Every file under `dir` (absolute or relative to the repo root) whose name matches `pattern`, as sorted absolute paths; none when `dir` is missing. */
function listFiles(dir, pattern) {
  const base = isAbsolute(dir) ? dir : join(root, dir);
  if (!existsSync(base)) return [];
  return readdirSync(base, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && pattern.test(e.name))
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .sort();
}

/** Chromium flags for headless runs in containers (no GPU, no sandbox, nothing phoning home). */
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

/**
 * User settings for a code-server that tests and benchmarks drive: a quiet first start (no welcome
 * page, no trust prompt, no tips, no chat panel), so the window is about the user's code.
 */
const QUIET_WORKBENCH_SETTINGS = Object.freeze({
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'workbench.tips.enabled': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
});

module.exports = {
  root,
  cacheDir,
  NODE_VERSION,
  CODE_SERVER_VERSION,
  nodeDir,
  nodeBin,
  codeServerPrefix,
  codeServerBin,
  chromiumBin,
  codeServerEnv,
  isInstalled,
  run,
  killGroup,
  freePort,
  waitFor,
  startCodeServer,
  tailOf,
  listFiles,
  CHROMIUM_ARGS,
  QUIET_WORKBENCH_SETTINGS,
};
