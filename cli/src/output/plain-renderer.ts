// The line-oriented view of the event stream: every log line with a service prefix, state
// changes and build steps as `devenv` lines. Used without a TTY (CI, pipes) and by
// `--no-tui`; colour only when the stream is a terminal and NO_COLOR is unset.

import { argoActivity, type EngineEvent, exitWords, runtimeHealthWords, type ServiceStatus } from '@devenv/engine';
import { eventWithCommands } from './hints.js';
import { sanitizeTerminalText, stripAnsi } from './terminal-text.js';

const palette = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];

export interface Writer {
  write(text: string): unknown;
}

export class PlainRenderer {
  private readonly colours = new Map<string, number>();
  private readonly lastState = new Map<string, string>();
  private readonly lastStep = new Map<string, string>();
  private readonly lastApp = new Map<string, string>();
  private width = 8;

  constructor(
    private readonly out: Writer,
    private readonly opts: { colour: boolean; timestamps?: boolean },
  ) {}

  setServices(names: string[]): void {
    this.width = Math.max(8, ...names.map((n) => n.length));
    names.forEach((n, i) => {
      this.colours.set(n, palette[i % palette.length]!);
    });
  }

  render(event: EngineEvent): void {
    const e = eventWithCommands(event);
    switch (e.kind) {
      case 'log':
        if (e.stream === 'system') this.line('devenv', `${e.service}: ${e.line}`, e.ts);
        else this.line(e.service, e.line, e.ts);
        break;
      case 'status': {
        const key = describeState(e.status);
        if (this.lastState.get(e.service) === key) return;
        this.lastState.set(e.service, key);
        this.line('devenv', `${e.service} ${key}`, e.ts);
        break;
      }
      case 'progress': {
        const step =
          e.done === true
            ? e.failed
              ? `${e.title}: failed${e.message ? ` (${e.message})` : ''}`
              : `${e.title}: ${e.message ?? 'done'}`
            : e.current !== undefined && e.total !== undefined
              ? `${e.title}: ${e.current}/${e.total} ${e.unit ?? ''}${e.message ? ` ${e.message}` : ''}`
              : `${e.title}: ${e.message ?? '…'}`;
        if (this.lastStep.get(e.id) === step) return;
        this.lastStep.set(e.id, step);
        this.line('devenv', step, e.ts);
        break;
      }
      case 'diagnostic':
        this.line('devenv', `${e.severity}: ${e.message}${e.hint ? ` (hint: ${e.hint})` : ''}`, e.ts);
        break;
      case 'project':
        this.line('devenv', describeProject(e), e.ts);
        break;
      case 'cluster':
        // One line per Application whose sync, health or running hook changed.
        for (const a of e.cluster.argocd ?? []) {
          const doing = argoActivity(a);
          const text = `${a.sync}/${a.health}${doing ? ` (${doing.text})` : ''}`;
          if (this.lastApp.get(a.app) === text) continue;
          this.lastApp.set(a.app, text);
          this.line('devenv', `Argo CD ${a.service ?? a.app}: ${text}`, e.ts);
        }
        break;
    }
  }

  private line(prefix: string, text: string, ts: string): void {
    const clean = sanitizeTerminalText(text, { keepColour: this.opts.colour });
    const body = this.opts.colour ? clean : stripAnsi(clean);
    const label = prefix.padEnd(this.width);
    const colour = prefix === 'devenv' ? 90 : (this.colours.get(prefix) ?? 37);
    const head = this.opts.colour ? `\x1b[${colour}m${label} |\x1b[0m` : `${label} |`;
    const time = this.opts.timestamps ? `${ts.slice(11, 23)} ` : '';
    this.out.write(`${time}${head} ${body}\n`);
  }
}

export function describeState(s: ServiceStatus): string {
  const state = s.state;
  const words =
    state === 'exited'
      ? (exitWords(s.exit, state) ?? `code ${s.exitCode ?? '?'}`)
      : state === 'killed' || state === 'stopped'
        ? (exitWords(s.exit, state) ?? (state === 'stopped' && !s.exit ? s.message : undefined))
        : s.message && (state === 'waiting' || state === 'failed' || state === 'restarting' || state === 'building')
          ? s.message
          : undefined;
  return words ? `${state} (${words})` : state;
}

/** A project event's line: the phase, the runtime's engine when it is not available, the message. */
export function describeProject(e: Extract<EngineEvent, { kind: 'project' }>): string {
  const engine = runtimeHealthWords(e.runtime);
  return `environment ${e.phase}${engine ? `, ${engine}` : ''}${e.message ? `: ${e.message}` : ''}`;
}

// Not `use…`: with React in this package, linters take `use*` functions for hooks.
export function colourWanted(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}
