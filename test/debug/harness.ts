/**
 * Shared set-up of the DAP tests: a client per test, a marker in the run's environment so the
 * test can see every process of its run in /proc, and the check that none is left at the end.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { DapClient, PYTHON, processesWithEnv } from './dapClient';

export { DapClient, PYTHON, lineOf, script, processesWithEnv } from './dapClient';

export interface Run {
  readonly client: DapClient;
  /** In the run's environment (PV_TEST_RUN=marker): finds its processes in /proc. */
  readonly marker: string;
  readonly env: Record<string, string>;
}

/** Run `body` with a fresh adapter; afterwards the run is ended and no process of it is left. */
export async function withRun(body: (run: Run) => Promise<void>): Promise<void> {
  const marker = `pvtest-${randomBytes(6).toString('hex')}`;
  const client = new DapClient();
  const run: Run = { client, marker, env: { PV_TEST_RUN: marker } };
  try {
    await body(run);
  } finally {
    await client.close();
    await noneLeft(marker);
  }
}

/** Every process of the run is gone (polled with a deadline: exits take a moment to be reaped). */
export async function noneLeft(marker: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let left = processesWithEnv(marker);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = processesWithEnv(marker);
  }
  assert.deepEqual(left, [], `processes of the run still alive: ${left.join(', ')}`);
}

/** The same program without Process View: its stdout, stderr and exit code. */
export function plainRun(file: string, args: readonly string[] = []): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(PYTHON, [file, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** Python's version as [major, minor]. */
export function pythonVersion(): [number, number] {
  const r = spawnSync(PYTHON, ['-c', 'import sys; print("%d %d" % sys.version_info[:2])'], { encoding: 'utf8' });
  const [a, b] = r.stdout.trim().split(' ').map(Number);
  return [a!, b!];
}

export type Stop = DebugProtocol.StoppedEvent['body'] & { threadId: number; processView: { pid: number; stop: number; reason: string } };

/** Distinct stops seen so far (a stop the adapter announced again, to move the focus, counts once). */
export function distinctStops(c: DapClient): Stop[] {
  const seen = new Set<string>();
  const out: Stop[] = [];
  for (const e of c.stops()) {
    const b = e.body as Stop;
    const key = `${b.processView.pid}:${b.processView.stop}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(b);
  }
  return out;
}

export function stopsOf(c: DapClient, threadId: number): Stop[] {
  return distinctStops(c).filter((b) => b.threadId === threadId);
}

/** The first distinct stop after the first `after` ones that matches. */
export async function nextStop(c: DapClient, after: number, match: (b: Stop) => boolean = () => true): Promise<Stop> {
  return c.until(`stop #${after + 1}`, () => distinctStops(c).slice(after).find(match));
}

/** Top frame of a stopped thread: name and line. */
export async function top(c: DapClient, threadId: number): Promise<DebugProtocol.StackFrame> {
  const [f] = await c.stack(threadId);
  assert.ok(f, `thread ${threadId} has no frame`);
  return f;
}

/** Resume a thread and wait for its next stop; returns it. */
export async function stepAndWait(c: DapClient, threadId: number, command: 'next' | 'stepIn' | 'stepOut' | 'continue'): Promise<Stop> {
  const seen = stopsOf(c, threadId).length;
  await c.request(command, { threadId });
  return c.until(`${command} on ${threadId}`, () => stopsOf(c, threadId)[seen]);
}

/** The id of the first thread whose name matches, once there is one. */
export async function waitThread(c: DapClient, name: RegExp, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const t = (await c.threads()).find((x) => name.test(x.name));
    if (t) return t.id;
    if (Date.now() > deadline) throw new Error(`no thread named ${name}: ${JSON.stringify(await c.threads())}`);
    const n = c.events.length;
    await c.until('another event', () => c.events.length > n, Math.max(1, deadline - Date.now())).catch(() => undefined);
  }
}
