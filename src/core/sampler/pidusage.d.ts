// pidusage ships no types; this is the part of its API the portable sampler uses.
declare module 'pidusage' {
  interface Status {
    cpu: number; // percent of one core since the previous call
    memory: number; // bytes
    ppid: number;
    pid: number;
    ctime: number;
    elapsed: number; // ms since the process started
    timestamp: number; // ms since epoch, when measured
  }
  function pidusage(pids: number[]): Promise<Record<string, Status | undefined>>;
  export = pidusage;
}
