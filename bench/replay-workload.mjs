// A recording of the size issue 15 asks about, written the way `process-view record` writes one:
// a header, events in the order they would reach the recorder (processes race, so times are not
// sorted), a process-table sample every 100 ms while something changed (once a second otherwise),
// and the end line. The shapes are those of real recordings (test/fixtures/recordings/*.jsonl):
// every field the tracer sends, with its type.
//
//   writeWorkload(path, { processes: 500, messages: 100_000, seed: 1 }) → { events, samples, durationMs }
//
// The run: the main process creates a task queue, a result queue, a JoinableQueue, a lock and a
// pipe; it starts (processes - 1) workers in waves of 50 (each wave's workers live together, so up
// to ~100 are alive at once); it puts tasks, workers get them, take the lock now and then, put
// results, which main gets. A few workers end without being joined for a while (zombies), a few
// start a grandchild and exit first (orphans, adopted by the supervisor). Half the messages are
// tasks, half results; each is a put and a get, so 100,000 messages are 200,000 channel.op events.
import { createWriteStream } from 'node:fs';

/** A small deterministic PRNG (mulberry32), so two runs of the bench read the same file. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function writeWorkload(path, opts = {}) {
  const nProcs = opts.processes ?? 500;
  const nMessages = opts.messages ?? 100_000;
  const rand = rng(opts.seed ?? 1);
  const script = '/work/bench/workload.py';
  const py = '/usr/bin/python3';
  const SUP = 40000;
  const MAIN = 40001;
  const TID = 140000000000000;
  const out = createWriteStream(path);
  const lines = [];
  const write = (o) => {
    lines.push(JSON.stringify(o));
  };
  const site = (line) => ({ file: script, line });
  const base = (kind, t, pid, ppid, s = null, tid = TID) => ({ kind, t, pid, ppid, tid, site: s });

  write({
    type: 'header', format: 'process-view-session', version: 1, platform: 'linux', protocol: 1, script, args: [],
    python: py, pythonVersion: '3.11.7', startedAtIso: '2026-11-23T10:00:00.000Z', supervisorPid: SUP, samplingIntervalMs: 100,
  });

  // Every event, with its time; shuffled a little by arrival (a process's batch goes every ms).
  const events = [];
  const ev = (e) => events.push(e);
  // Process lifetimes for the samples: pid → { start, exit, reaped, ppid, ticks, zombieUntil }
  const procs = new Map();
  let t = 50;
  ev({ ...base('hello', t, MAIN, SUP), role: 'main', name: 'MainProcess', argv: [script], python: '3.11.7', executable: py, startTicks: 100000, startMethod: null });
  procs.set(MAIN, { start: t, exit: null, reaped: null, ppid: SUP, ticks: 100000 });
  const Q_TASKS = 'queue:40001:1';
  const Q_RESULTS = 'queue:40001:2';
  const JQ = 'joinable-queue:40001:3';
  const LOCK = 'lock:40001:4';
  const PIPE = 'pipe:40001:5';
  ev({ ...base('channel.created', t + 1, MAIN, SUP, site(10)), id: Q_TASKS, channel: 'queue', detail: { maxsize: null } });
  ev({ ...base('channel.created', t + 1.1, MAIN, SUP, site(11)), id: Q_RESULTS, channel: 'queue', detail: { maxsize: null } });
  ev({ ...base('channel.created', t + 1.2, MAIN, SUP, site(12)), id: JQ, channel: 'joinable-queue', detail: { maxsize: null } });
  ev({ ...base('channel.created', t + 1.3, MAIN, SUP, site(13)), id: LOCK, channel: 'lock', detail: null });
  ev({ ...base('channel.created', t + 1.4, MAIN, SUP, site(14)), id: PIPE, channel: 'pipe', detail: { end0: 'conn:40001:6', end1: 'conn:40001:7', duplex: true } });
  t += 10;

  const workers = nProcs - 1;
  const wave = 50;
  let sent = 0;
  let pid = MAIN + 1;
  let ticks = 100100;
  let digest = 1000;
  let orphanBudget = 5;
  let zombieBudget = 5;
  let procCount = 1;
  for (let w0 = 0; w0 < workers && procCount < nProcs; w0 += wave) {
    const crew = [];
    for (let k = 0; k < wave && procCount < nProcs; k++, procCount++) {
      const child = pid++;
      const name = `Process-${procCount}`;
      const tc = t + k * 0.8;
      ev({ ...base('process.created', tc, MAIN, SUP, site(30)), childPid: child, name, daemon: false, role: 'child', startMethod: 'fork', target: 'worker', argv: null, objectId: `process:40001:${procCount}` });
      ev({ ...base('hello', tc + 2, child, MAIN), role: 'child', name: 'MainProcess', argv: [script], python: '3.11.7', executable: py, startTicks: ticks, startMethod: 'fork' });
      ev({ ...base('process.running', tc + 2.3, child, MAIN), name, daemon: false, role: 'child' });
      procs.set(child, { start: tc, exit: null, reaped: null, ppid: MAIN, ticks: ticks++ });
      crew.push(child);
    }
    t += wave * 0.8 + 3;
    // Tasks and results: main puts, a worker gets, puts a result, main gets (spread over the waves left).
    const wavesLeft = 1 + Math.ceil((nProcs - procCount) / wave);
    const rounds = Math.max(1, Math.ceil((nMessages - sent) / 2 / crew.length / wavesLeft));
    for (let r = 0; r < rounds; r++) {
      for (const w of crew) {
        if (sent >= nMessages) break;
        const d1 = digest++;
        const d2 = digest++;
        const tPut = t;
        const tGet = t + 0.05 + rand() * 0.4;
        ev({ ...base('channel.op', tPut, MAIN, SUP, site(40)), id: Q_TASKS, op: 'put', preview: `(${r}, ${w}, 'task')`, size: 30, digest: d1, waitedMs: null, ok: true, detail: null });
        ev({ ...base('channel.op', tGet, w, MAIN, site(20)), id: Q_TASKS, op: 'get', preview: `(${r}, ${w}, 'task')`, size: 30, digest: d1, waitedMs: rand() * 2, ok: true, detail: null });
        if (r % 10 === 0) {
          ev({ ...base('channel.op', tGet + 0.01, w, MAIN, site(22)), id: LOCK, op: 'acquire', preview: null, size: null, digest: null, waitedMs: rand() * 0.5, ok: true, detail: null });
          ev({ ...base('channel.op', tGet + 0.02, w, MAIN, site(22)), id: LOCK, op: 'release', preview: null, size: null, digest: null, waitedMs: null, ok: true, detail: null });
        }
        const tRes = tGet + 0.1;
        ev({ ...base('channel.op', tRes, w, MAIN, site(24)), id: Q_RESULTS, op: 'put', preview: `[${r}, None, 'hello']`, size: 40, digest: d2, waitedMs: null, ok: true, detail: null });
        ev({ ...base('channel.op', tRes + 0.08 + rand() * 0.3, MAIN, SUP, site(44)), id: Q_RESULTS, op: 'get', preview: `[${r}, None, 'hello']`, size: 40, digest: d2, waitedMs: rand() * 3, ok: true, detail: null });
        sent += 2;
        t += 0.12;
      }
    }
    // A JoinableQueue handshake and a pipe message per wave.
    ev({ ...base('channel.op', t, MAIN, SUP, site(50)), id: JQ, op: 'put', preview: `'wave ${w0}'`, size: 20, digest: digest, waitedMs: null, ok: true, detail: null });
    ev({ ...base('channel.op', t + 0.3, crew[0], MAIN, site(26)), id: JQ, op: 'get', preview: `'wave ${w0}'`, size: 20, digest: digest++, waitedMs: 0.2, ok: true, detail: null });
    ev({ ...base('channel.op', t + 0.5, crew[0], MAIN, site(27)), id: JQ, op: 'task_done', preview: null, size: null, digest: null, waitedMs: null, ok: true, detail: null });
    ev({ ...base('channel.op', t + 0.6, MAIN, SUP, site(52)), id: 'conn:40001:6', op: 'send', preview: `'stop ${w0}'`, size: 20, digest: digest, waitedMs: null, ok: true, detail: null });
    ev({ ...base('channel.op', t + 0.9, crew[1] ?? crew[0], MAIN, site(28)), id: 'conn:40001:7', op: 'recv', preview: `'stop ${w0}'`, size: 20, digest: digest++, waitedMs: 0.3, ok: true, detail: null });
    t += 2;
    // The crew ends; main joins them, some late (zombies); some leave an orphan behind.
    for (const w of crew) {
      const p = procs.get(w);
      if (orphanBudget > 0 && procCount < nProcs && rand() < 0.2) {
        orphanBudget--;
        const g = pid++;
        procCount++;
        ev({ ...base('process.created', t - 1, w, MAIN, site(29)), childPid: g, name: `Process-${procCount}`, daemon: false, role: 'child', startMethod: 'fork', target: 'grandchild', argv: null, objectId: `process:${w}:1` });
        ev({ ...base('hello', t - 0.5, g, w), role: 'child', name: 'MainProcess', argv: [script], python: '3.11.7', executable: py, startTicks: ticks, startMethod: 'fork' });
        procs.set(g, { start: t - 1, exit: t + 400, reaped: t + 401, ppid: w, ticks: ticks++, orphanOf: w });
        ev({ ...base('process.adopted', t + 50, SUP, 39999), childPid: g });
        ev({ ...base('process.exit', t + 400, g, SUP), exitCode: 0, how: 'return', signal: null, error: null });
        ev({ ...base('process.reaped', t + 401, SUP, 39999), childPid: g, exitCode: 0, signal: null, adopted: true });
      }
      const exitAt = t + rand() * 2;
      p.exit = exitAt;
      ev({ ...base('process.exit', exitAt, w, MAIN), exitCode: 0, how: 'return', signal: null, error: null });
      const late = zombieBudget > 0 && rand() < 0.1;
      if (late) zombieBudget--;
      p.reaped = late ? exitAt + 600 : exitAt + 3 + rand() * 5;
      ev({ ...base('process.joined', p.reaped, MAIN, SUP, site(60)), childPid: w, timeout: null, stillAlive: false, exitCode: 0, waitedMs: late ? 0.05 : 2 });
    }
    t += 10;
  }
  const end = t + 700;
  ev({ ...base('process.exit', end - 5, MAIN, SUP), exitCode: 0, how: 'return', signal: null, error: null });
  procs.get(MAIN).exit = end - 5;
  procs.get(MAIN).reaped = end - 2;
  ev({ ...base('process.reaped', end - 2, SUP, 39999), childPid: MAIN, exitCode: 0, signal: null, adopted: false });

  // Arrival order: each process sends its events in batches; batches of different processes
  // interleave, so the file is sorted by (time rounded up to the next ms of its batch), not by time.
  events.sort((a, b) => Math.ceil(a.t) - Math.ceil(b.t) || a.pid - b.pid || a.t - b.t);

  // Samples every 100 ms: every process alive or a zombie, with its state; gone ones listed once.
  const body = events.map((e) => ({ t: Math.ceil(e.t), rec: { type: 'event', event: e } }));
  const samples = [];
  const goneSeen = new Set();
  let lastKey = '';
  let lastWritten = -Infinity;
  for (let s = 100; s < end + 100; s += 100) {
    const processes = [];
    const gone = [];
    for (const [p, info] of procs) {
      if (info.start > s) continue;
      const reaped = info.reaped !== null && info.reaped <= s;
      if (reaped) {
        if (!goneSeen.has(p)) {
          goneSeen.add(p);
          gone.push(p);
        }
        continue;
      }
      const dead = info.exit !== null && info.exit <= s;
      const adopted = info.orphanOf !== undefined && s > procs.get(info.orphanOf).exit;
      processes.push({
        pid: p,
        ppid: adopted ? SUP : info.ppid,
        state: dead ? 'zombie' : rand() < 0.5 ? 'sleeping' : 'running',
        startTicks: info.ticks,
        command: dead ? 'python3' : `${py} ${script}`,
        cpuPercent: dead ? 0 : Math.round(rand() * 1000) / 10,
        rssBytes: dead ? 0 : 12_000_000 + Math.floor(rand() * 1e6),
      });
    }
    const key = processes.map((p) => `${p.pid}:${p.state}:${p.ppid}`).join(',') + '|' + gone.join(',');
    // As `record` does: a pass when something the model uses changed, else once a second.
    if (key === lastKey && s - lastWritten < 1000) continue;
    lastKey = key;
    lastWritten = s;
    samples.push({ t: s + 0.37, processes, gone });
  }
  for (const sample of samples) body.push({ t: sample.t, rec: { type: 'sample', sample } });
  body.sort((a, b) => a.t - b.t);
  for (const b of body) write(b.rec);
  write({ type: 'end', t: end + 50, exitCode: 0, signal: null, stats: { connections: nProcs + 1, refused: 0, rejected: 0, events: events.length } });

  await new Promise((resolve, reject) => {
    out.on('error', reject);
    out.end(lines.join('\n') + '\n', resolve);
  });
  return { events: events.length, samples: samples.length, messages: sent, durationMs: end + 50 };
}
