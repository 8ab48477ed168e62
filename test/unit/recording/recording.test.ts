// The session file: written live, read back whole, cut short, damaged, or not a recording at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingWriter, readRecording, loadSession, NotARecordingError } from '../../../src/core/recording';
import type { TracerEvent } from '../../../src/core/protocol/events';

const dir = mkdtempSync(join(tmpdir(), 'pv-rec-'));
const events: TracerEvent[] = [
  { kind: 'hello', t: 0, pid: 100, ppid: 50, role: 'main', name: 'MainProcess', argv: ['a.py'], python: '3.11.7', executable: 'python3' },
  { kind: 'process.created', t: 5, pid: 100, ppid: 50, childPid: 101, name: 'Process-1', daemon: false, role: 'child', startMethod: 'fork', site: { file: '/a.py', line: 9 } },
  { kind: 'channel.op', t: 10, pid: 101, ppid: 100, id: 'q', op: 'put', digest: 5, preview: "'hi'" },
  { kind: 'channel.op', t: 12, pid: 100, ppid: 50, id: 'q', op: 'get', digest: 5, preview: "'hi'" },
  { kind: 'process.exit', t: 20, pid: 101, ppid: 100, exitCode: 0, how: 'return' },
  { kind: 'process.joined', t: 400, pid: 100, ppid: 50, childPid: 101, stillAlive: false, exitCode: 0, waitedMs: 1 },
];

async function writeSample(file: string, withEnd = true): Promise<void> {
  const w = new RecordingWriter(file, { protocol: 1, script: '/a.py', args: [], startedAtIso: '2026-01-01T00:00:00Z', supervisorPid: 50 });
  // Each record in a block (a line) of its own, as a slow run writes them: line numbers below count on it.
  for (const e of events.slice(0, 5)) {
    w.writeEvent(e);
    w.flush();
  }
  w.writeSample({
    t: 150,
    processes: [
      { pid: 50, ppid: 1, state: 'sleeping', startTicks: 1, command: 'python3 supervisor.py', cpuPercent: 0, rssBytes: 1 },
      { pid: 101, ppid: 100, state: 'zombie', startTicks: 2, command: 'python3 a.py', cpuPercent: 0, rssBytes: 0 },
    ],
    gone: [],
  });
  w.flush();
  for (const e of events.slice(5)) {
    w.writeEvent(e);
    w.flush();
  }
  if (withEnd) await w.end({ t: 450, exitCode: 0, signal: null });
  else await w.end({ t: 450, exitCode: 0, signal: null }).then(() => {
    // Remove the end line to play a crash.
    const text = readFileSync(file, 'utf8').trimEnd().split('\n');
    writeFileSync(file, `${text.slice(0, -1).join('\n')}\n`);
  });
}

test('a recording reads back into the same model', async () => {
  const file = join(dir, 'whole.jsonl');
  await writeSample(file);
  const rec = await readRecording(file);
  assert.equal(rec.header.format, 'process-view-session');
  assert.equal(rec.header.version, 2);
  assert.equal(rec.records.length, events.length + 1);
  assert.equal(rec.truncated, false);
  assert.deepEqual(rec.warnings, []);
  const { session } = await loadSession(file);
  const snap = session.snapshot();
  assert.equal(snap.run.endedMs, 450);
  assert.equal(snap.run.script, '/a.py');
  assert.deepEqual(snap.processes.map((p) => p.pid), [100, 101], 'the supervisor is not part of the tree');
  assert.equal(snap.processes[1]!.zombie, true);
  assert.equal(snap.channels[0]!.recentMessages[0]!.toPid, 100);
});

test('a file cut in the middle of a line opens up to its last whole line, with a warning', async () => {
  const file = join(dir, 'cut.jsonl');
  await writeSample(file, false);
  // Cut in the middle of the last event (the join), as a full disk would.
  truncateSync(file, statSync(file).size - 20);
  const rec = await readRecording(file);
  assert.equal(rec.truncated, true);
  assert.equal(rec.end, null);
  assert.equal(rec.records.length, events.length); // the join is lost, everything before is there
  assert.ok(rec.warnings.some((w) => /cut short/.test(w)), rec.warnings.join('\n'));
  assert.ok(rec.warnings.some((w) => /last line .* is incomplete/.test(w)), rec.warnings.join('\n'));
  const { session } = await loadSession(file);
  const child = session.snapshot().processes.find((p) => p.pid === 101)!;
  assert.equal(child.exitedMs, 20);
  assert.equal(child.reapedMs, null);
  assert.ok(session.snapshot().run.warnings.some((w) => /cut short/.test(w)));
});

