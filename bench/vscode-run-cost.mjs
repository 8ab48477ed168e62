// What Run with Process View costs in VS Code, as a user runs it (issue 14): the packaged VSIX is
// installed into code-server, a real workbench is driven in Chromium, and each round runs the
// same script plainly (`python file.py`, spawn to exit) and with Run with Process View (from the
// click on the command to its end as the user sees it (the extension logged it ended, after its
// note in the terminal, and the status bar no longer spins): supervisor, tracer,
// Session, sampler, live tree, status bar), interleaved, medians. CPU (Linux, from /proc): the
// plain run's; under Process View the run's own (every process of it, traced, and the
// supervisor) and code-server's (the extension host with the Session and the views' providers,
// the server, the pty host), which on 2 cores competes with the program. The browser's drawing
// is not in it.
//
// Window responsiveness: in two more runs of each round (plain, then Run with Process View) the
// Command Palette is opened (F1) again and again while the run goes on; the latency is from the
// key's keydown in the page to the first animation frame with the palette shown (measured in the
// page, no Playwright round trip in it). The plain run's figure is what the machine being busy
// with the program costs the window anyway; the idle window's is the floor.
//
//   node scripts/build.mjs && node scripts/setup.mjs && npm run package
//   node bench/vscode-run-cost.mjs [--rounds 5] [--python python3] [--which flood,queue,pipe] [--vsix file]
//     [--renderer-profile DIR]
//
// Workloads: flood = test/python/programs/zombie_flood.py (40 processes x 1,000 Queue messages,
// then a Pool of 8 over 200 tasks: issue 14's VS Code figure); queue / pipe = bench/tracer-
// throughput.py with 100,000 messages child -> parent (fork), issue 14's CLI workload; hello = one
// print, the fixed cost of a run (not in the default list).
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, median } from './lib/cli.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const tools = require('../scripts/lib/tools.cjs');
// The e2e harness's workbench driver (built by scripts/build.mjs): opening the window, a file, a command.
const { Workbench } = require('../out/test/e2e/harness.js');

const rounds = Number(arg('--rounds', '5'));
const python = arg('--python', 'python3');
const which = arg('--which', 'flood,queue,pipe').split(',');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const vsix = arg('--vsix', path.join(root, `${manifest.name}-${manifest.version}.vsix`));
// With --renderer-profile DIR: a CPU profile of the window's page (the renderer's main thread) and
// a Chromium trace (devtools.timeline: style, layout, paint) over each Run with Process View that
// opens the palette, written as DIR/<workload>-<round>.cpuprofile and .trace.json; read them with
// bench/renderer-profile.mjs.
const rendererProfiles = arg('--renderer-profile', '');
const pythonExe = execFileSync(python, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
const pythonVersion = execFileSync(pythonExe, ['--version'], { encoding: 'utf8' }).trim();

// The workloads, as files a user would right-click, in a folder of their own.
const state = mkdtempSync(path.join(tmpdir(), 'pv-vscode-cost-'));
const folder = path.join(state, 'work');
mkdirSync(folder);
copyFileSync(path.join(root, 'test/python/programs/zombie_flood.py'), path.join(folder, 'flood.py'));
copyFileSync(path.join(root, 'bench/tracer-throughput.py'), path.join(folder, 'tracer_throughput.py'));
// The fixed cost of a run: a script that starts no process and sends nothing.
writeFileSync(path.join(folder, 'hello.py'), "print('hello')\n");
for (const w of ['queue', 'pipe']) {
  writeFileSync(
    path.join(folder, `throughput_${w}.py`), // not queue.py: that would hide the standard library's queue
    `import runpy, sys\nsys.argv = ['tracer_throughput.py', '100000', 'fork', '${w}']\nrunpy.run_path('tracer_throughput.py', run_name='__main__')\n`,
  );
}

// CPU seconds from /proc (Linux; 10 ms ticks): `own` is a process's user + system, `reaped` what
// the children it has waited for used (their whole trees, as each parent waited for its own).
const TICK = 1 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
function procCpu(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3, the state
    return { ppid: Number(f[1]), own: (Number(f[11]) + Number(f[12])) * TICK, reaped: (Number(f[13]) + Number(f[14])) * TICK };
  } catch {
    return null; // gone
  }
}
/** Every live process under `top`, `top` included, with its CPU. */
function processTree(top) {
  const all = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const c = procCpu(name);
    if (c) all.set(Number(name), c);
  }
  const inTree = (pid) => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = all.get(p)?.ppid ?? 0, hops++) if (p === top) return true;
    return false;
  };
  return new Map([...all].filter(([pid]) => inTree(pid)));
}
/** Own CPU of every live process under `top` (code-server: its server, extension host, pty host...). */
const treeCpu = (top) => [...processTree(top).values()].reduce((sum, c) => sum + c.own, 0);

