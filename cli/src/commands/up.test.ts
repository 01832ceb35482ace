import { describe, expect, it } from 'vitest';
import { wantsTui } from './up.js';

const tty = { stdoutTty: true, stdinTty: true };

describe('wantsTui', () => {
  it('is on in a terminal', () => {
    expect(wantsTui({}, tty, {})).toBe(true);
  });

  it('is off without a terminal on either end (CI logs, pipes)', () => {
    expect(wantsTui({}, { stdoutTty: false, stdinTty: true }, {})).toBe(false);
    expect(wantsTui({}, { stdoutTty: true, stdinTty: false }, {})).toBe(false);
  });

  it('is off with --no-tui, --json or --detach', () => {
    expect(wantsTui({ tui: false }, tty, {})).toBe(false);
    expect(wantsTui({ json: true }, tty, {})).toBe(false);
    expect(wantsTui({ detach: true }, tty, {})).toBe(false);
  });

  it('is off under CI, as ink itself would draw only a final frame there', () => {
    expect(wantsTui({}, tty, { CI: 'true' })).toBe(false);
    expect(wantsTui({}, tty, { CI: '' })).toBe(false);
    expect(wantsTui({}, tty, { CONTINUOUS_INTEGRATION: '1' })).toBe(false);
    expect(wantsTui({}, tty, { CI: 'false' })).toBe(true);
    expect(wantsTui({}, tty, { CI: '0' })).toBe(true);
  });
});
