// Time travel cost (issue 15): how long one step forwards or backwards takes on a recording of
// 500 processes and 100,000 messages, drawn: the cursor's move, the model at that moment
// (snapshotAt), every channel's contents then (channelStatesAt), the stop's description, and
// what the Processes and Channels views compute from the snapshot (their pure models).
//
//   node bench/replay-steps.mjs [--processes 500] [--messages 100000] [--file run.jsonl] [--real] [--python PATH]
//
// Without --file it writes a generated recording (bench/replay-workload.mjs: the shapes the
// tracer and `record` write); --real records bench/replay-workload.py with `process-view record`
// instead (run `node scripts/build.mjs` first). Bundles the sources with esbuild on the fly.
// Prints one JSON object: the recording's size, the cost of opening it, and per kind of step
// the wall-clock and CPU medians, p90 and max in ms, with the load average.
//
// Figures: bench/replay-steps.md.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { writeWorkload } from './replay-workload.mjs';
import { arg } from './lib/cli.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const processes = Number(arg('--processes', '500'));
const messages = Number(arg('--messages', '100000'));
const real = process.argv.includes('--real');

const dir = mkdtempSync(path.join(tmpdir(), 'pv-replay-bench-'));
try {
  const bundle = path.join(dir, 'replay.js');
  await esbuild.build({
    stdin: {
      contents: [
        `export * from './src/core/replay';`,
        `export { buildProcessForest } from './src/extension/models/processModel';`,
        `export { visibleChannels, messageRows, logRows } from './src/extension/models/channelModel';`,
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: bundle,
    logLevel: 'warning',
  });
  const core = require(bundle);

  // 1. The recording.
  let file = arg('--file', null);
  let made = null;
  if (!file) {
    file = path.join(dir, 'run.jsonl');
    if (real) {
      const python = arg('--python', process.env.PYTHON ?? 'python3');
      const t0 = performance.now();
      execFileSync(process.execPath, [path.join(root, 'bin', 'process-view.js'), 'record', '--quiet', '--python', python, '--out', file,
        path.join(root, 'bench', 'replay-workload.py'), String(processes), String(messages)], { stdio: ['ignore', 'ignore', 'inherit'] });
      made = { by: 'process-view record bench/replay-workload.py', seconds: Math.round((performance.now() - t0) / 100) / 10 };
    } else made = { by: 'bench/replay-workload.mjs', ...(await writeWorkload(file, { processes, messages })) };
  }

  // 2. Open it: read, feed the Session in time order, build the steps, then the first moment
  //    (which builds the time indexes).
  const cpu0 = process.cpuUsage();
  let t0 = performance.now();
  const replay = await core.openReplay(file);
  const openMs = performance.now() - t0;
  t0 = performance.now();
  replay.momentAt(replay.length - 1);
  const firstMomentMs = performance.now() - t0;
  const openCpuMs = cpuMs(cpu0);
  const final = replay.session.snapshot();
  const size = {
    bytes: statSync(file).size,
    steps: replay.length,
    processes: final.processes.length,
    channels: final.channels.length,
    messages: final.channels.reduce((n, c) => n + c.messageCount, 0),
  };

  // 3. Steps, each drawn as the debugger and the views would draw it.
  const t = core.plain;
  const draw = (i) => {
    const m = replay.momentAt(i);
    core.describeStep(replay, m.step);
    core.buildProcessForest(m.snapshot, true);
    for (const c of core.visibleChannels(m.snapshot)) {
      core.messageRows(c.recentMessages);
      core.logRows(c.recentOps);
    }
    for (const c of m.channels) core.describeChannelState(c, t);
    return m;
  };
  const bps = new core.Breakpoints(replay);
  bps.setFilters([]);
  const cursor = new core.Cursor(replay, bps);
  const results = {};
  const measure = (kind, count, move) => {
    const wall = [];
    const cpu = [];
    for (let k = 0; k < count; k++) {
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      const stop = move(k);
      draw(stop.index);
      wall.push(performance.now() - w0);
      cpu.push(cpuMs(c0));
    }
    results[kind] = { steps: count, wall: stats(wall), cpu: stats(cpu) };
  };
  // Runs of steps from spread-out places: Step Into forwards, then the same number back.
  const starts = Array.from({ length: 10 }, (_, k) => Math.floor(((k + 0.5) / 10) * (replay.length - 40)));
  let s = 0;
  measure('step into (forwards)', 200, (k) => {
    if (k % 20 === 0) cursor.goToIndex(starts[s++]);
    return cursor.stepInto();
  });
  s = 0;
  measure('step back (backwards, any process)', 200, (k) => {
    if (k % 20 === 0) cursor.goToIndex(starts[s++] + 20);
    return cursor.stepBackInto();
  });
  // Step Over / Step Back of the busiest process (the main process, in this run).
  const counts = new Map();
  for (const st of replay.steps) if (st.key) counts.set(st.key, (counts.get(st.key) ?? 0) + 1);
  const busiest = [...counts].sort((a, b) => b[1] - a[1])[0][0];
  cursor.goToIndex(replay.stepsOf(busiest)[Math.floor(counts.get(busiest) / 3)]);
  measure('step over (one process, forwards)', 100, () => cursor.stepOver(busiest));
  measure('step back (one process, backwards)', 100, () => cursor.stepBack(busiest));
  // Continue / Reverse Continue to a line breakpoint with a condition (every 500th get at the result line).
  const getLine = replay.steps.find((x) => x.event?.kind === 'channel.op' && x.event.op === 'get' && x.pid === final.run.rootPid)?.site;
  if (getLine) {
    const b0 = performance.now();
    bps.set(getLine.file, [{ line: getLine.line, condition: 'op == "get" && ok', hitCondition: '% 500' }]);
    results['set a conditional breakpoint'] = { ms: round(performance.now() - b0) };
    cursor.goToIndex(0);
    measure('continue (to a breakpoint)', 40, () => cursor.continue());
    measure('reverse continue (to a breakpoint)', 40, () => cursor.reverseContinue());
  }
  // The timeline's scrubber: jumps to random moments (nothing cached nearby).
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  measure('go to a random moment (scrubber)', 60, () => cursor.goTo(rand() * final.nowMs));

  console.log(JSON.stringify({
    node: process.version,
    load: loadavg().map((x) => Math.round(x * 100) / 100),
    recording: { ...size, made },
    open: { readAndFeedMs: round(openMs), firstMomentMs: round(firstMomentMs), cpuMs: round(openCpuMs) },
    perStep: results,
  }, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function cpuMs(c0) {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

function round(x) {
  return Math.round(x * 100) / 100;
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: round(at(0.5)), p90: round(at(0.9)), max: round(s[s.length - 1]) };
}
