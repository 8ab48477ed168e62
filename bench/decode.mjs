// Receiver decode cost: how long WireDecoder.decodeFrame takes per event, on frames written by a
// real Python's marshal the way the tracer writes them (interned kind/op strings, one shared file
// path and channel id per call site, so back-references occur as they do in a real run).
//   node bench/decode.mjs [--ms 2100] [--python PATH]
// Bundles src/core/protocol with esbuild on the fly (no need for scripts/build.mjs first) and
// prints ns per event for each frame set, for the full decode and for the marshal layer alone.
//
// Figures (2026-11-22, Node 20.20, the shared 2-core machine at load average 4-6, CPU ns/event,
// median of slices): decodeFrame on 1000-event channel.op frames 1650-1870 with the decoder as
// it was when this bench was written, 475-530 with the fast paths of marshal.ts and wire.ts that
// followed (marshal alone 1050-1230 -> 340-380); frames of the rarer kinds 1250 -> 890. What
// made the difference is written next to the code.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { arg } from './lib/cli.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const budgetMs = Number(arg('--ms', '2100'));
const python = arg('--python', process.env.PYTHON ?? 'python3');

// 1. Bundle the decoders from the sources.
const dir = mkdtempSync(path.join(tmpdir(), 'pv-decode-bench-'));
const bundle = path.join(dir, 'decoders.js');
await esbuild.build({
  stdin: {
    contents: `export { WireDecoder } from './src/core/protocol/wire'; export { decodeMarshal } from './src/core/protocol/marshal';`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile: bundle,
  logLevel: 'warning',
});
const { WireDecoder, decodeMarshal } = require(bundle);
rmSync(dir, { recursive: true, force: true });

// 2. Frames from Python: each set is a list of marshal payloads (without the length prefix).
const gen = String.raw`
import marshal, os, struct, sys, threading, time, zlib
get_ident, monotonic_ns, crc = threading.get_ident, time.monotonic_ns, zlib.crc32
fn = os.path.abspath("examples/queue_demo/producer_consumer.py")
qid, pid_ = "queue:mp-a1b2c3d4", "pipe:4242:7:0"
def queue_puts(n):
    # The writer side of a Queue (the feeder thread logs put with size and digest).
    out = []
    for i in range(n):
        b = repr(i).encode()
        out.append(("channel.op", monotonic_ns(), get_ident(), fn, 25, qid, "put", repr(i), len(b) + 14, crc(b), None, True, None))
    return out
def queue_gets(n):
    out = []
    for i in range(n):
        b = repr(i).encode()
        out.append(("channel.op", monotonic_ns(), get_ident(), fn, 31, qid, "get", repr(i), len(b) + 14, crc(b), (i % 97) / 1e3, True, None))
    return out
def pipe_ops(n):
    out = []
    for i in range(n):
        b = ("message %d" % i).encode()
        op = "send" if i % 2 == 0 else "recv"
        out.append(("channel.op", monotonic_ns(), get_ident(), fn, 40 + i % 2, pid_, op, "'message %d'" % i, len(b) + 20, crc(b), None if op == "send" else 0.012, True, None))
    return out
def mixed_once():
    t, tid = monotonic_ns, get_ident()
    return [
        ("hello", t(), tid, None, None, "main", "MainProcess", ["prog.py", "--n", "3"], "3.11.7", "/usr/bin/python3", 123456, "fork"),
        ("channel.created", t(), tid, fn, 12, qid, "queue", {"maxsize": 0, "name": None}),
        ("process.created", t(), tid, fn, 14, 4243, "Process-1", False, "child", "fork", "producer", None, "obj-1"),
        ("process.running", t(), tid, None, None, "Process-1", False, "child"),
        ("channel.op", t(), tid, fn, 20, qid, "get", None, None, None, 1.5, False, {"error": "Empty"}),
        ("process.signal", t(), tid, fn, 50, 4243, "SIGTERM", "terminate"),
        ("process.joined", t(), tid, fn, 16, 4243, None, False, 0, 12.5),
        ("process.exit", t(), tid, None, None, 0, "return", None, None),
        ("tracer.error", t(), tid, None, None, "boom", "somewhere"),
        ("tracer.dropped", t(), tid, None, None, 3),
    ]
def mixed():
    return [ev for _ in range(20) for ev in mixed_once()]  # fresh tuples: no back-references between them
sets = {
    "queue put x1000": [queue_puts(1000)] * 4,
    "queue get x1000": [queue_gets(1000)] * 4,
    "pipe send/recv x1000": [pipe_ops(1000)] * 4,
    "pipe send/recv x20": [pipe_ops(20) for _ in range(50)],
    "mixed kinds x200": [mixed()] * 4,
}
out = sys.stdout.buffer
for name, frames in sets.items():
    out.write(struct.pack(">I", len(name)) + name.encode() + struct.pack(">I", len(frames)))
    for evs in frames:
        p = marshal.dumps((os.getpid(), evs), 4)
        out.write(struct.pack(">II", len(evs), len(p)) + p)
`;
const raw = execFileSync(python, ['-c', gen], { cwd: root, maxBuffer: 1 << 28 });
const sets = [];
for (let off = 0; off < raw.length; ) {
  const nameLen = raw.readUInt32BE(off);
  const name = raw.toString('utf8', off + 4, off + 4 + nameLen);
  off += 4 + nameLen;
  const count = raw.readUInt32BE(off);
  off += 4;
  const frames = [];
  let events = 0;
  for (let i = 0; i < count; i++) {
    const n = raw.readUInt32BE(off);
    const len = raw.readUInt32BE(off + 4);
    frames.push(Uint8Array.prototype.slice.call(raw, off + 8, off + 8 + len)); // own buffer each
    events += n;
    off += 8 + len;
  }
  sets.push({ name, frames, events });
}

// 3. Time it: warm up, then slices of the budget; per slice, this process's CPU time (user +
// system, so the GC threads count too; steadier than wall time on a shared machine) per event.
const decoder = new WireDecoder({ version: 1, pid: 4242, client: 'tracer', enc: 'marshal' }, (ns) => ns / 1e6);
const SLICES = 7;
function measure(frames, events, fn) {
  let sink = 0;
  const pass = () => {
    for (const f of frames) sink += fn(f);
  };
  const warm = Date.now();
  while (Date.now() - warm < budgetMs / SLICES) pass();
  const perEvent = [];
  for (let s = 0; s < SLICES; s++) {
    let passes = 0;
    const c0 = process.cpuUsage();
    const end = Date.now() + budgetMs / SLICES;
    while (Date.now() < end) {
      pass();
      passes++;
    }
    const c = process.cpuUsage(c0);
    perEvent.push(((c.user + c.system) * 1000) / (passes * events));
  }
  if (sink === 0.5) console.log(sink); // keep the work observable
  perEvent.sort((a, b) => a - b);
  return { median: Math.round(perEvent[SLICES >> 1]), min: Math.round(perEvent[0]) };
}

console.log(`node ${process.version}; CPU ns per event, median (min) of ${SLICES} slices of ${Math.round(budgetMs / SLICES)} ms`);
const rows = [];
for (const { name, frames, events } of sets) {
  const check = decoder.decodeFrame(frames[0]);
  if (check.rejected.length > 0) throw new Error(`${name}: rejected ${JSON.stringify(check.rejected[0])}`);
  const full = measure(frames, events, (f) => decoder.decodeFrame(f).events.length);
  const marshalOnly = measure(frames, events, (f) => decodeMarshal(f)[1].length);
  rows.push({ frames: name, decodeFrame: `${full.median} (${full.min})`, 'marshal only': `${marshalOnly.median} (${marshalOnly.min})` });
}
console.table(rows);
