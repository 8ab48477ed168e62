// Where a run's channels listen: a Unix socket in a private folder, and loopback TCP whenever a
// socket cannot be had (src/core/tracer/localListen.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { listenLocal, withAddress } from '../../../src/core/tracer';

/** listenLocal with TMPDIR set to `dir` for the call (os.tmpdir() reads it each time on POSIX). */
async function listenWithTmpdir(dir: string): Promise<Awaited<ReturnType<typeof listenLocal>>> {
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    return await listenLocal(net.createServer(), 'unix');
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}

test('a Unix socket in a folder of mode 0700, answering connections; closing removes the folder', { skip: process.platform === 'win32' }, async () => {
  const server = net.createServer((s) => s.end('hi'));
  const { address, close } = await listenLocal(server, 'unix');
  assert.equal(address.kind, 'unix');
  if (address.kind !== 'unix') return;
  assert.equal(statSync(path.dirname(address.path)).mode & 0o777, 0o700);
  const said = await new Promise<string>((resolve, reject) => {
    let text = '';
    net.connect(address.path).on('data', (d) => (text += d.toString())).on('end', () => resolve(text)).on('error', reject);
  });
  assert.equal(said, 'hi');
  await close();
  assert.equal(existsSync(path.dirname(address.path)), false);
});

test('loopback TCP when the temporary folder cannot hold a socket: a path too long, or no folder at all', { skip: process.platform === 'win32' }, async () => {
  const long = path.join(mkdtempSync(path.join(tmpdir(), 'pv-long-')), 'x'.repeat(120));
  mkdirSync(long);
  for (const dir of [long, path.join(tmpdir(), 'pv-no-such-folder', 'below')]) {
    const { address, close } = await listenWithTmpdir(dir);
    assert.equal(address.kind, 'tcp', dir);
    if (address.kind === 'tcp') assert.ok(address.port > 0 && address.host === '127.0.0.1');
    await close();
  }
});

test("the environment names one address: the channel's other variable, inherited from an outer run, is removed", () => {
  const outer = { KEEP: '1', PROCESS_VIEW_SOCKET: '/old/s', PROCESS_VIEW_PORT: '9' };
  assert.deepEqual(withAddress(outer, { kind: 'tcp', host: '127.0.0.1', port: 4242 }, 'PROCESS_VIEW_SOCKET', 'PROCESS_VIEW_PORT'), { KEEP: '1', PROCESS_VIEW_PORT: '4242' });
  assert.deepEqual(withAddress(outer, { kind: 'unix', path: '/new/s' }, 'PROCESS_VIEW_SOCKET', 'PROCESS_VIEW_PORT'), { KEEP: '1', PROCESS_VIEW_SOCKET: '/new/s' });
  assert.deepEqual(outer, { KEEP: '1', PROCESS_VIEW_SOCKET: '/old/s', PROCESS_VIEW_PORT: '9' }, 'the given environment is not changed');
});
