/**
 * `process-view`: the core on a terminal.
 *   process-view record [--python PATH] [--out FILE] [--quiet] [--stop-grace-ms N] SCRIPT [ARGS...]
 *   process-view show [--json] [--at TIME] FILE.jsonl
 *   process-view export FILE.jsonl
 *   process-view debug-adapter
 * Subcommands are a table so more can be added without touching the others.
 */
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
  return ['usage: process-view <command> ...', '', ...Object.values(COMMANDS).map((c) => `  process-view ${c.summary}`), ''].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
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
