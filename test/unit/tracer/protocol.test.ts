// The wire decoder and the marshal decoder, fed by a real Python where it matters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { decodeMarshal, MarshalError } from '../../../src/core/protocol/marshal';
import { parseHandshake, WireDecoder, WIRE_FIELDS, type Handshake } from '../../../src/core/protocol/wire';
import { PROTOCOL_VERSION } from '../../../src/core/protocol/events';
import { defaultTracerDir } from '../../../src/core/tracer';

const PY = process.env.PYTHON ?? 'python3';
const pyHex = (expr: string): Buffer =>
  Buffer.from(execFileSync(PY, ['-c', `import marshal, sys; sys.stdout.write(marshal.dumps(${expr}, 4).hex())`], { encoding: 'utf8' }), 'hex');

test('marshal: values written by Python read back', () => {
  const v = decodeMarshal(pyHex(`(7, [("a", 2**40, -2**40, None, True, False, 1.5, "héllo ✓", -5, b"\\x00\\xff", {"k": "v", "n": [1, 2]}), "a", "a"])`));
  assert.deepEqual(JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? [...x] : x))), [
    7,
    [['a', 2 ** 40, -(2 ** 40), null, true, false, 1.5, 'héllo ✓', -5, [0, 255], { k: 'v', n: [1, 2] }], 'a', 'a'],
  ]);
  // Monotonic nanoseconds are longs of several digits: exact below 2**53.
  assert.equal(decodeMarshal(pyHex('1234567890123456')), 1234567890123456);
});

test('marshal: garbage is a MarshalError, never another exception', () => {
  const good = pyHex('(1, [("x", 2)])');
  const cases: Buffer[] = [
    good.subarray(0, good.length - 1), // truncated
    Buffer.concat([good, Buffer.from([0x4e])]), // trailing bytes
    Buffer.from([0x72, 0x05, 0, 0, 0]), // back-reference to nothing
    Buffer.from([0x63]), // a code object: not in our subset
    Buffer.from([0x5b, 0xff, 0xff, 0xff, 0x7f]), // a list claiming 2**31 items
    Buffer.alloc(0),
  ];
  for (const c of cases) assert.throws(() => decodeMarshal(c), MarshalError, c.toString('hex'));
  // Deep nesting is refused instead of overflowing the stack.
  const deep = Buffer.concat([Buffer.alloc(100, 0x29).map((_, i) => (i % 2 === 0 ? 0x29 : 0x01)), Buffer.from([0x4e])]);
  assert.throws(() => decodeMarshal(deep), MarshalError);
});

test('wire: the Python tracer and the decoder agree on every field of every kind', () => {
  const out = execFileSync(PY, ['-c', 'import sys, json; sys.path.insert(0, sys.argv[1]); from processview_tracer import _protocol as p; print(json.dumps([p.VERSION, p.FIELDS]))', defaultTracerDir()], {
    encoding: 'utf8',
  });
  const [version, fields] = JSON.parse(out) as [number, Record<string, string[]>];
  assert.equal(version, PROTOCOL_VERSION);
  const ours = Object.fromEntries(Object.entries(WIRE_FIELDS).map(([k, v]) => [k, v.map((f) => f.name)]));
  assert.deepEqual(fields, ours);
});

test('wire: handshake checks token, version, pid and encoding', () => {
  const ok = parseHandshake(JSON.stringify({ pv: PROTOCOL_VERSION, token: 'secret', pid: 42, client: 'tracer', enc: 'marshal' }), 'secret');
  assert.deepEqual(ok, { ok: true, handshake: { version: PROTOCOL_VERSION, pid: 42, client: 'tracer', enc: 'marshal' } });
  const bad: Array<[string, RegExp]> = [
    ['not json', /not JSON/],
    ['[1,2]', /not an object/],
    [JSON.stringify({ pv: PROTOCOL_VERSION, token: 'wrong', pid: 1 }), /token/],
    [JSON.stringify({ pv: PROTOCOL_VERSION, pid: 1 }), /token/],
    [JSON.stringify({ pv: 99, token: 'secret', pid: 1 }), /version 99/],
    [JSON.stringify({ pv: PROTOCOL_VERSION, token: 'secret', pid: -3 }), /pid/],
    [JSON.stringify({ pv: PROTOCOL_VERSION, token: 'secret', pid: 3, enc: 'xml' }), /encoding/],
  ];
  for (const [line, why] of bad) {
    const r = parseHandshake(line, 'secret');
    assert.equal(r.ok, false, line);
    if (!r.ok) assert.match(r.reason, why);
  }
});

