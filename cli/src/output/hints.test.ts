import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ResponseError } from 'vscode-jsonrpc';
import {
  configureHints,
  devenvCommand,
  errorWithCommands,
  eventWithCommands,
  type HintSetting,
  invocation,
  withCommands,
} from './hints.js';

/** A fake install: a bin/devenv.js, and a directory to put a `devenv` link in. */
function install() {
  const root = mkdtempSync(join(tmpdir(), 'devenv-hints-'));
  const bin = join(root, 'pkg', 'bin', 'devenv.js');
  mkdirSync(join(root, 'pkg', 'bin'), { recursive: true });
  writeFileSync(bin, '#!/usr/bin/env node\n');
  chmodSync(bin, 0o755);
  return { root, bin };
}

function setting(over: Partial<HintSetting> & { bin: string }): HintSetting {
  return { selection: {}, cwd: '/work/project', env: { PATH: '/nowhere' }, ...over };
}

afterEach(() => configureHints({}));

describe('invocation: how the reader starts this very CLI', () => {
  it('`devenv` when that name on PATH is this CLI (a global install links it)', () => {
    const { root, bin } = install();
    mkdirSync(join(root, 'prefix', 'bin'), { recursive: true });
    symlinkSync(bin, join(root, 'prefix', 'bin', 'devenv'));
    expect(invocation(setting({ bin, env: { PATH: `/usr/bin:${join(root, 'prefix', 'bin')}` } }))).toBe('devenv');
  });

  it('not `devenv` when the first devenv on PATH is another one', () => {
    const { root, bin } = install();
    mkdirSync(join(root, 'other'), { recursive: true });
    writeFileSync(join(root, 'other', 'devenv'), '');
    expect(invocation(setting({ bin, env: { PATH: join(root, 'other') } }))).toBe(`node ${bin}`);
  });

  it('`npx devenv` inside a project whose node_modules/.bin has it; npm’s own PATH entry does not count', () => {
    const { root, bin } = install();
    const project = join(root, 'project');
    mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
    mkdirSync(join(project, 'sub'), { recursive: true });
    symlinkSync(bin, join(project, 'node_modules', '.bin', 'devenv'));
    const env = { PATH: join(project, 'node_modules', '.bin') };
    expect(invocation(setting({ bin, cwd: join(project, 'sub'), env }))).toBe('npx devenv');
    expect(invocation(setting({ bin, cwd: root, env }))).toBe(`node ${bin}`);
  });

  it('quotes a path with spaces', () => {
    expect(invocation(setting({ bin: '/opt/my tools/bin/devenv.js' }))).toBe("node '/opt/my tools/bin/devenv.js'");
  });
});

