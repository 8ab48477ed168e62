// `npm start`: a real VS Code (code-server) on 127.0.0.1 with the freshly packaged extension
// installed as a user installs it, and examples/ open. Prints the URL; Ctrl+C stops it.
//   PORT=8080 npm start       (default: 8080, or a free port if 8080 is taken)
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { cacheDir, codeServerBin, codeServerEnv, freePort, root, run, startCodeServer } from './lib/tools.cjs';

const node = process.execPath;
const state = join(cacheDir, 'start');
const extensionsDir = join(state, 'extensions');
const userDataDir = join(state, 'user-data');

const portFree = (port) =>
  new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });

try {
  await run(node, ['scripts/setup.mjs'], { timeoutMs: 30 * 60_000, label: 'setup' });
  await run(node, ['scripts/package.mjs'], { timeoutMs: 10 * 60_000, label: 'package' });
  const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const vsix = join(root, `${name}-${version}.vsix`);

  // A fresh install each time, so what runs is exactly the VSIX just built.
  rmSync(extensionsDir, { recursive: true, force: true });
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  const settings = join(userDataDir, 'User', 'settings.json');
  if (!existsSync(settings)) writeFileSync(settings, JSON.stringify({ 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'chat.disableAIFeatures': true, 'workbench.secondarySideBar.defaultVisibility': 'hidden' }, null, 2));
  const env = codeServerEnv({ XDG_CONFIG_HOME: join(state, 'xdg', 'config'), XDG_DATA_HOME: join(state, 'xdg', 'data'), XDG_CACHE_HOME: join(state, 'xdg', 'cache') });
  await run(codeServerBin, ['--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix], {
    env, capture: true, timeoutMs: 120_000, label: 'code-server --install-extension',
  });

  const wanted = Number(process.env.PORT ?? 8080);
  const port = (await portFree(wanted)) ? wanted : await freePort();
  const folder = join(root, 'examples');
  const server = await startCodeServer({ stateDir: state, folder, port, extensionsDir, userDataDir });
  const url = `${server.url}/?folder=${encodeURIComponent(folder)}`;
  console.log(`\nProcess View ${version} is installed in a VS Code (code-server) with examples/ open:\n\n    ${url}\n`);
  console.log(`Right-click a .py file in the Explorer → "Run with Process View". Log: ${server.logFile}. Ctrl+C stops.`);
  const stop = () => {
    server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.child.on('exit', (code) => {
    console.error(`code-server exited (${code}); see ${server.logFile}`);
    process.exit(1);
  });
} catch (e) {
  console.error(`npm start failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