/** The script run plainly; with `probe`, the Command Palette is opened again and again meanwhile. */
async function plainRun(file, probe = null) {
  const c0 = procCpu(process.pid).reaped;
  const t0 = performance.now();
  const p = spawn(pythonExe, [file], { cwd: folder, stdio: ['ignore', 'ignore', 'inherit'] });
  const ended = new Promise((resolve, reject) => {
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${file} exited ${code}`))));
  });
  let done = false;
  void ended.then(() => (done = true), () => (done = true));
  const latencies = [];
  if (probe) while (!done) latencies.push(await probe());
  await ended;
  return { wall: (performance.now() - t0) / 1000, cpu: procCpu(process.pid).reaped - c0, latencies };
}

// ---- the workbench ----
const extensionsDir = path.join(state, 'extensions');
const userDataDir = path.join(state, 'user-data');
mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
writeFileSync(
  path.join(userDataDir, 'User', 'settings.json'),
  JSON.stringify({
    ...tools.QUIET_WORKBENCH_SETTINGS,
    'processView.pythonPath': pythonExe,
  }),
);
const env = tools.codeServerEnv({ XDG_CONFIG_HOME: path.join(state, 'xdg', 'config'), XDG_DATA_HOME: path.join(state, 'xdg', 'data'), XDG_CACHE_HOME: path.join(state, 'xdg', 'cache') });
await tools.run(tools.codeServerBin, ['--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix], { env, capture: true, timeoutMs: 120_000 });
const server = await tools.startCodeServer({ stateDir: state, extensionsDir, userDataDir });
const browser = await chromium.launch({ executablePath: tools.chromiumBin, headless: true, args: tools.CHROMIUM_ARGS, timeout: 60_000 });
let failed = false;
try {
  const wb = await Workbench.open(await browser.newContext({ viewport: { width: 1440, height: 900 } }), server.url, folder);
  const { page } = wb;
  // Keydown time and "palette shown" time, both in the page's clock.
  await page.evaluate(() => {
    window.__pvKey = 0;
    window.addEventListener('keydown', (e) => { if (e.key === 'F1') window.__pvKey = performance.now(); }, true);
  });

  const palette = page.locator('.quick-input-widget');
  async function paletteLatencyMs() {
    await page.keyboard.press('F1');
    const ms = await page.waitForFunction(() => new Promise((resolve) => {
      const check = () => {
        const w = document.querySelector('.quick-input-widget');
        if (w && getComputedStyle(w).display !== 'none' && w.getBoundingClientRect().height > 0) resolve(performance.now() - window.__pvKey);
        else requestAnimationFrame(check);
      };
      check();
    }), null, { timeout: 60_000 });
    const value = await ms.jsonValue();
    await page.keyboard.press('Escape');
    await palette.waitFor({ state: 'hidden', timeout: 60_000 });
    return value;
  }

  // The extension host of this code-server (its command line says so).
  const extensionHostPid = () => {
    for (const pid of processTree(server.child.pid).keys()) {
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=extensionHost')) return pid;
      } catch {
        // gone
      }
    }
    throw new Error('no extension host under code-server');
  };

  // The status bar item ("$(sync~spin) 2 alive · …" while a run goes on).
  const statusRunning = () => page.evaluate(() => {
    for (const item of document.querySelectorAll('.statusbar-item')) {
      if (/alive/.test(item.textContent ?? '')) return item.querySelector('.codicon-sync, .codicon-modifier-spin') !== null;
    }
    return false;
  });

  // The extension's log says when a run has ended (after its note in the terminal): a run short
  // enough may come and go between two frames, so the status bar alone cannot tell its end.
  let logFile = null;
  const endsLogged = () => {
    if (logFile === null) {
      const logs = path.join(userDataDir, 'logs');
      logFile = readdirSync(logs, { recursive: true }).map((p) => path.join(logs, p)).find((p) => p.endsWith(`${path.sep}Process View.log`)) ?? null;
    }
    return logFile ? (readFileSync(logFile, 'utf8').match(/ ended: code /g) ?? []).length : 0;
  };

  async function processViewRun(file, probe, profileTo = '') {
    await wb.openFile(file);
    let cdp = null;
    if (profileTo) {
      mkdirSync(path.dirname(profileTo), { recursive: true });
      cdp = await page.context().newCDPSession(page);
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
      await browser.startTracing(page, { path: profileTo.replace(/\.cpuprofile$/, '.trace.json'), categories: ['devtools.timeline'] });
    }
    const row = await wb.findCommand('Process View: Run with Process View');
    const host = extensionHostPid();
    const program0 = procCpu(host).reaped;
    const ours0 = treeCpu(server.child.pid);
    const ends0 = endsLogged();
    const t0 = performance.now();
    await row.click();
    // The run's end as the user sees it: logged as ended (its note is in the terminal) and the
    // status bar no longer spinning.
    const latencies = [];
    const deadline = t0 + 300_000;
    for (;;) {
      if (performance.now() > deadline) throw new Error(`${file}: the run did not end within 300 s`);
      const running = await statusRunning();
      if (!running && endsLogged() > ends0) break;
      if (probe && running) latencies.push(await paletteLatencyMs());
      else await new Promise((r) => setTimeout(r, 20));
    }
    const wall = (performance.now() - t0) / 1000;
    if (cdp) {
      await browser.stopTracing();
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(profileTo, JSON.stringify(profile));
      await cdp.detach();
    }
    // The supervisor is the extension host's child: when it is waited for, the whole run's CPU
    // lands in the host's children's times. The rest of code-server's tree is the product's own.
    return { wall, latencies, program: procCpu(host).reaped - program0, ours: treeCpu(server.child.pid) - ours0 };
  }

  const idle = [];
  for (let i = 0; i < 10; i++) idle.push(await paletteLatencyMs());
  console.log(`${pythonVersion}, ${rounds} rounds; load average at start ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`Command Palette on the idle window: median ${median(idle).toFixed(0)} ms, max ${Math.max(...idle).toFixed(0)} ms (10 opens)`);
  const rows = [];
  for (const w of which) {
    const file = w === 'flood' || w === 'hello' ? `${w}.py` : `throughput_${w}.py`;
    const plain = [], plainCpu = [], pv = [], program = [], ours = [], lat = [], plainLat = [];
    for (let r = 0; r < rounds; r++) {
      const a = await plainRun(file);
      plain.push(a.wall);
      plainCpu.push(a.cpu);
      const b = await processViewRun(file, false);
      pv.push(b.wall);
      program.push(b.program);
      ours.push(b.ours);
      const c = await plainRun(file, paletteLatencyMs);
      plainLat.push(...c.latencies);
      const d = await processViewRun(file, true, rendererProfiles ? path.join(path.resolve(rendererProfiles), `${w}-${r + 1}.cpuprofile`) : '');
      lat.push(...d.latencies);
      console.log(
        `  ${w} round ${r + 1}: plain ${a.wall.toFixed(2)} s (CPU ${a.cpu.toFixed(2)} s); Run with Process View ${b.wall.toFixed(2)} s ` +
          `(CPU: the run ${b.program.toFixed(2)} s, code-server ${b.ours.toFixed(2)} s); palette during a plain run ${c.latencies.map((x) => x.toFixed(0)).join('/')} ms, ` +
          `during Run with Process View ${d.latencies.map((x) => x.toFixed(0)).join('/')} ms`,
      );
    }
    rows.push({ w, plain: median(plain), plainCpu: median(plainCpu), pv: median(pv), program: median(program), ours: median(ours), lat, plainLat });
  }
  console.log(`load average at end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const ms = (xs) => (xs.length ? `${median(xs).toFixed(0)} / ${Math.max(...xs).toFixed(0)} ms (${xs.length})` : 'none');
  console.log('\n| workload | plain wall | Run with Process View wall | ×wall | plain CPU | CPU: the run (tracer, supervisor) | CPU: code-server (extension host...) | ×CPU |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.w} | ${r.plain.toFixed(2)} s | ${r.pv.toFixed(2)} s | **×${(r.pv / r.plain).toFixed(2)}** | ${r.plainCpu.toFixed(2)} s | ${r.program.toFixed(2)} s | ${r.ours.toFixed(2)} s | ×${((r.program + r.ours) / r.plainCpu).toFixed(2)} |`,
    );
  }
  console.log(`\nCommand Palette, keydown to shown: median / max (opens). Idle window: ${ms(idle)}.`);
  console.log('\n| workload | during the plain run | during Run with Process View |');
  console.log('|---|---|---|');
  for (const r of rows) console.log(`| ${r.w} | ${ms(r.plainLat)} | ${ms(r.lat)} |`);
} catch (e) {
  failed = true;
  console.error(e);
} finally {
  await browser.close().catch(() => undefined);
  server.stop();
  rmSync(state, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