const tracer: Handshake = { version: PROTOCOL_VERSION, pid: 100, client: 'tracer', enc: 'jsonl' };
const toMs = (ns: number): number => (ns - 1_000_000_000) / 1e6;

test('wire: events decode into TracerEvents with run-relative times', () => {
  const d = new WireDecoder(tracer, toMs);
  const line = JSON.stringify({
    ppid: 7,
    ev: [
      ['hello', 1_002_000_000, 5, null, null, 'main', 'MainProcess', ['a.py'], '3.11.7', '/usr/bin/python3', 123, null],
      ['channel.op', 1_003_500_000, 5, '/w/a.py', 12, 'queue:mp-x', 'put', "'hi'", 20, 4294967295, null, true, null, 'a future field'],
      ['process.joined', 1_004_000_000, 5, '/w/a.py', 14, 101, 0.5, false, -9, 12.5],
    ],
  });
  const { events, rejected } = d.decodeLine(line);
  assert.deepEqual(rejected, []);
  assert.deepEqual(events[0], {
    kind: 'hello', t: 2, pid: 100, ppid: 7, tid: 5, site: null, role: 'main', name: 'MainProcess', argv: ['a.py'],
    python: '3.11.7', executable: '/usr/bin/python3', startTicks: 123, startMethod: null,
  });
  assert.deepEqual(events[1], {
    kind: 'channel.op', t: 3.5, pid: 100, ppid: 7, tid: 5, site: { file: '/w/a.py', line: 12 }, id: 'queue:mp-x', op: 'put',
    preview: "'hi'", size: 20, digest: 4294967295, waitedMs: null, ok: true, detail: null,
  });
  assert.equal(events[2]?.kind, 'process.joined');
});

test('wire: bad events are rejected one by one with a reason; the rest of the batch survives', () => {
  const d = new WireDecoder(tracer, toMs);
  const { events, rejected } = d.decodeLine(
    JSON.stringify({
      ppid: 1,
      ev: [
        ['no.such.kind', 1, 1, null, null],
        ['channel.op', 1, 1, null, null, 'q', 'teleport'],
        ['channel.op', 1, 1, null, null, null, 'put'],
        ['process.exit', 'soon', 1, null, null, 0, 'return'],
        ['process.exit', 1, 1, 'file-without-line', null, 0, 'return'],
        ['process.reaped', 1, 1, null, null, 5, 0, null, true],
        'not an array',
        ['tracer.dropped', 1_000_000_000, 1, null, null, 12],
      ],
    }),
  );
  assert.deepEqual(events.map((e) => e.kind), ['tracer.dropped']);
  assert.deepEqual(
    rejected.map((r) => r.reason),
    [
      'unknown event kind "no.such.kind"',
      'channel.op.op: unknown operation "teleport"',
      'channel.op: missing id',
      'process.exit: timestamp is not a number',
      'process.exit: bad source site',
      'only the supervisor may send process.reaped',
      'event is not an array [kind, t, tid, file, line, ...]',
    ],
  );
  assert.equal(d.decodeLine('{"ppid": 1, "ev": ').rejected[0]?.reason, 'line is not JSON');
  assert.equal(d.decodeFrame(Buffer.from([1, 2, 3])).rejected[0]?.reason.startsWith('bad marshal frame'), true);
  const sup = new WireDecoder({ ...tracer, client: 'supervisor' }, toMs);
  assert.equal(sup.decodeLine(JSON.stringify({ ppid: 1, ev: [['hello', 1, 1, null, null, 'main', 'x', [], '3', 'p']] })).rejected[0]?.reason, 'the supervisor may not send hello');
  assert.equal(sup.decodeLine(JSON.stringify({ ppid: 1, ev: [['process.reaped', 1, null, null, null, 5, null, 'SIGKILL', true]] })).events.length, 1);
});

test('wire: a real tracer frame decodes', () => {
  const frame = pyHex(`(1, [("channel.op", 1_000_000_000, 9, "/w/a.py", 3, "pipe:1:1:0", "recv", "[1, 2]", 14, 123, 0.25, True, {"error": None})])`);
  const { events, rejected } = new WireDecoder({ ...tracer, enc: 'marshal' }, toMs).decodeFrame(frame);
  assert.deepEqual(rejected, []);
  assert.equal(events[0]?.kind, 'channel.op');
  assert.deepEqual({ ...events[0], detail: { ...(events[0] as { detail: object }).detail } }, {
    kind: 'channel.op', t: 0, pid: 100, ppid: 1, tid: 9, site: { file: '/w/a.py', line: 3 }, id: 'pipe:1:1:0', op: 'recv',
    preview: '[1, 2]', size: 14, digest: 123, waitedMs: 0.25, ok: true, detail: { error: null },
  });
  void path;
});
