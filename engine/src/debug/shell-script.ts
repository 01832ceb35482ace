// Debugger injection inside a `sh -c '…'` script: find the commands (split at ; && || | & and
// newlines), pick the last one that runs a program of the wanted kind (in `alembic upgrade head
// && uvicorn …` that is the server), and edit its words in place so the rest of the script stays
// byte for byte as written. Deliberately small: words, quotes, escapes and operators; no
// expansion, functions or control structures (a command inside `if … fi` is still found).

import type { Edit } from './command-plan.js';

export interface ScriptWord {
  value: string;
  start: number;
  end: number;
}

/** The script's simple commands, each a list of words with their source spans. */
export function scriptCommands(script: string): ScriptWord[][] {
  const commands: ScriptWord[][] = [];
  let current: ScriptWord[] = [];
  let i = 0;
  const flush = () => {
    if (current.length > 0) commands.push(current);
    current = [];
  };
  while (i < script.length) {
    const c = script[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < script.length && script[i] !== '\n') i++;
      continue;
    }
    if (c === '\n' || c === ';' || c === '&' || c === '|' || c === '(' || c === ')') {
      flush();
      i++;
      continue;
    }
    const start = i;
    let value = '';
    while (i < script.length) {
      const d = script[i]!;
      if (' \t\n;&|()'.includes(d)) break;
      if (d === '\\') {
        value += script[i + 1] ?? '';
        i += 2;
      } else if (d === "'") {
        const close = script.indexOf("'", i + 1);
        const stop = close < 0 ? script.length : close;
        value += script.slice(i + 1, stop);
        i = stop + 1;
      } else if (d === '"') {
        i++;
        while (i < script.length && script[i] !== '"') {
          if (script[i] === '\\' && i + 1 < script.length) i++;
          value += script[i];
          i++;
        }
        i++;
      } else {
        value += d;
        i++;
      }
    }
    current.push({ value, start, end: Math.min(i, script.length) });
  }
  flush();
  return commands;
}

/** Leading `VAR=value` assignments of a simple command (the shell's own, not `env`). */
export function assignmentCount(words: readonly ScriptWord[]): number {
  let n = 0;
  while (n < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[n]!.value)) n++;
  return n;
}

export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Apply token edits of one command back onto the script text. */
export function applyScriptEdits(script: string, words: readonly ScriptWord[], edits: readonly Edit[]): string {
  let out = script;
  for (const e of [...edits].sort((a, b) => b.index - a.index)) {
    const text = e.insert.map((x) => (typeof x === 'string' ? shellQuote(x) : x.shell)).join(' ');
    if (e.remove > 0) {
      const from = words[e.index]!.start;
      const to = words[e.index + e.remove - 1]!.end;
      out = out.slice(0, from) + text + out.slice(to);
    } else if (e.index < words.length) {
      const at = words[e.index]!.start;
      out = `${out.slice(0, at)}${text} ${out.slice(at)}`;
    } else {
      const at = words[words.length - 1]!.end;
      out = `${out.slice(0, at)} ${text}${out.slice(at)}`;
    }
  }
  return out;
}
