import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clusterSpec } from './cluster-config.js';
import { RecordingRunner } from './command-runner.js';
import { imageTarget, serviceImageRef, tagOf } from './image-target.js';
import { publishImage, registryHasTag } from './images.js';

describe('publishing images', () => {
  it('asks the registry (HTTP API v2) and pushes only what it lacks', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.statusCode = req.url === '/v2/demo/api/manifests/abc' ? 200 : 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const target = { kind: 'registry' as const, host: `localhost:${port}`, hostPort: port };
      expect(await registryHasTag(port, `localhost:${port}/demo/api:abc`)).toBe(true);
      const runner = new RecordingRunner();
      expect(await publishImage(runner, target, 'demo-api:latest', `localhost:${port}/demo/api:abc`)).toEqual({
        ref: `localhost:${port}/demo/api:abc`,
        transferred: false,
      });
      expect(runner.commands).toEqual([]);
      await publishImage(runner, target, 'demo-web:latest', `localhost:${port}/demo/web:abc`);
      expect(runner.lines()).toEqual([
        `docker tag demo-web:latest localhost:${port}/demo/web:abc`,
        `docker push localhost:${port}/demo/web:abc`,
      ]);
      expect(seen).toContain('HEAD /v2/demo/web/manifests/abc');
    } finally {
      server.close();
    }
  });

  it('loads into the nodes without a registry', async () => {
    const cluster = clusterSpec({ provider: 'kind', name: 'devenv', registry: false });
    const target = imageTarget(cluster)!;
    const ref = serviceImageRef(target, 'Demo', 'api', tagOf('sha256:0123456789abcdef'));
    expect(ref).toBe('devenv.local/demo/api:0123456789ab');
    const runner = new RecordingRunner();
    await publishImage(runner, target, 'demo-api:latest', ref);
    expect(runner.lines()).toEqual([
      `docker tag demo-api:latest ${ref}`,
      `kind load docker-image ${ref} --name devenv`,
    ]);
  });
});
