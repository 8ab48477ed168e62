/**
 * The terminal a run's script talks through: its stdout and stderr are written here, what the
 * user types goes to its stdin (echoed and line-edited by LineDiscipline), Ctrl+C stops the run.
 */
import * as vscode from 'vscode';
import { LineDiscipline, toTerminalText } from '../models/lineDiscipline';

export interface TerminalInput {
  write(text: string): void;
  end(): void;
  interrupt(): void;
}

export class RunTerminal implements vscode.Disposable {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  private readonly discipline = new LineDiscipline();
  private opened = false;
  private pending: string[] = [];
  private input: TerminalInput | undefined;
  readonly terminal: vscode.Terminal;

  constructor(name: string) {
    const pty: vscode.Pseudoterminal = {
      onDidWrite: this.writeEmitter.event,
      onDidClose: this.closeEmitter.event,
      open: () => {
        this.opened = true;
        for (const text of this.pending) this.writeEmitter.fire(text);
        this.pending = [];
      },
      close: () => {
        // The user closed the terminal: the run has no console any more, so it ends.
        this.input?.interrupt();
        this.input = undefined;
      },
      handleInput: (data) => this.handleInput(data),
    };
    this.terminal = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('server-process') });
  }

  attach(input: TerminalInput | undefined): void {
    this.input = input;
  }

  /** Script output (or a note of ours) for the terminal. */
  write(text: string): void {
    const converted = toTerminalText(text);
    if (this.opened) this.writeEmitter.fire(converted);
    else this.pending.push(converted);
  }

  /** A line of ours, dimmed so it does not look like the script's output. */
  note(text: string): void {
    this.write(`\x1b[2m${text}\x1b[0m\n`);
  }

  private handleInput(data: string): void {
    const out = this.discipline.feed(data);
    if (out.echo) this.writeEmitter.fire(out.echo);
    if (!this.input) return;
    if (out.send) this.input.write(out.send);
    if (out.endOfInput) this.input.end();
    if (out.interrupt) this.input.interrupt();
  }

  dispose(): void {
    this.terminal.dispose();
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }
}
