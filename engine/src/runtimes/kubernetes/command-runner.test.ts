import { describe, expect, it } from 'vitest';
import { RuntimeFailure, UserError } from '../../errors.js';
import { ExecaRunner, formatCommand, RecordingRunner, shellQuote } from './command-runner.js';

describe('formatCommand', () => {
  it('quotes only what a shell would misread', () => {
    expect(shellQuote('kind-devenv')).toBe('kind-devenv');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
    expect(formatCommand({ argv: ['git', 'add', '-A'], env: { GIT_INDEX_FILE: '/s/x index' } })).toBe(
      "GIT_INDEX_FILE='/s/x index' git add -A",
    );
  });
});

describe('ExecaRunner', () => {
  it('runs, feeds stdin, and reports lines', async () => {
    const lines: string[] = [];
    const r = await new ExecaRunner().run(
      { argv: ['sh', '-c', 'cat; echo done >&2'], stdin: 'in\n' },
      { onLine: (l) => lines.push(l) },
    );
    expect(r).toEqual({ stdout: 'in', stderr: 'done', exitCode: 0 });
    expect(lines.sort()).toEqual(['done', 'in']);
  });

  it('turns a missing CLI into a user error with the install hint, a failure into a runtime failure', async () => {
    await expect(new ExecaRunner().run({ argv: ['kind-not-installed-here', 'version'] })).rejects.toBeInstanceOf(
      UserError,
    );
    const failure = await new ExecaRunner()
      .run({ argv: ['sh', '-c', 'echo boom >&2; exit 3'] })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RuntimeFailure);
    expect((failure as RuntimeFailure).message).toBe("failed (exit 3): sh -c 'echo boom >&2; exit 3'");
    expect((failure as RuntimeFailure).hint).toMatch(/boom/);
    expect((await new ExecaRunner().run({ argv: ['sh', '-c', 'exit 2'] }, { allowFailure: true })).exitCode).toBe(2);
  });
});

describe('RecordingRunner', () => {
  it('records, answers by prefix (first match), and fails like the real one', async () => {
    const r = new RecordingRunner()
      .on(['kind', 'get'], { stdout: 'devenv' })
      .on(['kind'], { exitCode: 1, stderr: 'no' });
    expect((await r.run({ argv: ['kind', 'get', 'clusters'] })).stdout).toBe('devenv');
    await expect(r.run({ argv: ['kind', 'delete'] })).rejects.toBeInstanceOf(RuntimeFailure);
    expect((await r.run({ argv: ['docker', 'ps'] })).exitCode).toBe(0);
    expect(r.lines()).toEqual(['kind get clusters', 'kind delete', 'docker ps']);
  });
});
