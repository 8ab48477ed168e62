// The one build script: bundles the extension, the command line, the language server, the
// webview scripts and the test files with esbuild. Type checking is `tsc --noEmit` (npm run typecheck).
//   node scripts/build.mjs [--production] [--watch] [--tests-only]
// --tests-only rebuilds just the tests (npm test uses it after packaging, to keep the shipped bundles).
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listFiles } from './lib/tools.cjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const testsOnly = process.argv.includes('--tests-only');

/** Every file under dir (relative to the repo root) whose name matches, relative to the root. */
const find = (dir, pattern) => listFiles(dir, pattern).map((f) => relative(root, f));
const ifExists = (...files) => files.filter((f) => existsSync(join(root, f)));

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
};

const builds = testsOnly ? [] : [
  // What ships: extension host code and the language server; `vscode` is provided by the host.
  { ...node, entryPoints: { extension: 'src/extension.ts' }, outdir: 'out', external: ['vscode'], only: ifExists('src/extension.ts') },
  { ...node, entryPoints: { server: 'src/server/main.ts' }, outdir: 'out', only: ifExists('src/server/main.ts') },
  // The command line (bin/process-view.js loads it).
  { ...node, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'out', only: ifExists('src/cli/main.ts') },
  // Webview scripts run in the browser sandbox of the webview.
  {
    ...node,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    entryPoints: find('src/webview', /\.ts$/).filter((f) => !f.endsWith('.d.ts') && !f.includes('/shared/')),
    outdir: 'out/webview',
  },
];

if (!production) {
  // Tests, one bundle per file, keeping the folder layout under out/.
  const tests = [
    ...find('test/unit', /\.ts$/),
    ...find('test/host', /\.ts$/),
    ...find('test/e2e', /\.ts$/),
    ...find('test/debug', /\.ts$/),
  ];
  builds.push({
    ...node,
    entryPoints: tests,
    outbase: '.',
    outdir: 'out',
    external: ['vscode', 'mocha', 'playwright-core', '@vscode/test-electron'],
  });
}

const contexts = [];
for (const { only, ...options } of builds) {
  if (only !== undefined && only.length === 0) continue;
  const entries = options.entryPoints;
  if (Array.isArray(entries) && entries.length === 0) continue;
  if (watch) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
    contexts.push(ctx);
  } else {
    await esbuild.build(options);
  }
}
if (watch) console.log(`watching ${contexts.length} builds`);
