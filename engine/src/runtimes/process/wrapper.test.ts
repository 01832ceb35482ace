import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitStatus, normaliseSignal, WRAPPER_SHELL, wrapperArgs } from './wrapper.js';

const scratch: string[] = [];
/** A temp directory removed after the file's tests. */
function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `devenv-unit-${prefix}`));
  scratch.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

describe('wrapper helpers', () => {
  it('normalises stop signals', () => {
    expect(normaliseSignal('SIGINT')).toBe('SIGINT');
    expect(normaliseSignal('int')).toBe('SIGINT');
    expect(normaliseSignal('15')).toBe('SIGTERM');
    expect(normaliseSignal('SIGNOPE')).toBeUndefined();
    expect(normaliseSignal(undefined)).toBeUndefined();
  });

  it('reports signals as 128 + N', () => {
    expect(exitStatus(0, null)).toBe(0);
    expect(exitStatus(null, 'SIGKILL')).toBe(137);
    expect(exitStatus(null, 'SIGTERM')).toBe(143);
  });

  it('runs the command with its arguments intact and writes its status to fd 3, not to the command', () => {
    const dir = scratchDir('wrap-');
    const exitFile = join(dir, 'exit');
    const res = spawnSync(
      '/bin/sh',
      [
        '-c',
        `exec 4>"${exitFile}"; exec "$@" 3>&4 4>&-`,
        'x',
        WRAPPER_SHELL,
        ...wrapperArgs('svc', [
          'sh',
          '-c',
          'printf "%s|" "$@"; [ -e /dev/fd/3 ] && echo fd3-leaked; exit 7',
          'sh',
          'a b',
          '',
          '$HOME',
        ]),
      ],
      { encoding: 'utf8' },
    );
    expect(res.stdout).toBe('a b||$HOME|');
    expect(res.status).toBe(7);
    expect(readFileSync(exitFile, 'utf8')).toBe('7\n');
  });
});
