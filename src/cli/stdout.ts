/**
 * For the commands whose stdout is their data (`show`, `export`): a reader that stops early
 * (`process-view export run.jsonl | head`) closes the pipe, and the next write fails with EPIPE.
 * End there quietly, with status 0, as `cat` does from a shell's point of view (Node ignores
 * SIGPIPE, so without this the failure is an unhandled 'error' event and a stack trace).
 * Not for `debug-adapter`, whose stdout going away means the editor did, which it handles itself.
 */
export function endQuietlyWhenStdoutCloses(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}
