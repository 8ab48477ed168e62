// The command line on a real run: `record` (not on a terminal: event lines and the final tree on
// stderr, the script's own output untouched) and `show` / `show --json` on what it wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SessionSummary } from '../../../src/core/session';
import { fakeNewerPython } from '../../fixtures/newerPython';

function repoRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'package.json')) && dirname(d) !== d) d = dirname(d);
  return d;
}
const CLI = join(repoRoot(), 'bin', 'process-view.js');
const dir = mkdtempSync(join(tmpdir(), 'pv-cli-'));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: dir, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const SCRIPT = `
import multiprocessing as mp, multiprocessing.connection, os, time
def work(q):
    q.put(os.getpid())
if __name__ == "__main__":
    q = mp.Queue()
    p = mp.Process(target=work, args=(q,))
    p.start()
    print("got", q.get() == p.pid)
    mp.connection.wait([p.sentinel])   # p has exited ...
    time.sleep(0.4)   # ... and nobody joins it for 0.4 s: a zombie
    p.join()
`;

test('record writes a session that show and show --json read back', { skip: !existsSync(join(repoRoot(), 'out', 'cli.js')) && 'build first' }, async () => {
  const script = join(dir, 'zombie_queue.py');
  writeFileSync(script, SCRIPT);
  const out = join(dir, 'run.jsonl');
  const rec = await cli(['record', '--out', out, script]);
  assert.equal(rec.code, 0, rec.stderr);
  assert.equal(rec.stdout, 'got True\n', 'the script output is untouched');
  assert.match(rec.stderr, /\[process-view .*\] started \d+ {2}MainProcess/);
  assert.match(rec.stderr, /was a zombie for at least 100 ms/);
  assert.match(rec.stderr, /zombie_queue\.py: 2 processes, ended after/);
  assert.match(rec.stderr, /Recorded to /);

  const show = await cli(['show', out]);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /└─ \d+ {2}Process-1 {2}child {2}exited 0 {2}was a zombie/);
  assert.match(show.stdout, /queue queue:\d+:1 {2}zombie_queue\.py:6 {2}1 message {2}\(put 1 · get 1\)/);

  const json = await cli(['show', '--json', out]);
  assert.equal(json.code, 0, json.stderr);
  const s = JSON.parse(json.stdout) as SessionSummary;
  const keys = ['pid', 'parentPid', 'ppid', 'name', 'role', 'daemon', 'createdAt', 'startedMs', 'exitedMs', 'exitCode', 'signal', 'zombie', 'orphaned', 'adoptedBy'];
  for (const p of s.processes) for (const k of keys) assert.ok(k in p, `process field ${k}`);
  // Found by role: the list is in order of first sight, and the child's hello can be read before
  // the main's (each process reports on its own connection).
  assert.deepEqual(s.processes.map((p) => p.role).sort(), ['child', 'main']);
  const main = s.processes.find((p) => p.role === 'main');
  const child = s.processes.find((p) => p.role === 'child');
  assert.equal(child!.parentPid, main!.pid);
  assert.deepEqual(child!.createdAt, { file: script, line: 8 });
  assert.equal(child!.zombie, true);
  assert.equal(child!.exitCode, 0);
  assert.equal(child!.signal, null);
  assert.deepEqual(s.channels.map((c) => [c.kind, c.messages, c.ops]), [['queue', 1, { put: 1, get: 1 }]]);

  const missing = await cli(['show', join(dir, 'nope.jsonl')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no such file/i);
});

test('a Python newer than the tested ones runs the script as it is, with one line saying so', { skip: (process.platform === 'win32' || !existsSync(join(repoRoot(), 'out', 'cli.js'))) && 'POSIX, built' }, async () => {
  const fake = fakeNewerPython(dir);
  const s = join(dir, 'newer.py');
  writeFileSync(s, 'import multiprocessing as mp\nif __name__ == "__main__":\n    p = mp.Process(target=print, args=("from the child",)); p.start(); p.join()\n    print("same output")\n');
  const newer = await cli(['record', '--python', fake, '--out', join(dir, 'newer.jsonl'), s]);
  assert.equal(newer.code, 0, newer.stderr);
  assert.equal(newer.stdout, 'from the child\nsame output\n');
  assert.match(newer.stderr, /^process-view: Python 3\.14\.0 is newer than the versions this release of Process View is tested with \(3\.9 to 3\.13\): the run goes ahead/m);
  assert.match(newer.stderr, /newer\.py: 2 processes, ended after .*, exit 0/);
  const tested = await cli(['record', '--out', join(dir, 'tested.jsonl'), s]);
  assert.equal(tested.code, 0, tested.stderr);
  assert.doesNotMatch(tested.stderr, /is newer than the versions/);
});

