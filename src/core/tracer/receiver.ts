/**
 * The loopback TCP receiver for one run. Every traced process opens its own connection, sends a
 * handshake carrying the run token, then batch lines (src/core/protocol/wire.ts). A connection
 * without the right token in its first line is refused, logged and counted; bad lines and bad
 * events are rejected one by one, never thrown.
 */
import * as net from 'node:net';
import type { TracerEvent } from '../protocol/events';
import { parseHandshake, WireDecoder, type ClientKind } from '../protocol/wire';

export interface ReceiverStats {
  /** Authenticated connections so far. */
  connections: number;
  /** Connections closed because their handshake was missing, late, malformed or had the wrong token. */
  refused: number;
  /** Lines or events that did not decode (the connection stays open). */
  rejected: number;
  /** Events delivered to listeners. */
  events: number;
}

export interface ReceiverProblem {
  readonly reason: string;
  readonly sample: string;
  /** The sending pid when the connection had authenticated. */
  readonly pid?: number;
  readonly refused: boolean;
}

export interface ReceiverOptions {
  readonly token: string;
  /** Monotonic nanoseconds (the tracer's time.monotonic_ns) to run milliseconds. */
  readonly toMs: (monotonicNs: number) => number;
  /** A connection that has not authenticated within this time is dropped. */
  readonly handshakeTimeoutMs?: number;
  /** Longest line accepted; a longer one closes the connection. */
  readonly maxLineBytes?: number;
  readonly host?: string;
}

type Listener<T> = (value: T) => void;

export class EventReceiver {
  readonly stats: ReceiverStats = { connections: 0, refused: 0, rejected: 0, events: 0 };
  private readonly eventListeners = new Set<Listener<TracerEvent>>();
  private readonly problemListeners = new Set<Listener<ReceiverProblem>>();
  private readonly sockets = new Set<net.Socket>();
  private idleWaiters: Array<() => void> = [];

  private constructor(
    private readonly server: net.Server,
    private readonly options: ReceiverOptions,
    readonly host: string,
    readonly port: number,
  ) {}

  static listen(options: ReceiverOptions): Promise<EventReceiver> {
    const host = options.host ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      const server = net.createServer();
      let receiver: EventReceiver | undefined;
      server.on('connection', (s) => receiver?.accept(s));
      server.once('error', reject);
      server.listen(0, host, () => {
        server.off('error', reject);
        const addr = server.address() as net.AddressInfo;
        receiver = new EventReceiver(server, options, host, addr.port);
        resolve(receiver);
      });
    });
  }

  onEvent(listener: Listener<TracerEvent>): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onProblem(listener: Listener<ReceiverProblem>): () => void {
    this.problemListeners.add(listener);
    return () => this.problemListeners.delete(listener);
  }

  /** Open connections right now. */
  get openConnections(): number {
    return this.sockets.size;
  }

  /** Resolves when no connection is open, or after timeoutMs. */
  whenIdle(timeoutMs: number): Promise<void> {
    if (this.sockets.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.idleWaiters.push(done);
    });
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private problem(p: ReceiverProblem): void {
    if (p.refused) this.stats.refused++;
    else this.stats.rejected++;
    for (const l of this.problemListeners) l(p);
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    const maxLine = this.options.maxLineBytes ?? 256 * 1024 * 1024;
    let pending = '';
    let decoder: WireDecoder | null = null;
    let pid: number | undefined;
    const timer = setTimeout(() => {
      if (decoder === null) refuse('no handshake in time', pending);
    }, this.options.handshakeTimeoutMs ?? 5000);

    const refuse = (reason: string, text: string): void => {
      this.problem({ reason: `connection refused: ${reason}`, sample: text.slice(0, 120), refused: true });
      socket.destroy();
    };

    const onLine = (line: string): boolean => {
      if (decoder === null) {
        const hs = parseHandshake(line, this.options.token);
        if (!hs.ok) {
          refuse(hs.reason, redactToken(line));
          return false;
        }
        clearTimeout(timer);
        pid = hs.handshake.pid;
        decoder = new WireDecoder(hs.handshake, this.options.toMs);
        this.stats.connections++;
        return true;
      }
      if (line.length === 0) return true;
      const { events, rejected } = decoder.decodeLine(line);
      for (const r of rejected) this.problem({ reason: r.reason, sample: r.sample, pid, refused: false });
      for (const ev of events) {
        this.stats.events++;
        for (const l of this.eventListeners) {
          try {
            l(ev);
          } catch {
            // A listener's bug must not stop the stream for the others.
          }
        }
      }
      return true;
    };

    socket.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (!onLine(line)) return;
      }
      if (pending.length > maxLine) {
        if (decoder === null) refuse('handshake line too long', pending);
        else {
          this.problem({ reason: 'line too long; connection closed', sample: pending.slice(0, 120), pid, refused: false });
          socket.destroy();
        }
      }
    });
    socket.on('error', () => {
      // Peer vanished (killed process): what it sent is already delivered.
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (decoder !== null && pending.length > 0) onLine(pending); // a final line without newline
      this.sockets.delete(socket);
      if (this.sockets.size === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
    });
  }
}

function redactToken(line: string): string {
  return line.replace(/("token"\s*:\s*")[^"]*"/, '$1…"');
}

export type { ClientKind };
