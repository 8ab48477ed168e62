// Session files of format 2 (the tracer's batches as they arrived, in compressed blocks): a real run
// reads back as exactly the events the live Session got; format 1 recordings still open and give
// the same model when written again as format 2; a file cut at any byte opens up to where it ends;
// a damaged block costs only its own records, with a warning; a batch cut by its connection's end
// is recorded as a counted drop, and the drop is shown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { loadSession, NotARecordingError, readRecording, RecordingWriter, type BodyRecord } from '../../../src/core/recording';
import { startRecordedRun } from '../../../src/core/run';
import { summarize, type SessionSnapshot } from '../../../src/core/session';
import { EventReceiver } from '../../../src/core/tracer';
import { PROTOCOL_VERSION, type TracerEvent } from '../../../src/core/protocol/events';
import { describeLosses } from '../../../src/core/session/losses';

function repoRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'package.json')) && dirname(d) !== d) d = dirname(d);
  return d;
}
const dir = mkdtempSync(join(tmpdir(), 'pv-format2-'));
const PY = process.env.PYTHON ?? 'python3';

/** What a recording and a live run must agree on: every process's story and every channel. */
function model(s: SessionSnapshot): unknown {
  const sum = summarize(s);
  return {
    processes: sum.processes.map((p) => [p.pid, p.parentPid, p.role, p.state, p.exitCode, p.createdAt?.line ?? null]),
    channels: sum.channels,
    droppedEvents: sum.run.droppedEvents,
  };
}

const SCRIPT = `
import multiprocessing as mp, sys
def produce(q, conn):
    for i in range(300):
        q.put(i)
        conn.send(("item", i))
    q.put(None)
    conn.close()
if __name__ == "__main__":
    q = mp.Queue()
    a, b = mp.Pipe(duplex=False)
    p = mp.Process(target=produce, args=(q, b))
    p.start()
    b.close()
    n = 0
    while q.get() is not None:
        n += 1
    while True:
        try:
            a.recv()
        except EOFError:
            break
    p.join()
    sys.exit(0 if n == 300 else 1)
`;

let recorded: { path: string; seen: TracerEvent[]; live: SessionSnapshot } | null = null;
async function realRun(): Promise<NonNullable<typeof recorded>> {
  if (recorded) return recorded;
  const script = join(dir, 'flood.py');
  writeFileSync(script, SCRIPT);
  const path = join(dir, 'flood.jsonl');
  const seen: TracerEvent[] = [];
  const run = await startRecordedRun({ script, stdio: 'pipe', recordingPath: path, onEvent: (e) => seen.push(e) });
  const end = await run.ended;
  assert.deepEqual(end, { exitCode: 0, signal: null, recordingError: null });
  recorded = { path, seen, live: run.session.snapshot() };
  return recorded;
}

test('a real run recorded as batches reads back as the events the live Session got, and the same model', async () => {
  const { path, seen, live } = await realRun();
  const text = readFileSync(path, 'utf8');
  const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string });
  assert.equal(lines[0]!.type, 'header');
  assert.equal((lines[0] as { version?: number }).version, 2);
  assert.match((lines[0] as { startNs?: string }).startNs ?? '', /^\d+$/);
  assert.ok(lines.some((l) => l.type === 'wire'), 'the events are in blocks');
  assert.ok(!lines.some((l) => l.type === 'event'), 'not one line per event any more');
  assert.equal(lines[lines.length - 1]!.type, 'end');

  const rec = await readRecording(path);
  assert.deepEqual(rec.warnings, []);
  assert.equal(rec.truncated, false);
  const events = rec.records.filter((r) => r.type === 'event').map((r) => (r as Extract<BodyRecord, { type: 'event' }>).event);
  assert.ok(events.length > 1200, `${events.length} events`);
  assert.deepEqual(events, seen, 'the same events, in the same order, field for field');
  const reopened = (await loadSession(path)).session.snapshot();
  assert.deepEqual(model(reopened), model(live));
  assert.ok(text.length / events.length < 40, `${(text.length / events.length).toFixed(1)} bytes an event`);
});

