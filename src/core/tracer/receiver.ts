/**
 * The receiver for one run, on a local address of its own (src/core/tracer/localListen.ts). Every traced process opens its own connection, sends a
 * handshake carrying the run token, then batches (src/core/protocol/wire.ts). A connection
 * without the right token in its first line is refused, logged and counted; bad lines and bad
 * events are rejected one by one, never thrown.
 *
 * Bounded on any input: before the handshake a connection may send MAX_HANDSHAKE_BYTES, after it
 * one frame or line of at most MAX_FRAME_BYTES / MAX_LINE_BYTES at a time, and all connections
 * together hold at most maxBufferedBytes of partial frames (the connection that would pass it is
 * closed). JSON is checked for depth before it is parsed; marshal has its own depth limit.
 *
 * A client whose handshake asks for it (`ack`, the tracer's) is answered one line, `ok`, once
 * accepted; nothing else is ever written. The tracer sends no batch before it, so a refused
 * connection costs none of its events.
 *
 * Nothing is lost silently: a connection that ends inside a batch (its process was killed while
 * sending, or gave up on a stalled receiver at exit) is reported as a `tracer.dropped` event of
 * that process with reason `cut-batch` and the batch's event count.
 */
import * as net from 'node:net';
import type { TracerEvent } from '../protocol/events';
import { listenLocal, type LocalAddress, type LocalTransport } from './localListen';
import {
  cutBatchCount,
  MAX_FRAME_BYTES,
  MAX_HANDSHAKE_BYTES,
  MAX_LINE_BYTES,
  parseHandshake,
  WireDecoder,
  type ClientKind,
  type DecodeResult,
  type Handshake,
  type WireUnit,
} from '../protocol/wire';

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

/** An authenticated connection: who it is, and when it closed. */
export interface ReceiverConnection {
  readonly pid: number;
  readonly client: ClientKind;
  /** Resolves when the connection has closed (its process exited, or closed it), after its last event. */
  readonly closed: Promise<void>;
}

/** See ReceiverOptions.handshakeTimeoutMs. */
export const HANDSHAKE_TIMEOUT_MS = 60_000;

export interface ReceiverOptions {
  readonly token: string;
  /** Monotonic nanoseconds (the tracer's time.monotonic_ns) to run milliseconds. */
  readonly toMs: (monotonicNs: number) => number;
  /**
   * A connection that has not authenticated within this time is dropped (default 60 s). Memory
   * is bounded by the handshake's size limit, not by this; a short deadline refused a real
   * tracer's connection on a busy machine (the receiver, busy decoding 40 floods, had not read
   * the handshake sitting in the socket within 5 s) and every event of that process was lost.
   */
  readonly handshakeTimeoutMs?: number;
  /**
   * For tests: refuse a connection whose handshake is otherwise good when this returns a reason
   * (as a late or wrong handshake is refused), e.g. a process's first connection.
   */
  readonly refuseIf?: (handshake: Handshake) => string | undefined;
  /** Longest line accepted; a longer one closes the connection (default MAX_LINE_BYTES). */
  readonly maxLineBytes?: number;
  /** Partial frames and lines held for all connections together (default 256 MiB). */
  readonly maxBufferedBytes?: number;
  /** Loopback TCP's host, when it is TCP (default 127.0.0.1). */
  readonly host?: string;
  /** 'tcp' (default: what a test connects to by port) or 'unix' (a run's: see localListen.ts). */
  readonly transport?: LocalTransport;
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
  /** As eventListeners, for the batches themselves (called before their events are delivered). */
  private wireListeners: ReadonlyArray<Listener<WireUnit>> = [];
  /** Authenticated connections so far: the next one's number. */
  private nextConn = 1;
  private readonly problemListeners = new Set<Listener<ReceiverProblem>>();
  private readonly connectionListeners = new Set<Listener<ReceiverConnection>>();
  private readonly sockets = new Set<net.Socket>();
  private idleWaiters: Array<() => void> = [];
  /** Bytes held in partial frames/lines, all connections together. */
  private held = 0;
  /** Date.now() when a byte last arrived on any connection. */
  private lastDataMs = 0;

  private constructor(
    private readonly options: ReceiverOptions,
    readonly address: LocalAddress,
    private readonly closeServer: () => Promise<void>,
  ) {}

