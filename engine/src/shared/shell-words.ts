// Shell words, the one implementation: the POSIX sh rules for quotes and backslashes (no
// expansion of any kind), and quoting a word back so sh reads it unchanged. Two uses:
//   shellSplit      a Compose `command:`/`entrypoint:` string into arguments, as Compose does:
//                   blanks separate words, `;`, `&`, `|` and `#` are ordinary characters;
//   lexShell with operators  a `sh -c` script into words and the operators between commands,
//                   with each word's source span, so debugger injection can edit words in place.
//
// POSIX (XCU 2.2): a backslash outside quotes escapes any character, and backslash-newline is
// a line continuation (removed); inside single quotes nothing is special; inside double quotes a
// backslash escapes only `$`, `` ` ``, `"`, `\` and newline, and stays a backslash before
// anything else ("a\b" is the three characters a\b).

export interface ShellWord {
  value: string;
  /** Source span of the word, quotes included: [start, end). */
  start: number;
  end: number;
}

export type ShellToken =
  | ({ kind: 'word' } & ShellWord)
  | { kind: 'operator'; value: string; start: number; end: number };

export type ShellLexResult = { ok: true; tokens: ShellToken[] } | { ok: false; index: number; message: string };

export type ShellSplitResult = { ok: true; args: string[] } | { ok: false; index: number; message: string };

/** The characters that end a command in a script (operators); each is a token of its own. */
const operatorChars = '\n;&|()';
const blank = (c: string) => c === ' ' || c === '\t' || c === '\r';
/** What a backslash escapes inside double quotes; before anything else it is a literal backslash. */
const escapableInDoubleQuotes = '$`"\\\n';

/**
 * Words (and, with `operators`, the operators `;`, `&`, `|`, `(`, `)` and newline, and no
 * `#` comments) of `input`. An unclosed quote is an error at the quote's index.
 */
export function lexShell(input: string, opts: { operators?: boolean } = {}): ShellLexResult {
  const operators = opts.operators ?? false;
  const tokens: ShellToken[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (blank(c) || (c === '\n' && !operators)) {
      i++;
      continue;
    }
    if (operators && c === '#') {
      while (i < input.length && input[i] !== '\n') i++;
      continue;
    }
    if (operators && operatorChars.includes(c)) {
      tokens.push({ kind: 'operator', value: c, start: i, end: i + 1 });
      i++;
      continue;
    }
    const start = i;
    let value = '';
    while (i < input.length) {
      const d = input[i]!;
      if (blank(d) || d === '\n' || (operators && operatorChars.includes(d))) break;
      if (d === '\\') {
        if (i + 1 < input.length) {
          if (input[i + 1] !== '\n') value += input[i + 1];
          i += 2;
        } else {
          value += d;
          i++;
        }
      } else if (d === "'") {
        const close = input.indexOf("'", i + 1);
        if (close < 0) return { ok: false, index: i, message: 'unclosed single quote' };
        value += input.slice(i + 1, close);
        i = close + 1;
      } else if (d === '"') {
        let j = i + 1;
        while (j < input.length && input[j] !== '"') {
          if (input[j] === '\\' && j + 1 < input.length && escapableInDoubleQuotes.includes(input[j + 1]!)) {
            if (input[j + 1] !== '\n') value += input[j + 1];
            j += 2;
          } else {
            value += input[j];
            j++;
          }
        }
        if (j >= input.length) return { ok: false, index: i, message: 'unclosed double quote' };
        i = j + 1;
      } else {
        value += d;
        i++;
      }
    }
    tokens.push({ kind: 'word', value, start, end: i });
  }
  return { ok: true, tokens };
}

/** A Compose command string as arguments (Compose's shell-words split: no operators, no expansion). */
export function shellSplit(input: string): ShellSplitResult {
  const lexed = lexShell(input);
  if (!lexed.ok) return lexed;
  return { ok: true, args: lexed.tokens.map((t) => t.value) };
}

/** The word as sh reads it back unchanged: bare when it is plain, in single quotes otherwise. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
