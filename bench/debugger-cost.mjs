// What the debugger costs a program that does not stop: bench/debugger-cost.py run plain, traced
// (Run with Process View) and under the debugger (`process-view debug-adapter`, a breakpoint set
// in a file the hot loop never enters), interleaved, medians of the program's own wall and CPU
// seconds (all processes).
//   node scripts/build.mjs && node bench/debugger-cost.mjs [--python PATH] [--n 1000000] [--rounds 7] [--method fork] [--no-breakpoint]
// --no-breakpoint: the debugger with no breakpoint at all (what a run paused only before operations costs).
// --breakpoint-in-main: the breakpoint in the main script's own file instead (in a function never
// called): on 3.9-3.11 the main module's frame runs that file for the whole run, so it is traced.
// --raised: the "Raised exceptions" filter on as well (the workload raises nothing): on 3.9-3.11
// every thread gets a trace function, called at each function call.
// --function NAME: a function breakpoint on NAME as well (e.g. never_called_here, which the run
// never calls): on 3.12+ a PY_START event per code object, once; on 3.9-3.11 a trace function
// called at every function call of every thread.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { arg, median } from './lib/cli.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const { launchTracedRun, findPython } = require(path.join(root, 'out/test/unit/tracer/bench-entry.js'));
const { DapClient } = require(path.join(root, 'out/test/debug/dapClient.js'));

const n = arg('--n', '1000000');
const rounds = Number(arg('--rounds', '7'));
const method = arg('--method', 'fork');
const withBreakpoint = !process.argv.includes('--no-breakpoint');
const workload = path.join(root, 'bench/debugger-cost.py');
const inMain = process.argv.includes('--breakpoint-in-main');
const breakpoints = inMain ? workload : path.join(root, 'bench/debugger_cost_breakpoints.py');
const breakpointLine = inMain ? readFileSync(workload, 'utf8').split('\n').findIndex((l) => l.includes('the breakpoint of --breakpoint-in-main')) + 1 : 5;
const raised = process.argv.includes('--raised');
const functionBreakpoint = arg('--function', undefined);
const python = await findPython(arg('--python', undefined));

const lastJson = (text) => JSON.parse(text.trim().split('\n').pop());

function plain() {
  return lastJson(execFileSync(python.executable, [workload, n, method], { encoding: 'utf8' }));
}

async function traced() {
  const run = await launchTracedRun({ script: workload, args: [n, method], python: python.executable, stdio: 'pipe' });
  let out = '';
  run.stdout.on('data', (d) => (out += d));
  run.stderr.on('data', (d) => process.stderr.write(d));
  run.onEvent(() => undefined);
  const exit = await run.exited;
  if (exit.exitCode !== 0) throw new Error(`traced workload failed: ${JSON.stringify(exit)}`);
  return lastJson(out);
}

async function debugged() {
  const c = new DapClient();
  try {
    await c.launch({ program: workload, args: [n, method], python: python.executable, console: 'internalConsole' }, withBreakpoint ? { [breakpoints]: [breakpointLine] } : {}, {}, raised ? ['raised', 'uncaught', 'task'] : undefined, functionBreakpoint ? [{ name: functionBreakpoint }] : undefined);
    const code = await c.ended(600_000);
    if (code !== 0) throw new Error(`debugged workload failed: exit ${code}: ${c.output()}`);
    if (c.stops().length !== 0) throw new Error('the debugged workload stopped');
    const verified = c.events.filter((e) => e.event === 'breakpoint' && e.body.breakpoint.verified);
    if (withBreakpoint && verified.length === 0) throw new Error('the breakpoint was never verified: the debugger was not there');
    return lastJson(c.output('stdout'));
  } finally {
    await c.close();
  }
}

const kinds = { plain, traced, debugged };
const res = Object.fromEntries(Object.keys(kinds).map((k) => [k, { wall: [], cpu: [] }]));
const load0 = os.loadavg()[0];
console.log(`python ${python.version}, n=${n}, start method ${method}, ${rounds} rounds (interleaved), ${!withBreakpoint ? 'no breakpoint' : inMain ? 'a breakpoint in the main script (a function never called)' : 'a breakpoint in a file the hot loop never enters'}${raised ? ', "Raised exceptions" on' : ''}${functionBreakpoint ? `, a function breakpoint on ${functionBreakpoint}` : ''}, load ${load0.toFixed(1)}`);
for (let r = 0; r < rounds; r++) {
  // Rotate the order so no kind always runs right after another.
  const order = Object.keys(kinds).map((_, i, a) => a[(i + r) % a.length]);
  const line = [];
  for (const k of order) {
    const x = await kinds[k]();
    res[k].wall.push(x.wall_s);
    res[k].cpu.push(x.cpu_s);
    line.push(`${k} ${x.wall_s.toFixed(3)}s (cpu ${x.cpu_s.toFixed(3)}s)`);
  }
  console.log(`round ${r + 1}: ${line.join(', ')}`);
}
const m = (k, f) => median(res[k][f]);
console.log(`load average ${load0.toFixed(1)} -> ${os.loadavg()[0].toFixed(1)}`);
console.log(`median wall: plain ${m('plain', 'wall').toFixed(3)}s, traced ${m('traced', 'wall').toFixed(3)}s, debugged ${m('debugged', 'wall').toFixed(3)}s`);
console.log(`median cpu:  plain ${m('plain', 'cpu').toFixed(3)}s, traced ${m('traced', 'cpu').toFixed(3)}s, debugged ${m('debugged', 'cpu').toFixed(3)}s`);
for (const f of ['wall', 'cpu']) {
  console.log(`${f}: debugged/plain x${(m('debugged', f) / m('plain', f)).toFixed(2)}, debugged/traced x${(m('debugged', f) / m('traced', f)).toFixed(2)}, traced/plain x${(m('traced', f) / m('plain', f)).toFixed(2)}`);
}
