/**
 * The source files a recording names, as they are on disk now: a recording made in another
 * folder (another machine, a CI checkout) names paths that are not here, so each is looked for
 * under the folders given (the longest tail of its path that exists wins); a breakpoint set on a
 * local file stands for the recorded files found there. A file modified after the recording was
 * made is said to have changed: the recording keeps no copy or hash of it, so that is all anyone
 * can tell (and a file found in another place than the one recorded is said to be unchecked).
 *
 * No `vscode` import here, ever.
 */
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';

export interface SourceFile {
  /** The path to show and open. */
  readonly path: string;
  /** The path the recording names. */
  readonly recorded: string;
  /** 'same': the recorded path, not modified since the recording began; 'changed': modified after; 'unchecked': found elsewhere; 'missing': not found. */
  readonly status: 'same' | 'changed' | 'unchecked' | 'missing';
  /** What to tell the user about it, or null when there is nothing to say. */
  readonly note: string | null;
}

export interface SourceFs {
  exists(p: string): boolean;
  /** Last modification, ms since the epoch; null when unknown. */
  mtimeMs(p: string): number | null;
}

const realFs: SourceFs = {
  exists: (p) => existsSync(p),
  mtimeMs: (p) => {
    try {
      return statSync(p).mtimeMs;
    } catch {
      return null;
    }
  },
};

export class SourceMap {
  private readonly toLocal = new Map<string, SourceFile>();
  private readonly toRecorded = new Map<string, string[]>();
  private readonly fs: SourceFs;
  private readonly recordedAtMs: number | null;

  constructor(
    recordedFiles: readonly string[],
    options: {
      /** Folders to look for files the recording names that are not at their recorded path (workspace folders, the launch's cwd). */
      readonly roots?: readonly string[];
      /** When the recording began (its header's startedAtIso), ms since the epoch. */
      readonly recordedAtMs?: number | null;
      readonly fs?: SourceFs;
    } = {},
  ) {
    this.fs = options.fs ?? realFs;
    this.recordedAtMs = options.recordedAtMs ?? null;
    const roots = options.roots ?? [];
    for (const recorded of recordedFiles) {
      const file = locate(recorded, roots, this.fs);
      this.toLocal.set(recorded, file);
      const key = normalize(file.path);
      const list = this.toRecorded.get(key) ?? [];
      list.push(recorded);
      this.toRecorded.set(key, list);
    }
  }

  /** The file on disk for a recorded path (the recorded path itself when it is unknown here); whether it changed is asked now. */
  local(recorded: string): SourceFile {
    const file = this.toLocal.get(recorded) ?? { path: recorded, recorded, status: 'missing', note: null };
    if (file.status !== 'same') return file;
    const mtime = this.fs.mtimeMs(recorded);
    if (this.recordedAtMs === null || mtime === null || mtime <= this.recordedAtMs) return file;
    return {
      path: recorded,
      recorded,
      status: 'changed',
      note: `${path.basename(recorded)} has changed since the recording (modified ${new Date(mtime).toISOString()}, after the run began): the lines shown may not be the ones that ran.`,
    };
  }

  /** The recorded files a local file stands for (for breakpoints). */
  recorded(local: string): string[] {
    return this.toRecorded.get(normalize(local)) ?? [local];
  }
}

function locate(recorded: string, roots: readonly string[], fs: SourceFs): SourceFile {
  if (fs.exists(recorded)) return { path: recorded, recorded, status: 'same', note: null };
  // Tails of the recorded path, longest first: a/b/c.py → b/c.py → c.py, under each root.
  const parts = recorded.split(/[\\/]+/).filter((p) => p !== '');
  for (let from = 1; from < parts.length; from++) {
    const tail = parts.slice(from);
    for (const root of roots) {
      const candidate = path.join(root, ...tail);
      if (fs.exists(candidate)) {
        return {
          path: candidate,
          recorded,
          status: 'unchecked',
          note: `${path.basename(recorded)} was recorded as ${recorded}; shown from ${candidate}. The recording keeps no copy or hash of the file, so whether it is the same cannot be checked.`,
        };
      }
    }
  }
  return { path: recorded, recorded, status: 'missing', note: `${recorded} is not on this machine: its lines cannot be shown.` };
}

/**
 * Where to look for the files of a recording made elsewhere: the launch's folder (the workspace
 * folder, in VS Code), then the recording's own folder and each folder above it, nearest first. A
 * recording kept inside a project (project/recordings/run.jsonl) finds project/examples/a.py from
 * its recorded path's tail examples/a.py without being told where the project is.
 */
export function searchRoots(cwd: string, recording: string): string[] {
  const roots = [path.resolve(cwd)];
  for (let dir = path.dirname(path.resolve(recording)); ; dir = path.dirname(dir)) {
    if (!roots.includes(dir)) roots.push(dir);
    if (path.dirname(dir) === dir) break;
  }
  return roots;
}

function normalize(p: string): string {
  return path.resolve(p);
}
