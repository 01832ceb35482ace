// `devenv init [--force] [--dry-run] [--json]`: detect the repository's services and write
// compose.yaml and the VS Code "Run Both" launch configuration. Works without a daemon.

import { ExitCode, UserError } from '@devenv/engine';
import type { InitFile, InitResult } from '@devenv/engine/engine';
import type { GlobalOptions } from '../context.js';
import { withCommands } from '../output/hints.js';

export interface InitCommandOptions extends GlobalOptions {
  force?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

export async function initCommand(opts: InitCommandOptions): Promise<number> {
  if (opts.file?.length) {
    throw new UserError({
      code: 'cli.init-file',
      message: 'devenv init always writes compose.yaml in the project directory; it takes no `-f`',
      hint: 'run it in the repository, or pass `--project-dir <dir>`',
    });
  }
  const { initProject } = await import('@devenv/engine/engine');
  const result = await initProject({
    dir: opts.projectDir ?? process.cwd(),
    force: opts.force ?? false,
    dryRun: opts.dryRun ?? false,
  });
  process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : initReport(result));
  return ExitCode.ok;
}

/** The summary: detected services with their evidence, notes, then the files written (or, dry, their text). */
export function initReport(result: InitResult): string {
  const out: string[] = [];
  const count = result.services.length;
  out.push(`detected ${count} service${count === 1 ? '' : 's'} in ${result.dir}:`);
  out.push(
    table([
      ['SERVICE', 'KIND', 'EVIDENCE'],
      ...result.services.map((s) => [
        s.name,
        s.kind,
        s.evidence.map((e, i) => `${e.file}:${e.line}${i === 0 ? ` (${e.note})` : ''}`).join(', '),
      ]),
    ]),
  );
  if (result.notes.length > 0) {
    out.push('', 'notes:', ...result.notes.map((n) => `  - ${n}`));
  }
  out.push('');
  if (result.written) {
    out.push('wrote:');
    const rows = [
      ...result.backups.map((b) => [b.to, `(the previous ${b.from}, moved aside by --force)`]),
      ...result.files.map((f) => [f.path, describe(f)]),
    ];
    out.push(table(rows));
    out.push('', withCommands('next: `devenv up`'));
  } else {
    for (const b of result.backups) out.push(`would move ${b.from} to ${b.to}`);
    for (const f of result.files) {
      out.push(`--- ${f.path} (${f.action === 'unchanged' ? `unchanged: ${f.reason}` : `would be ${f.action}d`}) ---`);
      if (f.action !== 'unchanged') out.push(f.text.trimEnd());
    }
    out.push(
      '',
      withCommands('dry run: nothing was written; run `devenv init` without --dry-run to write these files'),
    );
  }
  return `${out.join('\n')}\n`;
}

function describe(f: InitFile): string {
  switch (f.action) {
    case 'create':
      return '(new)';
    case 'merge':
      return '(added the "Run Both" configuration; everything else kept)';
    case 'unchanged':
      return `(unchanged: ${f.reason})`;
  }
}

function table(rows: string[][]): string {
  const widths = (rows[0] as string[]).map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number)))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `  ${line}`)
    .join('\n');
}