test('format 1 recordings still open, and give the same model written again as format 2', async () => {
  const fixtures = join(repoRoot(), 'test', 'fixtures', 'recordings');
  const names = readdirSync(fixtures).filter((f) => f.endsWith('.jsonl'));
  assert.ok(names.length >= 5);
  for (const name of names) {
    const v1 = await readRecording(join(fixtures, name));
    assert.equal(v1.header.version ?? 1, 1, name);
    const copy = join(dir, `v2-${name}`);
    const { type: _t, format: _f, version: _v, ...fields } = v1.header;
    const w = new RecordingWriter(copy, fields);
    v1.records.forEach((r, i) => {
      if (r.type === 'event') w.writeEvent(r.event);
      else w.writeSample(r.sample);
      if (i % 7 === 6) w.flush(); // several blocks
    });
    await w.end(v1.end!);
    const a = (await loadSession(join(fixtures, name))).session;
    const b = (await loadSession(copy)).session;
    assert.deepEqual(summarize(b.snapshot()), summarize(a.snapshot()), name);
    const end = a.snapshot().nowMs;
    for (const f of [0.2, 0.5, 0.8]) assert.deepEqual(b.snapshotAt(end * f), a.snapshotAt(end * f), `${name} at ${f}`);
    assert.deepEqual((await readRecording(copy)).records, v1.records, `${name}: the records themselves`);
  }
});

test('a format 2 file cut at any byte opens up to where it ends (or, cut inside its header, is refused clearly)', async () => {
  // A small file of several blocks: batches as a tracer sends them (marshal, from a real Python)
  // and events as JSON records, flushed into blocks of a few records each.
  const frames = (execFileSync(PY, ['-c', `import marshal, sys
evs = [("channel.op", 5000000 + i, 2, "/a.py", 3, "queue:1", "put" if i % 2 == 0 else "get", repr(i), 5, i, None, True, None) for i in range(6)]
sys.stdout.write(" ".join(marshal.dumps((1, evs[i:i + 2]), 4).hex() for i in range(0, 6, 2)))`], { encoding: 'utf8' }))
    .trim()
    .split(' ')
    .map((h) => Buffer.from(h, 'hex'));
  const full = join(dir, 'small.jsonl');
  const w = new RecordingWriter(full, { protocol: PROTOCOL_VERSION, script: '/a.py', args: [], startedAtIso: '2026-01-01T00:00:00Z', startNs: '0' });
  w.writeWire({ kind: 'connection', conn: 1, handshake: { version: PROTOCOL_VERSION, pid: 42, client: 'tracer', enc: 'marshal' } });
  w.writeEvent({ kind: 'hello', t: 0, pid: 42, ppid: 1, role: 'main', name: 'MainProcess', argv: ['a.py'], python: '3.11.7', executable: 'python3' });
  for (const f of frames) {
    w.writeWire({ kind: 'frame', conn: 1, payload: f });
    w.flush();
  }
  w.writeSample({ t: 6, processes: [], gone: [42] });
  await w.end({ t: 7, exitCode: 0, signal: null });
  const bytes = readFileSync(full);
  const whole = await readRecording(full);
  assert.equal(whole.records.length, 8);
  assert.deepEqual(whole.warnings, []);
  const headerEnd = bytes.indexOf(0x0a);
  const cut = join(dir, 'cut.jsonl');
  let before = 0;
  for (let n = 0; n <= bytes.length; n++) {
    writeFileSync(cut, bytes.subarray(0, n));
    if (n < headerEnd) {
      await assert.rejects(readRecording(cut), NotARecordingError, `cut at ${n}`);
      continue;
    }
    const rec = await readRecording(cut);
    assert.deepEqual(rec.records, whole.records.slice(0, rec.records.length), `cut at ${n}: a prefix of the records`);
    assert.ok(rec.records.length >= before, `cut at ${n}: never fewer records for more bytes`);
    before = rec.records.length;
    if (n < bytes.length - 1) {
      // (Without only its last newline, the file is whole.)
      assert.equal(rec.truncated, true, `cut at ${n}`);
      assert.ok(rec.warnings.some((x) => /cut short/.test(x)), `cut at ${n}: ${rec.warnings.join(' ')}`);
    }
  }
  assert.equal(before, 8);
});

