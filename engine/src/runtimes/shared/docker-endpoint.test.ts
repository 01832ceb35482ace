import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveDockerEndpoint } from './docker-endpoint.js';

const config = mkdtempSync(join(tmpdir(), 'devenv-docker-config-'));
afterAll(() => rmSync(config, { recursive: true, force: true }));

describe('finding the Docker engine like the docker CLI', () => {
  it('takes DOCKER_HOST first (unix socket or tcp)', () => {
    expect(resolveDockerEndpoint({ DOCKER_HOST: 'unix:///tmp/d.sock' }).options).toEqual({ socketPath: '/tmp/d.sock' });
    expect(resolveDockerEndpoint({ DOCKER_HOST: 'tcp://10.0.0.5:2376' }).options).toMatchObject({
      host: '10.0.0.5',
      port: '2376',
    });
  });

  it("follows the CLI's current context: Docker Desktop's desktop-linux, with a path holding spaces", () => {
    const socket = '/Users/Jane Doe/.docker/run/docker.sock';
    const id = createHash('sha256').update('desktop-linux').digest('hex');
    mkdirSync(join(config, 'contexts', 'meta', id), { recursive: true });
    writeFileSync(
      join(config, 'contexts', 'meta', id, 'meta.json'),
      JSON.stringify({ Name: 'desktop-linux', Endpoints: { docker: { Host: `unix://${socket}` } } }),
    );
    writeFileSync(join(config, 'config.json'), JSON.stringify({ currentContext: 'desktop-linux' }));
    const endpoint = resolveDockerEndpoint({ DOCKER_CONFIG: config });
    expect(endpoint).toMatchObject({ options: { socketPath: socket }, source: 'docker context desktop-linux' });
  });

  it("on a Mac without /var/run/docker.sock and no context, finds Docker Desktop's socket in the home directory", () => {
    const desktop = join(homedir(), '.docker', 'run', 'docker.sock');
    const empty = join(config, 'none');
    const found = resolveDockerEndpoint({ DOCKER_CONFIG: empty }, 'darwin', (p) => p === desktop);
    expect(found).toMatchObject({ options: { socketPath: desktop }, source: 'Docker Desktop socket' });
    expect(resolveDockerEndpoint({ DOCKER_CONFIG: empty }, 'linux', (p) => p === desktop).options).toEqual({
      socketPath: '/var/run/docker.sock',
    });
  });
});
