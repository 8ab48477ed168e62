/**
 * A tiny "cooked mode" for the run's terminal. The script's stdin is a pipe, not a tty, so nobody
 * echoes what the user types or handles backspace: this does, and hands over whole lines on Enter
 * (like a terminal would), Ctrl+D as end of input and Ctrl+C as an interrupt.
 * Pure: no `vscode` import.
 */

export interface LineDisciplineOutput {
  /** Text to show in the terminal (the echo). */
  readonly echo: string;
  /** Complete input to write to the script's stdin (lines end with "\n"). */
  readonly send: string;
  readonly endOfInput: boolean;
  readonly interrupt: boolean;
}

export class LineDiscipline {
  private line = '';

  /** Feeds what the terminal delivered (keystrokes or a paste). */
  feed(data: string): LineDisciplineOutput {
    let echo = '';
    let send = '';
    let endOfInput = false;
    let interrupt = false;
    for (let i = 0; i < data.length; i++) {
      const ch = data[i]!;
      if (ch === '\r' || ch === '\n') {
        // A pasted "\r\n" is one line end.
        if (ch === '\r' && data[i + 1] === '\n') i++;
        send += `${this.line}\n`;
        this.line = '';
        echo += '\r\n';
      } else if (ch === '\x7f' || ch === '\b') {
        if (this.line.length > 0) {
          const chars = Array.from(this.line);
          chars.pop();
          this.line = chars.join('');
          echo += '\b \b';
        }
      } else if (ch === '\x03') {
        interrupt = true;
        this.line = '';
        echo += '^C\r\n';
      } else if (ch === '\x04') {
        // Like a tty: Ctrl+D sends the pending line without a newline, or ends the input when empty.
        if (this.line.length > 0) {
          send += this.line;
          this.line = '';
        } else {
          endOfInput = true;
        }
      } else if (ch === '\x1b') {
        // Arrow keys and other escape sequences: not editable here, dropped.
        const rest = data.slice(i);
        const match = /^\x1b(\[[0-9;?]*[ -/]*[@-~]|O.|.)?/.exec(rest);
        i += (match?.[0].length ?? 1) - 1;
      } else if (ch >= ' ' || ch === '\t') {
        this.line += ch;
        echo += ch;
      }
    }
    return { echo, send, endOfInput, interrupt };
  }
}

/** Output of the script for a terminal: bare "\n" becomes "\r\n" so lines start at column 0. */
export function toTerminalText(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}
