import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../model/spec.js';
import { debugPathMappings, dockerfileWorkdir, widestMapping } from './path-mappings.js';

const repo = resolve(import.meta.dirname, '..', '..', '..');

function svc(partial: Partial<ServiceSpec>): ServiceSpec {
  return {
    name: 'backend',
    environment: {},
    ports: [],
    volumes: [],
    dependsOn: {},
    restart: { name: 'no' },
    labels: {},
    networks: [],
    profiles: [],
    tty: false,
    stdinOpen: false,
    devenv: {},
    ...partial,
  };
}

describe('debugPathMappings', () => {
  const backend = svc({
    build: { context: '/w/example/backend', dockerfile: 'Dockerfile', args: {} },
    develop: {
      watch: [
        { path: '/w/example/backend/app', target: '/app/app', action: 'sync', ignore: [], initialSync: false },
        { path: '/w/example/backend/requirements.txt', action: 'rebuild', ignore: [], initialSync: false },
      ],
    },
    volumes: [
      { type: 'bind', source: '/w/shared/', target: '/srv/shared/', readOnly: true },
      { type: 'volume', source: 'data', target: '/data', readOnly: false },
    ],
  });

  it('maps sync rules, bind mounts, then the build context to the WORKDIR, most specific first', () => {
    expect(debugPathMappings(backend, { runtime: 'docker', workdir: '/app' })).toEqual([
      { localRoot: '/w/example/backend/app', remoteRoot: '/app/app' },
      { localRoot: '/w/example/backend', remoteRoot: '/app' },
      { localRoot: '/w/shared', remoteRoot: '/srv/shared' },
    ]);
  });

  it('leaves out the build context when the WORKDIR is unknown', () => {
    expect(debugPathMappings(backend, { runtime: 'kubernetes' }).map((m) => m.remoteRoot)).toEqual([
      '/app/app',
      '/srv/shared',
    ]);
  });

  it('leaves out a bind-mounted file (a CA bundle is no source tree)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'devenv-pm-'));
    const bundle = join(dir, 'ca.crt');
    writeFileSync(bundle, 'x');
    const frontend = svc({
      develop: {
        watch: [{ path: '/w/frontend/src', target: '/app/src', action: 'sync', ignore: [], initialSync: false }],
      },
      volumes: [
        { type: 'bind', source: bundle, target: '/etc/ssl/certs/host-ca.crt', readOnly: true },
        { type: 'bind', source: dir, target: '/srv/dir', readOnly: true },
      ],
    });
    expect(debugPathMappings(frontend, { runtime: 'docker' }).map((m) => m.remoteRoot)).toEqual([
      '/srv/dir',
      '/app/src',
    ]);
    rmSync(dir, { recursive: true });
  });

  it('needs no mapping for host processes', () => {
    expect(debugPathMappings(backend, { runtime: 'process', workdir: '/app' })).toEqual([]);
  });

  it('keeps the first mapping of a local root, and single-file sync rules', () => {
    const s = svc({
      develop: {
        watch: [
          {
            path: '/w/fe/vite.config.js',
            target: '/app/vite.config.js',
            action: 'sync',
            ignore: [],
            initialSync: false,
          },
          { path: '/w/fe/src', target: '/app/src', action: 'sync+restart', ignore: [], initialSync: false },
        ],
      },
      volumes: [{ type: 'bind', source: '/w/fe/src', target: '/elsewhere', readOnly: false }],
    });
    expect(debugPathMappings(s, { runtime: 'docker' })).toEqual([
      { localRoot: '/w/fe/vite.config.js', remoteRoot: '/app/vite.config.js' },
      { localRoot: '/w/fe/src', remoteRoot: '/app/src' },
    ]);
    expect(widestMapping(debugPathMappings(s, { runtime: 'docker' }))).toEqual({
      localRoot: '/w/fe/src',
      remoteRoot: '/app/src',
    });
  });
});

describe('dockerfileWorkdir', () => {
  it("reads the reference backend's Dockerfile", () => {
    const text = readFileSync(resolve(repo, 'example/backend/Dockerfile'), 'utf8');
    expect(dockerfileWorkdir(text)).toBe('/app');
  });

  it('resolves relative WORKDIRs, continuation lines and comments', () => {
    expect(dockerfileWorkdir('FROM x\nWORKDIR /srv\n# note\nRUN a \\\n  b\nworkdir app/../code\n')).toBe('/srv/code');
  });

  it('follows the built stage: the last, or the target, inheriting from an earlier stage', () => {
    const text = [
      'FROM node AS build',
      'WORKDIR /build',
      'FROM build AS dev',
      'RUN x',
      'FROM nginx',
      'WORKDIR /usr/share',
    ].join('\n');
    expect(dockerfileWorkdir(text)).toBe('/usr/share');
    expect(dockerfileWorkdir(text, { target: 'dev' })).toBe('/build');
    expect(dockerfileWorkdir(text, { target: 'build' })).toBe('/build');
  });

  it('expands ARG and ENV values, build args winning over defaults', () => {
    const text = `ARG ROOT=/opt\nFROM x\nARG ROOT\nARG APP=svc\nENV HOME_DIR=\${ROOT}/home\nWORKDIR $HOME_DIR/\${APP}`;
    expect(dockerfileWorkdir(text)).toBe('/opt/home/svc');
    expect(dockerfileWorkdir(text, { args: { APP: 'api' } })).toBe('/opt/home/api');
  });

  it('is undefined without a WORKDIR, or with one it cannot resolve', () => {
    expect(dockerfileWorkdir('FROM x\nRUN true')).toBeUndefined();
    expect(dockerfileWorkdir('FROM x\nWORKDIR $UNSET/app')).toBeUndefined();
  });
});
