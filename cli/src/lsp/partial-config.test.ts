import { describe, expect, it } from 'vitest';
import { isPartialConfig } from './partial-config.js';

describe('isPartialConfig', () => {
  const files = ['/p/compose.yaml', '/p/compose.debug.yaml'];

  it('checks the first file of the project and any stand-alone compose file', () => {
    expect(isPartialConfig('/p/compose.yaml', files)).toBe(false);
    expect(isPartialConfig('/p/compose.copy.yaml', files)).toBe(false);
  });

  it('leaves later files and *.override.yaml alone', () => {
    expect(isPartialConfig('/p/compose.debug.yaml', files)).toBe(true);
    expect(isPartialConfig('/q/compose.override.yml', files)).toBe(true);
  });

  it('the first file stays checked even when named like an override', () => {
    expect(isPartialConfig('/p/docker-compose.override.yaml', ['/p/docker-compose.override.yaml'])).toBe(false);
  });
});
