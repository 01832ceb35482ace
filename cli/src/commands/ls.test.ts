import { describe, expect, it } from 'vitest';
import { type EnvironmentRow, lsTable, stateCounts } from './ls.js';

const row = (over: Partial<EnvironmentRow>): EnvironmentRow => ({
  project: 'shop',
  projectDir: '/srv/shop',
  files: ['/srv/shop/compose.yaml'],
  runtime: 'docker',
  state: 'running',
  detail: '',
  daemonPid: 42,
  services: [],
  ...over,
});

describe('devenv ls', () => {
  it('counts services per state, in the order they come', () => {
    expect(
      stateCounts([{ state: 'healthy' }, { state: 'completed' }, { state: 'healthy' }, { state: 'starting' }]),
    ).toBe('2 healthy, 1 completed, 1 starting');
    expect(stateCounts([])).toBe('');
  });

  it('prints project, directory, runtime and state in aligned columns', () => {
    expect(
      lsTable([
        row({ detail: '5 healthy, 1 completed' }),
        row({ project: 'blog', projectDir: '/home/me/blog', runtime: 'process', state: 'stopped', daemonPid: null }),
        row({ project: 'old', projectDir: '/gone', state: 'unknown', detail: 'no compose.yaml in /gone' }),
      ]),
    ).toBe(
      [
        'PROJECT  DIRECTORY      RUNTIME  STATE',
        'shop     /srv/shop      docker   running (5 healthy, 1 completed)',
        'blog     /home/me/blog  process  stopped',
        'old      /gone          docker   unknown (no compose.yaml in /gone)',
      ].join('\n'),
    );
  });
});
