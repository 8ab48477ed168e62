/**
 * Where a run's channels (events, debug control) listen, for every front end: a Unix socket in a
 * private folder of its own on Linux and macOS, loopback TCP on a port the OS picks elsewhere
 * (Windows: Python has no AF_UNIX there) or when asked.
 *
 * Why not TCP everywhere: a remote window (Remote-SSH, dev containers, Codespaces, code-server)
 * watches for listening localhost ports, auto-forwards each one it finds and tells the user
 * "your application running on port N is available" (VS Code's way to quiet it for an extension,
 * a port attributes provider, is still a proposed API). A Unix socket is not a port. Its folder
 * (mode 0700) also keeps other users of the machine out before a token is even read.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export type LocalAddress = { readonly kind: 'unix'; readonly path: string } | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

/** 'unix' where the platform's Python can connect to one, else 'tcp'. */
export type LocalTransport = 'unix' | 'tcp';
export const defaultTransport = (): LocalTransport => (process.platform === 'win32' ? 'tcp' : 'unix');

// sun_path holds 108 bytes on Linux, 104 on macOS (with its NUL): a longer TMPDIR falls back to TCP.
const MaxSocketPath = 100;

/** A listening server at a fresh local address, and how to close it (the socket's folder goes too). */
export async function listenLocal(server: net.Server, transport: LocalTransport, host = '127.0.0.1'): Promise<{ address: LocalAddress; close: () => Promise<void> }> {
  if (transport === 'unix') {
    let dir: string | undefined;
    try {
      dir = mkdtempSync(path.join(tmpdir(), 'pv-'));
      const file = path.join(dir, 's');
      if (Buffer.byteLength(file) <= MaxSocketPath) {
        await listening(server, () => server.listen(file));
        const folder = dir;
        return { address: { kind: 'unix', path: file }, close: () => closed(server).finally(() => rmSync(folder, { recursive: true, force: true })) };
      }
    } catch {
      // No temporary folder to write in, or a file system that cannot hold a socket: TCP, below.
    }
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
  await listening(server, () => server.listen(0, host));
  return { address: { kind: 'tcp', host, port: (server.address() as net.AddressInfo).port }, close: () => closed(server) };
}

/**
 * `env` telling the run's Python processes where a channel listens (docs/protocol.md): its socket
 * variable or its port variable, and never both (one inherited from an outer run would win).
 */
export function withAddress(env: NodeJS.ProcessEnv, address: LocalAddress, socketVar: string, portVar: string): NodeJS.ProcessEnv {
  const out = { ...env };
  delete out[socketVar];
  delete out[portVar];
  if (address.kind === 'unix') out[socketVar] = address.path;
  else {
    out[portVar] = String(address.port);
    if (address.host !== '127.0.0.1') out.PROCESS_VIEW_HOST = address.host;
  }
  return out;
}

function listening(server: net.Server, listen: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (e: Error): void => {
      server.off('listening', done);
      reject(e);
    };
    const done = (): void => {
      server.off('error', failed);
      resolve();
    };
    server.once('error', failed);
    server.once('listening', done);
    listen();
  });
}

function closed(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
