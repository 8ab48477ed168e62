import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { AnalyzerReply } from './protocol';

/**
 * One long-lived Python process running analyzer/mp_lint.py --serve: starting Python costs
 * ~30 ms, far more than analysing a file, so it is kept and fed JSON lines. It is restarted on
 * demand when it dies, and each request has a deadline so a wedged worker never blocks the server.
 */
export class AnalyzerWorker {
  private proc: ChildProcessWithoutNullStreams | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: AnalyzerReply) => void; timer: NodeJS.Timeout }>();
  private lastError: string | undefined;

  constructor(
    private readonly pythonPath: string,
    private readonly analyzerPath: string,
    private readonly log: (message: string) => void,
    private readonly timeoutMs = 10_000,
  ) {}

  /** Why the worker last failed, for the user (e.g. the interpreter is missing). */
  get error(): string | undefined {
    return this.lastError;
  }

  analyze(text: string, lang: string): Promise<AnalyzerReply> {
    const proc = this.ensure();
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ id, error: `the analyzer did not answer within ${this.timeoutMs} ms` });
        this.restart('timed out');
      }, this.timeoutMs);
      this.pending.set(id, { resolve, timer });
      if (!proc) {
        this.settle({ id, error: this.lastError ?? 'the analyzer is not running' });
        return;
      }
      proc.stdin.write(JSON.stringify({ id, text, lang }) + '\n');
    });
  }

  dispose(): void {
    this.restart('disposed');
  }

  private ensure(): ChildProcessWithoutNullStreams | undefined {
    if (this.proc) return this.proc;
    // -I: isolated mode, so the user's PYTHONPATH or a sitecustomize cannot change the analyzer.
    const proc = spawn(this.pythonPath, ['-I', this.analyzerPath, '--serve'], { stdio: 'pipe' });
    this.proc = proc;
    proc.on('error', (err) => {
      this.lastError = `cannot start ${this.pythonPath}: ${err.message}`;
      this.log(this.lastError);
      this.failAll(this.lastError);
      if (this.proc === proc) this.proc = undefined;
    });
    proc.on('exit', (code, signal) => {
      if (this.proc === proc) this.proc = undefined;
      if (code !== 0 && code !== null) this.lastError = `the analyzer exited with code ${code}`;
      if (signal) this.log(`analyzer ended by ${signal}`);
      this.failAll(this.lastError ?? 'the analyzer exited');
    });
    proc.stdin.on('error', () => undefined); // EPIPE when it died: reported by 'exit'
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (chunk: string) => this.log(`analyzer: ${chunk.trimEnd()}`));
    createInterface({ input: proc.stdout }).on('line', (line) => {
      let reply: AnalyzerReply;
      try {
        reply = JSON.parse(line) as AnalyzerReply;
      } catch {
        this.log(`analyzer sent something that is not JSON: ${line.slice(0, 200)}`);
        return;
      }
      this.settle(reply);
    });
    return proc;
  }

  private settle(reply: AnalyzerReply): void {
    if (reply.id === null) return;
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    clearTimeout(waiter.timer);
    this.pending.delete(reply.id);
    if (!reply.error) this.lastError = undefined;
    waiter.resolve(reply);
  }

  private failAll(error: string): void {
    for (const [id] of this.pending) this.settle({ id, error });
  }

  private restart(reason: string): void {
    const proc = this.proc;
    this.proc = undefined;
    if (proc) {
      this.log(`analyzer stopped: ${reason}`);
      proc.kill();
    }
    this.failAll(reason);
  }
}