  static async listen(options: ReceiverOptions): Promise<EventReceiver> {
    const server = net.createServer();
    // Set before any connection can be taken: 'connection' comes from the event loop, after the
    // code that follows the await below.
    const made: { receiver?: EventReceiver } = {};
    server.on('connection', (s) => made.receiver?.accept(s));
    const { address, close } = await listenLocal(server, options.transport ?? 'tcp', options.host);
    made.receiver = new EventReceiver(options, address, close);
    return made.receiver;
  }

  /** The port of a TCP receiver (tests connect to it). */
  get port(): number {
    if (this.address.kind !== 'tcp') throw new Error('this receiver listens on a Unix socket, not a port');
    return this.address.port;
  }

  onEvent(listener: Listener<TracerEvent>): () => void {
    if (!this.eventListeners.includes(listener)) this.eventListeners = [...this.eventListeners, listener];
    return () => {
      this.eventListeners = this.eventListeners.filter((l) => l !== listener);
    };
  }

  /**
   * Every authenticated connection, batch and receiver-made event as taken in, each before the
   * events decoded from it reach onEvent listeners (a recorder keeps these instead of the events).
   */
  onWire(listener: Listener<WireUnit>): () => void {
    if (!this.wireListeners.includes(listener)) this.wireListeners = [...this.wireListeners, listener];
    return () => {
      this.wireListeners = this.wireListeners.filter((l) => l !== listener);
    };
  }

  private wire(unit: WireUnit): void {
    const listeners = this.wireListeners;
    for (let k = 0; k < listeners.length; k++) {
      try {
        listeners[k]!(unit);
      } catch {
        // As for events: one listener's bug must not cost the others.
      }
    }
  }

  onProblem(listener: Listener<ReceiverProblem>): () => void {
    this.problemListeners.add(listener);
    return () => this.problemListeners.delete(listener);
  }

  /** Each connection once it has authenticated (the supervisor's names the run's root, for a run started elsewhere). */
  onConnection(listener: Listener<ReceiverConnection>): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  /** Open connections right now. */
  get openConnections(): number {
    return this.sockets.size;
  }

  /** Bytes held in partial frames and lines right now, all connections together. */
  get bufferedBytes(): number {
    return this.held;
  }

