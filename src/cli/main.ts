/**
 * `process-view`: the core on a terminal.
 *   process-view record [--python PATH] [--out FILE] [--quiet] [--stop-grace-ms N] SCRIPT [ARGS...]
 *   process-view show [--json] [--at TIME] FILE.jsonl
 *   process-view export FILE.jsonl
 *   process-view debug-adapter
 *   process-view --version | --help
 * Subcommands are a table so more can be added without touching the others.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROTOCOL_VERSION } from '../core/protocol/events';
import { SESSION_FORMAT_VERSION } from '../core/recording';
import { MIN_PYTHON, NEWEST_TESTED_PYTHON } from '../core/tracer';
import { runDebugAdapter } from './debugAdapter';
import { runExport } from './export';
import { runRecord } from './record';
import { runShow } from './show';

type Command = (args: readonly string[]) => Promise<number>;

const COMMANDS: Readonly<Record<string, { run: Command; summary: string }>> = {
  record: { run: runRecord, summary: 'record [--python PATH] [--out FILE] [--quiet] [--stop-grace-ms N] SCRIPT [ARGS...]   run a script under the tracer, show its live process tree, write the session to a .jsonl file (Ctrl+C ends the whole run, twice: at once)' },
  show: { run: runShow, summary: 'show [--json] [--at TIME] FILE.jsonl   print the final process tree and the channels of a recording (--json: as JSON; --at 3.2s: as they were then, with what each channel held)' },
  export: { run: runExport, summary: 'export FILE.jsonl   print every record of a recording (header, events, samples, end) as one JSON line each, for jq and scripts (recordings keep events compressed)' },
  'debug-adapter': { run: runDebugAdapter, summary: 'debug-adapter   the debugger, speaking the Debug Adapter Protocol on stdin/stdout (docs/debugging.md)' },
};

function usage(): string {
  return ['usage: process-view <command> ...', '', ...Object.values(COMMANDS).map((c) => `  process-view ${c.summary}`), '  process-view --version   this release, the formats it speaks and the Pythons it is tested with', ''].join('\n');
}

/** The release (the package.json beside out/, in the repository and in the VSIX alike) and what it speaks. */
function version(): string {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version?: unknown };
  return `process-view ${String(pkg.version)} (recordings: format ${SESSION_FORMAT_VERSION}; tracer protocol ${PROTOCOL_VERSION}; Python ${MIN_PYTHON.join('.')} to ${NEWEST_TESTED_PYTHON.join('.')})\n`;
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(version());
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`process-view: unknown command ${JSON.stringify(name)}\n${usage()}`);
    return 2;
  }
  return cmd.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`process-view: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
