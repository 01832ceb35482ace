// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Compose `${VAR}` syntax under test, not templates
import { describe, expect, it } from 'vitest';
import { interpolate } from './interpolation.js';

const env: Record<string, string> = { NAME: 'web', EMPTY: '', PORT: '8000' };
const lookup = (n: string) => env[n];
const value = (s: string) => interpolate(s, lookup).value;

describe('interpolate', () => {
  it('substitutes $VAR and ${VAR}', () => {
    expect(value('$NAME-${PORT}')).toBe('web-8000');
    expect(value('a${NAME}b')).toBe('awebb');
  });

  it('applies :- and - defaults to unset and empty variables as Compose does', () => {
    expect(value('${MISSING:-x}')).toBe('x');
    expect(value('${EMPTY:-x}')).toBe('x');
    expect(value('${MISSING-x}')).toBe('x');
    expect(value('${EMPTY-x}')).toBe('');
    expect(value('${NAME:-x}')).toBe('web');
  });

  it('applies :+ and + alternatives', () => {
    expect(value('${NAME:+on}')).toBe('on');
    expect(value('${EMPTY:+on}')).toBe('');
    expect(value('${EMPTY+on}')).toBe('on');
    expect(value('${MISSING+on}')).toBe('');
  });

  it('expands nested expressions inside defaults', () => {
    expect(value('${MISSING:-${NAME}:${PORT}}')).toBe('web:8000');
    expect(value('${MISSING:-${ALSO_MISSING:-deep}}')).toBe('deep');
  });

  it('keeps $$ as a literal dollar and a lone $ as is', () => {
    expect(value('$$NAME costs $5 and $')).toBe('$NAME costs $5 and $');
    expect(value('echo $${HOME}')).toBe('echo ${HOME}');
  });

  it('warns about unset variables and substitutes an empty string', () => {
    const r = interpolate('x=${NOPE} y=$ALSO', lookup);
    expect(r.value).toBe('x= y=');
    expect(r.problems.map((p) => [p.kind, p.name, p.index])).toEqual([
      ['unset', 'NOPE', 2],
      ['unset', 'ALSO', 12],
    ]);
  });

  it('reports :? and ? with the message given', () => {
    const r = interpolate('${DB_PASSWORD:?set a password}', lookup);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ kind: 'required', name: 'DB_PASSWORD', index: 0 });
    expect(r.problems[0]?.message).toContain('set a password');
    expect(interpolate('${EMPTY:?no}', lookup).problems[0]?.kind).toBe('required');
    expect(interpolate('${EMPTY?no}', lookup).problems).toEqual([]);
  });

  it('reports malformed expressions at their $', () => {
    const unclosed = interpolate('image: ${TAG', lookup);
    expect(unclosed.problems).toMatchObject([{ kind: 'syntax', index: 7 }]);
    expect(interpolate('${}', lookup).problems[0]?.kind).toBe('syntax');
    expect(interpolate('${1ABC}', lookup).problems[0]?.kind).toBe('syntax');
    expect(interpolate('${NAME:x}', lookup).problems[0]?.message).toContain('unexpected `:`');
  });

  it('reports a problem in a nested default at its own index', () => {
    const r = interpolate('ab${MISSING:-${NOPE}}', lookup);
    expect(r.problems).toMatchObject([{ kind: 'unset', name: 'NOPE', index: 13 }]);
  });

  it('says whether anything was substituted', () => {
    expect(interpolate('plain', lookup).substituted).toBe(false);
    expect(interpolate('$$', lookup).substituted).toBe(false);
    expect(interpolate('${PORT}', lookup).substituted).toBe(true);
  });
});
