// Splits a command string into arguments the way Compose does for `command:` and `entrypoint:`
// given as strings: POSIX shell word rules (quotes, backslashes), but no expansion of any kind.

export type ShellSplitResult = { ok: true; args: string[] } | { ok: false; index: number; message: string };

export function shellSplit(input: string): ShellSplitResult {
  const args: string[] = [];
  let current = '';
  let inWord = false;
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) args.push(current);
      current = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (c === '\\') {
      if (i + 1 < input.length) {
        if (input[i + 1] !== '\n') current += input[i + 1];
        i += 2;
      } else {
        current += c;
        i++;
      }
      continue;
    }
    if (c === "'") {
      const close = input.indexOf("'", i + 1);
      if (close < 0) return { ok: false, index: i, message: 'unclosed single quote' };
      current += input.slice(i + 1, close);
      i = close + 1;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let closed = false;
      while (j < input.length) {
        const d = input[j];
        if (d === '"') {
          closed = true;
          break;
        }
        if (d === '\\' && j + 1 < input.length && '"\\$`\n'.includes(input[j + 1] as string)) {
          if (input[j + 1] !== '\n') current += input[j + 1];
          j += 2;
          continue;
        }
        current += d;
        j++;
      }
      if (!closed) return { ok: false, index: i, message: 'unclosed double quote' };
      i = j + 1;
      continue;
    }
    current += c;
    i++;
  }
  if (inWord) args.push(current);
  return { ok: true, args };
}
