// `process-view show --at TIME`: the tree and the channels' contents at a moment of a recording,
// run as the real command line on recordings of real runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ChannelState } from '../../../src/core/session';
import { parseMoment } from '../../../src/cli/show';

function repoRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'package.json')) && dirname(d) !== d) d = dirname(d);
  return d;
}
const CLI = join(repoRoot(), 'bin', 'process-view.js');
const fixture = (name: string) => join(repoRoot(), 'test', 'fixtures', 'recordings', `${name}.jsonl`);
const built = existsSync(join(repoRoot(), 'out', 'cli.js')) || 'build first';

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('--at takes seconds or milliseconds, with the unit', () => {
  assert.equal(parseMoment('3.2s'), 3200);
  assert.equal(parseMoment('3200ms'), 3200);
  assert.equal(parseMoment('0.5 s'), 500);
  assert.equal(parseMoment('3'), null);
  assert.equal(parseMoment('-1s'), null);
  assert.equal(parseMoment('3.2 min'), null);
});

test('show --at: the zombie is there at 1.3 s, not yet at 1.2 s, and gone at the end', { skip: built !== true && built }, async () => {
  const early = await cli(['show', '--at', '1.2s', fixture('18_zombie')]);
  assert.equal(early.code, 0, early.stderr);
  assert.doesNotMatch(early.stdout, /ZOMBIE/);
  assert.match(early.stdout, /^18_zombie\.py: 2 processes, running for 1\.20 s {2}\(at 1\.200 s\)$/m);
  const at = await cli(['show', '--at', '1300ms', fixture('18_zombie')]);
  assert.equal(at.code, 0, at.stderr);
  assert.match(at.stdout, /└─ \d+ {2}ForkProcess-1 {2}child {2}ZOMBIE {2}18_zombie\.py:46/);
  assert.match(at.stdout, /Last step \(1\.258 s\): pid \d+ is a zombie: it has exited, and its parent \d+ has not joined \(waited for\) it/);
  const late = await cli(['show', '--at', '60s', fixture('18_zombie')]);
  assert.equal(late.code, 0);
  assert.match(late.stderr, /the recording ends at 3\.351 s; showing its end/);
  assert.doesNotMatch(late.stdout, /ZOMBIE/);
  assert.match(late.stdout, /ended after 3\.35 s, exit 0/);
});

test('show --at: what a JoinableQueue and a Lock held then; --json has it too', { skip: built !== true && built }, async () => {
  const q = await cli(['show', '--at', '2400ms', fixture('35_joinable_queue')]);
  assert.equal(q.code, 0, q.stderr);
  assert.match(q.stdout, /joinable-queue:\d+:1:\n {4}3 message\(s\) waiting, oldest first:\n {6}'泔水0' from pid \d+ at 2\.351 s\n {6}'包子1' from pid \d+ at 2\.358 s\n {6}'骨头0' from pid \d+ at 2\.372 s\n {4}unfinished tasks \(put, not yet task_done\): 4\n/);
  const lock = await cli(['show', '--at', '2.011s', fixture('25_ticket_with_lock')]);
  assert.match(lock.stdout, /held by pid (\d+)\n {4}pid \d+ waiting in acquire since 1\.901 s\n {4}pid \d+ waiting in acquire since 2\.010 s/);
  const json = await cli(['show', '--json', '--at', '2400ms', fixture('35_joinable_queue')]);
  assert.equal(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as { at: number; contents: ChannelState[]; lastStep: { description: string }; processes: unknown[] };
  assert.equal(parsed.at, 2400);
  assert.deepEqual(parsed.contents[0]!.inFlight.map((m) => m.preview), ["'泔水0'", "'包子1'", "'骨头0'"]);
  assert.equal(parsed.contents[0]!.unfinishedTasks, 4);
  assert.match(parsed.lastStep.description, /JoinableQueue\.get → '包子0'/);
});

test('show --at on a recording cut short: it opens, with the warning, up to where it ends', { skip: built !== true && built }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pv-show-at-'));
  try {
    const lines = readFileSync(fixture('18_zombie'), 'utf8').split('\n').filter((l) => l !== '');
    const cut = join(dir, 'cut.jsonl');
    writeFileSync(cut, `${lines.slice(0, 20).join('\n')}\n{"type":"sample","sam`);
    const r = await cli(['show', '--at', '1.3s', cut]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: The recording .*cut\.jsonl was cut short/);
    assert.match(r.stderr, /its last line \(21\) is incomplete/);
    assert.match(r.stdout, /ZOMBIE/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('show --at: a bad time says how to write one', { skip: built !== true && built }, async () => {
  const r = await cli(['show', '--at', '3', fixture('18_zombie')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--at needs a time with its unit, e\.g\. --at 3\.2s or --at 3200ms \(not "3"\)/);
});
