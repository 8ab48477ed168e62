// A piece, not the product as used (that is bench/record-cost.mjs): the tracer alone. 100,000 small
// messages child -> parent through a Queue and a Pipe, without the tracer, then traced with the
// real receiver (events decoded and counted, to prove every message is logged; no Session, no
// recording), then traced with a receiver that takes the bytes and does nothing with them (what
// the tracer costs the program by itself: the floor under anything done with its events).
//   node scripts/build.mjs && node bench/tracer-throughput.mjs [--n 100000] [--rounds 5] [--python PATH]
// Prints per-round timings and the median slowdown (traced / plain) for each channel and receiver.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { arg, median } from './lib/cli.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const { launchTracedRun, findPython } = require(path.join(root, 'out/test/unit/tracer/bench-entry.js'));

const n = Number(arg('--n', '100000'));
const rounds = Number(arg('--rounds', '5'));
const method = arg('--method', 'fork');
const workload = path.join(root, 'bench/tracer-throughput.py');
const python = await findPython(arg('--python', undefined));

function plain() {
  const out = execFileSync(python.executable, [workload, String(n), method], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop());
}

async function traced() {
  const cpu0 = process.cpuUsage();
  const run = await launchTracedRun({ script: workload, args: [String(n), method], python: python.executable, stdio: 'pipe' });
  let out = '';
  run.stdout.on('data', (d) => (out += d));
  run.stderr.on('data', (d) => process.stderr.write(d));
  const counts = { put: 0, get: 0, send: 0, recv: 0, dropped: 0 };
  run.onEvent((e) => {
    if (e.kind === 'channel.op' && e.op in counts) counts[e.op]++;
    if (e.kind === 'tracer.dropped') counts.dropped += e.count;
  });
  const exit = await run.exited;
  if (exit.exitCode !== 0) throw new Error(`traced workload failed: ${JSON.stringify(exit)}`);
  const cpu = process.cpuUsage(cpu0);
  counts.receiverCpuS = Number(((cpu.user + cpu.system) / 1e6).toFixed(3));
  return { ...JSON.parse(out.trim().split('\n').pop()), counts };
}

// The receiver that costs nothing: accepts every connection (the tracer waits for "ok" before its
// first batch: docs/protocol.md) and discards what it reads. The workload runs without the
// supervisor, as a traced process's own tracer sees no difference.
const token = randomBytes(16).toString('hex');
let sinkBytes = 0; // what the tracer sent (shown per round: proof that it ran and sent everything)
const sink = net.createServer((c) => {
  c.write('ok\n');
  c.on('data', (d) => (sinkBytes += d.length));
  c.on('error', () => {});
});
await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
const sinkEnv = { ...process.env, PROCESS_VIEW_PORT: String(sink.address().port), PROCESS_VIEW_TOKEN: token, PYTHONPATH: [path.join(root, 'tracer'), process.env.PYTHONPATH].filter(Boolean).join(path.delimiter) };

// Spawned, not execFileSync as plain() is: the sink above runs on this event loop, which a
// synchronous child would block (the tracer would wait for its "ok" for ever).
function nullReceiver() {
  sinkBytes = 0;
  return new Promise((resolve, reject) => {
    const child = spawn(python.executable, [workload, String(n), method], { env: sinkEnv, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`traced workload (null receiver) exited ${code}`))));
  });
}

const res = { plainQ: [], plainP: [], tracedQ: [], tracedP: [], plainQc: [], plainPc: [], tracedQc: [], tracedPc: [], nullQ: [], nullP: [], nullQc: [], nullPc: [] };
console.log(`python ${python.version}, n=${n}, start method ${method}, ${rounds} rounds (alternating)`);
for (let r = 0; r < rounds; r++) {
  const p = plain();
  const t = await traced();
  const z = await nullReceiver();
  res.nullQ.push(z.queue_s);
  res.nullP.push(z.pipe_s);
  res.nullQc.push(z.queue_cpu_s);
  res.nullPc.push(z.pipe_cpu_s);
  res.plainQ.push(p.queue_s);
  res.plainP.push(p.pipe_s);
  res.tracedQ.push(t.queue_s);
  res.tracedP.push(t.pipe_s);
  res.plainQc.push(p.queue_cpu_s);
  res.plainPc.push(p.pipe_cpu_s);
  res.tracedQc.push(t.queue_cpu_s);
  res.tracedPc.push(t.pipe_cpu_s);
  const s = (w, c) => `${w.toFixed(3)}s (cpu ${c.toFixed(3)}s)`;
  console.log(
    `round ${r + 1}: queue ${s(p.queue_s, p.queue_cpu_s)} -> ${s(t.queue_s, t.queue_cpu_s)} (null receiver ${s(z.queue_s, z.queue_cpu_s)}), pipe ${s(p.pipe_s, p.pipe_cpu_s)} -> ${s(t.pipe_s, t.pipe_cpu_s)} (null receiver ${s(z.pipe_s, z.pipe_cpu_s)}, ${(sinkBytes / 1e6).toFixed(1)} MB sent to it), events ${JSON.stringify(t.counts)}`,
  );
}
const q = median(res.tracedQ) / median(res.plainQ);
const pp = median(res.tracedP) / median(res.plainP);
console.log(`median plain: queue ${(n / median(res.plainQ) / 1000).toFixed(0)}k msg/s, pipe ${(n / median(res.plainP) / 1000).toFixed(0)}k msg/s`);
console.log(`median slowdown with every message logged (wall): queue x${q.toFixed(2)}, pipe x${pp.toFixed(2)}`);
const qc = median(res.tracedQc) / median(res.plainQc);
const pc = median(res.tracedPc) / median(res.plainPc);
console.log(`median Python CPU time ratio (parent + child, all threads): queue x${qc.toFixed(2)}, pipe x${pc.toFixed(2)}`);
const ratio = (a, b) => `x${(median(a) / median(b)).toFixed(2)}`;
console.log(`with the null receiver (the tracer's own cost, the floor): wall queue ${ratio(res.nullQ, res.plainQ)}, pipe ${ratio(res.nullP, res.plainP)}; Python CPU queue ${ratio(res.nullQc, res.plainQc)}, pipe ${ratio(res.nullPc, res.plainPc)}`);
sink.close();
