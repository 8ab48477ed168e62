// The wire decoder and the marshal decoder, fed by a real Python where it matters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { decodeMarshal, MarshalError } from '../../../src/core/protocol/marshal';
import { parseHandshake, WireDecoder, WIRE_FIELDS, type Handshake } from '../../../src/core/protocol/wire';
import { CHANNEL_KINDS, CHANNEL_OPS, EXIT_HOWS, PROCESS_ROLES, PROTOCOL_VERSION, SIGNAL_VIAS, START_METHODS } from '../../../src/core/protocol/events';
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

test('protocol: the Python tracer and the TypeScript core agree on the version, every field of every kind, and every closed list', () => {
  // The version as the tracer's handshake and the supervisor's send it; the lists by wire.ts's field type names.
  const script = [
    'import importlib.util, json, os, sys',
    'sys.path.insert(0, sys.argv[1])',
    'from processview_tracer import _core, _protocol as p',
    'spec = importlib.util.spec_from_file_location("supervisor", os.path.join(sys.argv[1], "supervisor.py"))',
    'sup = importlib.util.module_from_spec(spec); spec.loader.exec_module(sup)',
    'print(json.dumps({"versions": [p.PROTOCOL_VERSION, _core.PROTOCOL_VERSION, sup.PROTOCOL_VERSION], "fields": p.FIELDS, "lists": p.LISTS, "listed": p.LISTED}))',
  ].join('\n');
  const py = JSON.parse(execFileSync(PY, ['-c', script, defaultTracerDir()], { encoding: 'utf8' })) as {
    versions: number[];
    fields: Record<string, string[]>;
    lists: Record<string, string[]>;
    listed: Record<string, Record<string, string>>;
  };
  assert.deepEqual(py.versions, [PROTOCOL_VERSION, PROTOCOL_VERSION, PROTOCOL_VERSION], '_protocol.py, the tracer handshake, the supervisor handshake');
  const ours = Object.fromEntries(Object.entries(WIRE_FIELDS).map(([k, v]) => [k, v.map((f) => f.name)]));
  assert.deepEqual(py.fields, ours);
  assert.deepEqual(py.lists, {
    role: [...PROCESS_ROLES],
    method: [...START_METHODS],
    channel: [...CHANNEL_KINDS],
    op: [...CHANNEL_OPS],
    how: [...EXIT_HOWS],
    via: [...SIGNAL_VIAS],
  });
  // The fields whose values the decoder checks against a list are the ones the tracer's tests check.
  const listed: Record<string, Record<string, string>> = {};
  for (const [kind, fields] of Object.entries(WIRE_FIELDS)) {
    for (const f of fields) if (f.type in py.lists) (listed[kind] ??= {})[f.name] = f.type;
  }
  assert.deepEqual(py.listed, listed);
});

