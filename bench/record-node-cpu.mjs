// Node's CPU per event under `process-view record` (issue 14), whole and in pieces, on issue 14's
// workload (bench/tracer-throughput.py: N small messages child -> parent, Queue or Pipe).
//
// WHOLE: the CPU (user + system, all of Node's threads) of the `record` process itself, read by
//   a preload at its exit, for N messages minus the same for 0 messages (start-up, the sampler's
//   fixed cost, the summary), divided by the difference in events recorded. Everything Node does
//   per event is in it: reading the sockets, decode, the Session, the recording, the sampler's
//   share of the longer run.
// PIECES: the batches of one real traced run (a real Python tracer, the real receiver) are
//   captured in memory, then each piece is timed alone on them, in this process:
//     decode  WireDecoder.decodeFrame over every frame;
//     reduce  Session.applyEvent over every decoded event;
//     record  RecordingWriter.writeWire over every batch, to its end (Brotli and the disk write).
//   The pieces do not add up to the whole: socket reads, delivery, the sampler and GC pressure
//   of everything together are only in the whole.
//   node scripts/build.mjs && node bench/record-node-cpu.mjs [--n 100000] [--rounds 3] [--python PATH] [--which queue,pipe]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { arg, median } from './lib/cli.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const n = Number(arg('--n', '100000'));
const rounds = Number(arg('--rounds', '3'));
const python = arg('--python', process.env.PYTHON ?? 'python3');
const which = arg('--which', 'queue,pipe').split(',');
const cli = path.join(root, 'out/cli.js');
const workload = path.join(root, 'bench/tracer-throughput.py');
const tracerDir = path.join(root, 'tracer');
const dir = mkdtempSync(path.join(tmpdir(), 'pv-node-cpu-'));

const bundle = path.join(dir, 'core.js');
await esbuild.build({
  stdin: {
    contents: `export { EventReceiver } from './src/core/tracer/receiver'; export { WireDecoder } from './src/core/protocol/wire';
      export { Session } from './src/core/session/session'; export { RecordingWriter } from './src/core/recording/writer';
      export { PROTOCOL_VERSION } from './src/core/protocol/events';`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: bundle,
  logLevel: 'error',
});
const { EventReceiver, WireDecoder, Session, RecordingWriter, PROTOCOL_VERSION } = require(bundle);

const cpuMs = (since) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};

