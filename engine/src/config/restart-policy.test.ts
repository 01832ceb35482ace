import { describe, expect, it } from 'vitest';
import { parseRestartPolicy } from './restart-policy.js';

describe('parseRestartPolicy', () => {
  it('reads the four policies and on-failure retries', () => {
    expect(parseRestartPolicy('no')).toEqual({ ok: true, policy: { name: 'no' } });
    expect(parseRestartPolicy('unless-stopped')).toEqual({ ok: true, policy: { name: 'unless-stopped' } });
    expect(parseRestartPolicy('on-failure:3')).toEqual({ ok: true, policy: { name: 'on-failure', maxRetries: 3 } });
  });

  it('suggests the nearest policy for a typo', () => {
    expect(parseRestartPolicy('allways')).toMatchObject({ ok: false, hint: expect.stringContaining('`always`') });
    expect(parseRestartPolicy('on-failure:x')).toMatchObject({ ok: false, hint: 'write e.g. `on-failure:3`' });
  });
});
