import type { ConfigDiagnostic } from '@devenv/engine/engine';
import { describe, expect, it } from 'vitest';
import { DiagnosticSeverity } from 'vscode-languageserver';
import { toLspDiagnostics } from './document-diagnostics.js';

const file = '/p/compose.yaml';
const text = 'services:\n  web:\n    portz: [80]\n    restart: sometimes\n';

describe('toLspDiagnostics', () => {
  it('turns 1-based line:col with an end into a 0-based range, code and hint kept', () => {
    const item: ConfigDiagnostic = {
      severity: 'error',
      code: 'config.unknown-key',
      message: 'unknown key `portz` in service `web`',
      hint: 'did you mean `ports`?',
      location: { file, line: 3, col: 5, endLine: 3, endCol: 10 },
    };
    expect(toLspDiagnostics([item], file, text)).toEqual([
      {
        range: { start: { line: 2, character: 4 }, end: { line: 2, character: 9 } },
        severity: DiagnosticSeverity.Error,
        code: 'config.unknown-key',
        source: 'devenv',
        message: 'unknown key `portz` in service `web`\nhint: did you mean `ports`?',
      },
    ]);
  });

  it('underlines the token a position without an end starts on', () => {
    const item: ConfigDiagnostic = {
      severity: 'warning',
      code: 'config.x',
      message: 'odd value',
      location: { file, line: 4, col: 14 },
    };
    const [d] = toLspDiagnostics([item], file, text);
    expect(d?.range).toEqual({ start: { line: 3, character: 13 }, end: { line: 3, character: 22 } });
    expect(d?.severity).toBe(DiagnosticSeverity.Warning);
  });

  it('puts problems located in another file (or nowhere) on the first line, naming where', () => {
    const items: ConfigDiagnostic[] = [
      { severity: 'error', code: 'env.bad', message: 'bad line', location: { file: '/p/.env', line: 2, col: 1 } },
      { severity: 'error', code: 'config.empty', message: 'no services' },
    ];
    const out = toLspDiagnostics(items, file, text);
    expect(out.map((d) => [d.range.start, d.message])).toEqual([
      [{ line: 0, character: 0 }, '/p/.env:2:1: bad line'],
      [{ line: 0, character: 0 }, 'no services'],
    ]);
  });
});