test('show says lost events in words, skips malformed lines with a warning, and refuses a folder in one sentence', { skip: !existsSync(join(repoRoot(), 'out', 'cli.js')) && 'build first' }, async () => {
  const file = join(dir, 'lossy.jsonl');
  writeFileSync(
    file,
    [
      '{"type":"header","format":"process-view-session","version":1,"protocol":1,"script":"/a.py","args":[],"startedAtIso":"2026-01-01T00:00:00Z"}',
      '{"type":"event","event":{"kind":"hello","t":0,"pid":100,"ppid":50,"role":"main","name":"MainProcess","argv":["a.py"],"python":"3.11.7","executable":"p"}}',
      '{"type":"event","event":{"kind":"tracer.dropped","t":5,"pid":100,"ppid":50,"count":1234,"reason":"exit"}}',
      '{"type":"event","event":null}',
      '{"type":"sample","sample":{"t":5,"processes":"all","gone":[]}}',
      '{"type":"end","t":9,"exitCode":0,"signal":null}',
      '',
    ].join('\n'),
  );
  const show = await cli(['show', file]);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /^a\.py: 1 process, ended after 9 ms, exit 0\nWarning: 1,234 events lost: 1,234 of process 100 \(it ended before Process View could take them\)\./);
  assert.match(show.stderr, /2 damaged line\(s\) were skipped, the first at line 4: the event is not an object; sample: processes is not a list\./);
  const json = await cli(['show', '--json', file]);
  assert.equal(json.code, 0, json.stderr);
  const s = JSON.parse(json.stdout) as SessionSummary;
  assert.equal(s.run.droppedEvents, 1234);
  assert.deepEqual(s.run.lostEvents, [{ pid: 100, reason: 'exit', count: 1234 }]);
  const folder = await cli(['show', dir]);
  assert.deepEqual([folder.code, folder.stdout], [1, '']);
  assert.equal(folder.stderr, `process-view show: ${dir} is a folder, not a recording: give the .jsonl file inside it.\n`);
});

test('export prints every record of a format 2 recording as one JSON line, the events the tracer sent', { skip: !existsSync(join(repoRoot(), 'out', 'cli.js')) && 'build first' }, async () => {
  const script = join(dir, 'export_queue.py');
  writeFileSync(script, SCRIPT);
  const out = join(dir, 'export.jsonl');
  const rec = await cli(['record', '--quiet', '--out', out, script]);
  assert.equal(rec.code, 0, rec.stderr);
  const raw = readFileSync(out, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { type: string });
  assert.ok(raw.some((r) => r.type === 'wire'), 'the recording keeps its events in blocks');
  assert.ok(!raw.some((r) => r.type === 'event'), 'no event is stored as a JSON line');

  const exp = await cli(['export', out]);
  assert.equal(exp.code, 0, exp.stderr);
  assert.equal(exp.stderr, '');
  const records = exp.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { type: string; event?: { kind: string; op?: string; pid: number } });
  assert.equal(records[0]!.type, 'header');
  assert.equal(records.at(-1)!.type, 'end');
  assert.ok(records.slice(1, -1).every((r) => r.type === 'event' || r.type === 'sample'));
  const events = records.filter((r) => r.type === 'event').map((r) => r.event!);
  assert.equal(events.filter((e) => e.kind === 'hello').length, 2);
  assert.deepEqual(events.filter((e) => e.kind === 'channel.op').map((e) => e.op).sort(), ['get', 'put']);
  // The same events the model was built from: show's summary counts them the same way.
  const json = JSON.parse((await cli(['show', '--json', out])).stdout) as SessionSummary;
  assert.equal(json.processes.length, new Set(events.filter((e) => e.kind === 'hello').map((e) => e.pid)).size);

  const cut = join(dir, 'cut.jsonl');
  writeFileSync(cut, readFileSync(out, 'utf8').split('\n').slice(0, -2).join('\n') + '\n');
  const partial = await cli(['export', cut]);
  assert.equal(partial.code, 0);
  assert.match(partial.stderr, /was cut short/);
  assert.equal((JSON.parse(partial.stdout.split('\n')[0]!) as { type: string }).type, 'header');

  const usage = await cli(['export']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /give one recording/);
  const folder = await cli(['export', dir]);
  assert.deepEqual([folder.code, folder.stdout], [1, '']);
  assert.match(folder.stderr, /is a folder, not a recording/);
});

test('export into a reader that stops early (| head) ends quietly with status 0', { skip: !existsSync(join(repoRoot(), 'out', 'cli.js')) && 'build first' }, async () => {
  // 3,000 messages: ~6,000 events, over a megabyte of JSON lines, far more than a pipe holds, so
  // export is still writing when the reader goes.
  const script = join(dir, 'export_many.py');
  writeFileSync(script, 'import multiprocessing as mp\nif __name__ == "__main__":\n    q = mp.Queue()\n    for i in range(3000):\n        q.put(i)\n        q.get()\n');
  const out = join(dir, 'export_many.jsonl');
  const rec = await cli(['record', '--quiet', '--out', out, script]);
  assert.equal(rec.code, 0, rec.stderr);
  const child = spawn(process.execPath, [CLI, 'export', out], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let first = '';
  await new Promise<void>((resolve) => {
    child.stdout.once('data', (d: Buffer) => {
      first = d.toString();
      child.stdout.destroy(); // the reader goes, as head does after its lines
      resolve();
    });
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.match(first, /^\{"type":"header"/);
  assert.equal(code, 0, stderr);
  assert.equal(stderr, '');
});

test('--version names the release, the recording format and the Pythons it is tested with; --help and a wrong command', { skip: !existsSync(join(repoRoot(), 'out', 'cli.js')) && 'build first' }, async () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const v = await cli([flag]);
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout, `process-view ${pkg.version} (recordings: format 2; tracer protocol 1; Python 3.9 to 3.13)\n`);
  }
  const help = await cli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: process-view <command>/);
  assert.match(help.stdout, /process-view --version/);
  const wrong = await cli(['recrod']);
  assert.equal(wrong.code, 2);
  assert.equal(wrong.stdout, '');
  assert.match(wrong.stderr, /unknown command "recrod"/);
});
