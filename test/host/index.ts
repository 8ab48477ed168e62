// The mocha entry that VS Code's extension host loads (--extensionTestsPath). It runs every
// out/test/host/**/*.test.js and ends with a plain `N passed, N failed` line. A run that finds
// no test fails: a green suite must have tested something.
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function testFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.js'))
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .sort();
}

export async function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: Number(process.env.PV_HOST_TEST_TIMEOUT_MS ?? 60_000),
    grep: process.env.PV_HOST_GREP,
  });
  const files = testFiles(__dirname);
  for (const file of files) mocha.addFile(file);
  const { passed, failed } = await new Promise<{ passed: number; failed: number }>((resolve, reject) => {
    try {
      const runner = mocha.run(() => resolve({ passed: runner.stats?.passes ?? 0, failed: runner.stats?.failures ?? 0 }));
    } catch (e) {
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
  console.log(`${passed} passed, ${failed} failed`);
  if (failed > 0) throw new Error(`${failed} in-host test(s) failed`);
  if (passed === 0) throw new Error(`no in-host test ran (looked for *.test.js under ${__dirname})`);
}
