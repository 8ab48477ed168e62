// Types for tools.cjs, so the TypeScript test harness (test/e2e) can share its paths and helpers.
import type { ChildProcess } from 'node:child_process';

export const root: string;
export const cacheDir: string;
export const NODE_VERSION: string;
export const CODE_SERVER_VERSION: string;
export const nodeDir: string;
export const nodeBin: string;
export const codeServerPrefix: string;
export const codeServerBin: string;
export const chromiumBin: string;
export function codeServerEnv(extra?: Record<string, string>): NodeJS.ProcessEnv;
export function isInstalled(): boolean;
export function run(
  cmd: string,
  args: string[],
  options?: { timeoutMs?: number; capture?: boolean; cwd?: string; env?: NodeJS.ProcessEnv; label?: string },
): Promise<{ stdout: string; stderr: string }>;
export function killGroup(child: ChildProcess, signal?: NodeJS.Signals): void;
export function freePort(): Promise<number>;
export function waitFor<T>(check: () => T | Promise<T>, options: { timeoutMs: number; intervalMs?: number; what: string }): Promise<T>;
export function startCodeServer(options: {
  stateDir: string;
  folder?: string;
  port?: number;
  extensionsDir?: string;
  userDataDir?: string;
  extraArgs?: string[];
  timeoutMs?: number;
  /** Leaves workspace trust on (code-server's --disable-workspace-trust is passed otherwise). */
  workspaceTrust?: boolean;
}): Promise<{ child: ChildProcess; port: number; url: string; logFile: string; stop: () => void }>;
export function tailOf(file: string, n?: number): Promise<string>;
/** Every file under `dir` (absolute, or relative to the repo root) whose name matches `pattern`: sorted absolute paths. */
export function listFiles(dir: string, pattern: RegExp): string[];
export const CHROMIUM_ARGS: string[];
export const QUIET_WORKBENCH_SETTINGS: Readonly<Record<string, string | boolean>>;
