// Hostile input gets a positioned error, quickly: alias bombs, nesting, control characters,
// duplicate keys among many, interpolation that nests or doubles, bytes that are not UTF-8.
import { describe, expect, it } from 'vitest';
import { decodeConfigText } from './config-fs.js';
import { Diagnostics } from './diagnostics.js';
import { parseDotenv } from './dotenv.js';
import { interpolateTree } from './interpolate-tree.js';
import { ExpansionBudget, interpolate } from './interpolation.js';
import { parseYamlSource } from './yaml-source.js';

const parse = (text: string) => parseYamlSource(text, '/p/compose.yaml');

function billionLaughs(levels: number): string {
  const lines = ['x-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < levels; i++)
    lines.push(
      `x-a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return `${lines.join('\n')}\nservices: {}\n`;
}

describe('parse limits', () => {
  it('stops an alias bomb at the alias that expands too far', () => {
    const started = Date.now();
    const r = parse(billionLaughs(9));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(r.root).toBeUndefined();
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code: 'config.too-complex', location: { line: 6 } });
  });

  it('still expands an ordinary anchor used by many services', () => {
    const services = Array.from({ length: 200 }, (_, i) => `  s${i}:\n    <<: *defaults\n    image: img${i}`);
    const r = parse(
      `x-defaults: &defaults\n  restart: always\n  environment: {A: b}\nservices:\n${services.join('\n')}\n`,
    );
    expect(r.diagnostics).toEqual([]);
  });

  it('refuses flow and block nesting deeper than 64 levels before the parser sees it', () => {
    const flow = parse(`services: {}\nx-deep: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    expect(flow.diagnostics[0]).toMatchObject({ code: 'config.too-complex', location: { line: 2, col: 73 } });
    const block = parse(
      `services: {}\nx-deep:\n${Array.from({ length: 400 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')}\n`,
    );
    expect(block.diagnostics[0]).toMatchObject({ code: 'config.too-complex', location: { line: 259 } });
  });

  it('points at a NUL or control character', () => {
    expect(parse('services:\n  web:\n    image: "a\0b"\n').diagnostics[0]).toMatchObject({
      code: 'config.encoding',
      location: { line: 3, col: 14 },
    });
  });

  it('finds a duplicate among 40,000 keys in linear time, at the second one', () => {
    const keys = Array.from({ length: 40_000 }, (_, i) => `x-k${i}: v`).join('\n');
    const started = Date.now();
    const r = parse(`services: {}\n${keys}\nx-k7: again\n`);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(r.diagnostics).toMatchObject([{ code: 'config.duplicate-key', location: { line: 40_002, col: 1 } }]);
  });

  it('limits nesting and size of interpolation, at the `$`', () => {
    const deep = `${'${X:-'.repeat(3000)}end${'}'.repeat(3000)}`;
    const nested = interpolate(deep, () => undefined);
    expect(nested.problems[0]).toMatchObject({ kind: 'limit', index: 32 * 5 });
    const big = 'x'.repeat(600_000);
    const doubled = interpolate('${A}${A}', (n) => (n === 'A' ? big : undefined));
    expect(doubled.problems[0]).toMatchObject({ kind: 'limit' });
    expect(doubled.value).toBe('');
  });

  it('stops a .env whose lines each double the one before, at the line that overflows', () => {
    const lines = [`A0=${'x'.repeat(1000)}`];
    for (let i = 1; i < 60; i++) lines.push(`A${i}=\${A${i - 1}}\${A${i - 1}}`);
    const r = parseDotenv(lines.join('\n'), '/p/.env', (n, sofar) => sofar[n]);
    expect(r.diagnostics[0]).toMatchObject({ code: 'config.interpolation-limit', location: { line: 12, col: 5 } });
  });

  it('shares one expansion budget across a project', () => {
    const diagnostics = new Diagnostics();
    const root = parse(`services:\n  a:\n    image: \${BIG}\n  b:\n    image: \${BIG}\n`).root!;
    interpolateTree(root, {
      lookup: () => 'y'.repeat(600_000),
      diagnostics,
      warnedUnset: new Set(),
      budget: new ExpansionBudget(1_000_000),
    });
    expect(diagnostics.items).toMatchObject([{ code: 'config.interpolation-limit', location: { line: 5 } }]);
  });

  it('names the line and column of the first byte that is not UTF-8', () => {
    const bytes = Buffer.concat([Buffer.from('services:\n  wéb:\n    image: h'), Buffer.from([0xc3, 0x28])]);
    expect(decodeConfigText(bytes)).toEqual({
      problem: { code: 'config.encoding', message: expect.stringContaining('0xc3'), line: 3, col: 13 },
    });
    expect(decodeConfigText(Buffer.from('\uFEFFa: b'))).toEqual({ text: 'a: b' });
  });
});
