/**
 * The loopback TCP receiver for one run. Every traced process opens its own connection, sends a
 * handshake carrying the run token, then batch lines (src/core/protocol/wire.ts). A connection
 * without the right token in its first line is refused, logged and counted; bad lines and bad
 * events are rejected one by one, never thrown.
 */
import * as net from 'node:net';
import type { TracerEvent } from '../protocol/events';
import { MAX_FRAME_BYTES, parseHandshake, WireDecoder, type ClientKind, type DecodeResult } from '../protocol/wire';

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
  /**
   * Replaced on (un)subscribe, never changed in place: delivery walks a plain array per event (a
   * Set's iterator per event was measurable at ~400k events a second), and a listener added or
   * removed by a listener takes effect from the next event.
   */
  private eventListeners: ReadonlyArray<Listener<TracerEvent>> = [];
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
    if (!this.eventListeners.includes(listener)) this.eventListeners = [...this.eventListeners, listener];
    return () => {
      this.eventListeners = this.eventListeners.filter((l) => l !== listener);
    };
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
    socket.setNoDelay(true);
    const maxLine = this.options.maxLineBytes ?? 256 * 1024 * 1024;
    let chunks: Buffer[] = [];
    let buffered = 0;
    let decoder: WireDecoder | null = null;
    let enc: 'jsonl' | 'marshal' = 'jsonl';
    let pid: number | undefined;
    let closed = false;
    let needed = 4; // bytes that must be buffered before the next marshal frame can be read
    const timer = setTimeout(() => {
      if (decoder === null) refuse('no handshake in time', Buffer.concat(chunks).toString('utf8'));
    }, this.options.handshakeTimeoutMs ?? 5000);

    const refuse = (reason: string, text: string): void => {
      closed = true;
      this.problem({ reason: `connection refused: ${reason}`, sample: redactToken(text).slice(0, 120), refused: true });
      socket.destroy();
    };
    const drop = (reason: string, text: string): void => {
      closed = true;
      this.problem({ reason: `${reason}; connection closed`, sample: text.slice(0, 120), pid, refused: false });
      socket.destroy();
    };
    const deliver = ({ events, rejected }: DecodeResult): void => {
      for (const r of rejected) this.problem({ reason: r.reason, sample: r.sample, pid, refused: false });
      const { stats } = this;
      for (let i = 0; i < events.length; i++) {
        const ev = events[i]!;
        stats.events++;
        const listeners = this.eventListeners;
        for (let k = 0; k < listeners.length; k++) {
          try {
            listeners[k]!(ev);
          } catch {
            // A listener's bug must not stop the stream for the others.
          }
        }
      }
    };

    /** Consume what can be consumed from `buf`; returns the unconsumed rest. */
    const consume = (buf: Buffer): Buffer => {
      let off = 0;
      while (!closed && off < buf.length) {
        if (decoder === null || enc === 'jsonl') {
          const nl = buf.indexOf(0x0a, off);
          if (nl < 0) break;
          const line = buf.toString('utf8', off, nl);
          off = nl + 1;
          if (decoder === null) {
            const hs = parseHandshake(line, this.options.token);
            if (!hs.ok) {
              refuse(hs.reason, line);
              break;
            }
            clearTimeout(timer);
            pid = hs.handshake.pid;
            enc = hs.handshake.enc;
            decoder = new WireDecoder(hs.handshake, this.options.toMs);
            this.stats.connections++;
          } else if (line.length > 0) {
            deliver(decoder.decodeLine(line));
          }
        } else {
          if (buf.length - off < 4) break;
          const n = buf.readUInt32BE(off);
          if (n > MAX_FRAME_BYTES) {
            drop(`frame length ${n} exceeds ${MAX_FRAME_BYTES}`, '');
            break;
          }
          if (buf.length - off - 4 < n) break;
          deliver(decoder.decodeFrame(buf.subarray(off + 4, off + 4 + n)));
          off += 4 + n;
        }
      }
      return buf.subarray(off);
    };

    socket.on('data', (chunk: Buffer) => {
      if (closed) return;
      chunks.push(chunk);
      buffered += chunk.length;
      // Join and parse only when a whole unit may be there (a newline in this chunk, or the
      // frame's announced length), so a large batch arriving in many chunks costs linear time.
      const framed = decoder !== null && enc === 'marshal';
      if (framed ? buffered < needed : chunk.indexOf(0x0a) < 0 && buffered <= maxLine) return;
      const rest = consume(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, buffered));
      chunks = rest.length > 0 ? [Buffer.from(rest)] : [];
      buffered = rest.length;
      needed = decoder !== null && enc === 'marshal' && rest.length >= 4 ? 4 + rest.readUInt32BE(0) : 4;
      if (!closed && buffered > maxLine) {
        if (decoder === null) refuse('handshake line too long', rest.toString('utf8', 0, 120));
        else drop('line too long', rest.toString('utf8', 0, 120));
      }
    });
    socket.on('error', () => {
      // Peer vanished (killed process): what it sent is already delivered.
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (!closed && decoder !== null && enc === 'jsonl' && buffered > 0) {
        const line = Buffer.concat(chunks).toString('utf8');
        if (line.trim().length > 0) deliver(decoder.decodeLine(line)); // a final line without newline
      } else if (!closed && decoder !== null && buffered > 0) {
        this.problem({ reason: 'connection ended inside a frame', sample: `${buffered} bytes`, pid, refused: false });
      }
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
