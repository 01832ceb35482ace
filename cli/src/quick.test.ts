import { describe, expect, it } from 'vitest';
import { parseQuickArgs } from './quick.js';

describe('parseQuickArgs', () => {
  it('takes `status` and `ps`, with or without --json', () => {
    expect(parseQuickArgs(['status'])).toEqual({ globals: {}, command: 'status', json: false });
    expect(parseQuickArgs(['ps', '--json'])).toEqual({ globals: {}, command: 'status', json: true });
  });

  it('takes the global options in both spellings, repeatable ones repeated', () => {
    expect(
      parseQuickArgs([
        '-f',
        'a.yaml',
        '--file=b.yaml',
        '--project-dir',
        '/p',
        '-p',
        'shop',
        '--profile',
        'debug',
        '--runtime=process',
        'status',
        '--json',
      ]),
    ).toEqual({
      globals: {
        file: ['a.yaml', 'b.yaml'],
        projectDir: '/p',
        projectName: 'shop',
        profile: ['debug'],
        runtime: 'process',
      },
      command: 'status',
      json: true,
    });
  });

  it('leaves everything else to the full CLI', () => {
    for (const argv of [
      [],
      ['up'],
      ['status', '--help'],
      ['--help', 'status'],
      ['status', '-h'],
      ['status', 'extra'],
      ['status', '--json=yes'],
      ['status', '--bogus'],
      ['-f'],
      ['-f', '--json', 'status'],
      ['--runtime', 'podman', 'status'],
      ['--version'],
      ['logs', 'status'],
      ['status=1'],
    ]) {
      expect(parseQuickArgs(argv), argv.join(' ')).toBeUndefined();
    }
  });
});