describe('commands in messages carry the selection the user typed', () => {
  const { bin } = install();
  const configure = (selection: HintSetting['selection'], more: Partial<HintSetting> = {}) =>
    configureHints(selection, { cwd: '/work/project', env: { PATH: '/nowhere' }, bin, ...more });

  it('adds -f, --project-dir, -p, --profile and --runtime in order, before the command', () => {
    configure({
      file: ['a.yaml', 'ops/b.yaml'],
      projectDir: '.',
      projectName: 'shop',
      profile: ['debug'],
      runtime: 'process',
    });
    expect(devenvCommand('down')).toBe(
      `node ${bin} --project-dir . -f a.yaml -f ops/b.yaml -p shop --profile debug --runtime process down`,
    );
    expect(withCommands('running in the background; `devenv down` stops it')).toBe(
      `running in the background; \`node ${bin} --project-dir . -f a.yaml -f ops/b.yaml -p shop --profile debug --runtime process down\` stops it`,
    );
  });

  it('leaves --runtime auto out, and quotes what the shell would split', () => {
    configure({ file: ['my stack.yaml'], runtime: 'auto' });
    expect(devenvCommand('logs', 'web')).toBe(`node ${bin} -f 'my stack.yaml' logs web`);
  });

  it('keeps the arguments after the command, and rewrites every command in the text', () => {
    configure({ projectName: 'shop' });
    expect(withCommands('run `devenv up backend` first; `devenv logs` shows why')).toBe(
      `run \`node ${bin} -p shop up backend\` first; \`node ${bin} -p shop logs\` shows why`,
    );
  });

  it('rewrites a message that is itself a command (a next step)', () => {
    configure({ projectName: 'shop' });
    expect(withCommands('devenv doctor')).toBe(`node ${bin} -p shop doctor`);
    expect(withCommands('devenv reset --hard')).toBe(`node ${bin} -p shop reset --hard`);
  });

  it('leaves prose, keys and names alone', () => {
    configure({ projectName: 'shop' });
    for (const text of [
      'devenv reads standard Compose files: see docs/config.md',
      'set `devenv.path` in the settings',
      'add `x-devenv.debug: false`',
      'devenv hit a bug: boom',
    ]) {
      expect(withCommands(text)).toBe(text);
    }
  });

  it('gives init only --project-dir (it takes no -f), ls and lsp nothing', () => {
    configure({ file: ['a.yaml'], projectDir: 'app', projectName: 'shop' });
    expect(withCommands('`devenv init`')).toBe(`\`node ${bin} --project-dir app init\``);
    expect(withCommands('`devenv ls`')).toBe(`\`node ${bin} ls\``);
  });

  it('a command that already names its environment gets no second selection', () => {
    configure({ projectName: 'shop' });
    expect(withCommands('`devenv --project-dir /srv/a -p shop down`')).toBe(
      `\`node ${bin} --project-dir /srv/a -p shop down\``,
    );
  });

  it('a hint that names some global options itself keeps them and gets the rest of the selection', () => {
    configure({ projectName: 'shop', runtime: 'process' });
    expect(withCommands('use the Docker runtime: `devenv --runtime docker up`')).toBe(
      `use the Docker runtime: \`node ${bin} -p shop --runtime docker up\``,
    );
  });

  it('is idempotent when the reader types plain `devenv`', () => {
    const { root, bin: own } = install();
    mkdirSync(join(root, 'prefix'), { recursive: true });
    symlinkSync(own, join(root, 'prefix', 'devenv'));
    configureHints({ file: ['a.yaml'] }, { cwd: '/work/project', env: { PATH: join(root, 'prefix') }, bin: own });
    const once = withCommands('`devenv down` stops it');
    expect(once).toBe('`devenv -f a.yaml down` stops it');
    expect(withCommands(once)).toBe(once);
  });

  it('under an npm script, relative paths are written for the directory npm ran in (INIT_CWD)', () => {
    configure(
      { file: ['compose/reference/compose.yaml'] },
      { cwd: '/repo', env: { PATH: '/nowhere', INIT_CWD: '/repo/example', npm_lifecycle_event: 'up' } },
    );
    expect(devenvCommand('down')).toBe(`node ${bin} -f ../compose/reference/compose.yaml down`);
  });

  it('rewrites the texts of events and of daemon errors', () => {
    configure({ projectName: 'shop' });
    const cmd = `node ${bin} -p shop logs`;
    const e = eventWithCommands({
      kind: 'diagnostic',
      ts: '',
      severity: 'warning',
      code: 'x',
      message: 'sync stopped',
      hint: '`devenv logs` shows why',
    });
    expect(e).toMatchObject({ hint: `\`${cmd}\` shows why` });
    expect(
      eventWithCommands({ kind: 'log', ts: '', service: 'web', stream: 'stdout', line: '`devenv logs`' }),
    ).toMatchObject({ line: '`devenv logs`' });
    const err = errorWithCommands(
      new ResponseError(-32001, 'not up; `devenv logs`', {
        problems: [{ code: 'c', message: 'm', hint: 'run `devenv logs`' }],
        nextSteps: ['devenv logs'],
      }),
    ) as ResponseError<{ problems: { hint: string }[]; nextSteps: string[] }>;
    expect(err.message).toBe(`not up; \`${cmd}\``);
    expect(err.data?.problems[0]?.hint).toBe(`run \`${cmd}\``);
    expect(err.data?.nextSteps).toEqual([cmd]);
  });
});
