// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Compose `${VAR}` syntax under test, not templates
import { describe, expect, it } from 'vitest';
import { shellSplit } from './shell-split.js';

const args = (s: string) => {
  const r = shellSplit(s);
  if (!r.ok) throw new Error(r.message);
  return r.args;
};

describe('shellSplit', () => {
  it('splits on whitespace', () => {
    expect(args('  python -m   app\t--reload ')).toEqual(['python', '-m', 'app', '--reload']);
  });

  it('respects single and double quotes, joined to adjacent text', () => {
    expect(args(`sh -c 'echo "hi there"' --name="a b"`)).toEqual(['sh', '-c', 'echo "hi there"', '--name=a b']);
  });

  it('keeps empty quoted arguments', () => {
    expect(args(`cmd '' ""`)).toEqual(['cmd', '', '']);
  });

  it('handles backslash escapes outside and inside double quotes', () => {
    expect(args(String.raw`echo a\ b "x \"y\" \n"`)).toEqual(['echo', 'a b', 'x "y" \\n']);
  });

  it('does not expand variables', () => {
    expect(args('echo $HOME ${X}')).toEqual(['echo', '$HOME', '${X}']);
  });

  it('reports an unclosed quote with its index', () => {
    expect(shellSplit(`echo 'oops`)).toEqual({ ok: false, index: 5, message: 'unclosed single quote' });
    expect(shellSplit('run "x')).toMatchObject({ ok: false, index: 4 });
  });
});
