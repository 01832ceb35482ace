// Debugger injection inside a `sh -c '…'` script: find the commands (split at ; && || | & and
// newlines), pick the last one that runs a program of the wanted kind (in `alembic upgrade head
// && uvicorn …` that is the server), and edit its words in place so the rest of the script stays
// byte for byte as written. Deliberately small: words, quotes, escapes and operators; no
// expansion, functions or control structures (a command inside `if … fi` is still found).

import { lexShell, type ShellWord, shellQuote } from '../shared/shell-words.js';
import type { Edit } from './command-plan.js';

export type ScriptWord = ShellWord;

/**
 * The script's simple commands, each a list of words with their source spans (POSIX word rules,
 * shared/shell-words.ts). A script sh could not read (an unclosed quote) has none: nothing in it
 * is edited.
 */
export function scriptCommands(script: string): ScriptWord[][] {
  const lexed = lexShell(script, { operators: true });
  if (!lexed.ok) return [];
  const commands: ScriptWord[][] = [];
  let current: ScriptWord[] = [];
  for (const token of lexed.tokens) {
    if (token.kind === 'word') {
      current.push({ value: token.value, start: token.start, end: token.end });
    } else if (current.length > 0) {
      commands.push(current);
      current = [];
    }
  }
  if (current.length > 0) commands.push(current);
  return commands;
}

/** Leading `VAR=value` assignments of a simple command (the shell's own, not `env`). */
export function assignmentCount(words: readonly ScriptWord[]): number {
  let n = 0;
  while (n < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[n]!.value)) n++;
  return n;
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
