// Volumes, mounts, secrets, configs, env files, include and depends_on options on real Docker
// (test/fixtures/compose/storage-keys), each shown on the containers or the engine's objects.

import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { docker, dockerAvailable, imageExists } from '../helpers/docker.js';
import { stack } from './helpers.js';

const fixture = join(repoRoot, 'test', 'fixtures', 'compose', 'storage-keys');
const haveDocker = dockerAvailable() && imageExists('debian:bookworm-slim');
const bindDir = mkdtempSync(join(tmpdir(), 'devenv-bind-'));
writeFileSync(join(bindDir, 'hello.txt'), 'from the host\n');
const extVolume = `devenvtest-extvol-${process.pid}`;
const dataName = `devenvtest-named-${process.pid}`;
const s = stack(fixture, 'storage-keys', {
  BIND_DIR: bindDir,
  EXT_VOLUME: extVolume,
  DATA_NAME: dataName,
  API_TOKEN: 'token-from-the-environment',
  APP_SETTING: 'setting-from-the-environment',
});

interface Mount {
  Type: string;
  Name?: string;
  Source: string;
  Destination: string;
  RW: boolean;
  Propagation: string;
}

describe.skipIf(!haveDocker)('storage keys on Docker (needs Docker and debian:bookworm-slim)', () => {
  beforeAll(async () => {
    await s.down();
    docker(['volume', 'create', extVolume]);
    const r = await s.up();
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  });
  afterAll(async () => {
    await s.down();
    docker(['volume', 'rm', '-f', extVolume]);
  });

  const mounts = () => s.inspect<{ Mounts: Mount[] }>('files').Mounts;
  const at = (target: string) => mounts().find((m) => m.Destination === target);

  it('named volumes with a driver, driver options and labels, one with its own name, an external one', () => {
    const data = JSON.parse(docker(['volume', 'inspect', `${s.project}_data`]))[0] as {
      Labels: Record<string, string>;
      Options: Record<string, string>;
    };
    expect(data.Labels['com.example.backup']).toBe('nightly');
    expect(data.Options).toEqual({ type: 'tmpfs', device: 'tmpfs', o: 'size=4m' });
    expect(s.sh('files', 'grep " /data " /proc/mounts')).toMatch(/^tmpfs \/data tmpfs .*size=4096k/);
    expect(at('/named')?.Name).toBe(dataName);
    expect(at('/external')?.Name).toBe(extVolume);
    expect(at('/data-nocopy')).toMatchObject({ Name: `${s.project}_data` });
  });

  it('an anonymous volume with labels; tmpfs with size and mode', () => {
    const anonymous = at('/anonymous')?.Name;
    expect(JSON.parse(docker(['volume', 'inspect', anonymous ?? '']))[0].Labels['com.example.anon']).toBe('yes');
    expect(s.sh('files', 'grep " /fast " /proc/mounts')).toMatch(/size=8192k,mode=700/);
  });

  it('bind mounts: the short syntax creates a missing host directory; read_only and propagation', () => {
    expect(existsSync(join(bindDir, 'made'))).toBe(true);
    expect(at('/made')).toMatchObject({ Type: 'bind', Source: join(bindDir, 'made'), RW: true });
    expect(at('/bind-ro')).toMatchObject({ Type: 'bind', RW: false, Propagation: 'private' });
    expect(s.sh('files', 'cat /bind-ro/hello.txt')).toBe('from the host');
    expect(s.sh('files', 'touch /bind-ro/x 2>&1 || true')).toContain('Read-only file system');
  });

  it('secrets: a file bind-mounted read-only; from the environment and with owner and mode, copied in', () => {
    expect(at('/run/secrets/db_password')).toMatchObject({ Type: 'bind', RW: false });
    expect(s.sh('files', 'cat /run/secrets/db_password')).toBe('pg-password-from-file');
    expect(s.sh('files', 'stat -c "%a %u %g" /run/secrets/token; cat /run/secrets/token')).toBe(
      '440 1000 1001\ntoken-from-the-environment',
    );
    expect(s.sh('files', 'stat -c "%a" /etc/app/db_password; cat /etc/app/db_password')).toBe(
      '400\npg-password-from-file',
    );
  });

  it('configs: a file at its target, inline content at /<name>, one from the environment with a mode', () => {
    expect(s.sh('files', 'cat /etc/nginx/nginx.conf')).toBe('server { listen 80; }');
    expect(s.sh('files', 'cat /inline')).toBe('inline config');
    expect(s.sh('files', 'stat -c "%a" /etc/app/from_env.conf; cat /etc/app/from_env.conf')).toBe(
      '600\nsetting-from-the-environment',
    );
  });

  it('env_file: an optional missing file is skipped, `format: raw` keeps values as written', () => {
    const env = s.sh('files', 'env');
    expect(env).toContain('FROM_ENV_FILE=yes');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the raw value under test
    expect(env).toContain('RAW=${kept-as-written}');
  });

  it('include: the included file’s service, with its own variables and paths', () => {
    expect(s.sh('included', 'echo "$GREETING"; cat /included-data/hello.txt')).toBe(
      'hello from the included .env\nfrom the included project',
    );
  });

  it('volumes_from, and depends_on: an optional dependency that does not run is skipped', async () => {
    expect(s.sh('reader', 'ls /made >/dev/null && grep " /data " /proc/mounts')).toContain('/data');
    expect(s.sh('reader', 'touch /data/x 2>&1 || true')).toContain('Read-only file system');
    expect((await s.status()).map((r) => r.name).sort()).toEqual(['files', 'included', 'reader']);
  });

  it('depends_on restart: restarting a dependency restarts the service that asked for it', async () => {
    const started = () => docker(['inspect', '--format', '{{.State.StartedAt}}', s.container('reader')]);
    const before = started();
    const r = await s.run(['restart', 'files']);
    expect(r.code, r.stderr).toBe(0);
    expect(started()).not.toBe(before);
  });
});
