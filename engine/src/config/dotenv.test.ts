// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Compose `${VAR}` syntax under test, not templates
import { describe, expect, it } from 'vitest';
import { parseDotenv } from './dotenv.js';

const outside: Record<string, string> = { HOST_VAR: 'from-host' };
const parse = (text: string) => parseDotenv(text, '/p/.env', (name, sofar) => sofar[name] ?? outside[name]);

describe('parseDotenv', () => {
  it('reads KEY=VALUE lines, comments, blank lines and the export prefix', () => {
    const r = parse('# top\nA=1\n\nexport B=two\n  C = spaced  \nD=\n');
    expect(r.values).toEqual({ A: '1', B: 'two', C: 'spaced', D: '' });
    expect(r.diagnostics).toEqual([]);
  });

  it('strips inline comments only after whitespace', () => {
    expect(parse('A=value # note\nB=a#b\n').values).toEqual({ A: 'value', B: 'a#b' });
  });

  it('keeps single quotes literal and processes double-quote escapes', () => {
    const r = parse(`A='\${HOST_VAR} # kept'\nB="line\\nnext \\"q\\" \\$HOST_VAR"\n`);
    expect(r.values).toEqual({ A: '${HOST_VAR} # kept', B: 'line\nnext "q" $HOST_VAR' });
  });

  it('lets double-quoted values span lines', () => {
    expect(parse('CERT="a\nb"\nNEXT=1\n').values).toEqual({ CERT: 'a\nb', NEXT: '1' });
  });

  it('interpolates unquoted and double-quoted values from earlier entries and the lookup', () => {
    const r = parse('BASE=/srv\nDATA=${BASE}/data\nH="$HOST_VAR"\nDEF=${NOPE:-d}\n');
    expect(r.values).toEqual({ BASE: '/srv', DATA: '/srv/data', H: 'from-host', DEF: 'd' });
  });

  it('takes a bare KEY from the lookup and skips it when unset', () => {
    expect(parse('HOST_VAR\nNOT_SET\n').values).toEqual({ HOST_VAR: 'from-host' });
  });

  it('reports bad lines with their position', () => {
    const r = parse('A=1\n  1BAD=x\nB 2\n');
    expect(r.diagnostics.map((d) => [d.code, d.location?.line, d.location?.col])).toEqual([
      ['config.dotenv-syntax', 2, 3],
      ['config.dotenv-syntax', 3, 3],
    ]);
    expect(r.values).toEqual({ A: '1' });
  });

  it('reports an unclosed quote', () => {
    const r = parse('A="open\n');
    expect(r.diagnostics[0]).toMatchObject({ code: 'config.dotenv-syntax', location: { line: 1, col: 3 } });
  });
});
