import { describe, expect, it } from 'vitest';
import { chooseServer, type ServerCommand, terminalCommandLine } from './server-command.js';

const lookup = (
  files: string[],
  path: Record<string, string> = {},
  opts: { links?: Record<string, string>; protocols?: Record<string, number> } = {},
) => ({
  exists: (p: string) => files.includes(p),
  which: (n: string) => path[n],
  realpath: (p: string) => opts.links?.[p] ?? p,
  protocolOf: async (c: ServerCommand) => opts.protocols?.[c.kind === 'node' ? c.script : c.command],
});
const bundled = { script: '/ext/dist/devenv/bin/devenv.js', protocol: 1 };
const withBundle = (files: string[]) => [...files, bundled.script];

describe('chooseServer', () => {
  it('prefers the setting; a .js runs under node, relative to the folder', async () => {
    expect(await chooseServer('tools/devenv.js', '/w', lookup(['/w/tools/devenv.js']), bundled)).toMatchObject({
      command: { kind: 'node', script: '/w/tools/devenv.js', args: ['lsp'] },
      source: 'setting',
      why: 'the devenv.path setting (tools/devenv.js)',
    });
    expect(await chooseServer('/opt/devenv/bin/devenv', '/w', lookup([]), bundled)).toMatchObject({
      command: { kind: 'exec', command: '/opt/devenv/bin/devenv', args: ['lsp'] },
    });
    expect(
      await chooseServer('devenv-dev', '/w', lookup([], { 'devenv-dev': '/usr/bin/devenv-dev' }), bundled),
    ).toMatchObject({ command: { command: '/usr/bin/devenv-dev' } });
  });

  it('then the workspace’s own: this repository’s cli/bin, or node_modules/.bin (run under node)', async () => {
    const path = { devenv: '/usr/local/bin/devenv' };
    expect(await chooseServer(undefined, '/w', lookup(['/w/cli/bin/devenv.js'], path), bundled)).toMatchObject({
      command: { kind: 'node', script: '/w/cli/bin/devenv.js' },
      source: 'workspace',
    });
    const links = { '/w/node_modules/.bin/devenv': '/w/node_modules/@devenv-cli/devenv/bin/devenv.js' };
    expect(
      await chooseServer(undefined, '/w', lookup(['/w/node_modules/.bin/devenv'], path, { links }), bundled),
    ).toMatchObject({
      command: { kind: 'node', script: '/w/node_modules/@devenv-cli/devenv/bin/devenv.js' },
      source: 'workspace',
      why: "the workspace's own devenv (node_modules/.bin/devenv)",
    });
  });

  it('then devenv on PATH when it speaks this protocol', async () => {
    const links = { '/usr/local/bin/devenv': '/usr/local/lib/node_modules/@devenv-cli/devenv/bin/devenv.js' };
    const l = lookup(
      withBundle([]),
      { devenv: '/usr/local/bin/devenv' },
      {
        links,
        protocols: { '/usr/local/lib/node_modules/@devenv-cli/devenv/bin/devenv.js': 1 },
      },
    );
    expect(await chooseServer('', '/x', l, bundled)).toEqual({
      command: { kind: 'node', script: '/usr/local/lib/node_modules/@devenv-cli/devenv/bin/devenv.js', args: ['lsp'] },
      source: 'path',
      why: 'devenv on PATH (/usr/local/bin/devenv, protocol 1)',
    });
  });

  it('else the bundled one, saying why', async () => {
    const path = { devenv: '/opt/bin/devenv' };
    expect(await chooseServer(undefined, '/x', lookup(withBundle([])), bundled)).toEqual({
      command: { kind: 'node', script: bundled.script, args: ['lsp'] },
      source: 'bundled',
      why: 'the devenv bundled with this extension (no devenv in the workspace or on PATH)',
    });
    expect(
      await chooseServer(
        undefined,
        '/x',
        lookup(withBundle([]), path, { protocols: { '/opt/bin/devenv': 2 } }),
        bundled,
      ),
    ).toMatchObject({
      source: 'bundled',
      why: 'the devenv bundled with this extension (devenv on PATH (/opt/bin/devenv) speaks protocol 2, this extension 1)',
    });
    expect(await chooseServer(undefined, '/x', lookup(withBundle([]), path), bundled)).toMatchObject({
      source: 'bundled',
      why: expect.stringContaining('does not say which protocol it speaks'),
    });
  });

  it('finds nothing when there is nothing (an extension built without its bundle)', async () => {
    expect(await chooseServer(undefined, '/w', lookup([]), bundled)).toBeUndefined();
  });
});

describe('terminalCommandLine', () => {
  const cmd = { kind: 'node' as const, script: '/w/cli/bin/devenv.js', args: [] };
  it('quotes what the shell would split', () => {
    expect(terminalCommandLine(cmd, ['-f', '/my dir/compose.yaml', 'up'])).toBe(
      "node /w/cli/bin/devenv.js -f '/my dir/compose.yaml' up",
    );
  });

  it('runs a .js under the editor’s own runtime', () => {
    expect(terminalCommandLine(cmd, ['up'], { execPath: '/usr/share/code/code', electron: true })).toBe(
      'ELECTRON_RUN_AS_NODE=1 /usr/share/code/code /w/cli/bin/devenv.js up',
    );
    expect(terminalCommandLine(cmd, ['up'], { execPath: '/opt/code-server/lib/node', electron: false })).toBe(
      '/opt/code-server/lib/node /w/cli/bin/devenv.js up',
    );
  });
});
