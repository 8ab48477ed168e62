/**
 * The terminal a run's script talks through: its stdout and stderr are written here, what the
 * user types goes to its stdin (echoed and line-edited by LineDiscipline), Ctrl+C stops the run.
 * The next run takes it over (`reuse`) unless the user closed it: creating a terminal and its
 * renderer, and disposing of the last one, took the window 80-130 ms at the start of every run
 * (bench/vscode-run-cost.md, "4 December"), and the user keeps where they put it.
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
  private readonly nameEmitter = new vscode.EventEmitter<string>();
  private discipline = new LineDiscipline();
  private opened = false;
  private closed = false;
  /** Bumped by `reuse`: output of an earlier run (late, or of a leftover) is not written into a later one's. */
  generation = 0;
  private pending: string[] = [];
  private input: TerminalInput | undefined;
  readonly terminal: vscode.Terminal;

  constructor(name: string) {
    const pty: vscode.Pseudoterminal = {
      onDidWrite: this.writeEmitter.event,
      onDidClose: this.closeEmitter.event,
      onDidChangeName: this.nameEmitter.event,
      open: () => {
        this.opened = true;
        for (const text of this.pending) this.writeEmitter.fire(text);
        this.pending = [];
      },
      close: () => {
        // The user closed the terminal: the run has no console any more, so it ends.
        this.closed = true;
        this.input?.interrupt();
        this.input = undefined;
      },
      handleInput: (data) => this.handleInput(data),
    };
    this.terminal = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('server-process') });
  }

  /** False once the user has closed it: the next run needs a new one. */
  get reusable(): boolean {
    return !this.closed;
  }

  /**
   * Takes the terminal over for the next run: renamed, screen and scrollback cleared (as a new
   * terminal would be), half-typed input dropped. The last run must be over (detached).
   */
  reuse(name: string): void {
    this.generation++;
    this.input = undefined;
    this.discipline = new LineDiscipline();
    this.nameEmitter.fire(name);
    // ED 2 (screen), ED 3 (scrollback), cursor home.
    this.write('\x1b[2J\x1b[3J\x1b[H');
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
    this.nameEmitter.dispose();
  }
}
