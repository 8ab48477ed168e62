// launchTracedRun with real Python processes: pass-through of stdio and exit status, events,
// interpreter discovery, Stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as net from 'node:net';
import { checkPython, findPython, launchTracedRun, PythonNotFoundError, untestedPythonNote, type TracedRun } from '../../../src/core/tracer';
import type { PythonInfo } from '../../../src/core/tracer/python';
import type { TracerEvent } from '../../../src/core/protocol/events';

const dir = mkdtempSync(path.join(tmpdir(), 'pv-launch-'));
function script(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function collect(run: TracedRun): Promise<{ out: string; err: string; events: TracerEvent[] }> {
  const events: TracerEvent[] = [];
  run.onEvent((e) => events.push(e));
  let out = '';
  let err = '';
  run.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  run.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  await run.exited;
  return { out, err, events };
}

test('findPython resolves a pyenv-style shim to the real interpreter, and says clearly when there is none', async () => {
  const py = await findPython();
  assert.ok(existsSync(py.executable));
  assert.ok(!py.executable.includes('/shims/'), py.executable);
  assert.match(py.version, /^3\.\d+\.\d+$/);
  const explicit = await findPython(py.executable);
  assert.equal(explicit.executable, py.executable);
  await assert.rejects(findPython('/nowhere/python3'), (e: unknown) => e instanceof PythonNotFoundError && /\/nowhere\/python3: not found.*--python/.test(e.message));
  await assert.rejects(findPython(undefined, { PATH: dir }), (e: unknown) => e instanceof PythonNotFoundError && /python3.*python/.test(e.message));
});

test('checkPython compiles the script in the same interpreter start, and a checked interpreter is not started again', async () => {
  const py = await findPython();
  const bad = await checkPython(py.executable, { script: script('bad_syntax.py', 'import os\n\ndef f(:\n    pass\n') });
  assert.equal(bad.info.executable, py.executable);
  assert.equal(bad.syntax?.line, 3);
  assert.ok((bad.syntax?.message ?? '') !== '', 'Python says what is wrong');
  assert.equal((await checkPython(py.executable, { script: script('fine_syntax.py', 'print(1)\n') })).syntax, null);
  // An unreadable script is not a syntax error: the run says what is wrong with it.
  assert.equal((await checkPython(py.executable, { script: path.join(dir, 'not-there.py') })).syntax, null);
  await assert.rejects(checkPython('/nowhere/python3'), /\/nowhere\/python3: not found/);
  // Given as checked, the interpreter is taken as it is: this made-up version would not survive a second check.
  const run = await launchTracedRun({ script: script('checked.py', 'print("ok")\n'), python: { ...py, version: '3.99.0' }, stdio: 'pipe' });
  const { out } = await collect(run);
  assert.equal(out, 'ok\n');
  assert.equal(run.python.version, '3.99.0');
});

test('every wrong interpreter gets one sentence saying what is wrong', { skip: process.platform === 'win32' && 'POSIX shell scripts' }, async () => {
  const fake = (name: string, body: string): string => {
    const p = script(name, `#!/bin/sh\n${body}\n`);
    chmodSync(p, 0o755);
    return p;
  };
  const python2 = fake('python2', 'if [ "$1" = "--version" ]; then echo "Python 2.7.18" >&2; exit 0; fi\necho "Unknown option: -I" >&2\necho "Try \\`python -h\' for more information." >&2\nexit 2');
  const shim = fake('shim', 'echo "pyenv: python3.8: command not found" >&2\necho >&2\necho "The \\`python3.8\' command exists in these Python versions:" >&2\necho "  3.8.18" >&2\nexit 127');
  const notExecutable = script('notexec', 'print(1)');
  const why = async (python: string): Promise<string> => {
    try {
      await findPython(python);
    } catch (e) {
      assert.ok(e instanceof PythonNotFoundError);
      return e.message;
    }
    throw new Error(`${python} was accepted`);
  };
  assert.match(await why('/bin/ls'), /\/bin\/ls is not a Python interpreter \(it failed to run Python code, exit code 2\)\. Check the path/);
  assert.match(await why('/bin/false'), /\/bin\/false is not a Python interpreter/);
  assert.match(await why(dir), /is a folder, not a Python interpreter \(give the interpreter inside it, e\.g\. .*\/bin\/python3\)/);
  assert.match(await why(python2), /python2: Python 2\.7\.18 is too old \(Process View needs 3\.9 or newer\)/);
  assert.match(await why(shim), /shim has no Python behind it: pyenv: python3\.8: command not found The `python3\.8' command exists in these Python versions: 3\.8\.18\./);
  assert.match(await why(notExecutable), /notexec cannot be run \(permission denied: is it an executable file\?\)/);
  assert.match(await why('no-such-python-here'), /no-such-python-here: not found on PATH/);
});

test('a traced run passes stdin, stdout, stderr and the exit code through, and streams events', async () => {
  const s = script(
    'echo.py',
    'import sys, multiprocessing as mp\nline = sys.stdin.readline()\nprint(line.strip().upper())\nprint("to stderr", file=sys.stderr)\nq = mp.Queue()\nq.put(1); q.get()\nsys.exit(4)\n',
  );
  const run = await launchTracedRun({ script: s, stdio: 'pipe' });
  const collected = collect(run); // the first subscriber: it also gets what arrived before
  // More subscribers, before the script has read its input (so before any channel.op): one that
  // throws does not keep the next one from the events.
  run.onEvent(() => {
    throw new Error('a buggy listener');
  });
  const ops: string[] = [];
  run.onEvent((e) => {
    if (e.kind === 'channel.op') ops.push(e.op);
  });
  run.stdin?.end('hello\n');
  const { out, err, events } = await collected;
  assert.deepEqual(ops, ['put', 'get']);
  assert.deepEqual(await run.exited, { exitCode: 4, signal: null });
  assert.equal(out, 'HELLO\n');
  assert.equal(err, 'to stderr\n');
  const hello = events.find((e) => e.kind === 'hello');
  assert.ok(hello && hello.kind === 'hello' && hello.role === 'main');
  assert.ok(hello.t > 0 && hello.t < 60_000, `t is ms since the run started: ${hello.t}`);
  assert.deepEqual(
    events.filter((e) => e.kind === 'channel.op').map((e) => e.kind === 'channel.op' && [e.op, e.site?.line]),
    [['put', 6], ['get', 6]],
  );
  const exit = events.find((e) => e.kind === 'process.exit');
  assert.deepEqual(exit && exit.kind === 'process.exit' && [exit.how, exit.exitCode], ['sys.exit', 4]);
  const reaped = events.find((e) => e.kind === 'process.reaped');
  assert.deepEqual(reaped && reaped.kind === 'process.reaped' && [reaped.childPid, reaped.exitCode, reaped.adopted], [hello.pid, 4, false]);
  assert.equal(run.stats.refused, 0);
});

test('syntax errors, os._exit and SIGKILL come out as they would without us', async () => {
  const bad = await launchTracedRun({ script: script('bad.py', 'print("x"\n'), stdio: 'pipe' });
  const b = await collect(bad);
  assert.equal((await bad.exited).exitCode, 1);
  assert.match(b.err, /SyntaxError/);
  const ex = await launchTracedRun({ script: script('ex.py', 'import os\nprint("a", flush=True)\nos._exit(9)\n'), stdio: 'pipe' });
  const e = await collect(ex);
  assert.deepEqual([e.out, (await ex.exited).exitCode], ['a\n', 9]);
  const k = await launchTracedRun({ script: script('k.py', 'import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n'), stdio: 'pipe' });
  await collect(k);
  assert.deepEqual(await k.exited, { exitCode: null, signal: 'SIGKILL' });
});

test('a connection without the token is refused while the run goes on', async () => {
  const run = await launchTracedRun({ script: script('slow.py', 'import time\ntime.sleep(0.5)\nprint("done")\n'), stdio: 'pipe' });
  const c = run.address.kind === 'unix' ? net.connect(run.address.path) : net.connect(run.address.port, run.address.host);
  c.on('error', () => undefined);
  c.write('{"pv": 1, "token": "nope", "pid": 1}\n');
  const { out } = await collect(run);
  assert.equal(out, 'done\n');
  assert.equal(run.stats.refused, 1);
});

test('stop() ends the script and its children, and resolves when they are gone', async () => {
  const s = script(
    'forever.py',
    'import multiprocessing as mp, time\ndef f():\n    time.sleep(300)\nif __name__ == "__main__":\n    ps = [mp.Process(target=f) for _ in range(2)]\n    [p.start() for p in ps]\n    print("ready", flush=True)\n    time.sleep(300)\n',
  );
  const run = await launchTracedRun({ script: s, stdio: 'pipe', stopGraceMs: 1000 });
  const events: TracerEvent[] = [];
  run.onEvent((e) => events.push(e));
  await new Promise<void>((resolve) => run.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
  const started = Date.now();
  const exit = await run.stop();
  assert.ok(Date.now() - started < 8000);
  assert.deepEqual(exit, { exitCode: null, signal: 'SIGTERM' });
  const pids = events.flatMap((e) => (e.kind === 'process.created' ? [e.childPid] : e.kind === 'hello' ? [e.pid] : []));
  assert.ok(pids.length >= 3, JSON.stringify(pids));
  for (const pid of pids) assert.equal(existsSync(`/proc/${pid}`), false, `pid ${pid} is still there`);
});

// A remote window (Remote-SSH, containers, code-server) auto-forwards every localhost TCP port it
// sees listening and tells the user about it: a run's channels are Unix sockets where Python can
// reach one (src/core/tracer/localListen.ts).
const SPAWNS = 'import multiprocessing as mp\nif __name__ == "__main__":\n    p = mp.Process(target=print, args=("child",)); p.start(); p.join()\n';

test('a run listens on a Unix socket in a folder only its user can enter, gone once the run has ended', { skip: process.platform === 'win32' }, async () => {
  const run = await launchTracedRun({ script: script('unix.py', SPAWNS), stdio: 'pipe' });
  assert.equal(run.address.kind, 'unix');
  if (run.address.kind !== 'unix') return;
  const folder = path.dirname(run.address.path);
  assert.equal(statSync(folder).mode & 0o777, 0o700, "the socket's folder is private");
  assert.ok(statSync(run.address.path).isSocket());
  const { out, events } = await collect(run);
  assert.equal(out, 'child\n');
  assert.ok(events.some((e) => e.kind === 'process.created'), "the parent's events arrived");
  assert.ok(new Set(events.map((e) => e.pid)).size >= 2, "the child's events arrived on its own connection");
  assert.equal(existsSync(folder), false, 'the socket and its folder are removed');
});

test("loopback TCP (Windows' way) carries a run as well, and a run never inherits an outer run's address", async () => {
  // Variables an outer traced run would leave in the environment: a socket that is not there.
  const env = { ...process.env, PROCESS_VIEW_SOCKET: path.join(dir, 'not-a-socket'), PROCESS_VIEW_PORT: '1' };
  for (const transport of ['tcp', 'unix'] as const) {
    if (transport === 'unix' && process.platform === 'win32') continue;
    const run = await launchTracedRun({ script: script(`${transport}.py`, SPAWNS), stdio: 'pipe', env, transport });
    assert.equal(run.address.kind, transport);
    const { out, events } = await collect(run);
    assert.equal(out, 'child\n');
    assert.ok(new Set(events.filter((e) => e.kind === 'hello').map((e) => e.pid)).size >= 2, `${transport}: both processes reported`);
  }
});

test('a Python newer than 3.13 gets the untested note; 3.9 to 3.13 do not', () => {
  const info = (major: number, minor: number): PythonInfo => ({ executable: '/x/python', version: `${major}.${minor}.0`, versionTuple: [major, minor, 0], requested: 'python3' });
  for (const [major, minor] of [[3, 9], [3, 12], [3, 13]] as const) assert.equal(untestedPythonNote(info(major, minor)), null, `${major}.${minor}`);
  for (const [major, minor] of [[3, 14], [3, 20], [4, 0]] as const) assert.match(untestedPythonNote(info(major, minor)) ?? '', new RegExp(`^Python ${major}\\.${minor}\\.0 is newer than .* \\(3\\.9 to 3\\.13\\)`));
});