test('a damaged block costs only its own records, with a warning that says how many', async () => {
  const { path } = await realRun();
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  const whole = await readRecording(path);
  const blocks = lines.map((l, i) => [l, i] as const).filter(([l]) => l.startsWith('{"type":"wire"'));
  assert.ok(blocks.length >= 1);
  // 1. A block cut in half inside its data (still a JSON line): it does not decompress.
  const [line, at] = blocks[0]!;
  const b = JSON.parse(line) as { n: number; data: string };
  const halved = [...lines];
  halved[at] = JSON.stringify({ ...b, data: b.data.slice(0, b.data.length >> 1) });
  writeFileSync(join(dir, 'halved.jsonl'), `${halved.join('\n')}\n`);
  const rec = await readRecording(join(dir, 'halved.jsonl'));
  assert.ok(rec.warnings.some((w) => new RegExp(`1 block\\(s\\) were skipped .*\\(${b.n} record\\(s\\).*the first at line ${at + 1}: a block does not decompress`).test(w)), rec.warnings.join('\n'));
  assert.ok(rec.records.length < whole.records.length);
  assert.deepEqual(rec.records, whole.records.slice(whole.records.length - rec.records.length), 'every record after the damaged block is there');
  assert.equal(rec.end?.exitCode, 0);
  // 2. A block that decompresses into records that do not fit.
  const garbage = [...lines];
  const raw = Buffer.from([4, 3, 0x7b, 0x7d, 0x0a, 2, 0xff, 0xff, 0x03, 1]);
  garbage[at] = JSON.stringify({ type: 'wire', z: 'br', n: 2, raw: raw.length, data: brotliCompressSync(raw).toString('base64') });
  writeFileSync(join(dir, 'garbage.jsonl'), `${garbage.join('\n')}\n`);
  const rec2 = await readRecording(join(dir, 'garbage.jsonl'));
  assert.ok(rec2.warnings.some((w) => /1 block\(s\) were skipped .*a block has a record that runs past its end/.test(w)), rec2.warnings.join('\n'));
  assert.deepEqual(rec2.records, rec.records);
});

test('a batch cut by its connection\'s end is recorded as a counted drop, and shown', async () => {
  // A complete batch of one event, then the first 40 bytes of a batch of 7: the process died mid-send.
  const bytes = Buffer.from(
    execFileSync(PY, ['-c', `import marshal, struct, sys
def frame(o):
  b = marshal.dumps(o, 4); return struct.pack(">I", len(b)) + b
ev = ("channel.op", 5000000, 2, "/a.py", 3, "queue:1", "put", "1", 5, 7, None, True, None)
sys.stdout.write((frame((1, [ev])) + frame((1, [ev] * 7))[:40]).hex())`], { encoding: 'utf8' }),
    'hex',
  );
  const rx = await EventReceiver.listen({ token: 'tok', toMs: (ns) => ns / 1e6 });
  const path = join(dir, 'cut-batch.jsonl');
  const w = new RecordingWriter(path, { protocol: PROTOCOL_VERSION, script: '/a.py', args: [], startedAtIso: '2026-01-01T00:00:00Z', startNs: '0' });
  const live: TracerEvent[] = [];
  rx.onWire((u) => w.writeWire(u));
  rx.onEvent((e) => live.push(e));
  const s = net.connect(rx.port, '127.0.0.1');
  await new Promise<void>((r) => s.once('connect', () => r()));
  s.end(Buffer.concat([Buffer.from(`${JSON.stringify({ pv: PROTOCOL_VERSION, token: 'tok', pid: 42, enc: 'marshal' })}\n`), bytes]));
  const deadline = Date.now() + 5000;
  while (!live.some((e) => e.kind === 'tracer.dropped')) {
    assert.ok(Date.now() < deadline, 'the cut batch was counted');
    await new Promise((r) => setTimeout(r, 10));
  }
  await rx.close();
  await w.end({ t: 10, exitCode: 0, signal: null });
  const rec = await readRecording(path);
  const events = rec.records.map((r) => (r.type === 'event' ? r.event : null));
  assert.deepEqual(events.map((e) => e?.kind), ['channel.op', 'tracer.dropped']);
  assert.deepEqual(events[1], live[1]);
  assert.equal((events[1] as Extract<TracerEvent, { kind: 'tracer.dropped' }>).count, 7);
  const snap = (await loadSession(path)).session.snapshot();
  assert.equal(snap.run.droppedEvents, 7);
  assert.match(describeLosses(snap.run) ?? '', /^7 events lost: 7 of process 42 \(it was ended while sending them\)/);
});
