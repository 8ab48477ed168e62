/**
 * What the debugger says (src/core/debug/describe.ts), the control channel's validation
 * (src/core/protocol/control.ts) and the launch configuration's checks, on hand-built input.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkLaunchArguments } from '../../../src/core/debug/adapter';
import { channelLabel, operationFacts, operationText, pauseWaitNote, pipePeer, processFacts, stopDescription, threadName } from '../../../src/core/debug/describe';
import type { OperationInfo } from '../../../src/core/protocol/control';
import { parseControlHandshake, parseControlMessage } from '../../../src/core/protocol/control';
import { explainStall } from '../../../src/core/session/explain';
import type { ChannelState, ProcessWait, SessionSnapshot, Stall } from '../../../src/core/session/model';
import { channel, message, proc } from '../extension/fixtures/snapshots';

const FILE = '/work/examples/prodcons.py';

function snapshot(): SessionSnapshot {
  return {
    run: { script: FILE, args: [], python: '3.11.7', rootPid: 100, startedAtIso: '', endedMs: null, exitCode: null, droppedEvents: 0, tracerErrors: 0, warnings: [] },
    nowMs: 1000,
    processes: [proc({ pid: 100, role: 'main', name: 'MainProcess', ppid: 99 }), proc({ pid: 101, ppid: 100, name: 'Producer', createdAt: { file: FILE, line: 20 } })],
    channels: [
      channel({ id: 'queue:mp-1', kind: 'queue', createdAt: { file: FILE, line: 9 }, messageCount: 2, ops: { put: 2, get: 1 } }),
      channel({ id: 'lock:mp-2', kind: 'lock', createdAt: { file: '/work/examples/other.py', line: 4 } }),
      channel({
        id: 'pipe:100:1',
        kind: 'pipe',
        createdAt: { file: FILE, line: 12 },
        detail: { end0: 'pipe:100:1:0', end1: 'pipe:100:1:1', duplex: true },
        recentMessages: [message({ seq: 0, channelId: 'pipe:100:1', op: 'send', fromPid: 101, toPid: 102 })],
      }),
    ],
    lines: [],
    stalls: [],
  } as unknown as SessionSnapshot;
}

const put: OperationInfo = { kind: 'queue', op: 'put', type: 'Queue', id: 'queue:mp-1', preview: "[42, None, 'hello']", facts: { qsize: 1 } };

describe('thread names', () => {
  test('main, child, and a name not known yet', () => {
    assert.equal(threadName({ name: 'MainProcess', pid: 4241, ppid: 4240, role: 'main' }), 'MainProcess · pid 4241');
    assert.equal(threadName({ name: 'Process-1', pid: 4242, ppid: 4241, role: 'child' }), 'Process-1 · pid 4242 · child of 4241');
    assert.equal(threadName({ name: '?', pid: 4243, ppid: 4241, role: 'pool-worker' }), 'Pool worker · pid 4243 · child of 4241');
  });

  test('localized through t', () => {
    const t = (m: string, ...a: Array<string | number | boolean>): string => `<${m}>${a.join('|')}`;
    assert.equal(threadName({ name: 'Process-1', pid: 7, ppid: 6, role: 'child' }, t), '<{0} · pid {1} · child of {2}>Process-1|7|6');
  });
});

describe('stop descriptions', () => {
  test('before a put, a get, a lock, a pipe end, a pool map, a proxy call', () => {
    const s = snapshot();
    const at = { file: FILE, line: 14 };
    assert.equal(stopDescription('operation', put, s, at), "Paused before Queue.put([42, None, 'hello']) to Queue@line 9");
    assert.equal(operationText({ kind: 'queue', op: 'get', type: 'Queue', id: 'queue:mp-1' }, s, at), 'Queue.get() from Queue@line 9');
    assert.equal(operationText({ kind: 'lock', op: 'acquire', type: 'Lock', id: 'lock:mp-2' }, s, at), 'Lock.acquire() on Lock@other.py:4');
    assert.equal(operationText({ kind: 'pipe', op: 'send', type: 'Connection', id: 'pipe:100:1:1', preview: '7' }, s, at), 'Connection.send(7) to Pipe@line 12');
    assert.equal(operationText({ kind: 'pool', op: 'map', type: 'Pool', id: null, preview: 'square', args: '(range(0, 8),)' }, s, at), 'Pool.map(square, (range(0, 8),)) on Pool');
    assert.equal(operationText({ kind: 'manager', op: '__setitem__', type: 'DictProxy', id: null, preview: "'k', 1" }, s, at), "DictProxy.__setitem__('k', 1) on DictProxy");
  });

  test('process operations name the process', () => {
    const s = snapshot();
    assert.equal(operationText({ kind: 'process', op: 'start', type: 'Process', id: null, facts: { name: 'Producer', pid: null } }, s, null), 'Process.start() of Producer');
    assert.equal(operationText({ kind: 'process', op: 'join', type: 'Process', id: null, facts: { name: 'Producer', pid: 101 } }, s, null), 'Process.join() of Producer · pid 101');
    assert.equal(operationText({ kind: 'process', op: 'kill', type: 'os', id: null, facts: { pid: 101, signal: 'SIGTERM' } }, s, null), 'os.kill(101, SIGTERM)');
    assert.equal(operationText({ kind: 'process', op: 'exit', type: 'os', id: null, facts: { exitcode: 3 } }, s, null), 'exit (exit code 3)');
  });

  test('other reasons', () => {
    const s = snapshot();
    assert.equal(stopDescription('breakpoint', null, s, null), 'Paused on breakpoint');
    assert.equal(stopDescription('entry', null, s, null), 'Paused on entry');
    assert.equal(stopDescription('pause', null, s, null), 'Paused');
  });

  test('a channel the Session does not know yet is named by its type', () => {
    assert.equal(channelLabel(undefined, 'Queue', FILE), 'Queue');
    assert.equal(operationText({ kind: 'queue', op: 'get', type: 'JoinableQueue', id: 'queue:unknown' }, snapshot(), null), 'JoinableQueue.get() from JoinableQueue');
  });
});

describe('scopes', () => {
  test('Process scope from the Session', () => {
    const rows = Object.fromEntries(processFacts(snapshot().processes[1], 101).map((r) => [r.name, r.value]));
    assert.equal(rows.pid, '101');
    assert.equal(rows['parent pid'], '100');
    assert.equal(rows.name, 'Producer');
    assert.equal(rows['start method'], 'fork');
    assert.equal(rows['started at'], 'prodcons.py:20');
    assert.deepEqual(processFacts(undefined, 5), [{ name: 'pid', value: '5' }]);
  });

  test('Process scope of an ended process: how it ended, its zombie time and its adopter, live and replayed alike', () => {
    const zombie = proc({ pid: 102, ppid: 1, name: 'Process-2', state: 'zombie', zombie: true, exitedMs: 1500, exitCode: 0, zombieSinceMs: 1500, orphaned: true, adoptedBy: 4000, adoptedBySupervisor: true });
    const rows = processFacts(zombie, 102);
    const byName = Object.fromEntries(rows.map((r) => [r.name, r.value]));
    assert.equal(byName.debugger, undefined, 'no "debugger" row unless the live debugger holds it');
    const held = processFacts(zombie, 102, undefined, undefined, 'MainThread').map((r) => r.name);
    assert.equal(held[held.indexOf('state') + 1], 'debugger', 'the live debugger says where it holds the process right after its state');
    assert.deepEqual(processFacts(undefined, 5, undefined, undefined, 'MainThread').map((r) => r.value), ['5', 'paused in thread MainThread']);
    assert.equal(byName['exit code'], '0');
    assert.match(byName.exited ?? '', /\d/);
    assert.match(byName.zombie ?? '', /^since /);
    assert.match(byName.orphan ?? '', /^adopted by 4000 \(Process View's run supervisor/);
    const killed = Object.fromEntries(processFacts(proc({ pid: 103, state: 'killed', signal: 'SIGKILL', exitedMs: 900 }), 103).map((r) => [r.name, r.value]));
    assert.equal(killed.signal, 'SIGKILL');
    assert.equal(killed.zombie, undefined);
    assert.equal(killed.orphan, undefined);
  });

  test('a Pause of a process blocked in a wait says what it waits in, from where, for how long, and the stall it is part of', () => {
    const snap = snapshot();
    const wait: ProcessWait = { op: 'get', channelId: 'queue:mp-1', pipeEnd: null, childPid: null, timeoutS: null, site: { file: FILE, line: 31 }, sinceMs: 250, stallId: null };
    const waiting = proc({ pid: 101, ppid: 100, name: 'Consumer', state: 'waiting', wait });
    assert.equal(
      pauseWaitNote(waiting, snap),
      'Consumer · pid 101 · child of 100 waits in get on the Queue created at line 9 at prodcons.py:31 (for 750 ms so far): it pauses when that call returns, at the next line of your code.',
    );
    // Without a line of the program's (a flush at exit): no "at".
    assert.match(pauseWaitNote(proc({ pid: 101, ppid: 100, name: 'Consumer', state: 'waiting', wait: { ...wait, site: null } }), snap)!, /^Consumer · pid 101 · child of 100 waits in get on the Queue created at line 9 \(for 750 ms so far\): it pauses/);
    // Part of a stall: its explanation follows.
    const stall: Stall = {
      id: 's1', kind: 'deadlock', sinceMs: 250, foundMs: 600, endedMs: null, endedBy: null, sites: [],
      steps: [
        { pid: 101, wait, waitsOn: [100], facts: [{ kind: 'empty' }] },
        { pid: 100, wait: { ...wait, op: 'join', channelId: null, childPid: 101, site: { file: FILE, line: 40 } }, waitsOn: [101], facts: [] },
      ],
    };
    const stalled = { ...snap, stalls: [stall] };
    const note = pauseWaitNote(proc({ pid: 101, ppid: 100, name: 'Consumer', state: 'waiting', wait: { ...wait, stallId: 's1' } }), stalled)!;
    assert.ok(note.startsWith('Consumer · pid 101 · child of 100 waits in get'), note);
    assert.ok(note.endsWith(` ${explainStall(stall, stalled)}`), note);
    assert.match(note, /[Dd]eadlock/);
    // Not waiting (or a wait that ended): nothing to say.
    assert.equal(pauseWaitNote(proc({ pid: 101, state: 'running', wait: null }), snap), null);
    assert.equal(pauseWaitNote(proc({ pid: 101, state: 'exited', wait }), snap), null);
  });

  test('Operation scope: payload, what the process saw, holders and waiters the Session knows', () => {
    const state: ChannelState = {
      id: 'queue:mp-1', kind: 'queue', messageCount: 2, ops: {}, inFlight: [], inFlightCount: 1, complete: true,
      holders: [], waiters: [{ pid: 102, op: 'get', sinceMs: 500, site: null }], unfinishedTasks: null, isSet: null,
    };
    const rows = Object.fromEntries(operationFacts(put, 101, snapshot(), { file: FILE, line: 14 }, state).map((r) => [r.name, r.value]));
    assert.equal(rows.operation, 'Queue.put');
    assert.equal(rows.object, 'Queue@line 9 (queue:mp-1)');
    assert.equal(rows.payload, "[42, None, 'hello']");
    assert.equal(rows['items in the queue (qsize)'], '1');
    assert.equal(rows['messages put so far'], '2');
    assert.equal(rows['messages in flight'], '1');
    assert.equal(rows.waiting, 'pid 102 in get since 0.500 s');
    assert.equal(rows['created at'], 'prodcons.py:9');
  });

  test('a lock held twice by one process (an RLock)', () => {
    const state = { id: 'lock:mp-2', kind: 'rlock', messageCount: 0, ops: {}, inFlight: [], inFlightCount: 0, complete: true, holders: [{ pid: 101, count: 2 }], waiters: [], unfinishedTasks: null, isSet: null } as ChannelState;
    const rows = Object.fromEntries(operationFacts({ kind: 'lock', op: 'release', type: 'RLock', id: 'lock:mp-2' }, 101, snapshot(), null, state).map((r) => [r.name, r.value]));
    assert.equal(rows['held by'], 'pid 101 (2 times)');
  });

  test('the peer of a pipe end', () => {
    const pipe = snapshot().channels[2]!;
    assert.equal(pipePeer(pipe, 101, true), 102);
    assert.equal(pipePeer(pipe, 102, false), 101);
  });
});

describe('control channel', () => {
  test('a handshake needs the token, the version, a pid and a known client', () => {
    const hs = (o: Record<string, unknown>): string => JSON.stringify({ pv: 1, token: 'secret', pid: 5, client: 'debugger', ...o });
    assert.deepEqual(parseControlHandshake(hs({}), 'secret'), { ok: true, value: { pid: 5, client: 'debugger' } });
    assert.equal(parseControlHandshake(hs({ token: 'nope!!' }), 'secret').ok, false);
    assert.equal(parseControlHandshake(hs({ pv: 2 }), 'secret').ok, false);
    assert.equal(parseControlHandshake(hs({ pid: -1 }), 'secret').ok, false);
    assert.equal(parseControlHandshake(hs({ client: 'tracer' }), 'secret').ok, false);
    assert.equal(parseControlHandshake('not json', 'secret').ok, false);
  });

  test('messages are checked for what the adapter relies on', () => {
    assert.deepEqual(parseControlMessage('{"re": 3, "ok": false, "error": "running"}'), { ok: true, value: { type: 'response', response: { re: 3, ok: false, body: undefined, error: 'running' } } });
    const stop = parseControlMessage(JSON.stringify({ event: 'stopped', body: { stop: 1, reason: 'operation', tid: 9, thread: 'MainThread', mainThread: true, op: put } }));
    assert.equal(stop.ok && stop.value.type === 'event' && stop.value.event.event, 'stopped');
    assert.equal(parseControlMessage(JSON.stringify({ event: 'stopped', body: { stop: 1, reason: 'x', tid: 9, op: { kind: 'socket', op: 'x' } } })).ok, false);
    assert.equal(parseControlMessage(JSON.stringify({ event: 'stopped', body: { reason: 'x' } })).ok, false);
    assert.equal(parseControlMessage(JSON.stringify({ event: 'launchMissiles', body: {} })).ok, false);
    assert.equal(parseControlMessage('[1, 2]').ok, false);
  });
});

describe('launch configuration', () => {
  test('what is wrong, in the user\'s words', () => {
    assert.equal(checkLaunchArguments({ program: 'a.py' }), null);
    assert.match(checkLaunchArguments({}) ?? '', /needs "program"/);
    assert.match(checkLaunchArguments({ program: 'a.py', stopOn: ['queue', 'sockets'] }) ?? '', /unknown kinds "sockets"; known: process, queue, pipe, lock, event, pool, manager/);
    assert.match(checkLaunchArguments({ program: 'a.py', args: 'x' as unknown as string[] }) ?? '', /"args" must be a list/);
    assert.match(checkLaunchArguments({ program: 'a.py', env: { A: 1 as unknown as string } }) ?? '', /"env" must map/);
    assert.equal(checkLaunchArguments({ program: 'a.py', env: { A: null } }), null);
    assert.match(checkLaunchArguments({ program: 'a.py', console: 'external' as 'internalConsole' }) ?? '', /"console"/);
  });
});
