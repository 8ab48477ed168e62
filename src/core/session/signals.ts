/** Signal numbers and names (Linux numbering; macOS agrees on the ones a run meets: 1–15). */
const NAMES: Record<number, string> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  5: 'SIGTRAP',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  10: 'SIGUSR1',
  11: 'SIGSEGV',
  12: 'SIGUSR2',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
  17: 'SIGCHLD',
  18: 'SIGCONT',
  19: 'SIGSTOP',
  20: 'SIGTSTP',
  24: 'SIGXCPU',
  25: 'SIGXFSZ',
};

export function signalName(n: number): string {
  return NAMES[n] ?? `SIG${n}`;
}

/**
 * A multiprocessing exit code (negative means "killed by signal -N") split into code and signal.
 */
export function splitExitCode(code: number | null | undefined): { exitCode: number | null; signal: string | null } {
  if (code === null || code === undefined) return { exitCode: null, signal: null };
  if (code < 0) return { exitCode: null, signal: signalName(-code) };
  return { exitCode: code, signal: null };
}
