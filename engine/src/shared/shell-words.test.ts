// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Compose `${VAR}` syntax under test, not templates
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { lexShell, shellQuote, shellSplit } from './shell-words.js';

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

describe('POSIX word rules, as /bin/sh reads them', () => {
  // Inputs without expansions ($, `, globs, ~), so sh's words come from its quote and backslash
  // rules alone; `set -f` keeps globbing out of it too.
  const inputs = [
    String.raw`"a\b"`, // in double quotes a backslash before an ordinary character stays
    String.raw`"a\\b" "c\"d" 'e\f'`,
    String.raw`x\ y "\'" '\"'`,
    'one\\\ntwo', // backslash-newline outside quotes: a continuation, removed
    '"line\\\nnext"', // and inside double quotes too
    `--opt="a b"c'd e'`,
  ];

  it.each(inputs)('splits %j like sh', (input) => {
    const sh = execFileSync('/bin/sh', ['-c', `set -f; set -- ${input}; printf '%s\\0' "$@"`], { encoding: 'utf8' })
      .split('\0')
      .slice(0, -1);
    expect(args(input)).toEqual(sh);
  });
});

describe('lexShell with operators (sh -c scripts)', () => {
  it('splits commands at operators and newlines, skips comments, and keeps each word’s span', () => {
    const script = 'alembic upgrade head && uvicorn "app:app" --port 80 # serve\nexit';
    const lexed = lexShell(script, { operators: true });
    if (!lexed.ok) throw new Error(lexed.message);
    expect(lexed.tokens.map((t) => (t.kind === 'word' ? t.value : `<${t.value === '\n' ? 'nl' : t.value}>`))).toEqual([
      'alembic',
      'upgrade',
      'head',
      '<&>',
      '<&>',
      'uvicorn',
      'app:app',
      '--port',
      '80',
      '<nl>',
      'exit',
    ]);
    const app = lexed.tokens[6]!;
    expect(script.slice(app.start, app.end)).toBe('"app:app"');
  });

  it('reports an unclosed quote, which scripts never get past', () => {
    expect(lexShell('echo "x; y', { operators: true })).toEqual({
      ok: false,
      index: 5,
      message: 'unclosed double quote',
    });
  });
});

describe('shellQuote', () => {
  it('leaves plain words bare and quotes the rest so the split gives them back', () => {
    expect(shellQuote('--port=8000')).toBe('--port=8000');
    expect(shellQuote('')).toBe("''");
    const words = ['a b', "it's", '$HOME', '"q"', 'back\\slash', '', 'tab\there', 'new\nline', '*'];
    expect(args(words.map(shellQuote).join(' '))).toEqual(words);
  });
});
