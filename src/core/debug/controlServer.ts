/**
 * The control channel's listener for one debug run, on a local address of its own
 * (src/core/tracer/localListen.ts), the run's token checked in the first line of every connection
 * (src/core/protocol/control.ts).
 */
import * as net from 'node:net';
import {
  parseControlHandshake,
  parseControlMessage,
  type ControlClient,
  type ControlCommand,
  type ControlCommands,
  type ControlEvent,
} from '../protocol/control';
import { listenLocal, type LocalAddress, type LocalTransport } from '../tracer/localListen';
import { HANDSHAKE_TIMEOUT_MS } from '../tracer/receiver';

export interface ControlProblem {
  readonly reason: string;
  readonly pid?: number;
}

/** A command that failed: the process answered with an error, did not answer in time, or went away. */
export class ControlError extends Error {
  constructor(
    message: string,
    readonly kind: 'refused' | 'timeout' | 'closed',
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

type Listener<T> = (value: T) => void;

const MAX_LINE = 16 * 1024 * 1024;

/** One authenticated connection: a traced process ("debugger") or the run's supervisor. */
export class ControlConnection {
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (body: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly eventListeners = new Set<Listener<ControlEvent>>();
  private readonly closeListeners = new Set<() => void>();
  private closedFlag = false;

  constructor(
    readonly pid: number,
    readonly client: ControlClient,
    private readonly socket: net.Socket,
  ) {}

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Send a command; resolves with the response's body. */
  request<K extends ControlCommand>(command: K, args: ControlCommands[K]['args'], timeoutMs = 15_000): Promise<ControlCommands[K]['body']> {
    if (this.closedFlag) return Promise.reject(new ControlError(`process ${this.pid} is gone`, 'closed'));
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new ControlError(`process ${this.pid} did not answer ${command} within ${timeoutMs} ms`, 'timeout'));
      }, timeoutMs);
      this.pending.set(seq, { resolve: resolve as (b: unknown) => void, reject, timer });
      this.write({ seq, command, arguments: args });
    });
  }

  /** A message that wants no answer (the supervisor's runOn). */
  notify(message: Record<string, unknown>): void {
    this.write(message);
  }

  onEvent(listener: Listener<ControlEvent>): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onClose(listener: () => void): () => void {
    if (this.closedFlag) {
      queueMicrotask(listener);
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): void {
    this.socket.destroy();
  }

  private write(message: unknown): void {
    if (this.closedFlag) return;
    this.socket.write(`${JSON.stringify(message)}\n`);
  }

  /** @internal */
  handleLine(line: string, problem: Listener<ControlProblem>): void {
    const parsed = parseControlMessage(line);
    if (!parsed.ok) {
      problem({ reason: `control message rejected: ${parsed.reason}`, pid: this.pid });
      return;
    }
    const msg = parsed.value;
    if (msg.type === 'response') {
      const p = this.pending.get(msg.response.re);
      if (!p) return;
      this.pending.delete(msg.response.re);
      clearTimeout(p.timer);
      if (msg.response.ok) p.resolve(msg.response.body);
      else p.reject(new ControlError(msg.response.error ?? 'refused', 'refused'));
      return;
    }
    for (const l of [...this.eventListeners]) {
      try {
        l(msg.event);
      } catch {
        // One listener's bug must not keep the others from the event.
      }
    }
  }

  /** @internal */
  handleClose(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new ControlError(`process ${this.pid} is gone`, 'closed'));
    }
    this.pending.clear();
    for (const l of [...this.closeListeners]) {
      try {
        l();
      } catch {
        // as above
      }
    }
    this.closeListeners.clear();
  }
}

export class ControlServer {
  private readonly connectionListeners = new Set<Listener<ControlConnection>>();
  private readonly problemListeners = new Set<Listener<ControlProblem>>();
  private readonly sockets = new Set<net.Socket>();
  /** Connections refused (bad or missing handshake). */
  refused = 0;

  private token: string | null = null;

  private constructor(
    readonly address: LocalAddress,
    private readonly closeServer: () => Promise<void>,
  ) {}

  /** The run's token; until it is set every connection is refused. */
  setToken(token: string): void {
    this.token = token;
  }

  /** Listens as `transport` says (default 'tcp': tests connect by port; a debug run's is the platform's default). */
  static async listen(transport: LocalTransport = 'tcp'): Promise<ControlServer> {
    const server = net.createServer();
    const made: { control?: ControlServer } = {}; // set before any connection can be taken (as EventReceiver.listen)
    server.on('connection', (s) => made.control?.accept(s));
    const { address, close } = await listenLocal(server, transport);
    made.control = new ControlServer(address, close);
    return made.control;
  }

  /** The port of a TCP control server (tests connect to it). */
  get port(): number {
    if (this.address.kind !== 'tcp') throw new Error('this control server listens on a Unix socket, not a port');
    return this.address.port;
  }

  onConnection(listener: Listener<ControlConnection>): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  onProblem(listener: Listener<ControlProblem>): () => void {
    this.problemListeners.add(listener);
    return () => this.problemListeners.delete(listener);
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return this.closeServer();
  }

  private problem(p: ControlProblem): void {
    for (const l of this.problemListeners) l(p);
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    let conn: ControlConnection | null = null;
    let buf = '';
    const timer = setTimeout(() => {
      if (conn === null) {
        this.refused++;
        this.problem({ reason: 'control connection refused: no handshake in time' });
        socket.destroy();
      }
    }, HANDSHAKE_TIMEOUT_MS); // as the event receiver's: 5 s refused real processes on a busy machine
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (conn === null) {
          const hs = this.token === null ? ({ ok: false, reason: 'the run has not started' } as const) : parseControlHandshake(line, this.token);
          if (!hs.ok) {
            this.refused++;
            this.problem({ reason: `control connection refused: ${hs.reason}` });
            socket.destroy();
            return;
          }
          clearTimeout(timer);
          conn = new ControlConnection(hs.value.pid, hs.value.client, socket);
          for (const l of [...this.connectionListeners]) l(conn);
        } else if (line.trim()) {
          conn.handleLine(line, (p) => this.problem(p));
        }
      }
      if (buf.length > MAX_LINE) {
        this.problem({ reason: 'control line too long; connection closed', pid: conn?.pid });
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      this.sockets.delete(socket);
      conn?.handleClose();
    });
  }
}
