// The receiver on real sockets: who gets in, what is refused, what is rejected, nothing crashes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { execFileSync } from 'node:child_process';
import { EventReceiver, type ReceiverProblem } from '../../../src/core/tracer';
import type { TracerEvent } from '../../../src/core/protocol/events';
import { PROTOCOL_VERSION } from '../../../src/core/protocol/events';

const PY = process.env.PYTHON ?? 'python3';

async function until(what: string, pred: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

const closed = (s: net.Socket): Promise<void> => new Promise((r) => (s.destroyed ? r() : s.once('close', () => r())));

test('receiver: authenticated jsonl and marshal clients are heard; intruders are refused and counted', async () => {
  // Frames built by a real Python, before any connection (execFileSync blocks the event loop).
  const frames = Buffer.from(
    execFileSync(PY, ['-c', `import marshal, struct, sys
def frame(o):
  b = marshal.dumps(o, 4); return struct.pack(">I", len(b)) + b
hs = b'{"pv": ${PROTOCOL_VERSION}, "token": "tok", "pid": 88, "enc": "marshal"}\\n'
sys.stdout.write((hs + frame((3, [("tracer.error", 5000000, 2, None, None, "boom", "here")])) + frame((3, [("tracer.dropped", 6000000, 2, None, None, 1)]))).hex())`], { encoding: 'utf8' }),
    'hex',
  );
  const rx = await EventReceiver.listen({ token: 'tok', toMs: (ns) => ns / 1e6, handshakeTimeoutMs: 300 });
  const events: TracerEvent[] = [];
  const problems: ReceiverProblem[] = [];
  rx.onEvent((e) => events.push(e));
  rx.onProblem((p) => problems.push(p));
  try {
    // 1. Wrong token: refused, connection closed, nothing delivered.
    const intruder = await connect(rx.port);
    intruder.write(`${JSON.stringify({ pv: PROTOCOL_VERSION, token: 'guess', pid: 1 })}\n${JSON.stringify({ ppid: 1, ev: [['tracer.dropped', 1, 1, null, null, 5]] })}\n`);
    await closed(intruder);
    // 2. Says nothing: refused after the handshake timeout.
    const silent = await connect(rx.port);
    await closed(silent);
    // 3. Garbage instead of a handshake.
    const noise = await connect(rx.port);
    noise.write('GET / HTTP/1.1\r\n\r\n');
    await closed(noise);
    assert.equal(rx.stats.refused, 3);
    assert.deepEqual(problems.map((p) => p.refused), [true, true, true]);
    assert.ok(!JSON.stringify(problems).includes('guess'), 'the token offered is not logged');

    // 4. A JSON-lines client, split across writes, with one bad event and one bad line.
    const good = await connect(rx.port);
    const body = `${JSON.stringify({ pv: PROTOCOL_VERSION, token: 'tok', pid: 77 })}\n${JSON.stringify({
      ppid: 2,
      ev: [['tracer.dropped', 3e6, 1, null, null, 4], ['bogus', 1, 1, null, null]],
    })}\nnot json at all\n`;
    good.write(body.slice(0, 10));
    good.write(body.slice(10, 60));
    good.write(body.slice(60));
    // 5. A marshal client, as the Python tracer sends.
    const m = await connect(rx.port);
    for (let i = 0; i < frames.length; i += 7) m.write(frames.subarray(i, i + 7)); // byte dribble
    await until(`events (${JSON.stringify(events)} ${JSON.stringify(problems)})`, () => events.length === 3);
    // Each connection's events in its order; two connections' events in no guaranteed order.
    const of = (pid: number) => events.filter((e) => e.pid === pid).map((e) => [e.kind, e.pid, e.ppid, e.t]);
    assert.deepEqual(of(77), [['tracer.dropped', 77, 2, 3]]);
    assert.deepEqual(of(88), [['tracer.error', 88, 3, 5], ['tracer.dropped', 88, 3, 6]]);
    assert.equal(rx.stats.connections, 2);
    await until('rejections', () => rx.stats.rejected === 2);
    assert.deepEqual(problems.filter((p) => !p.refused).map((p) => [p.pid, p.reason]), [[77, 'unknown event kind "bogus"'], [77, 'line is not JSON']]);

    // 6. A frame with an absurd length: that connection is dropped, the receiver lives on.
    m.write(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    await closed(m);
    good.end();
    await rx.whenIdle(2000);
    assert.equal(rx.openConnections, 0);
  } finally {
    await rx.close();
  }
});

test('receiver: a listener that throws does not keep the others from any event; unsubscribing stops delivery', async () => {
  const rx = await EventReceiver.listen({ token: 'tok', toMs: (ns) => ns / 1e6 });
  const first: number[] = [];
  const last: number[] = [];
  const once: number[] = [];
  rx.onEvent((e) => {
    first.push(e.t);
    throw new Error('a buggy listener');
  });
  const offOnce = rx.onEvent((e) => {
    once.push(e.t);
    offOnce(); // unsubscribing from inside delivery: no later event reaches it
  });
  const counted = (e: TracerEvent): void => {
    last.push(e.t);
    if (e.kind === 'tracer.dropped') throw new TypeError('a bug in the last listener too');
  };
  rx.onEvent(counted);
  rx.onEvent(counted); // the same listener twice is one subscription
  try {
    const s = await connect(rx.port);
    const batch = (ts: number[]): string => JSON.stringify({ ppid: 1, ev: ts.map((t) => ['tracer.dropped', t * 1e6, 1, null, null, 1]) });
    s.write(`${JSON.stringify({ pv: PROTOCOL_VERSION, token: 'tok', pid: 9 })}\n${batch([1, 2, 3])}\n${batch([4])}\n`);
    await until('events', () => rx.stats.events === 4);
    assert.deepEqual(first, [1, 2, 3, 4]);
    assert.deepEqual(last, [1, 2, 3, 4]);
    assert.deepEqual(once, [1]);
    s.end();
    await rx.whenIdle(2000);
  } finally {
    await rx.close();
  }
});
