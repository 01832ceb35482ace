import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { stripAnsi } from '../../output/terminal-text.js';
import { sampleStatus } from '../fake-client.js';
import { KEY_HELP } from '../keys.js';
import { Footer } from './footer.js';

const services = sampleStatus().services;
type Props = Parameters<typeof Footer>[0];
const frame = (p: Partial<Props> = {}) =>
  stripAnsi(
    render(<Footer width={100} editingFilter={false} filter="" services={services} {...p} />).lastFrame() ?? '',
  ).split('\n');

describe('Footer', () => {
  it('lists the keys that fit, `? help` always last', () => {
    const [, keys] = frame();
    expect(keys).toContain('↑↓ select');
    expect(keys).toContain('r restart');
    expect(keys).toContain('q quit  Q down');
    // 100 columns: the rarest keys (resync, time) give way first.
    expect(keys).not.toContain('s resync');
    expect(keys!.trimEnd().endsWith('? help')).toBe(true);
    const narrow = frame({ width: 40 })[1]!;
    expect(narrow.length).toBeLessThanOrEqual(40);
    // Narrow: how to leave and how to get help stay longest.
    expect(narrow.trim()).toBe('↑↓ select  q quit  Q down  ? help');
  });

  it('every footer key is documented in the help', () => {
    expect(KEY_HELP.filter((k) => k.footer).map((k) => k.footer)).toEqual([
      'select',
      'logs',
      'restart',
      'rebuild',
      'resync',
      'debug',
      'open',
      'reset',
      'timeline',
      'filter',
      'time',
      'quit',
      'down',
      'help',
    ]);
  });

  it('shows the filter being typed', () => {
    expect(frame({ editingFilter: true, filter: 'needle' })[0]).toBe(' / needle▏   enter keeps it · esc clears it');
  });

  it('shows a kept filter', () => {
    expect(frame({ filter: 'needle' })[0]).toBe(' filter "needle" · esc clears it');
  });

  it('shows a notice', () => {
    expect(frame({ notice: { text: 'backend restarted', level: 'success', at: 0 } })[0]).toBe(' backend restarted');
  });

  it('shows "stopping…" with how many services are down', () => {
    const stopping = services.map((s, i) => (i === 0 ? { ...s, state: 'stopped' as const, instanceId: undefined } : s));
    expect(frame({ busy: { kind: 'stopping', since: 0 }, services: stopping })[0]).toMatch(
      /^ stopping… \[█{7}░{13}\] 1\/3 services stopped {3}ctrl-c again: leave the rest running$/,
    );
  });

  it('shows a reset in progress', () => {
    expect(frame({ busy: { kind: 'resetting', since: 0 } })[0]).toContain('resetting…');
  });
});
