// The process runtime's side of the key table, through the real CLI (`--runtime process`): secrets
// and configs become files in the state directory (0600 unless they set a mode) that the process
// finds through DEVENV_SECRETS_DIR and DEVENV_FILES_DIR; keys a host process cannot have are
// refused at their file:line:col with "use the Docker runtime for this service", and nothing runs.

import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { devenv } from '../helpers/cli.js';
import { waitUntil } from '../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'devenv-process-keys-'));
const stateDir = mkdtempSync(join(tmpdir(), 'devenv-process-keys-state-'));
writeFileSync(join(dir, 'db_password.txt'), 'secret-from-a-file');
writeFileSync(
  join(dir, 'compose.yaml'),
  `services:
  app:
    image: debian:bookworm-slim
    secrets:
      - db_password
      - source: token
        target: /run/secrets/api/token
        mode: 0440
    configs:
      - source: settings
        target: /etc/app/settings.ini
    x-devenv:
      process:
        command: ["sh", "-c", "ls -ln \\"$$DEVENV_SECRETS_DIR\\" > seen.txt; cat \\"$$DEVENV_SECRETS_DIR/db_password\\" \\"$$DEVENV_SECRETS_DIR/api/token\\" \\"$$DEVENV_FILES_DIR/etc/app/settings.ini\\" >> seen.txt; exec sleep 300"]
        cwd: .
secrets:
  db_password:
    file: ./db_password.txt
  token:
    environment: API_TOKEN
configs:
  settings:
    content: "[app]"
`,
);
const env = {
  HOME: process.env.HOME ?? '/root',
  PATH: process.env.PATH ?? '',
  DEVENV_STATE_DIR: stateDir,
  DEVENV_SOCKET_DIR: mkdtempSync(join(tmpdir(), 'devenv-sock-')),
  DEVENV_NO_CACHE: '1',
  API_TOKEN: 'token-from-the-environment',
};
const project = `devenvtest-process-keys-${process.pid}`;
const run = (args: string[], cwd = dir) => devenv(['--runtime', 'process', '-p', project, ...args], { cwd, env });

describe('the process runtime and the key table', () => {
  afterAll(async () => {
    await run(['down']);
  });

  it('writes secrets and configs into the state directory and tells the process where', async () => {
    const r = await run(['up', '--detach', '--no-debug']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const seen = await waitUntil('the service to read its files', () => {
      const text = (() => {
        try {
          return readFileSync(join(dir, 'seen.txt'), 'utf8');
        } catch {
          return '';
        }
      })();
      return text.includes('[app]') ? text : undefined;
    });
    expect(seen).toContain('secret-from-a-filetoken-from-the-environment[app]');
    const files = join(stateDir, 'files', 'app');
    const mode = (path: string) => (statSync(join(files, path)).mode & 0o777).toString(8);
    expect(mode('run/secrets/db_password')).toBe('600');
    expect(mode('run/secrets/api/token')).toBe('440');
    expect(mode('etc/app/settings.ini')).toBe('600');
    expect((statSync(files).mode & 0o777).toString(8)).toBe('700');
  });

  it('refuses what a host process cannot have, at its position, saying to use the Docker runtime', async () => {
    const other = mkdtempSync(join(tmpdir(), 'devenv-process-refused-'));
    writeFileSync(
      join(other, 'compose.yaml'),
      'services:\n  app:\n    image: debian:bookworm-slim\n    cap_add: [NET_ADMIN]\n    scale: 2\n    x-devenv:\n      process:\n        command: ["sleep", "300"]\n',
    );
    const r = await devenv(['--runtime', 'process', '-p', `${project}-refused`, 'up', '--detach'], { cwd: other, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'compose.yaml:4:5: error: `cap_add` in service `app` cannot be honoured on the process runtime',
    );
    expect(r.stderr).toContain('compose.yaml:5:5: error: `scale` in service `app` cannot be 2 on the process runtime');
    // The hint runs as printed: the devenv that ran, this project's name, the Docker runtime.
    expect(r.stderr).toMatch(
      new RegExp(
        `use the Docker runtime for this service: \`[^\`]*devenv(\\.js)? -p ${project}-refused --runtime docker up\``,
      ),
    );
    expect(r.stderr).toContain('config.refused-key');
    const config = await devenv(['--runtime', 'process', 'config'], { cwd: other, env });
    expect(config.code).toBe(1);
    expect(config.stderr).toContain('compose.yaml:4:5: error:');
  });
});
