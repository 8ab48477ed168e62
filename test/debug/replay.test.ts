/**
 * Time travel through the debugger: `process-view debug-adapter` launched with a `recording`
 * (no program runs), driven by a real DAP client over stdio. The recording is made here by a
 * real run of examples/18_zombie.py (`process-view record`).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { BIN, DapClient, lineOf, PYTHON, ROOT } from './dapClient';

type Stopped = DebugProtocol.StoppedEvent['body'];

/** A real run of the zombie example, recorded; returns the script and the recording. */
function recordZombie(): { script: string; recording: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pv-replay-dap-'));
  const script = path.join(dir, '18_zombie.py');
  copyFileSync(path.join(ROOT, 'examples', '18_zombie.py'), script);
  const recording = path.join(dir, 'run.jsonl');
  execFileSync(process.execPath, [BIN, 'record', '--quiet', '--python', PYTHON, '--out', recording, script], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
  return { script, recording };
}

/** initialize → launch(recording) → stop filters and breakpoints → configurationDone. */
async function launchReplay(c: DapClient, recording: string, extra: Record<string, unknown>, filters: string[] | null, breakpoints: Record<string, DebugProtocol.SourceBreakpoint[]> = {}, locale?: string): Promise<void> {
  await c.request('initialize', { adapterID: 'processview', clientID: 'test', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', ...(locale ? { locale } : {}) });
  const launched = c.request('launch', { recording, ...extra });
  await c.event('initialized');
  if (filters) {
    c.assertFiltersOffered();
    await c.request('setExceptionBreakpoints', { filters });
  }
  for (const [file, bps] of Object.entries(breakpoints)) await c.request('setBreakpoints', { source: { path: file }, breakpoints: bps });
  await c.request('configurationDone');
  await launched;
}

/** The next stopped event after the `seen` first ones. */
function nextStopped(c: DapClient, seen: number): Promise<Stopped> {
  return c.until(`stopped #${seen + 1}`, () => (c.stops()[seen]?.body as Stopped | undefined) ?? undefined);
}

describe('the debugger over a recording (time travel)', { timeout: 300_000 }, () => {
  const { script, recording } = recordZombie();
  const text = readFileSync(script, 'utf8');
  const START = lineOf(script, '    p.start()', text);
  const JOIN = lineOf(script, '    p.join()', text);

  test('a zh-CN client: the steps and state changes of a recording are described in Chinese', async () => {
    const c = new DapClient();
    try {
      await launchReplay(c, recording, { startAt: 'end' }, ['zombie', 'orphaned'], {}, 'zh-CN');
      const end = await nextStopped(c, 0);
      assert.match(end.description ?? '', /^录制结束.*pid \d+ 被运行监管进程回收（退出码 0）/);
      await c.request('reverseContinue', { threadId: end.threadId! });
      const zombie = await nextStopped(c, 1);
      assert.match(zombie.description ?? '', new RegExp(`pid ${zombie.threadId} 是僵尸进程：它已退出，而父进程 ${end.threadId} 还没有 join（等待）它`));
    } finally {
      await c.close();
    }
  });

  test('from the end, Reverse Continue stops where the child became a zombie; back and forth land on the same steps', async () => {
    const c = new DapClient();
    try {
      await launchReplay(c, recording, { startAt: 'end' }, ['zombie', 'orphaned']);
      const caps = await c.event('capabilities');
      const capabilities = (caps.body as { capabilities: DebugProtocol.Capabilities }).capabilities;
      assert.equal(capabilities.supportsStepBack, true);
      assert.deepEqual(capabilities.exceptionBreakpointFilters?.map((f) => f.filter), ['zombie', 'orphaned', 'killed', 'error', 'failed']);
      const end = await nextStopped(c, 0);
      assert.equal(end.reason, 'end');
      assert.equal(end.allThreadsStopped, true);
      assert.equal(end.preserveFocusHint, false, 'the focus goes to the process that moved');
      assert.match(end.description ?? '', /^End of the recording \(\d+\.\d{3} s\): pid \d+ is reaped by the run supervisor \(exit code 0\)/);
      const atEnd = await c.threads();
      assert.deepEqual(atEnd.map((t) => t.name), [`MainProcess · pid ${end.threadId}`], 'only the main process is left: the child was reaped');

      await c.request('reverseContinue', { threadId: end.threadId! });
      const zombie = await nextStopped(c, 1);
      assert.equal(zombie.reason, 'exception');
      const child = zombie.threadId!;
      const main = end.threadId!;
      assert.match(zombie.description ?? '', new RegExp(`pid ${child} is a zombie: it has exited, and its parent ${main} has not joined \\(waited for\\) it`));
      assert.equal(zombie.text, zombie.description, "VS Code's exception box says what the stop is");
      const threads = await c.threads();
      assert.deepEqual(threads.map((t) => t.name).sort(), [`ForkProcess-1 · pid ${child} · child of ${main}`, `MainProcess · pid ${main}`].sort());
      // The zombie's top frame: the p.start() line that created it, in the file on disk.
      const [top, started] = await c.stack(child);
      assert.equal(top!.source?.path, script);
      assert.equal(top!.line, START);
      assert.match(top!.name, /is a zombie.*\(started at this line\)$/, 'the child has no line of its own before it');
      assert.match(started!.name, new RegExp(`^started here by pid ${main}$`));
      const scopes = await c.scopes(top!.id);
      assert.deepEqual(scopes.map((s) => s.name), ['Event', 'Channels', 'Process']);
      const proc = await c.scope(child, 'Process');
      assert.equal(proc.state, 'zombie');
      assert.equal(proc['started at'], `18_zombie.py:${START}`);
      // A recording is what happened: no Set Value, and a client that asks anyway is told why.
      assert.notEqual(capabilities.supportsSetVariable, true);
      const procScope = scopes.find((s) => s.name === 'Process')!;
      const refused = await c.raw('setVariable', { variablesReference: procScope.variablesReference, name: 'state', value: '"exited"' });
      assert.equal(refused.success, false);
      assert.match(refused.message ?? '', /nor a recording/);
      const event = await c.scope(child, 'Event');
      assert.match(event.what!, /is a zombie/);
      assert.equal(event['why here'], undefined, 'a step of its own (a sample saw it): no evidence event to explain');
      // The main process at that moment: its latest step (it created the child); alive (in time.sleep, as the process table saw it).
      const [mainTop] = await c.stack(main);
      assert.equal(mainTop!.line, START);
      assert.match((await c.scope(main, 'Process')).state!, /^(sleeping|running)$/);

      // Step Back: the child's previous step (its exit; or, when the process table saw the zombie
      // before the exit's stamp arrived in time order, its start), then Step Over: the zombie again.
      await c.request('stepBack', { threadId: child });
      const before = await nextStopped(c, 2);
      assert.equal(before.threadId, child);
      const m = new RegExp(`pid ${child} (exits with code 0|runs as ForkProcess-1)`).exec(before.description ?? '');
      assert.ok(m, before.description);
      const evaluated = await c.request<DebugProtocol.EvaluateResponse>('evaluate', { expression: 'kind', frameId: (await c.stack(child))[0]!.id, context: 'watch' });
      assert.equal(evaluated.body.result, m[1] === 'exits with code 0' ? '"process.exit"' : '"process.running"');
      // The Debug Console completes the fields an expression can read, and the language's words.
      const completed = await c.request<DebugProtocol.CompletionsResponse>('completions', { text: 'op == "put" and pi', column: 19, frameId: (await c.stack(child))[0]!.id });
      assert.deepEqual(completed.body.targets.map((t) => [t.label, t.type, t.start, t.length]), [['pid', 'field', 17, 2]]);
      await c.request('next', { threadId: child });
      const again = await nextStopped(c, 3);
      assert.equal(again.description, zombie.description);
      // Continue: on to the end (the join reaps it); the child's thread goes away.
      await c.request('continue', { threadId: child });
      const last = await nextStopped(c, 4);
      assert.equal(last.reason, 'end');
      await c.event('thread', (b) => b.reason === 'exited' && b.threadId === child);
    } finally {
      await c.close();
    }
  });

  test('a zombie step attached to the event that showed it: the Event scope says that event is the evidence', async () => {
    // A change the process table saw is attached to an event at the same moment (the supervisor's
    // process.reaped, the parent's process.died), and the stop shows that event. Rather than wait
    // for two records to share a moment, the same real run is used with the first sample that saw
    // the child as a zombie dated at the moment its parent's tracer saw it dead (process.died).
    const lines = execFileSync(process.execPath, [BIN, 'export', recording], { encoding: 'utf8' }).split('\n').filter((l) => l.trim() !== '');
    type Rec = { type: string; version?: number; event?: { kind: string; t: number; childPid?: number }; sample?: { t: number; tEnd?: number; processes: Array<{ pid: number; state: string }> } };
    const records = lines.map((l) => JSON.parse(l) as Rec);
    const died = records.find((r) => r.event?.kind === 'process.died')?.event;
    assert.ok(died, 'the parent saw its child dead (process.died)');
    const z = records.find((r) => r.sample?.processes.some((p) => p.pid === died.childPid && p.state === 'zombie'))?.sample;
    assert.ok(z, 'a sample saw the child as a zombie');
    z.t = died.t;
    if (z.tEnd !== undefined) z.tEnd = Math.max(z.tEnd, died.t);
    const dated = path.join(path.dirname(recording), 'dated.jsonl');
    writeFileSync(dated, [{ ...records[0]!, version: 1 }, ...records.slice(1)].map((r) => JSON.stringify(r)).join('\n') + '\n');
    const c = new DapClient();
    try {
      await launchReplay(c, dated, { startAt: 'end' }, ['zombie']);
      const end = await nextStopped(c, 0);
      await c.request('reverseContinue', { threadId: end.threadId! });
      const zombie = await nextStopped(c, 1);
      assert.equal(zombie.reason, 'exception');
      // The step is the parent's event: the stop is on the parent's thread, and says the child is a zombie.
      const child = died.childPid!;
      assert.notEqual(zombie.threadId, child);
      assert.match(zombie.description ?? '', new RegExp(`pid ${child} is a zombie`));
      const [top] = await c.stack(zombie.threadId!);
      const scope = (await c.scopes(top!.id)).find((s) => s.name === 'Event');
      assert.ok(scope);
      const rows = await c.variables(scope.variablesReference);
      const event = Object.fromEntries(rows.map((v) => [v.name, v.value]));
      assert.equal(event.kind, '"process.died"', 'the step is the event that showed it');
      assert.equal(rows[0]!.name, 'why here', 'the explanation comes first');
      assert.match(
        rows[0]!.value,
        new RegExp(`^pid ${child} has been a zombie since \\d+\\.\\d{3} s \\([\\d.]+ m?s before this step\\)\\. Nothing marked that moment: this event \\(process\\.died\\) is the evidence that proved it, so the debugger stops here\\.$`),
      );
    } finally {
      await c.close();
    }
  });

  test('line breakpoints with conditions and hit counts, a bad condition, and a source changed since the recording', async () => {
    const c = new DapClient();
    try {
      await launchReplay(c, recording, {}, [], {
        [script]: [{ line: JOIN }, { line: START, condition: 'op == put' }, { line: START, condition: 'kind == "process.created" && child > 0', hitCondition: '1' }],
      });
      const first = await nextStopped(c, 0);
      assert.equal(first.reason, 'breakpoint', 'run from the start to the first breakpoint: p.start()');
      const bpEvents = c.events.filter((e) => e.event === 'stopped');
      assert.equal(bpEvents.length, 1);
      const [top] = await c.stack(first.threadId!);
      assert.equal(top!.line, START);
      await c.request('continue', { threadId: first.threadId! });
      const join = await nextStopped(c, 1);
      assert.equal(join.reason, 'breakpoint');
      assert.match(join.description ?? '', /joined pid \d+ \(exit code 0\)/);
      assert.equal((await c.stack(join.threadId!))[0]!.line, JOIN);
      // A bad condition is refused with the bad part named.
      const r = await c.request<DebugProtocol.SetBreakpointsResponse>('setBreakpoints', { source: { path: script }, breakpoints: [{ line: START, condition: 'op = "put"' }, { line: 3 }] });
      assert.equal(r.body.breakpoints[0]!.verified, false);
      assert.match(r.body.breakpoints[0]!.message ?? '', /Use == to compare \(a single = at column 4\)/);
      assert.equal(r.body.breakpoints[1]!.verified, false);
      assert.match(r.body.breakpoints[1]!.message ?? '', /Nothing happened at this line in the recording/);
      // The script changes on disk after the recording: the frames say so.
      const later = new Date(Date.now() + 5000);
      utimesSync(script, later, later);
      await c.request('setBreakpoints', { source: { path: script }, breakpoints: [{ line: START }] });
      await c.request('reverseContinue', { threadId: join.threadId! });
      const back = await nextStopped(c, 2);
      const [changed] = await c.stack(back.threadId!);
      assert.match(changed!.name, /\(file changed since the recording\)$/);
      await c.until('the note that the file changed', () => /18_zombie\.py has changed since the recording/.test(c.output()));
    } finally {
      await c.close();
    }
  });

  test('a launch with neither program nor recording is refused with what to write', async () => {
    const c = new DapClient();
    try {
      await c.request('initialize', { adapterID: 'processview', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
      const r = await c.raw('launch', { recording: '' });
      assert.equal(r.success, false);
      assert.match(r.message ?? JSON.stringify(r.body), /"program" \(the Python script to debug\) or "recording"/);
      const missing = c.raw('launch', { recording: path.join(os.tmpdir(), 'no-such-recording.jsonl') });
      await c.request('configurationDone');
      const m = await missing;
      assert.equal(m.success, false);
      assert.match(JSON.stringify(m.body ?? {}) + (m.message ?? ''), /no-such-recording\.jsonl/);
    } finally {
      await c.close();
    }
  });
});
