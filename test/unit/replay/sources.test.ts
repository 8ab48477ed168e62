// Where a recording's source files are now, and whether they changed since (real files in a
// temporary folder, with real modification times).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SourceMap, searchRoots } from '../../../src/core/replay';

test('a recorded file: the same, changed after the recording, found elsewhere, or missing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pv-sources-'));
  try {
    const here = join(dir, 'here.py');
    const touched = join(dir, 'touched.py');
    writeFileSync(here, 'x = 1\n');
    writeFileSync(touched, 'x = 2\n');
    const recordedAt = Date.parse('2026-11-22T14:00:00Z');
    utimesSync(here, new Date(recordedAt - 60_000), new Date(recordedAt - 60_000));
    utimesSync(touched, new Date(recordedAt + 60_000), new Date(recordedAt + 60_000));
    mkdirSync(join(dir, 'ws', 'examples'), { recursive: true });
    const moved = join(dir, 'ws', 'examples', '18_zombie.py');
    writeFileSync(moved, 'print(1)\n');

    const recorded = ['/nowhere/at/all/examples/18_zombie.py', here, touched, '/nowhere/gone.py'];
    const map = new SourceMap(recorded, { roots: [join(dir, 'ws')], recordedAtMs: recordedAt });
    assert.equal(map.local(here).status, 'same');
    assert.equal(map.local(here).note, null);
    assert.equal(map.local(touched).status, 'changed');
    assert.match(map.local(touched).note!, /^touched\.py has changed since the recording \(modified 2026-11-22T14:01:00\.000Z, after the run began\)/);
    const found = map.local(recorded[0]!);
    assert.deepEqual([found.status, found.path], ['unchecked', moved]);
    assert.match(found.note!, /keeps no copy or hash of the file/);
    assert.equal(map.local('/nowhere/gone.py').status, 'missing');
    // Breakpoints set on the local file stand for the recorded one.
    assert.deepEqual(map.recorded(moved), [recorded[0]]);
    assert.deepEqual(map.recorded(here), [here]);
    assert.deepEqual(map.recorded(join(dir, 'other.py')), [join(dir, 'other.py')]);

  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a recording made elsewhere finds its files from its own folder up, after the launch folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pv-roots-'));
  try {
    // project/recordings/run.jsonl names /home/someone/project/examples/18_zombie.py.
    const project = join(dir, 'project');
    mkdirSync(join(project, 'recordings'), { recursive: true });
    mkdirSync(join(project, 'examples'), { recursive: true });
    const local = join(project, 'examples', '18_zombie.py');
    writeFileSync(local, 'print(1)\n');
    const recording = join(project, 'recordings', 'run.jsonl');
    const roots = searchRoots(join(dir, 'elsewhere'), recording);
    assert.deepEqual(roots.slice(0, 4), [join(dir, 'elsewhere'), join(project, 'recordings'), project, dir]);
    assert.equal(roots.at(-1), '/');
    assert.equal(new Set(roots).size, roots.length, 'each folder once');
    const found = new SourceMap(['/home/someone/project/examples/18_zombie.py'], { roots }).local('/home/someone/project/examples/18_zombie.py');
    assert.deepEqual([found.status, found.path], ['unchecked', local]);
    // The longest tail wins; for tails as long, the launch folder is looked in first.
    mkdirSync(join(dir, 'elsewhere', 'examples'), { recursive: true });
    writeFileSync(join(dir, 'elsewhere', 'examples', '18_zombie.py'), 'print(2)\n');
    const again = () => new SourceMap(['/home/someone/project/examples/18_zombie.py'], { roots: searchRoots(join(dir, 'elsewhere'), recording) }).local('/home/someone/project/examples/18_zombie.py').path;
    assert.equal(again(), local, 'project/examples/18_zombie.py is a longer tail than examples/18_zombie.py');
    mkdirSync(join(dir, 'elsewhere', 'project', 'examples'), { recursive: true });
    writeFileSync(join(dir, 'elsewhere', 'project', 'examples', '18_zombie.py'), 'print(3)\n');
    assert.equal(again(), join(dir, 'elsewhere', 'project', 'examples', '18_zombie.py'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
