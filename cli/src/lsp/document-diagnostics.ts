// The config loader's problems as LSP diagnostics: the same code, message and `file:line:col`
// the CLI prints, placed on the text they point at.

import type { ConfigDiagnostic } from '@devenv/engine/engine';
import { type Diagnostic, DiagnosticSeverity } from 'vscode-languageserver';

/**
 * Diagnostics for one file. Problems located in another file (a `.env` beside it) are shown
 * at the top of this one, with their own location in the message, so none is lost.
 */
export function toLspDiagnostics(items: readonly ConfigDiagnostic[], file: string, text: string): Diagnostic[] {
  const lines = text.split('\n');
  return items.map((item) => {
    const here = item.location?.file === file ? item.location : undefined;
    const elsewhere =
      item.location && !here ? `${item.location.file}:${item.location.line}:${item.location.col}: ` : '';
    const startLine = here ? Math.max(0, here.line - 1) : 0;
    const startChar = here ? Math.max(0, here.col - 1) : 0;
    const end =
      here?.endLine !== undefined && here.endCol !== undefined
        ? { line: here.endLine - 1, character: here.endCol - 1 }
        : { line: startLine, character: tokenEnd(lines[startLine] ?? '', startChar) };
    const diagnostic: Diagnostic = {
      range: { start: { line: startLine, character: startChar }, end },
      severity: item.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
      code: item.code,
      source: 'devenv',
      message: `${elsewhere}${item.message}${item.hint ? `\nhint: ${item.hint}` : ''}`,
    };
    return diagnostic;
  });
}

/** A problem without an end underlines the token it starts on (at least one character). */
function tokenEnd(line: string, start: number): number {
  const rest = line.slice(start);
  const token = /^[^\s:#,[\]{}]+/.exec(rest);
  return start + Math.max(1, token?.[0].length ?? rest.trimEnd().length);
}
