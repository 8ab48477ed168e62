/**
 * A small, real DAP client for the tests: starts `node bin/process-view.js debug-adapter`, frames
 * messages with Content-Length as any client does, and records every event so tests can wait for
 * the state they need (with a deadline, never a sleep).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const BIN = path.join(ROOT, 'bin', 'process-view.js');

/** The interpreter under test: PV_TEST_PYTHON, else python3 from PATH. */
export const PYTHON = process.env.PV_TEST_PYTHON || 'python3';

export interface Waited<T> {
  readonly value: T;
}

export class DapClient {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly events: DebugProtocol.Event[] = [];
  readonly stderr: string[] = [];
  private seq = 1;
  private buf = Buffer.alloc(0);
  private readonly pending = new Map<number, (r: DebugProtocol.Response) => void>();
  private waiters: Array<() => void> = [];
  /** Reverse requests (runInTerminal) the client was asked. */
  readonly reverse: DebugProtocol.Request[] = [];
  exitCode: number | null = null;
  /** The adapter process has exited (with a code or by a signal). */
  gone = false;
  exited: Promise<number | null>;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.proc = spawn(process.execPath, [BIN, 'debug-adapter'], { env, stdio: 'pipe' });
    this.proc.stdout.on('data', (c: Buffer) => this.onData(c));
    this.proc.stdin.on('error', () => undefined); // writing to an adapter that was killed
    this.proc.stderr.setEncoding('utf8').on('data', (t: string) => this.stderr.push(t));
    this.exited = new Promise((resolve) =>
      this.proc.once('exit', (code) => {
        this.exitCode = code;
        this.gone = true;
        this.notify();
        resolve(code);
      }),
    );
  }

  private onData(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const head = this.buf.indexOf('\r\n\r\n');
      if (head < 0) return;
      const m = /Content-Length: (\d+)/i.exec(this.buf.subarray(0, head).toString('ascii'));
      if (!m) throw new Error(`bad DAP header: ${this.buf.subarray(0, head).toString()}`);
      const len = Number(m[1]);
      if (this.buf.length < head + 4 + len) return;
      const msg = JSON.parse(this.buf.subarray(head + 4, head + 4 + len).toString('utf8')) as DebugProtocol.ProtocolMessage;
      this.buf = this.buf.subarray(head + 4 + len);
      if (msg.type === 'response') {
        const r = msg as DebugProtocol.Response;
        this.pending.get(r.request_seq)?.(r);
        this.pending.delete(r.request_seq);
      } else if (msg.type === 'event') {
        this.events.push(msg as DebugProtocol.Event);
        this.notify();
      } else if (msg.type === 'request') {
        const req = msg as DebugProtocol.Request;
        this.reverse.push(req);
        this.notify();
      }
    }
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  send(message: Record<string, unknown>): void {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  /** A request; rejects when the response says it failed. */
  async request<T extends DebugProtocol.Response = DebugProtocol.Response>(command: string, args?: unknown, timeoutMs = 60_000): Promise<T> {
    const r = await this.raw<T>(command, args, timeoutMs);
    if (!r.success) throw new Error(`${command} failed: ${r.message ?? ''} ${JSON.stringify(r.body ?? {})}`);
    return r;
  }

  /** A request whose failure is a result, not an exception. */
  raw<T extends DebugProtocol.Response = DebugProtocol.Response>(command: string, args?: unknown, timeoutMs = 60_000): Promise<T> {
    const seq = this.seq++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new Error(`no response to ${command} within ${timeoutMs} ms; stderr: ${this.stderr.join('')}`));
      }, timeoutMs);
      this.pending.set(seq, (r) => {
        clearTimeout(timer);
        resolve(r as T);
      });
      this.send({ seq, type: 'request', command, arguments: args ?? {} });
    });
  }

  respond(request: DebugProtocol.Request, body: unknown, success = true): void {
    this.send({ seq: this.seq++, type: 'response', request_seq: request.seq, command: request.command, success, body });
  }

  /** Resolves when `check` returns a value (checked now and after every message), or fails at the deadline. */
  async until<T>(what: string, check: () => T | undefined | null | false, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v !== undefined && v !== null && v !== false) return v;
      const left = deadline - Date.now();
      if (left <= 0) {
        const last = this.events.slice(-15).map((e) => `${e.event} ${JSON.stringify(e.body ?? {}).slice(0, 200)}`);
        throw new Error(`timed out waiting for ${what}; last events:\n${last.join('\n')}\nstderr: ${this.stderr.join('').slice(-2000)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The index-th event (from `from`) matching. */
  async event(name: string, match: (body: Record<string, unknown>) => boolean = () => true, from = 0, timeoutMs = 60_000): Promise<DebugProtocol.Event> {
    return this.until(`event ${name}`, () => this.events.slice(from).find((e) => e.event === name && match((e.body ?? {}) as Record<string, unknown>)), timeoutMs);
  }

  stops(): DebugProtocol.StoppedEvent[] {
    return this.events.filter((e) => e.event === 'stopped') as DebugProtocol.StoppedEvent[];
  }

  output(category?: string): string {
    return this.events
      .filter((e) => e.event === 'output' && (category === undefined || (e.body as { category?: string }).category === category))
      .map((e) => (e.body as { output: string }).output)
      .join('');
  }

  /** initialize → launch (+ breakpoints) → configurationDone, as a client does. */
  /** What the adapter's initialize response said it can do. */
  capabilities: DebugProtocol.Capabilities | undefined;
  /** The answer to the function breakpoints launch set. */
  functionBreakpoints: DebugProtocol.Breakpoint[] = [];

  async launch(
    args: Record<string, unknown>,
    breakpoints: Record<string, Array<number | DebugProtocol.SourceBreakpoint>> = {},
    caps: Record<string, unknown> = {},
    /** Exception filters set before configurationDone, as VS Code sends the ones it remembers (with their conditions: filterOptions). */
    exceptionFilters?: string[] | DebugProtocol.ExceptionFilterOptions[],
    /** Function breakpoints set before configurationDone (Breakpoints view, Add Function Breakpoint); their answers land in `functionBreakpoints`. */
    functionBreakpoints?: DebugProtocol.FunctionBreakpoint[],
  ): Promise<void> {
    this.capabilities = (await this.request<DebugProtocol.InitializeResponse>('initialize', { adapterID: 'processview', clientID: 'test', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', ...caps })).body;
    const launched = this.request('launch', { python: PYTHON, console: 'internalConsole', ...args });
    await this.event('initialized');
    for (const [file, lines] of Object.entries(breakpoints)) {
      await this.request('setBreakpoints', { source: { path: file }, breakpoints: lines.map((l) => (typeof l === 'number' ? { line: l } : l)) });
    }
    if (functionBreakpoints) {
      const at = this.events.findIndex((e) => e.event === 'initialized');
      const offered = this.events.slice(0, at).some((e) => e.event === 'capabilities' && (e.body as { capabilities?: DebugProtocol.Capabilities }).capabilities?.supportsFunctionBreakpoints === true);
      if (!offered && this.capabilities?.supportsFunctionBreakpoints !== true) throw new Error('function breakpoints were not offered before `initialized`');
      this.functionBreakpoints = (await this.request<DebugProtocol.SetFunctionBreakpointsResponse>('setFunctionBreakpoints', { breakpoints: functionBreakpoints })).body.breakpoints;
    }
    if (exceptionFilters) {
      this.assertFiltersOffered();
      const options = exceptionFilters.filter((f): f is DebugProtocol.ExceptionFilterOptions => typeof f !== 'string');
      if (options.length > 0) await this.request('setExceptionBreakpoints', { filters: [], filterOptions: options });
      else await this.request('setExceptionBreakpoints', { filters: exceptionFilters });
    }
    await this.request('configurationDone');
    await launched;
  }

  /**
   * VS Code sends the user's exception filters (setExceptionBreakpoints) at `initialized` only if
   * the adapter has offered filters by then (microsoft/vscode#90001): a client like it never sends
   * the choice for filters offered later, and their defaults hold whatever the user chose.
   */
  assertFiltersOffered(): void {
    const at = this.events.findIndex((e) => e.event === 'initialized');
    const offered = this.events.slice(0, at).some((e) => e.event === 'capabilities' && ((e.body as { capabilities?: DebugProtocol.Capabilities }).capabilities?.exceptionBreakpointFilters?.length ?? 0) > 0);
    if (at < 0 || !offered) throw new Error('the adapter offered no exception filters before `initialized`: VS Code would not send the user\'s choice');
  }

  /** Wait for the next stopped event of a thread not yet seen stopped since `from`, or of `threadId`. */
  async stopped(match: (b: DebugProtocol.StoppedEvent['body']) => boolean = () => true, from = 0, timeoutMs = 60_000): Promise<DebugProtocol.StoppedEvent['body']> {
    const e = await this.event('stopped', (b) => match(b as DebugProtocol.StoppedEvent['body']), from, timeoutMs);
    return e.body as DebugProtocol.StoppedEvent['body'];
  }

  async threads(): Promise<DebugProtocol.Thread[]> {
    return (await this.request<DebugProtocol.ThreadsResponse>('threads')).body.threads;
  }

  async stack(threadId: number): Promise<DebugProtocol.StackFrame[]> {
    return (await this.request<DebugProtocol.StackTraceResponse>('stackTrace', { threadId, startFrame: 0, levels: 20 })).body.stackFrames;
  }

  async scopes(frameId: number): Promise<DebugProtocol.Scope[]> {
    return (await this.request<DebugProtocol.ScopesResponse>('scopes', { frameId })).body.scopes;
  }

  async variables(ref: number, extra: Record<string, unknown> = {}): Promise<DebugProtocol.Variable[]> {
    return (await this.request<DebugProtocol.VariablesResponse>('variables', { variablesReference: ref, ...extra })).body.variables;
  }

  /** name → value of a scope of the top frame. */
  async scope(threadId: number, name: string): Promise<Record<string, string>> {
    const [top] = await this.stack(threadId);
    const scope = (await this.scopes(top!.id)).find((s) => s.name === name);
    if (!scope) throw new Error(`no scope ${name}`);
    return Object.fromEntries((await this.variables(scope.variablesReference)).map((v) => [v.name, v.value]));
  }

  async ended(timeoutMs = 90_000): Promise<number> {
    const e = await this.event('exited', () => true, 0, timeoutMs);
    await this.event('terminated', () => true, 0, timeoutMs);
    return (e.body as { exitCode: number }).exitCode;
  }

  /** Disconnect (ends the run) and wait for the adapter to exit. */
  async close(): Promise<void> {
    if (!this.gone) {
      await this.raw('disconnect', { terminateDebuggee: true }, 30_000).catch(() => undefined);
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 10_000))]);
    }
    if (!this.gone) this.proc.kill('SIGKILL');
  }
}

/** A script in a fresh temporary folder; returns its path. */
export function script(name: string, text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pv-dap-'));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** The 1-based line of the first line containing `marker`. */
export function lineOf(file: string, marker: string, text: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(marker));
  if (i < 0) throw new Error(`no line with ${marker} in ${file}`);
  return i + 1;
}

/** Pids alive (not zombies) right now whose environment holds `marker` (Linux /proc). */
export function processesWithEnv(marker: string): number[] {
  if (!existsSync('/proc/self/environ')) return [];
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const env = readFileSync(`/proc/${name}/environ`, 'latin1');
      if (!env.includes(marker)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z') out.push(Number(name));
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return out;
}
