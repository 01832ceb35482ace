// devenv as a user installs it, on a project that is not this repository: the packed CLI
// (cli/stage-package.mjs, what `npm run pack` makes) installed with `npm install -g --offline`
// into a temporary prefix (so it carries every dependency), run with a PATH that holds only that
// prefix's bin and Node (no repository devenv, no gcc, no docker CLI) and a fresh HOME.
// In a temporary project with two Compose files (built FROM debian:bookworm-slim, a watch rule
// that syncs a folder): `up -d`, `status`, live sync through the packaged agent, `ls` and
// `-p NAME status|down` from another directory; the printed hint runs as printed.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { dockerAvailable, imageExists, projectContainers, removeImagesOf } from '../helpers/docker.js';
import { freePort } from '../helpers/free-port.js';
import { waitUntil } from '../helpers/wait.js';

const missing = !dockerAvailable()
  ? 'no Docker engine answers `docker info`'
  : !imageExists('debian:bookworm-slim')
    ? 'no debian:bookworm-slim image (scripts/ensure-base-image.sh makes one)'
    : undefined;
const project = `packedcli-${process.pid}`;

const COMPOSE = `# A user's own project: plain Compose, nothing devenv-specific.
name: ${project}
services:
  web:
    build: .
    healthcheck:
      test: ["CMD", "perl", "-MIO::Socket::INET", "-e", "exit !IO::Socket::INET->new('127.0.0.1:8080')"]
      interval: 1s
      timeout: 2s
      retries: 20
    develop:
      watch:
        - path: ./site
          target: /srv/site
          action: sync
`;
const PORTS = `services:
  web:
    ports:
      - "\${WEB_PORT:?}:8080"
`;
const DOCKERFILE = `FROM debian:bookworm-slim
COPY server.pl /server.pl
COPY site /srv/site
CMD ["perl", "/server.pl"]
`;
// Serves /srv/site/index.txt on every request; exits on SIGTERM.
const SERVER = `use strict; use warnings; use IO::Socket::INET;
$SIG{TERM} = sub { exit 0 }; $| = 1;
my $s = IO::Socket::INET->new(LocalAddr => '0.0.0.0', LocalPort => 8080, Listen => 16, ReuseAddr => 1) or die "listen: $!";
print "listening on 8080\\n";
while (my $c = $s->accept) {
  my $req = <$c>;
  open(my $f, '<', '/srv/site/index.txt') or die; local $/; my $body = <$f>; close $f;
  print $c "HTTP/1.0 200 OK\\r\\nContent-Length: " . length($body) . "\\r\\n\\r\\n$body"; close $c;
}
`;