  /**
   * Resolves when no connection is open, or when none has sent a byte for stallMs (counted from
   * this call at the earliest), or after maxMs in any case. Called once every process of the run
   * has exited: their last bytes are in the kernel's buffers, and a busy receiver may take a
   * while to read them; nothing is cut while they keep coming.
   */
  whenIdle(stallMs: number, maxMs = 60_000): Promise<void> {
    if (this.sockets.size === 0) return Promise.resolve();
    const since = Date.now();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const check = (polled: boolean): void => {
        const now = Date.now();
        const quietFor = now - Math.max(since, this.lastDataMs);
        if (now - since >= maxMs) done();
        // Quiet by the clock: decide only after one more turn of the event loop has read
        // whatever arrived meanwhile (after a long pause timers run before pending reads).
        else if (quietFor >= stallMs) {
          if (polled) done();
          else setImmediate(() => check(true));
        } else timer = setTimeout(() => check(false), Math.min(stallMs - quietFor, maxMs - (now - since)) + 1);
      };
      this.idleWaiters.push(done);
      check(false);
    });
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return this.closeServer();
  }

  private problem(p: ReceiverProblem): void {
    if (p.refused) this.stats.refused++;
    else this.stats.rejected++;
    for (const l of this.problemListeners) l(p);
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const maxLine = this.options.maxLineBytes ?? MAX_LINE_BYTES;
    const maxHeld = this.options.maxBufferedBytes ?? 256 * 1024 * 1024;
    let chunks: Buffer[] = [];
    let buffered = 0;
    let decoder: WireDecoder | null = null;
    let enc: 'jsonl' | 'marshal' = 'jsonl';
    let pid: number | undefined;
    /** This connection's number among the run's authenticated ones (0 until it authenticates). */
    let conn = 0;
    let ppid = 0;
    let closed = false;
    let needed = 4; // bytes that must be buffered before the next marshal frame can be read
    let closedNow = (): void => undefined;
    const closedPromise = new Promise<void>((resolve) => (closedNow = resolve));
    const timer = setTimeout(() => {
      if (decoder === null) refuse('no handshake in time', Buffer.concat(chunks).toString('utf8'));
    }, this.options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS);

    /** What this connection holds, and what all of them hold, follow `buffered`. */
    const hold = (n: number): void => {
      this.held += n - buffered;
      buffered = n;
    };
    const release = (): void => {
      hold(0);
      chunks = [];
    };
    const refuse = (reason: string, text: string): void => {
      closed = true;
      clearTimeout(timer);
      release();
      this.problem({ reason: `connection refused: ${reason}`, sample: redactToken(text).slice(0, 120), refused: true });
      socket.destroy();
    };
    const drop = (reason: string, text: string): void => {
      closed = true;
      countCut();
      release();
      this.problem({ reason: `${reason}; connection closed`, sample: text.slice(0, 120), pid, refused: false });
      socket.destroy();
    };
    /** The connection ends with part of a frame held: its events are lost; say how many. */
    const countCut = (): void => {
      if (decoder === null || enc !== 'marshal' || buffered === 0) return;
      const head = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, buffered);
      const n = cutBatchCount(head);
      if (n === null) {
        this.problem({ reason: 'connection ended inside a batch (how many events it held is unknown)', sample: `${buffered} bytes`, pid, refused: false });
      } else if (n > 0 && pid !== undefined) {
        const t = this.options.toMs(Number(process.hrtime.bigint()));
        const event: TracerEvent = { kind: 'tracer.dropped', t, pid, ppid, site: null, count: n, reason: 'cut-batch' };
        this.wire({ kind: 'event', event });
        deliver({ events: [event], rejected: [] });
      }
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
      if (events.length > 0) ppid = events[events.length - 1]!.ppid;
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
            const veto = this.options.refuseIf?.(hs.handshake);
            if (veto !== undefined) {
              refuse(veto, line);
              break;
            }
            clearTimeout(timer);
            // Accepted. A client that asked is told so: the tracer sends no batch before this
            // line, so a connection refused (closed without it) cost it no event.
            if (hs.ack) socket.write('ok\n');
            pid = hs.handshake.pid;
            enc = hs.handshake.enc;
            decoder = new WireDecoder(hs.handshake, this.options.toMs);
            this.stats.connections++;
            conn = this.nextConn++;
            this.wire({ kind: 'connection', conn, handshake: hs.handshake });
            const connection = { pid: hs.handshake.pid, client: hs.handshake.client, closed: closedPromise };
            for (const l of [...this.connectionListeners]) {
              try {
                l(connection);
              } catch {
                // A listener's bug must not cost the connection its events.
              }
            }
          } else if (line.length > 0) {
            this.wire({ kind: 'line', conn, line });
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
          const payload = buf.subarray(off + 4, off + 4 + n);
          this.wire({ kind: 'frame', conn, payload });
          deliver(decoder.decodeFrame(payload));
          off += 4 + n;
        }
      }
      return buf.subarray(off);
    };

    socket.on('data', (chunk: Buffer) => {
      if (closed) return;
      this.lastDataMs = Date.now();
      const limit = decoder === null ? MAX_HANDSHAKE_BYTES : maxLine;
      if (this.held + chunk.length > maxHeld) {
        drop(`the receiver holds ${this.held} bytes of unfinished batches`, '');
        return;
      }
      chunks.push(chunk);
      hold(buffered + chunk.length);
      // Join and parse only when a whole unit may be there (a newline in this chunk, or the
      // frame's announced length), so a large batch arriving in many chunks costs linear time.
      const framed = decoder !== null && enc === 'marshal';
      if (framed ? buffered < needed : chunk.indexOf(0x0a) < 0 && buffered <= limit) return;
      const rest = consume(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, buffered));
      if (closed) return;
      // Take turns: libuv reads up to 32 chunks from one socket before it looks at another, and
      // decoding them can take seconds on a busy machine, long enough for a tracer whose own
      // connection is not read meanwhile to take the receiver for stalled. One chunk a turn.
      if (this.sockets.size > 1) {
        socket.pause();
        setImmediate(() => {
          if (!closed) socket.resume();
        });
      }
      chunks = rest.length > 0 ? [Buffer.from(rest)] : [];
      hold(rest.length);
      needed = decoder !== null && enc === 'marshal' && rest.length >= 4 ? 4 + rest.readUInt32BE(0) : 4;
      // A handshake or a JSON line without its newline yet may not grow past its limit.
      if (!(decoder !== null && enc === 'marshal') && buffered > (decoder === null ? MAX_HANDSHAKE_BYTES : maxLine)) {
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
        if (line.trim().length > 0) {
          // A final line without newline.
          this.wire({ kind: 'line', conn, line });
          deliver(decoder.decodeLine(line));
        }
      } else if (!closed) {
        countCut();
      }
      closed = true;
      release();
      this.sockets.delete(socket);
      closedNow();
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
