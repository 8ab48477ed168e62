/**
 * Reading Linux /proc: parsing `/proc/<pid>/stat` and the few other files the sampler needs.
 * Kept free of state so it can be tested on canned lines.
 */
import * as fs from 'node:fs';
import type { OsState } from './types';

/** The fields of /proc/<pid>/stat the sampler uses (proc(5) numbering in comments). */
export interface ProcStat {
  readonly pid: number; // (1)
  readonly comm: string; // (2) without the parentheses
  readonly state: string; // (3) one letter
  readonly ppid: number; // (4)
  readonly pgrp: number; // (5)
  readonly session: number; // (6)
  readonly cpuTicks: number; // (14) utime + (15) stime
  readonly startTicks: number; // (22) clock ticks after boot
  readonly rssPages: number; // (24)
}

/**
 * Parse one stat line. The command name may itself contain spaces and parentheses, so the
 * fields after it are found from the last ')'. Returns null on a malformed line.
 */
export function parseStat(line: string): ProcStat | null {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const rest = line.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field n is rest[n - 3].
  if (rest.length < 22) return null;
  const pid = Number(line.slice(0, open - 1));
  const num = (n: number): number => Number(rest[n - 3]);
  const stat: ProcStat = {
    pid,
    comm: line.slice(open + 1, close),
    state: rest[0]!,
    ppid: num(4),
    pgrp: num(5),
    session: num(6),
    cpuTicks: num(14) + num(15),
    startTicks: num(22),
    rssPages: num(24),
  };
  return Number.isFinite(stat.pid) && Number.isFinite(stat.startTicks) ? stat : null;
}

/**
 * parseStat straight from the bytes read (no string split): the sampler's hot path. Numbers are
 * decoded digit by digit; only the command name becomes a string.
 */
const FIELDS = new Float64Array(25);
export function parseStatBytes(buf: Buffer, n: number): ProcStat | null {
  let close = n - 1;
  while (close > 0 && buf[close] !== 0x29 /* ) */) close--;
  let open = 0;
  while (open < close && buf[open] !== 0x28 /* ( */) open++;
  if (close <= open) return null;
  let pid = 0;
  for (let i = 0; i < open - 1; i++) pid = pid * 10 + (buf[i]! - 48);
  const state = String.fromCharCode(buf[close + 2]!);
  // Fields from 4 on, each a (possibly negative) integer separated by one space.
  const f = FIELDS;
  let field = 4;
  let i = close + 4;
  while (i < n && field <= 24) {
    let neg = false;
    if (buf[i] === 45 /* - */) {
      neg = true;
      i++;
    }
    let v = 0;
    while (i < n) {
      const c = buf[i]!;
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      i++;
    }
    f[field] = neg ? -v : v;
    field++;
    i++; // the space
  }
  if (field <= 24) return null;
  return {
    pid,
    comm: buf.toString('latin1', open + 1, close),
    state,
    ppid: f[4]!,
    pgrp: f[5]!,
    session: f[6]!,
    cpuTicks: f[14]! + f[15]!,
    startTicks: f[22]!,
    rssPages: f[24]!,
  };
}

/** The one-letter state of proc(5), in our words. */
export function osStateFromLetter(letter: string): OsState {
  switch (letter) {
    case 'R':
      return 'running';
    case 'S':
      return 'sleeping';
    case 'D':
      return 'disk-sleep';
    case 'T':
    case 't': // stopped by a debugger: still stopped to the user
      return 'stopped';
    case 'Z':
      return 'zombie';
    case 'X':
    case 'x':
      return 'dead';
    case 'I':
      return 'idle';
    default:
      return 'unknown';
  }
}

/** argv of a process joined with spaces, or null when unreadable (zombie, gone, no permission). */
export function readCmdline(procRoot: string, pid: number): string | null {
  try {
    const raw = fs.readFileSync(`${procRoot}/${pid}/cmdline`, 'latin1');
    if (raw.length === 0) return null; // zombies and kernel threads have none
    return raw.replace(/\0+$/, '').split('\0').join(' ');
  } catch {
    return null;
  }
}

/** Read a whole stat file by path (open, read, close); null when the process is gone or unreadable. */
export function readStatByPath(procRoot: string, pid: number, buf: Buffer): ProcStat | null {
  try {
    return readStatOrThrow(procRoot, pid, buf);
  } catch {
    return null;
  }
}

/** readStatByPath, but the system's error is thrown (ENOENT: no such process); null when unparsable. */
export function readStatOrThrow(procRoot: string, pid: number, buf: Buffer): ProcStat | null {
  const fd = fs.openSync(`${procRoot}/${pid}/stat`, 'r');
  try {
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return n > 0 ? parseStatBytes(buf, n) : null;
  } finally {
    fs.closeSync(fd);
  }
}

/** USER_HZ: 100 on every Linux ABI Node runs on; `getconf CLK_TCK` would cost a fork to confirm. */
export const CLOCK_TICKS_PER_SECOND = 100;

let cachedPage: number | null = null;
/** Page size, derived once from our own VmRSS (kB) and resident pages so no fork is needed. */
export function pageSizeBytes(procRoot = '/proc'): number {
  if (cachedPage !== null) return cachedPage;
  cachedPage = 4096;
  try {
    const statm = fs.readFileSync(`${procRoot}/self/statm`, 'latin1').split(' ');
    const status = fs.readFileSync(`${procRoot}/self/status`, 'latin1');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    const pages = Number(statm[1]);
    if (m && pages > 0) {
      const guess = (Number(m[1]) * 1024) / pages;
      // Round to the nearest power of two: the two reads are not atomic.
      const p = 2 ** Math.round(Math.log2(guess));
      if (p >= 4096 && p <= 65536) cachedPage = p;
    }
  } catch {
    // keep 4096
  }
  return cachedPage;
}
