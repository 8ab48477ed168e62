// Runs the mocha suite in out/test/host/ inside the extension host of a real VS Code through
// @vscode/test-electron's standard runTests. Which VS Code:
//   - default: this project's code-server launcher (scripts/code-server-as-vscode), which works
//     on machines that cannot download a desktop VS Code;
//   - VSCODE_EXECUTABLE=/path/to/code: that desktop VS Code;
//   - VSCODE_VERSION=stable|1.90.0|...: downloaded by @vscode/test-electron (needs internet).
// The workspace is examples/ (the repo root while examples/ does not exist yet).
import { runTests } from '@vscode/test-electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './lib/tools.cjs';

const testsEntry = join(root, 'out', 'test', 'host', 'index.js');
if (!existsSync(testsEntry)) {
  console.error(`${testsEntry} is missing: run \`npm run build\` first`);
  process.exit(1);
}
const examples = join(root, 'examples');
const workspace = existsSync(examples) ? examples : root;
const launcher = join(root, 'scripts', 'code-server-as-vscode');

const options = {
  extensionDevelopmentPath: root,
  extensionTestsPath: testsEntry,
  launchArgs: [workspace],
  extensionTestsEnv: { PV_TEST_WORKSPACE: workspace },
};
if (process.env.VSCODE_EXECUTABLE) options.vscodeExecutablePath = process.env.VSCODE_EXECUTABLE;
else if (process.env.VSCODE_VERSION) options.version = process.env.VSCODE_VERSION;
else {
  options.vscodeExecutablePath = launcher;
  // The launcher takes its own scratch profile unless told otherwise; keep it out of the repo.
  options.reuseMachineInstall = true;
}

try {
  await runTests(options);
} catch (e) {
  console.error(`in-host tests failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
