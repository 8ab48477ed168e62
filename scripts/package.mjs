// `npm run package`: a production build (minified, no source maps, no tests) and
// process-view-<version>.vsix made by @vscode/vsce. What ships is decided by .vscodeignore,
// an allowlist; test/unit/package/ checks the result.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { root, run } from './lib/tools.cjs';

const node = process.execPath;
try {
  await run(node, ['scripts/build.mjs', '--production'], { timeoutMs: 5 * 60_000, label: 'production build' });
  if (!existsSync(join(root, 'out', 'extension.js'))) throw new Error('out/extension.js was not built (is src/extension.ts there?)');
  // --no-dependencies: everything the extension needs is bundled by esbuild.
  // --allow-missing-repository: no public repository yet, and vsce would otherwise ask on stdin.
  // --no-rewrite-relative-links: the README's images stay relative; they ship (docs/images/),
  // and VS Code resolves them against the installed extension's folder.
  await run(join(root, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links'], {
    timeoutMs: 5 * 60_000,
    label: 'vsce package',
  });
} catch (e) {
  console.error(`package failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
