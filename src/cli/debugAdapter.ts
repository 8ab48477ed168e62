/**
 * `process-view debug-adapter`: Process View's debugger speaking DAP on stdin/stdout, for any DAP
 * client (nvim-dap, Emacs dap-mode, ...). docs/debugging.md has a configuration example.
 * Nothing else may write on stdout: it is the protocol's channel.
 */
import { createDebugAdapter } from '../core/debug';

export async function runDebugAdapter(argv: readonly string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stderr.write('usage: process-view debug-adapter   (speaks the Debug Adapter Protocol on stdin/stdout)\n');
    return 0;
  }
  const session = createDebugAdapter();
  session.start(process.stdin, process.stdout);
  // The session ends the process itself (after a disconnect, or when the client closes stdin).
  return new Promise<number>(() => undefined);
}
