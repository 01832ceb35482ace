// `.vscode/launch.json` with a "Run Both" configuration for the devenv debugger. An existing file
// is JSON with comments: it is edited in place (jsonc-parser), so the user's comments,
// formatting and configurations stay exactly as they were.

import { applyEdits, type FormattingOptions, modify, type ParseError, parse, printParseErrorCode } from 'jsonc-parser';
import { UserError } from '../errors.js';

export const RUN_BOTH = { type: 'devenv', request: 'launch', name: 'Run Both' } as const;

export type LaunchResult =
  | { action: 'create' | 'merge'; text: string }
  | { action: 'unchanged'; reason: string; text: string };

export function mergeLaunchJson(existing: string | undefined, file: string): LaunchResult {
  if (existing === undefined || existing.trim() === '') {
    const text = `${JSON.stringify({ version: '0.2.0', configurations: [RUN_BOTH] }, null, 2)}\n`;
    return { action: 'create', text };
  }
  const errors: ParseError[] = [];
  const value = parse(existing, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0 || value === null || typeof value !== 'object' || Array.isArray(value)) {
    const first = errors[0];
    const at = first ? lineCol(existing, first.offset) : { line: 1, col: 1 };
    throw new UserError({
      code: 'init.launch-json-invalid',
      message: first
        ? `${file} cannot be read as JSON with comments: ${printParseErrorCode(first.error)}`
        : `${file} does not hold a JSON object`,
      location: { file, ...at },
      hint: `fix it (or move it away), then run \`devenv init\` again; nothing was written`,
    });
  }
  const configurations = (value as { configurations?: unknown }).configurations;
  if (configurations !== undefined && !Array.isArray(configurations)) {
    throw new UserError({
      code: 'init.launch-json-invalid',
      message: `\`configurations\` in ${file} is not a list`,
      location: { file, line: 1, col: 1 },
      hint: 'make it a list of configurations, then run `devenv init` again; nothing was written',
    });
  }
  const list = (configurations ?? []) as { type?: unknown; request?: unknown; name?: unknown }[];
  const present = list.find((c) => c && ((c.type === 'devenv' && c.request === 'launch') || c.name === RUN_BOTH.name));
  if (present) {
    const reason =
      present.type === 'devenv'
        ? `it already has a devenv configuration ("${String(present.name)}")`
        : `it already has a configuration named "${RUN_BOTH.name}"`;
    return { action: 'unchanged', reason, text: existing };
  }
  const formattingOptions = formatting(existing);
  const path = configurations === undefined ? ['configurations'] : ['configurations', list.length];
  const edits = modify(existing, path, configurations === undefined ? [RUN_BOTH] : RUN_BOTH, { formattingOptions });
  return { action: 'merge', text: applyEdits(existing, edits) };
}

/** The file's own indentation and line ends, so the added lines look like the rest. */
function formatting(text: string): FormattingOptions {
  const indent = /^([ \t]+)\S/m.exec(text)?.[1] ?? '  ';
  return {
    insertSpaces: !indent.startsWith('\t'),
    tabSize: indent.startsWith('\t') ? 1 : indent.length,
    eol: text.includes('\r\n') ? '\r\n' : '\n',
  };
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: (before[before.length - 1]?.length ?? 0) + 1 };
}
