import type { ProgressEvent } from '@devenv/engine';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { stripAnsi } from '../../output/terminal-text.js';
import { ProgressBars } from './progress-bars.js';

const p = (id: string, patch: Partial<ProgressEvent>): ProgressEvent => ({
  kind: 'progress',
  ts: '2026-01-01T00:00:00.000Z',
  id,
  title: id,
  ...patch,
});
const frame = (progress: ProgressEvent[], rows = 3) =>
  stripAnsi(render(<ProgressBars progress={progress} rows={rows} width={100} />).lastFrame() ?? '');

describe('ProgressBars', () => {
  it('draws a bar with counts and the current step for work of known size', () => {
    const out = frame([
      p('build:backend', {
        title: 'build backend',
        current: 3,
        total: 6,
        unit: 'steps',
        message: 'Step 3/6 : RUN pip install',
      }),
    ]);
    expect(out).toMatch(/◐ build backend\s+\[█{8}░{8}\] 3\/6 steps {2}Step 3\/6 : RUN pip install/);
  });

  it('shows work of unknown size without a bar', () => {
    expect(frame([p('sync:web', { title: 'initial sync web', message: 'scanning' })])).toMatch(
      /◐ initial sync web\s+… {2}scanning/,
    );
  });

  it('shows as many as fit and counts the rest', () => {
    const out = frame(
      ['a', 'b', 'c', 'd'].map((id) => p(`build:${id}`, { title: `build ${id}`, current: 1, total: 2 })),
      2,
    ).split('\n');
    expect(out).toHaveLength(2);
    expect(out[1]).toContain('(+2 more)');
  });

  it('takes no room with nothing in progress', () => {
    expect(frame([], 0)).toBe('');
  });
});