describe.skipIf(missing)(
  `the packed CLI on a project outside the repository${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    const root = mkdtempSync(join(tmpdir(), 'devenv-packed-'));
    const prefix = join(root, 'prefix');
    const dir = join(root, 'my-app');
    const elsewhere = join(root, 'elsewhere');
    const env: Record<string, string> = {};
    let installed = '';

    /** `devenv …` as the user types it: the installed bin found on PATH. */
    const devenv = (args: string[], cwd: string) => {
      const r = spawnSync('devenv', args, { cwd, env, encoding: 'utf8', timeout: 600_000 });
      return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
    };
    const get = async (port: number) =>
      (await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) })).text();

    beforeAll(async () => {
      // The package, as `npm run pack` makes it (the repository is built by now: npm test builds first).
      const out = execFileSync(
        process.execPath,
        [join(repoRoot, 'cli', 'stage-package.mjs'), join(root, 'staged'), '--pack', join(root, 'dist')],
        { encoding: 'utf8' },
      );
      const tgz = out.trim().split('\n').at(-1)!;
      // Offline, with an empty cache: it installs only if the tarball carries everything it needs.
      execFileSync(
        'npm',
        [
          'install',
          '-g',
          '--offline',
          '--no-audit',
          '--no-fund',
          '--cache',
          join(root, 'npm-cache'),
          '--prefix',
          prefix,
          tgz,
        ],
        { env: { PATH: process.env.PATH ?? '', HOME: join(root, 'home') }, stdio: 'pipe' },
      );
      installed = join(prefix, 'lib', 'node_modules', '@devenv-cli', 'devenv');
      // Only the prefix's bin and Node itself on PATH.
      mkdirSync(join(root, 'node-only'));
      symlinkSync(process.execPath, join(root, 'node-only', 'node'));
      Object.assign(env, {
        PATH: `${join(prefix, 'bin')}:${join(root, 'node-only')}`,
        HOME: join(root, 'home'),
        NO_COLOR: '1',
        WEB_PORT: String(await freePort()),
        ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
      });
      mkdirSync(join(dir, 'site'), { recursive: true });
      mkdirSync(elsewhere);
      writeFileSync(join(dir, 'compose.yaml'), COMPOSE);
      writeFileSync(join(dir, 'compose.ports.yaml'), PORTS);
      writeFileSync(join(dir, 'Dockerfile'), DOCKERFILE);
      writeFileSync(join(dir, 'server.pl'), SERVER);
      writeFileSync(join(dir, 'site', 'index.txt'), 'hello from the image\n');
    }, 300_000);

    afterAll(() => {
      if (!installed) return;
      devenv(['-p', project, 'down'], elsewhere);
      removeImagesOf(project);
      rmSync(root, { recursive: true, force: true });
    }, 120_000);

    it('installs as `devenv` on PATH, carrying the sync agent and the reloader, with nothing else to fetch', () => {
      const which = spawnSync('/bin/sh', ['-c', 'command -v devenv; command -v gcc cc docker || true'], {
        env,
        encoding: 'utf8',
      });
      expect(which.stdout.trim()).toBe(join(prefix, 'bin', 'devenv'));
      const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
      expect(manifest).toMatchObject({ name: '@devenv-cli/devenv', bin: { devenv: 'bin/devenv.js' } });
      expect(manifest.dependencies).toBeUndefined();
      expect(readFileSync(join(installed, 'engine', 'agent', 'devenv-reload.py'), 'utf8')).toContain('fork');
      expect(
        readFileSync(join(installed, 'engine', 'agent', 'build', 'devenv-sync-agent-linux-amd64')).length,
      ).toBeGreaterThan(10_000);
      expect(devenv(['version', '--json'], elsewhere).stdout).toBe('{"version":"0.1.0","protocol":1}\n');
    });

    it('up -d with two files brings the project up, and its hint carries the same files', async () => {
      const r = devenv(['-f', 'compose.yaml', '-f', 'compose.ports.yaml', 'up', '-d'], dir);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain('`devenv -f compose.yaml -f compose.ports.yaml down` stops it');
      expect(await get(Number(env.WEB_PORT))).toBe('hello from the image\n');
    });

    it('status in the project directory knows both files (the environment was recorded with them)', () => {
      const r = devenv(['status', '--json'], dir);
      expect(r.code, r.out).toBe(0);
      const status = JSON.parse(r.stdout) as {
        project: string;
        services: { name: string; state: string; ports: { hostPort: number }[] }[];
      };
      expect(status.project).toBe(project);
      expect(status.services).toMatchObject([
        { name: 'web', state: 'healthy', ports: [{ hostPort: Number(env.WEB_PORT) }] },
      ]);
    });

    it('a saved file reaches the container through the packaged sync agent', async () => {
      writeFileSync(join(dir, 'site', 'index.txt'), 'edited on the host\n');
      await waitUntil(
        'the edit to be served',
        async () => ((await get(Number(env.WEB_PORT))) === 'edited on the host\n' ? true : undefined),
        { timeoutMs: 30_000 },
      );
      const logs = devenv(['logs'], dir);
      expect(logs.code, logs.out).toBe(0);
      expect(logs.out.split('\n').filter((l) => l.includes('archive fallback'))).toEqual([]);
    });

    it('ls and -p NAME status work from another directory', () => {
      const ls = devenv(['ls'], elsewhere);
      expect(ls.code, ls.out).toBe(0);
      expect(ls.out).toMatch(new RegExp(`^${project}\\s+${dir}\\s+docker\\s+running \\(1 healthy\\)$`, 'm'));
      const json = JSON.parse(devenv(['ls', '--json'], elsewhere).stdout);
      expect(json).toMatchObject([
        {
          project,
          projectDir: dir,
          files: [join(dir, 'compose.yaml'), join(dir, 'compose.ports.yaml')],
          runtime: 'docker',
        },
      ]);
      const status = devenv(['-p', project, 'status'], elsewhere);
      expect(status.code, status.out).toBe(0);
      expect(status.out).toMatch(/^web\s+healthy/m);
    });

    it('-p NAME down from another directory takes it down and forgets it', () => {
      const r = devenv(['-p', project, 'down'], elsewhere);
      expect(r.code, r.out).toBe(0);
      expect(projectContainers(project)).toEqual([]);
      expect(devenv(['ls'], elsewhere).out).toContain('no environments');
    });

    it('the hint `up -d` prints runs as printed, where it is printed', () => {
      const up = devenv(['-f', 'compose.yaml', '-f', 'compose.ports.yaml', 'up', '-d'], dir);
      expect(up.code, up.out).toBe(0);
      const hint = /`([^`]+)` stops it/.exec(up.out)?.[1];
      expect(hint).toBeDefined();
      const down = spawnSync('/bin/sh', ['-c', hint!], { cwd: dir, env, encoding: 'utf8' });
      expect(down.status, `${down.stdout}${down.stderr}`).toBe(0);
      expect(projectContainers(project)).toEqual([]);
    });
  },
);
