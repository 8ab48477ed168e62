// What every benchmark script needs from its command line and its rounds, its recordings and its load.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

/** The value after `--name` on the command line, or `def` when it is not given. */
export const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
};

/** The median of a list of numbers (the upper one of the middle two); the list is left as it was. */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Each record of a recording as `process-view export` writes it (format 2 keeps events in
 * compressed blocks: this reads them back through the CLI itself, `cli` being out/cli.js).
 */
export function* exportedRecords(cli, file) {
  const text = execFileSync(process.execPath, [cli, 'export', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  for (const line of text.split('\n')) if (line) yield JSON.parse(line);
}

const loops = [];
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    stopBusyLoops(); // no busy loop outlives an interrupted bench
    process.exit(130);
  });
}

/** Two busy loops, as the loaded CI runs (`yes >/dev/null &` twice), until stopBusyLoops(). */
export function startBusyLoops() {
  const devnull = openSync('/dev/null', 'w');
  loops.push(...[0, 1].map(() => spawn('yes', [], { stdio: ['ignore', devnull, 'ignore'] })));
  closeSync(devnull);
}

export function stopBusyLoops() {
  for (const l of loops.splice(0)) l.kill('SIGKILL');
}
