// The Prometheus endpoint: GET /metrics on 127.0.0.1 only (never another interface: what the
// engine knows about a project is for its user). A busy port is the user's to change.

import { createServer, type Server } from 'node:http';
import { RuntimeFailure } from '../errors.js';
import type { EngineMetrics } from './engine-metrics.js';

export const METRICS_HOST = '127.0.0.1';

export interface MetricsServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export async function serveMetrics(metrics: EngineMetrics, port: number): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('devenv serves its metrics at /metrics\n');
      return;
    }
    metrics.text().then(
      (body) => {
        res.writeHead(200, { 'Content-Type': metrics.registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${String(err)}\n`);
      },
    );
  });
  // A scraper that keeps its connection open must not keep the daemon from ending.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(
          new RuntimeFailure('metrics.port-busy', `port ${port} on ${METRICS_HOST} is in use; no metrics endpoint`, {
            hint: 'choose another with `devenv up --metrics-port PORT` (or x-devenv.metrics.port), or stop what holds it',
          }),
        );
      } else if (err.code === 'EACCES') {
        reject(
          new RuntimeFailure('metrics.port-denied', `port ${port} on ${METRICS_HOST} needs privileges`, {
            hint: 'choose a port above 1023 with `devenv up --metrics-port PORT`',
          }),
        );
      } else reject(err);
    });
    server.listen(port, METRICS_HOST, () => resolve());
  });
  server.unref();
  const bound = (server.address() as { port: number }).port;
  return {
    port: bound,
    url: `http://${METRICS_HOST}:${bound}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
