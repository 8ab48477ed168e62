// `npm test`: every tier, in order, stopping at the first failure, with a summary at the end.
//   build → typecheck → lint → unit → python → debug → setup → in-host → package (+ VSIX content) → e2e
//   node scripts/test.mjs [--from STAGE] [--only STAGE[,STAGE]] [--keep-going]
// --keep-going (or PV_KEEP_GOING=1) runs the later stages after a failure too, to see everything
// that is broken at once; the exit code is still 1.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { killGroup, listFiles, root } from './lib/tools.cjs';

const PYTHONS = ['3.9', '3.10', '3.12', '3.13'];

const files = listFiles;

/** Other installed Pythons (pyenv) to run the Python tests on as well, when present. */
function otherPythons() {
  const base = process.env.PYENV_ROOT ?? join(process.env.HOME ?? '/root', '.pyenv');
  const versions = join(base, 'versions');
  if (!existsSync(versions)) return [];
  const found = [];
  for (const minor of PYTHONS) {
    const dir = readdirSync(versions).filter((v) => v.startsWith(`${minor}.`)).sort().at(-1);
    const bin = dir && join(versions, dir, 'bin', 'python3');
    if (bin && existsSync(bin)) found.push(bin);
  }
  return found;
}

/** python3's real executable (not a pyenv shim, which costs a second per start on a busy machine). */
function resolvedPython() {
  const r = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : 'python3';
}

const node = process.execPath;
const bin = (name) => join(root, 'node_modules', '.bin', name);
const unitTests = () => files(join(root, 'out', 'test', 'unit'), /\.test\.js$/).filter((f) => !f.includes(`${join('unit', 'package')}`));
const packageTests = () => files(join(root, 'out', 'test', 'unit', 'package'), /\.test\.js$/);
const pythonTestsExist = () => files(join(root, 'test', 'python'), /^test.*\.py$/).length > 0;

// Each stage: a list of commands run one after another; `minutes` bounds the whole stage.
const stages = [
  { name: 'build', minutes: 5, cmds: () => [[node, ['scripts/build.mjs']]] },
  { name: 'typecheck', minutes: 5, cmds: () => [[bin('tsc'), ['--noEmit', '-p', '.']]] },
  { name: 'lint', minutes: 5, cmds: () => [[bin('eslint'), ['--max-warnings=0', 'src', 'test', 'scripts', 'bench']]] },
  {
    name: 'unit',
    minutes: 10,
    cmds: () => {
      const tests = unitTests();
      if (tests.length === 0) throw new Error('no unit test found under out/test/unit');
      // A per-test deadline, so a hung test fails under its own name instead of eating the stage's.
      return [[node, ['--test', '--test-timeout=120000', '--test-reporter=spec', ...tests.map((f) => relative(root, f))]]];
    },
  },
  {
    name: 'python',
    // ~11 minutes here idle (3.11 in full, the tracer modules on 3.9, 3.10, 3.12 and 3.13); 3.11
    // alone took 24 minutes with two busy loops and a load average of 20-30. A hang guard, not a
    // time limit: the tests themselves wait for states, never for durations.
    minutes: 60,
    cmds: () => {
      if (!pythonTestsExist()) throw new Error('no Python test found under test/python (test*.py)');
      const args = ['-m', 'unittest', 'discover', '-s', 'test/python', '-t', '.'];
      // Other Pythons get the quick modules only: the examples' suite runs every example traced
      // and takes minutes, so it runs once, on the default python3.
      const quick = files(join(root, 'test', 'python'), /^test.*\.py$/)
        .filter((f) => !/test_examples/.test(f))
        .map((f) => relative(root, f).replace(/\.py$/, '').split(/[\\/]/).join('.'));
      // PV_TEST_PYTHON_MATRIX: this stage runs them on every Python itself, so a run on another
      // Python does not start 3.9 and 3.13 again from inside (test_tracer.python_versions).
      const others = quick.length ? otherPythons().map((py) => [py, ['-m', 'unittest', ...quick], { PV_TEST_PYTHON_MATRIX: '1' }]) : [];
      return [['python3', args], ...others];
    },
  },
  {
    name: 'debug',
    // The debugger through a real DAP client over stdio (test/debug), once per installed Python:
    // the interpreter is the tests' PV_TEST_PYTHON. ~5 minutes per Python on a busy machine.
    minutes: 60,
    cmds: () => {
      const tests = files(join(root, 'out', 'test', 'debug'), /\.test\.js$/).map((f) => relative(root, f));
      if (tests.length === 0) throw new Error('no debugger test found under out/test/debug');
      return [resolvedPython(), ...otherPythons()].map((py) => [node, ['--test', '--test-timeout=300000', '--test-reporter=spec', ...tests], { PV_TEST_PYTHON: py }]);
    },
  },
  { name: 'setup', minutes: 30, cmds: () => [[node, ['scripts/setup.mjs']]] },
  { name: 'host', minutes: 25, cmds: () => [[node, ['scripts/test-host.mjs']]] },
  {
    name: 'package',
    minutes: 5,
    cmds: () => [
      [node, ['scripts/package.mjs']],
      // The production build replaced the test build's bundles: the VSIX test is built on its own.
      [node, ['scripts/build.mjs', '--tests-only']],
      [node, ['--test', '--test-reporter=spec', ...packageTests().map((f) => relative(root, f))]],
    ],
  },
  { name: 'e2e', minutes: 45, cmds: () => [[node, ['out/test/e2e/run.js']]] },
];