test('a damaged line in the middle is skipped and counted', async () => {
  const file = join(dir, 'damaged.jsonl');
  await writeSample(file);
  const lines = readFileSync(file, 'utf8').split('\n');
  lines[2] = lines[2]!.slice(0, 10);
  writeFileSync(file, lines.join('\n'));
  const rec = await readRecording(file);
  assert.equal(rec.records.length, events.length);
  assert.ok(rec.warnings.some((w) => /1 damaged line\(s\) were skipped, the first at line 3/.test(w)), rec.warnings.join('\n'));
});

test('a file that is not a recording is refused clearly', async () => {
  const file = join(dir, 'not.jsonl');
  writeFileSync(file, '{"hello": 1}\n');
  await assert.rejects(readRecording(file), NotARecordingError);
  writeFileSync(file, '');
  await assert.rejects(readRecording(file), /empty/);
});

test('every malformed record is skipped with a warning, never an abort; the rest of the file is read', async () => {
  // Issue 11, item 5: valid JSON of the wrong shape aborted show with a raw TypeError, and a
  // pid that is not a number made a bogus process row.
  const file = join(dir, 'shapes.jsonl');
  await writeSample(file);
  const good = readFileSync(file, 'utf8').trimEnd().split('\n');
  const hostile = [
    '{"type":"event","event":null}',
    '{"type":"event"}',
    '{"type":"event","event":{"kind":"hello","t":1,"pid":"notanumber","ppid":1,"role":"main","name":"x","argv":[],"python":"3","executable":"p"}}',
    '{"type":"event","event":{"kind":"channel.op","t":"soon","pid":100,"ppid":50,"id":"q","op":"put"}}',
    '{"type":"event","event":{"kind":"process.created","t":6,"pid":100,"ppid":50,"childPid":102,"name":7,"daemon":false,"role":"child","startMethod":"fork"}}',
    '{"type":"event","event":{"kind":"channel.op","t":13,"pid":100,"ppid":50,"id":"q","op":"put","site":{"file":3}}}',
    '{"type":"sample","sample":null}',
    '{"type":"sample","sample":{"t":5,"processes":"all of them","gone":[]}}',
    '{"type":"sample","sample":{"t":5,"processes":[{"pid":100}],"gone":[]}}',
    '{"type":"sample","sample":{"t":5,"processes":[],"gone":"x"}}',
    '[1,2,3]',
    '"just a string"',
    '{"type":"end","exitCode":"zero","signal":5}',
  ];
  // The hostile lines go before the last event; the end line stays last but is malformed too.
  const lines = [good[0]!.replace('"script":"/a.py"', '"script":42'), ...good.slice(1, -2), ...hostile.slice(0, -1), good[good.length - 2]!, hostile[hostile.length - 1]!];
  writeFileSync(file, `\ufeff${lines.join('\n')}\n`); // with a byte order mark, as some editors save it
  const { session, recording } = await loadSession(file);
  const snap = session.snapshot();
  assert.deepEqual(snap.processes.map((p) => p.pid), [100, 101], 'no bogus process');
  assert.equal(snap.processes[0]!.exitedMs, null);
  assert.equal(snap.channels[0]!.messageCount, 1);
  assert.equal(snap.run.script, '?', 'a header field of the wrong type is dropped, not thrown on');
  assert.deepEqual(recording.end, { type: 'end', exitCode: null, signal: null }, 'an end record of the wrong shape reads as an unknown end');
  const text = recording.warnings.join('\n');
  assert.match(text, /damaged header \(script\)/);
  assert.match(text, /12 damaged line\(s\) were skipped, the first at line 8: the event is not an object \(2×\); hello: pid is not a process id; channel.op: t is not a number; and more\./);
  // Each alone, in a file of its own: each is skipped, none aborts.
  for (const h of hostile.slice(0, -1)) {
    writeFileSync(file, `${[...good.slice(0, -1), h, good[good.length - 1]!].join('\n')}\n`);
    const one = await loadSession(file);
    assert.deepEqual(one.session.snapshot().processes.map((p) => p.pid), [100, 101], h);
    assert.ok(one.recording.warnings.some((w) => /1 damaged line\(s\) were skipped/.test(w)), `${h}: ${one.recording.warnings.join('\n')}`);
  }
});

test('a folder, a missing file and an unreadable one are refused in one sentence each', async () => {
  await assert.rejects(loadSession(dir), /is a folder, not a recording: give the \.jsonl file inside it\./);
  await assert.rejects(loadSession(join(dir, 'nope.jsonl')), /^Error: No such file .*nope\.jsonl: check the path\.$|No such file .*: check the path\./);
  const rec = await loadSession(join(dir, 'nope.jsonl')).catch((e: unknown) => e);
  assert.ok(rec instanceof NotARecordingError);
});
