/**
 * The extension's one log: a LogOutputChannel ("Process View" in the Output panel). Its level is
 * the user's (Output panel → gear), so debug lines cost nothing unless asked for.
 */
import * as vscode from 'vscode';

export class Logger implements vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;

  constructor(name: string) {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  debug(message: string): void {
    this.channel.debug(message);
  }
  info(message: string): void {
    this.channel.info(message);
  }
  warn(message: string): void {
    this.channel.warn(message);
  }
  /** Logs with the stack, so the Output panel says where it came from. */
  error(message: string, error?: unknown): void {
    if (error instanceof Error) this.channel.error(`${message}: ${error.stack ?? error.message}`);
    else if (error !== undefined) this.channel.error(`${message}: ${String(error)}`);
    else this.channel.error(message);
  }
  /** For the language client, so its lines land in the same channel. */
  get outputChannel(): vscode.LogOutputChannel {
    return this.channel;
  }
  show(): void {
    this.channel.show(true);
  }
  dispose(): void {
    this.channel.dispose();
  }
}