// Every temporary file of every stage (the tests' folders, the runs' socket folders, the editor's)
// goes in one folder of this run, removed at the end: each run used to leave thousands in /tmp.
// Short, for Unix socket paths (108 bytes). PV_KEEP_TMP=1 keeps it, to look at after a failure.
const scratch = mkdtempSync(join(tmpdir(), 'pv-tests-'));
const scratchEnv = { TMPDIR: scratch, TMP: scratch, TEMP: scratch };
function removeScratch() {
  if (process.env.PV_KEEP_TMP === '1') console.log(`(temporary files kept in ${scratch})`);
  else rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
}

let current; // the running step, stopped with everything it started if we are interrupted
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (current) killGroup(current, 'SIGTERM');
    setTimeout(() => {
      if (current) killGroup(current);
      removeScratch();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    }, 3000).unref();
  });
}

// Test counts read from each runner's closing lines, added up for the last line of npm test.
const totals = { passed: 0, failed: 0 };
function countLine(line, pending) {
  let m;
  if ((m = /^ℹ pass (\d+)$/.exec(line))) totals.passed += Number(m[1]); // node:test
  else if ((m = /^ℹ fail (\d+)$/.exec(line))) totals.failed += Number(m[1]);
  else if ((m = /^(\d+) passed, (\d+) failed/.exec(line))) {
    // the in-host and e2e runners
    totals.passed += Number(m[1]);
    totals.failed += Number(m[2]);
  } else if ((m = /^Ran (\d+) tests? in /.exec(line))) pending.ran = Number(m[1]); // unittest
  else if (pending.ran !== undefined && (m = /^(OK|FAILED)\b(?: \((.*)\))?$/.exec(line))) {
    const n = (key) => Number(new RegExp(`${key}=(\\d+)`).exec(m[2] ?? '')?.[1] ?? 0);
    const bad = n('failures') + n('errors') + n('unexpected successes');
    totals.failed += bad;
    totals.passed += pending.ran - bad - n('skipped') - n('expected failures');
    pending.ran = undefined;
  }
}

function relay(stream, out, pending) {
  let buffer = '';
  stream.on('data', (chunk) => {
    out.write(chunk);
    buffer += chunk.toString('utf8');
    const lines = buffer.split('\n');
    buffer = lines.pop();
    for (const line of lines) countLine(line.replace(/\x1b\[[0-9;]*m/g, '').trim(), pending);
  });
}

function runStep(cmd, args, deadline, env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, ...scratchEnv, ...env } });
    current = child;
    const pending = {};
    relay(child.stdout, process.stdout, pending);
    relay(child.stderr, process.stderr, pending);
    const timer = setTimeout(() => {
      console.error(`\n[test] ${cmd} ${args.join(' ')}: deadline reached, killing it`);
      killGroup(child, 'SIGTERM'); // lets the runners stop their servers and browsers
      setTimeout(() => killGroup(child), 5000).unref();
      resolve('timed out');
    }, Math.max(0, deadline - Date.now()));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve(`could not start ${cmd}: ${e.message}`);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(code === 0 ? undefined : `exited with ${code ?? signal}`);
    });
  });
}

const argv = process.argv.slice(2);
const from = argv.includes('--from') ? argv[argv.indexOf('--from') + 1] : undefined;
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1].split(',') : undefined;
const names = stages.map((s) => s.name);
for (const n of [from, ...(only ?? [])].filter(Boolean)) {
  if (!names.includes(n)) {
    console.error(`unknown stage "${n}"; stages: ${names.join(', ')}`);
    removeScratch();
    process.exit(2);
  }
}
const selected = stages.filter((s, i) => (only ? only.includes(s.name) : from ? i >= names.indexOf(from) : true));

const keepGoing = argv.includes('--keep-going') || process.env.PV_KEEP_GOING === '1';
const results = [];
const failures = [];
const wallStart = Date.now();
for (const stage of selected) {
  console.log(`\n=== ${stage.name} ===`);
  const started = Date.now();
  const deadline = started + stage.minutes * 60_000;
  try {
    for (const [cmd, args, env] of stage.cmds()) {
      const err = await runStep(cmd, args, deadline, env);
      if (err) throw new Error(`${relative(root, cmd) || cmd} ${args.join(' ')}: ${err}`);
    }
    results.push([stage.name, 'ok', Date.now() - started]);
  } catch (e) {
    failures.push({ stage: stage.name, message: e instanceof Error ? e.message : String(e) });
    results.push([stage.name, 'FAILED', Date.now() - started]);
    if (!keepGoing) break;
  }
}

console.log('\n=== summary ===');
for (const [name, status, ms] of results) console.log(`${name.padEnd(10)} ${status.padEnd(7)} ${(ms / 1000).toFixed(1).padStart(6)} s`);
for (const s of selected.slice(results.length)) console.log(`${s.name.padEnd(10)} skipped (an earlier stage failed)`);
console.log(`${'total'.padEnd(10)} ${''.padEnd(7)} ${((Date.now() - wallStart) / 1000).toFixed(1).padStart(6)} s`);
for (const f of failures) console.log(`\nnpm test FAILED at "${f.stage}": ${f.message}`);
if (!failures.length) console.log('\nnpm test: all stages passed');
// Every runner's counts added up (node:test, unittest on each Python, in-host, e2e).
console.log(`${totals.passed} passed, ${totals.failed} failed`);
removeScratch();
process.exit(failures.length ? 1 : 0);
