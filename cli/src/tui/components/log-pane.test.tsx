import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { stripAnsi } from '../../output/terminal-text.js';
import { LogRing } from '../state/log-ring.js';
import { logLine } from '../state/reducer.js';
import { stringWidth } from '../text.js';
import { ColourContext } from './line.js';
import { LogPane, type LogPaneProps } from './log-pane.js';

const ts = '2026-01-01T10:00:05.123Z';
function ring(): LogRing {
  const lines = Array.from({ length: 30 }, (_, i) => logLine(ts, i % 2 ? 'worker' : 'backend', 'stdout', `line ${i}`));
  lines.push(logLine(ts, 'backend', 'stderr', 'Traceback: boom'));
  lines.push(logLine(ts, 'worker', 'system', 'restarting (restart requested)'));
  return LogRing.empty().append(lines);
}
const base: LogPaneProps = {
  logs: ring(),
  height: 5,
  width: 80,
  filter: '',
  editingFilter: false,
  timestamps: false,
  colours: { backend: 36, worker: 33 },
  prefixWidth: 8,
};
const frame = (p: Partial<LogPaneProps> = {}) => render(<LogPane {...base} {...p} />).lastFrame() ?? '';
const plain = (p: Partial<LogPaneProps> = {}) => stripAnsi(frame(p)).split('\n');

describe('LogPane', () => {
  it('follows all services with a coloured prefix per service', () => {
    const lines = plain();
    expect(lines[0]).toMatch(/^─ logs all services · following ─+$/);
    expect(lines.slice(1)).toEqual([
      'worker   │ line 27',
      'backend  │ line 28',
      'worker   │ line 29',
      'backend  ┃ Traceback: boom',
      'worker   │ » restarting (restart requested)',
    ]);
    expect(frame()).toContain('\x1b[36mbackend  │');
    expect(frame()).toContain('\x1b[33mworker   │');
  });

  it('shows only the focused service', () => {
    const lines = plain({ focus: 'worker', height: 3 });
    expect(lines[0]).toContain('logs worker');
    expect(lines.slice(1)).toEqual([
      'worker   │ line 27',
      'worker   │ line 29',
      'worker   │ » restarting (restart requested)',
    ]);
  });

  it('filters by text and names the filter in the title', () => {
    const lines = plain({ filter: 'line 2', height: 3 });
    expect(lines[0]).toContain('filter "line 2"');
    expect(lines.slice(1)).toEqual(['worker   │ line 27', 'backend  │ line 28', 'worker   │ line 29']);
    expect(plain({ filter: 'nothing-like-this' })[1]).toContain('no line matches "nothing-like-this"');
  });

  it('scrolled back: shows the anchored lines and how many are newer', () => {
    const lines = plain({ anchorSeq: 10, height: 3 });
    expect(lines[0]).toContain('scrolled · 21 newer (G follows)');
    expect(lines.slice(1)).toEqual(['backend  │ line 8', 'worker   │ line 9', 'backend  │ line 10']);
    expect(plain({ anchorSeq: 0, height: 3 })[0]).toContain('scrolled to the top');
  });

  it('toggles timestamps', () => {
    expect(plain({ timestamps: true, height: 1 })[1]).toBe('10:00:05.123 worker   │ » restarting (restart requested)');
  });

  it('renders hostile escape sequences harmlessly and keeps colour', () => {
    const hostile = logLine(
      ts,
      'backend',
      'stdout',
      'evil \x1b]0;pwned\x07\x1b[2J\x1b[H\x1b[10;5H\x1b[31mred\x1b[0m end',
    );
    const out = frame({ logs: LogRing.empty().append([hostile]), height: 1 });
    expect(out).not.toContain('\x1b]0;');
    expect(out).not.toContain('\x1b[2J');
    expect(out).not.toContain('\x1b[H');
    expect(out).not.toContain('10;5H');
    expect(out).toContain('\x1b[31mred');
    expect(stripAnsi(out).split('\n')[1]).toBe('backend  │ evil red end');
  });

  it('cuts long lines to the width without breaking colour', () => {
    const long = logLine(ts, 'backend', 'stdout', `\x1b[32m${'x'.repeat(300)}\x1b[0m`);
    const out = frame({ logs: LogRing.empty().append([long]), height: 1, width: 60 });
    const row = out.split('\n')[1]!;
    expect(stringWidth(row)).toBeLessThanOrEqual(60);
    expect(stripAnsi(row).endsWith('x…')).toBe(true);
    expect(row).toContain('\x1b[32m');
  });

  it('without colour, shows no escape sequences at all', () => {
    const logs = LogRing.empty().append([logLine(ts, 'a', 'stdout', '\x1b[31mred\x1b[0m')]);
    const out =
      render(
        <ColourContext.Provider value={false}>
          <LogPane {...base} logs={logs} height={1} />
        </ColourContext.Provider>,
      ).lastFrame() ?? '';
    expect(out).not.toContain('\x1b');
    expect(out.split('\n')[1]).toBe('a        │ red');
  });

  it('says when there are no lines yet', () => {
    expect(plain({ logs: LogRing.empty() })[1]).toContain('no log lines yet');
  });
});
