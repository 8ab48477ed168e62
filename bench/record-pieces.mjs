// Which of `record`'s pieces slow the program down, and by how much of their own CPU: issue 14's
// workload (bench/tracer-throughput.py, N small messages child -> parent) run plainly, and traced
// with Node doing more and more of what `record` does with the events, each variant in a fresh
// Node process (cold, as every `record` is), interleaved, medians. The figure is the program's own
// interval (child start to last message received, as it prints it), so Node's start, the
// interpreter check and the end of the run are not in it: what `record` adds there is in
// bench/record-cost.mjs, which times the whole command.
//   count          the run launched as `record` launches it; events decoded and counted
//   session        + every event applied to a Session (the model behind the tree and the views)
//   writer         + every batch written to a recording (no Session)
//   session+writer both
//   record         startRecordedRun, what `process-view record` runs (the sampler too)
//   record-nice    the same, Node's threads at nice 19 once the run has started (is it CPU
//                  contention that a lower priority would cure?)
//   node scripts/build.mjs && node bench/record-pieces.mjs [--n 100000] [--rounds 7] [--python PATH] [--which queue,pipe]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, setPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, median } from './lib/cli.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const workload = path.join(root, 'bench/tracer-throughput.py');
const n = Number(arg('--n', '100000'));
const VARIANTS = ['count', 'session', 'writer', 'session+writer', 'record', 'record-nice'];

/** One traced run in this process (a fresh Node): the program's own figures and Node's CPU. */
async function child(variant, python, w, dir) {
  const require = createRequire(import.meta.url);
  const { launchTracedRun, startRecordedRun, Session, RecordingWriter, PROTOCOL_VERSION } = require(path.join(root, 'out/test/unit/tracer/bench-entry.js'));
  const opts = { script: workload, args: [String(n), 'fork', w], python, stdio: 'pipe' };
  let out = '';
  let ended;
  let events = 0;
  if (variant.startsWith('record')) {
    const r = await startRecordedRun({ ...opts, recordingPath: path.join(dir, 'record.jsonl') });
    if (variant === 'record-nice') for (const tid of readdirSync('/proc/self/task')) setPriority(Number(tid), 19);
    r.run.stdout.on('data', (d) => (out += d));
    r.run.onEvent(() => events++);
    ended = r.ended;
  } else {
    const run = await launchTracedRun(opts);
    run.stdout.on('data', (d) => (out += d));
    const session = variant.includes('session') ? new Session({ run: { script: workload, args: [] }, maxMessagesPerChannel: 1000 }) : null;
    const writer = variant.includes('writer')
      ? new RecordingWriter(path.join(dir, 'writer.jsonl'), { protocol: PROTOCOL_VERSION, script: workload, args: [], python, pythonVersion: '', startedAtIso: '', supervisorPid: run.supervisorPid, samplingIntervalMs: 100, startNs: run.startNs.toString() })
      : null;
    if (writer) run.onWire((u) => writer.writeWire(u));
    run.onEvent((e) => {
      events++;
      session?.applyEvent(e);
    });
    ended = run.exited.then(() => writer?.end({ t: 0, exitCode: 0, signal: null, stats: {} }));
  }
  await ended;
  const cpu = process.cpuUsage();
  const d = JSON.parse(out.trim().split('\n').pop());
  return { wall: d[`${w}_s`], cpu: d[`${w}_cpu_s`], node: (cpu.user + cpu.system) / 1e6, events };
}

if (process.argv[2] === '--child') {
  const [, , , variant, python, w, dir] = process.argv; // and --n, as given to the driver
  process.stdout.write(`${JSON.stringify(await child(variant, python, w, dir))}\n`);
  process.exit(0);
}

const rounds = Number(arg('--rounds', '7'));
const python = arg('--python', 'python3');
const which = arg('--which', 'queue,pipe').split(',');
const dir = mkdtempSync(path.join(tmpdir(), 'pv-record-pieces-'));
const self = fileURLToPath(import.meta.url);
const results = {};
console.log(`python ${python}, n=${n}, ${rounds} rounds, load average ${loadavg()[0].toFixed(1)} at the start`);
for (let r = 1; r <= rounds; r++) {
  for (const w of which) {
    const row = {};
    const plain = JSON.parse(execFileSync(python, [workload, String(n), 'fork', w], { encoding: 'utf8' }).trim().split('\n').pop());
    row.plain = { wall: plain[`${w}_s`], cpu: plain[`${w}_cpu_s`], node: 0, events: 0 };
    for (const v of VARIANTS) row[v] = JSON.parse(execFileSync(process.execPath, [self, '--child', v, python, w, dir, '--n', String(n)], { encoding: 'utf8' }).trim());
    for (const [v, x] of Object.entries(row)) (results[`${w} ${v}`] ??= []).push(x);
    console.log(`  ${w} round ${r}: ${Object.entries(row).map(([v, x]) => `${v} ${x.wall.toFixed(2)} s`).join(', ')}`);
  }
}
rmSync(dir, { recursive: true, force: true });
console.log('\n| workload | what Node does | program wall | ×wall | program CPU | Node CPU (whole process) | events |');
console.log('|---|---|---|---|---|---|---|');
for (const w of which) {
  const base = median(results[`${w} plain`].map((x) => x.wall));
  for (const v of ['plain', ...VARIANTS]) {
    const xs = results[`${w} ${v}`];
    const m = (k) => median(xs.map((x) => x[k]));
    console.log(`| ${w} ${n.toLocaleString('en')} | ${v} | ${m('wall').toFixed(2)} s | ×${(m('wall') / base).toFixed(2)} | ${m('cpu').toFixed(2)} s | ${v === 'plain' ? '' : `${m('node').toFixed(2)} s`} | ${v === 'plain' ? '' : m('events')} |`);
  }
}
console.log(`load average at the end ${loadavg()[0].toFixed(1)}`);
