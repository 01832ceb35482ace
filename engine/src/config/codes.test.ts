import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigCode } from './codes.js';

const docs = readFileSync(new URL('../../../docs/config.md', import.meta.url), 'utf8');

describe('ConfigCode', () => {
  it('documents every code in docs/config.md', () => {
    const undocumented = Object.values(ConfigCode).filter((code) => !docs.includes(`\`${code}\``));
    expect(undocumented).toEqual([]);
  });

  it('documents no code that does not exist', () => {
    const mentioned = new Set([...docs.matchAll(/`(config\.[a-z-]+)`/g)].map((m) => m[1]));
    const known = new Set<string>(Object.values(ConfigCode));
    expect([...mentioned].filter((code) => code && !known.has(code))).toEqual([]);
  });

  it('keeps codes stable and kebab-case', () => {
    for (const code of Object.values(ConfigCode)) expect(code).toMatch(/^config\.[a-z]+(-[a-z]+)*$/);
    expect(new Set(Object.values(ConfigCode)).size).toBe(Object.values(ConfigCode).length);
  });
});
