// Drives a real terminal: a tmux session on a private server socket, typed into with
// send-keys and read with capture-pane, the way a person would see it.

import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntil } from '../helpers/wait.js';

export function tmuxAvailable(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

export class TmuxSession {
  private readonly socket: string;

  constructor(
    readonly name: string,
    private readonly size = { columns: 160, rows: 45 },
  ) {
    this.socket = `${name}-sock`;
  }

  private tmux(args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Run `command` (a shell line) in a fresh session; it keeps the pane open when the command ends. */
  start(command: string, env: Record<string, string> = {}): void {
    const vars = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`);
    // Without CI in the environment: ink draws only a final frame under CI.
    const line = `env -u CI -u CONTINUOUS_INTEGRATION ${vars.join(' ')} ${command}; echo "[exit $?]"; sleep 86400`;
    this.tmux([
      'new-session',
      '-d',
      '-s',
      this.name,
      '-x',
      String(this.size.columns),
      '-y',
      String(this.size.rows),
      'sh',
      '-c',
      line,
    ]);
  }

  /** Start another command in a new window of the same session (a second terminal). */
  newWindow(command: string, env: Record<string, string> = {}): void {
    const vars = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`);
    const line = `env -u CI -u CONTINUOUS_INTEGRATION ${vars.join(' ')} ${command}; echo "[exit $?]"; sleep 86400`;
    this.tmux(['new-window', '-t', this.name, 'sh', '-c', line]);
  }

  /** The screen as text (no colour: assertions do not depend on NO_COLOR or the palette). */
  screen(): string {
    return this.tmux(['capture-pane', '-p', '-t', this.name]);
  }

  /** The screen with its colours (SGR), for the screenshot. */
  screenWithColour(): string {
    return this.tmux(['capture-pane', '-p', '-e', '-t', this.name]);
  }

  /** Whether the program switched to the alternate screen (full-screen UIs do, line output does not). */
  alternateScreen(): boolean {
    return this.tmux(['display-message', '-p', '-t', this.name, '#{alternate_on}']).trim() === '1';
  }

  title(): string {
    return this.tmux(['display-message', '-p', '-t', this.name, '#{pane_title}']).trim();
  }

  /** Keys by tmux name (Enter, Escape, PPage, C-c) or single characters. */
  keys(...keys: string[]): void {
    this.tmux(['send-keys', '-t', this.name, ...keys]);
  }

  /** Text typed literally. */
  type(text: string): void {
    this.tmux(['send-keys', '-t', this.name, '-l', text]);
  }

  resize(columns: number, rows: number): void {
    this.tmux(['resize-window', '-t', this.name, '-x', String(columns), '-y', String(rows)]);
  }

  waitFor(what: string, test: (screen: string) => boolean, timeoutMs = 60_000): Promise<string> {
    return waitUntil(
      what,
      () => {
        const s = this.screen();
        return test(s) ? s : undefined;
      },
      { timeoutMs, intervalMs: 200 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n--- screen ---\n${this.screen()}`);
    });
  }

  kill(): void {
    try {
      this.tmux(['kill-server']);
    } catch {
      // Already gone.
    }
    // The server leaves its socket file behind.
    rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, this.socket), { force: true });
  }
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}