// ---- WHOLE ----
const preload = path.join(dir, 'cpu-at-exit.cjs');
writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(process.env.PV_CPU_OUT, JSON.stringify(process.cpuUsage())));\n`);

function recordCpu(w, count, i) {
  const out = path.join(dir, `${w}-${count}-${i}.jsonl`);
  const cpuOut = path.join(dir, `cpu-${w}-${count}-${i}.json`);
  execFileSync(process.execPath, ['--require', preload, cli, 'record', '--quiet', '--python', python, '--out', out, workload, String(count), 'fork', w], {
    env: { ...process.env, PV_CPU_OUT: cpuOut },
    stdio: 'ignore',
  });
  const u = JSON.parse(readFileSync(cpuOut, 'utf8'));
  // The end record (the recording's last line) counts the events; `export` of millions of them would not fit in one string.
  const end = JSON.parse(readFileSync(out, 'utf8').trimEnd().split('\n').at(-1));
  rmSync(out, { force: true });
  return { ms: (u.user + u.system) / 1000, events: end?.stats?.events ?? NaN };
}

// ---- PIECES ----
async function capture(w) {
  const token = 'node-cpu-bench';
  const startNs = process.hrtime.bigint();
  const toMs = (ns) => (ns - Number(startNs)) / 1e6;
  const rx = await EventReceiver.listen({ token, toMs });
  const units = [];
  rx.onWire((u) => units.push(u));
  const env = { ...process.env, PYTHONPATH: tracerDir, PROCESS_VIEW_PORT: String(rx.port), PROCESS_VIEW_TOKEN: token };
  await new Promise((resolve, reject) => {
    const p = spawn(python, [workload, String(n), 'fork', w], { env, stdio: 'ignore' });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`workload exited ${code}`))));
  });
  await rx.whenIdle(1000, 60_000);
  await rx.close();
  return { units, toMs, startNs, events: rx.stats.events };
}

function decodeAll(units, toMs) {
  const decoders = new Map();
  const events = [];
  for (const u of units) {
    if (u.kind === 'connection') decoders.set(u.conn, new WireDecoder(u.handshake, toMs));
    else if (u.kind === 'frame') for (const e of decoders.get(u.conn).decodeFrame(u.payload).events) events.push(e);
    else if (u.kind === 'line') for (const e of decoders.get(u.conn).decodeLine(u.line).events) events.push(e);
    else if (u.kind === 'event') events.push(u.event);
  }
  return events;
}

async function pieces(w) {
  const { units, toMs, startNs, events: delivered } = await capture(w);
  const decode = [], reduce = [], record = [];
  let events = [];
  for (let r = 0; r < rounds; r++) {
    let t = process.cpuUsage();
    events = decodeAll(units, toMs);
    decode.push(cpuMs(t));
    t = process.cpuUsage();
    const session = new Session({ run: { script: workload, args: [], startedAtIso: new Date().toISOString() }, maxMessagesPerChannel: 1000 });
    for (const e of events) session.applyEvent(e);
    reduce.push(cpuMs(t));
    const file = path.join(dir, `pieces-${w}-${r}.jsonl`);
    t = process.cpuUsage();
    const writer = new RecordingWriter(file, { protocol: PROTOCOL_VERSION, script: workload, args: [], startedAtIso: new Date().toISOString(), startNs: startNs.toString() });
    for (const u of units) writer.writeWire(u);
    await writer.end({ t: 0, exitCode: 0, signal: null, stats: { connections: 0, refused: 0, rejected: 0, events: events.length } });
    record.push(cpuMs(t));
    rmSync(file, { force: true });
  }
  if (events.length !== delivered) throw new Error(`decoded ${events.length} events, the receiver delivered ${delivered}`);
  return { events: events.length, decode: median(decode), reduce: median(reduce), record: median(record) };
}

const us = (ms, events) => ((ms * 1000) / events).toFixed(2);
console.log(`python ${python}, n=${n}, ${rounds} rounds; load average at start ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
const rows = [];
for (const w of which) {
  const whole = [];
  for (let r = 0; r < rounds; r++) {
    const full = recordCpu(w, n, r);
    const empty = recordCpu(w, 0, r);
    const per = (full.ms - empty.ms) / (full.events - empty.events);
    whole.push(per);
    console.log(`  ${w} round ${r + 1}: record ${full.ms.toFixed(0)} ms CPU for ${full.events} events, ${empty.ms.toFixed(0)} ms for ${empty.events} (0 messages): ${(per * 1000).toFixed(2)} µs/event`);
  }
  const p = await pieces(w);
  rows.push({ w, whole: median(whole) * 1000, ...p });
}
console.log(`\nNode CPU per event (µs, medians of ${rounds}); load average at end ${loadavg()[0].toFixed(1)}`);
console.log(`| workload | WHOLE: record process, per extra event | piece: decode | piece: reduce (Session) | piece: record (writer) | pieces summed |`);
console.log(`|---|---|---|---|---|---|`);
for (const r of rows) {
  const sum = r.decode + r.reduce + r.record;
  console.log(`| ${r.w} ${n.toLocaleString('en')} (${r.events.toLocaleString('en')} events) | ${r.whole.toFixed(2)} | ${us(r.decode, r.events)} | ${us(r.reduce, r.events)} | ${us(r.record, r.events)} | ${us(sum, r.events)} |`);
}
rmSync(dir, { recursive: true, force: true });