test('wire: handshake checks token, version, pid and encoding', () => {
  const ok = parseHandshake(JSON.stringify({ pv: PROTOCOL_VERSION, token: 'secret', pid: 42, client: 'tracer', enc: 'marshal' }), 'secret');
  assert.deepEqual(ok, { ok: true, handshake: { version: PROTOCOL_VERSION, pid: 42, client: 'tracer', enc: 'marshal' }, ack: false });
  const asks = parseHandshake(JSON.stringify({ pv: PROTOCOL_VERSION, token: 'secret', pid: 42, client: 'tracer', enc: 'marshal', ack: true }), 'secret');
  assert.equal(asks.ok && asks.ack, true, 'a tracer that asks to be answered is');
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

// ---------------------------------------------------------------------------------------------
// The fast paths (bench/decode.mjs): marshal's item() and the wire's channel.op literal must give
// exactly what the general paths give, and refuse exactly what they refuse.

test('marshal: values read as items of a list and read on their own agree with Python', () => {
  // Every kind of value, each both inside a list (MarshalReader.item) and alone (read).
  const values = `[0, 1, -1, 255, 256, 257, 2**30 - 1, 2**30, 2**31 - 1, 2**31, -2**31, -2**31 - 1, 2**45 + 12345,
    -(2**45 + 12345), 2**53 - 1, -(2**53 - 1), 1234567890123456, 4294967295, None, True, False, 0.25, -1e300,
    "", "é", "héllo", "✓✓✓", "é" * 40, "😀", "x" * 64, "y" * 65, "z" * 300]
    + ["".join(chr(97 + (i + k) % 26) for k in range(i)) for i in range(1, 21)]`;
  const out = execFileSync(PY, ['-c', `import json, marshal, sys
vals = ${values.replace(/\n/g, ' ')}
s = "shared string"
print(json.dumps([vals, marshal.dumps(vals, 4).hex(), [marshal.dumps(v, 4).hex() for v in vals],
                  marshal.dumps([s, 5, s, 5, (s, 5), [s]], 4).hex()]))`], { encoding: 'utf8' });
  const [expected, listHex, eachHex, refsHex] = JSON.parse(out) as [unknown[], string, string[], string];
  assert.deepEqual(decodeMarshal(Buffer.from(listHex, 'hex')), expected);
  assert.deepEqual(eachHex.map((h) => decodeMarshal(Buffer.from(h, 'hex'))), expected);
  // Back-references (flagged strings and small ints), from items and from nested containers.
  assert.deepEqual(decodeMarshal(Buffer.from(refsHex, 'hex')), ['shared string', 5, 'shared string', 5, ['shared string', 5], ['shared string']]);
  // Also from a plain Uint8Array (the strings longer than 16 bytes are decoded by Buffer).
  const asU8 = Uint8Array.from(Buffer.from(listHex, 'hex'));
  assert.deepEqual(decodeMarshal(asU8), expected);
  // Floats JSON cannot carry.
  const special = decodeMarshal(pyHex('[float("nan"), float("inf"), -0.0]')) as number[];
  assert.ok(Number.isNaN(special[0]));
  assert.equal(special[1], Infinity);
  assert.ok(Object.is(special[2], -0));
});

test('marshal: invalid UTF-8 (lone surrogates) decodes as a TextDecoder would, short or long', () => {
  for (const s of ['a\\ud800b', 'a\\udfff' + 'x'.repeat(30)]) {
    const buf = pyHex(`"${s}"`);
    // Type 'u' (0x75), int32 length, then the bytes marshal wrote with surrogatepass.
    assert.equal(buf[0]! & 0x7f, 0x75);
    const bytes = buf.subarray(5);
    assert.equal(decodeMarshal(buf), new TextDecoder('utf-8').decode(bytes));
    assert.deepEqual(decodeMarshal(Buffer.concat([Buffer.from([0x5b, 1, 0, 0, 0]), buf])), [new TextDecoder('utf-8').decode(bytes)]);
  }
});

test('marshal: every strict prefix of a real batch is a MarshalError; nesting is limited the same way for items', () => {
  const frame = pyHex(`(7, [("channel.op", 1_000_000_000 + i, 140_000_000_000_000 + i, "/w/a.py", 3, "queue:q", "put", repr(i) * 3, 14, 4294967295 - i, 0.5, True, {"n": i}) for i in range(3)] + [("hello", 5, 6, None, None, "main", "M", ["a", "é"], "3", "/p", -5, "fork")])`);
  assert.doesNotThrow(() => decodeMarshal(frame));
  for (let n = 0; n < frame.length; n++) assert.throws(() => decodeMarshal(frame.subarray(0, n)), MarshalError, `prefix of ${n} bytes`);
  // 32 nested tuples around a None read; 33 do not, whether the None is an item or the tuple is.
  const nested = (k: number, inner: string): string => `${'('.repeat(k)}${inner}${',)'.repeat(k)}`;
  assert.doesNotThrow(() => decodeMarshal(pyHex(nested(32, 'None'))));
  assert.throws(() => decodeMarshal(pyHex(nested(33, 'None'))), /nested too deeply/);
  assert.throws(() => decodeMarshal(pyHex(nested(33, '"s"'))), /nested too deeply/);
  assert.throws(() => decodeMarshal(pyHex(nested(32, '(1,)'))), /nested too deeply/);
  // A back-reference inside an item to a slot that does not exist yet.
  assert.throws(() => decodeMarshal(Buffer.from([0x5b, 2, 0, 0, 0, 0x4e, 0x72, 3, 0, 0, 0])), /bad back-reference 3/);
});

/** The fast path's event and the generic path's must be the same object, key order included. */
function assertSameDecode(d: WireDecoder, raw: unknown, what: string): ReturnType<WireDecoder['decodeEvent']> {
  const fast = d.decodeEvent(raw, 7);
  const generic = d.decodeEventGeneric(raw, 7);
  assert.deepEqual(fast, generic, what);
  if (typeof fast !== 'string') assert.equal(JSON.stringify(fast), JSON.stringify(generic), `${what}: key order`);
  return fast;
}

const op13 = (changes: Record<number, unknown> = {}): unknown[] => {
  const raw: unknown[] = ['channel.op', 1_003_500_000, 5, '/w/a.py', 12, 'queue:mp-x', 'put', "'hi'", 20, 4294967295, null, true, null];
  for (const [i, v] of Object.entries(changes)) raw[Number(i)] = v;
  return raw;
};

test('wire: the channel.op fast path builds what the generic path builds', () => {
  const d = new WireDecoder(tracer, toMs);
  const accepted: Array<[string, unknown[]]> = [
    ['plain', op13()],
    ['tid None: no tid key', op13({ 2: null })],
    ['tid not an int: no tid key', op13({ 2: 'main' })],
    ['tid a float', op13({ 2: 1.5 })],
    ['no site', op13({ 3: null, 4: null })],
    ['no file, a line', op13({ 3: null, 4: 9 })],
    ['all optional fields None', op13({ 7: null, 8: null, 9: null, 10: null, 11: null, 12: null })],
    ['waited, failed, with detail', op13({ 6: 'get', 10: 0.25, 11: false, 12: { error: 'Empty', n: 1, b: true, z: null } })],
    ['empty detail', op13({ 12: {} })],
    ['negative ints and zero wait', op13({ 8: -1, 9: 0, 10: 0 })],
    ['trailing fields a newer tracer adds', [...op13(), 'future', 42]],
    ...[...new Set(['put', 'get', 'send', 'recv', 'acquire', 'release', 'submit', 'result', 'call', 'notify_all', 'error_callback'])].map(
      (op): [string, unknown[]] => [`op ${op}`, op13({ 6: op })],
    ),
  ];
  for (const [what, raw] of accepted) {
    const ev = assertSameDecode(d, raw, what);
    assert.notEqual(typeof ev, 'string', `${what}: ${String(ev)}`);
    assert.notEqual(d.decodeChannelOp(raw, 7), null, `${what} takes the fast path`);
  }
  assert.deepEqual(d.decodeEvent(op13(), 7), {
    kind: 'channel.op', t: 3.5, pid: 100, ppid: 7, tid: 5, site: { file: '/w/a.py', line: 12 }, id: 'queue:mp-x', op: 'put',
    preview: "'hi'", size: 20, digest: 4294967295, waitedMs: null, ok: true, detail: null,
  });
  assert.deepEqual(Object.keys(d.decodeEvent(op13({ 2: null }), 7) as object), ['kind', 't', 'pid', 'ppid', 'site', 'id', 'op', 'preview', 'size', 'digest', 'waitedMs', 'ok', 'detail']);
  // Shorter tuples (an older tracer) are left to the generic path, which treats missing trailing fields as absent.
  for (const n of [12, 9, 7]) {
    const raw = op13().slice(0, n);
    assert.equal(d.decodeChannelOp(raw, 7), null);
    const ev = assertSameDecode(d, raw, `${n} items`);
    assert.equal(typeof ev, 'object');
    assert.ok(!('detail' in (ev as object)));
  }
});

test('wire: the channel.op fast path rejects what the generic path rejects, with its reasons', () => {
  const d = new WireDecoder(tracer, toMs);
  const rejected: Array<[unknown[], string]> = [
    [op13({ 5: null }), 'channel.op: missing id'],
    [op13({ 5: 5 }), 'channel.op.id: not a string'],
    [op13({ 6: null }), 'channel.op: missing op'],
    [op13({ 6: 'teleport' }), 'channel.op.op: unknown operation "teleport"'],
    [op13({ 6: 3 }), 'channel.op.op: unknown operation 3'],
    [op13({ 6: 'PUT' }), 'channel.op.op: unknown operation "PUT"'],
    [op13({ 7: 5 }), 'channel.op.preview: not a string'],
    [op13({ 8: 1.5 }), 'channel.op.size: not an integer'],
    [op13({ 8: '3' }), 'channel.op.size: not an integer'],
    [op13({ 8: 2 ** 60 }), 'channel.op.size: not an integer'],
    [op13({ 8: true }), 'channel.op.size: not an integer'],
    [op13({ 9: -0.5 }), 'channel.op.digest: not an integer'],
    [op13({ 9: '1' }), 'channel.op.digest: not an integer'],
    [op13({ 10: '1' }), 'channel.op.waitedMs: not a number'],
    [op13({ 10: NaN }), 'channel.op.waitedMs: not a number'],
    [op13({ 10: Infinity }), 'channel.op.waitedMs: not a number'],
    [op13({ 11: 'yes' }), 'channel.op.ok: not a boolean'],
    [op13({ 11: 1 }), 'channel.op.ok: not a boolean'],
    [op13({ 12: [1] }), 'channel.op.detail: not an object'],
    [op13({ 12: 'x' }), 'channel.op.detail: not an object'],
    [op13({ 12: { a: [1] } }), 'channel.op.detail: detail values must be scalars'],
    [op13({ 12: { a: { b: 1 } } }), 'channel.op.detail: detail values must be scalars'],
    [op13({ 1: 'soon' }), 'channel.op: timestamp is not a number'],
    [op13({ 1: NaN }), 'channel.op: timestamp is not a number'],
    [op13({ 1: null }), 'channel.op: timestamp is not a number'],
    [op13({ 4: 0 }), 'channel.op: bad source site'],
    [op13({ 4: null }), 'channel.op: bad source site'],
    [op13({ 4: 1.5 }), 'channel.op: bad source site'],
    [op13({ 4: '3' }), 'channel.op: bad source site'],
    [op13({ 3: 5 }), 'channel.op: bad source site'],
    [op13().slice(0, 5), 'channel.op: missing id'],
    [op13().slice(0, 4), 'event is not an array [kind, t, tid, file, line, ...]'],
  ];
  for (const [raw, reason] of rejected) {
    assert.equal(d.decodeChannelOp(raw, 7), null, reason);
    assert.equal(assertSameDecode(d, raw, reason), reason);
  }
  // Only traced processes send channel.op.
  const sup = new WireDecoder({ ...tracer, client: 'supervisor' }, toMs);
  assert.equal(sup.decodeChannelOp(op13(), 7), null);
  assert.equal(assertSameDecode(sup, op13(), 'from the supervisor'), 'the supervisor may not send channel.op');
});

test('wire: a marshal frame decodes to what the generic path makes of decodeMarshal, good and bad events alike', () => {
  const frame = pyHex(`(3, [("channel.op", 1_000_000_000 + i * 1000, 140_000_000_000_000 + i, "/w/a.py" if i % 3 else None, 10 + i % 4 if i % 3 else None,
      "queue:q" if i % 5 else 7, ("put", "get", "recv", "teleport")[i % 4], repr(i) * (i % 7), i % 300 if i % 6 else None, 4294967295 - i,
      (float("nan") if i % 11 == 0 else i / 8) if i % 2 else None, (True, False, None)[i % 3], {"n": i} if i % 9 == 0 else None) for i in range(120)]
      + [("hello", 5, None, None, None, "main", "M", ["a"], "3", "/p", 7, "fork"), ("process.exit", 6, 1, None, None, 0, "return"), ("bogus", 1, 1, None, None)])`);
  const d = new WireDecoder({ ...tracer, enc: 'marshal' }, toMs);
  const got = d.decodeFrame(frame);
  const batch = decodeMarshal(frame) as [number, unknown[]];
  const want = { events: [] as unknown[], rejected: [] as string[] };
  for (const raw of batch[1]) {
    const r = d.decodeEventGeneric(raw, batch[0]);
    if (typeof r === 'string') want.rejected.push(r);
    else want.events.push(r);
  }
  assert.ok(got.events.length > 50 && got.rejected.length > 20, `${got.events.length} events, ${got.rejected.length} rejected`);
  assert.deepEqual(got.events, want.events);
  assert.equal(JSON.stringify(got.events), JSON.stringify(want.events));
  assert.deepEqual(got.rejected.map((r) => r.reason), want.rejected);
  // Every strict prefix is one rejection, never an exception or a partial batch.
  for (let n = 0; n < frame.length; n += 7) {
    const r = d.decodeFrame(frame.subarray(0, n));
    assert.equal(r.events.length, 0);
    assert.match(r.rejected[0]?.reason ?? '', /^bad marshal frame/);
  }
});
