import { describe, expect, it } from 'vitest';
import { serverCommand, terminalCommandLine } from './server-command.js';

const lookup = (files: string[], path: Record<string, string> = {}) => ({
  exists: (p: string) => files.includes(p),
  which: (n: string) => path[n],
});

describe('serverCommand', () => {
  it('prefers the setting; a .js runs under node, relative to the folder', () => {
    expect(serverCommand('tools/devenv.js', '/w', lookup(['/w/tools/devenv.js']))).toEqual({
      kind: 'node',
      script: '/w/tools/devenv.js',
      args: ['lsp'],
    });
    expect(serverCommand('/opt/devenv/bin/devenv', '/w', lookup([]))).toEqual({
      kind: 'exec',
      command: '/opt/devenv/bin/devenv',
      args: ['lsp'],
    });
    expect(serverCommand('devenv-dev', '/w', lookup([], { 'devenv-dev': '/usr/bin/devenv-dev' }))).toMatchObject({
      command: '/usr/bin/devenv-dev',
    });
  });

  it('uses the workspace’s own CLI before PATH', () => {
    const l = lookup(['/w/cli/bin/devenv.js'], { devenv: '/usr/local/bin/devenv' });
    expect(serverCommand(undefined, '/w', l)).toMatchObject({ kind: 'node', script: '/w/cli/bin/devenv.js' });
    expect(serverCommand('', '/x', l)).toMatchObject({ kind: 'exec', command: '/usr/local/bin/devenv' });
  });

  it('finds nothing when there is nothing', () => {
    expect(serverCommand(undefined, '/w', lookup([]))).toBeUndefined();
  });
});

describe('terminalCommandLine', () => {
  it('quotes what the shell would split', () => {
    expect(
      terminalCommandLine({ kind: 'node', script: '/w/cli/bin/devenv.js', args: [] }, [
        '-f',
        '/my dir/compose.yaml',
        'up',
      ]),
    ).toBe("node /w/cli/bin/devenv.js -f '/my dir/compose.yaml' up");
  });
});
