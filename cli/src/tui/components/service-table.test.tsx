import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { stripAnsi } from '../../output/terminal-text.js';
import { sampleStatus } from '../fake-client.js';
import { ServiceTable, type ServiceTableProps } from './service-table.js';

const services = sampleStatus().services;
const base: ServiceTableProps = {
  services,
  selected: 'backend',
  rows: 3,
  offset: 0,
  width: 100,
  now: Date.parse('2026-01-01T10:02:05.000Z'),
  hyperlinks: false,
};
const frame = (p: Partial<ServiceTableProps> = {}) => render(<ServiceTable {...base} {...p} />).lastFrame() ?? '';

describe('ServiceTable', () => {
  // ink-testing-library's terminal is 100 columns: the sync column gives way first.
  it('lists every column and service with state, health, ports, debug, restarts, sync, uptime', () => {
    const lines = stripAnsi(frame()).split('\n');
    expect(lines[0]).toMatch(/SERVICE\s+STATE\s+HEALTH\s+PORTS\s+DEBUG\s+RESTARTS\s+SYNC\s+UPTIME/);
    expect(lines[1]).toMatch(/postgres\s+● healthy\s+healthy\s+-\s+-\s+0\s+-\s+2m05s/);
    expect(lines[2]).toMatch(
      /▶ backend\s+● healthy\s+healthy\s+127\.0\.0\.1:8000→8000\s+dap 127\.0\.0\.1:5678\s+2\s+3 fil…\s+2m05s/,
    );
    expect(lines[3]).toMatch(/worker\s+✗ exited \(3\)\s+-\s+-\s+-\s+1\s+-\s+-/);
  });

  it('shows every state with its own icon', () => {
    const states = [
      'building',
      'waiting',
      'starting',
      'restarting',
      'completed',
      'stopped',
      'failed',
      'unhealthy',
    ] as const;
    const many = states.map((state) => ({ ...services[0]!, name: state, state }));
    const out = stripAnsi(frame({ services: many, rows: many.length }));
    for (const [state, icon] of [
      ['building', '◐'],
      ['waiting', '…'],
      ['starting', '◌'],
      ['restarting', '↻'],
      ['completed', '✓'],
      ['stopped', '■'],
      ['failed', '✗'],
      ['unhealthy', '▲'],
    ])
      expect(out).toMatch(new RegExp(`${state}\\s+${icon} ${state}`));
  });

  it('links the port that serves the URL when the terminal supports links, and only then', () => {
    const linked = frame({ hyperlinks: true });
    expect(linked).toContain('\x1b]8;;http://127.0.0.1:8000\x1b\\127.0.0.1:8000→8000\x1b]8;;\x1b\\');
    expect(frame({ hyperlinks: false })).not.toContain('\x1b]8;;');
  });

  it('shows a window of a long list around the selection', () => {
    const many = Array.from({ length: 10 }, (_, i) => ({ ...services[0]!, name: `svc${i}` }));
    const out = stripAnsi(frame({ services: many, rows: 3, offset: 5, selected: 'svc6' }));
    expect(out).toContain('svc5');
    expect(out).toContain('▶ svc6');
    expect(out).toContain('svc7');
    expect(out).not.toContain('svc4');
    expect(out).not.toContain('svc8');
  });

  it('gives up port width first in a narrow terminal, never wrapping', () => {
    const lines = stripAnsi(frame({ width: 70 })).split('\n');
    expect(lines).toHaveLength(4);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(70);
    expect(lines[2]).toContain('backend');
  });

  it('says so while there are no services yet', () => {
    expect(stripAnsi(frame({ services: [], rows: 1 }))).toContain('waiting for the daemon to report services');
  });
});
