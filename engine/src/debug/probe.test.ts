import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeDebugger, waitForDebugger } from './probe.js';

const servers: { close(cb: () => void): void }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as { port: number }).port;
}

/** Like debugpy's adapter: keeps a client's connection open, and records what it was sent. */
function fakeAdapter(received: Buffer[] = []): Server {
  return createServer((socket) => {
    socket.on('data', (d: Buffer) => received.push(d));
  });
}

describe('probeDebugger', () => {
  it('is ok when the adapter keeps the connection open, and says nothing to it', async () => {
    const received: Buffer[] = [];
    const port = await listen(fakeAdapter(received));
    expect(await probeDebugger({ protocol: 'dap', hostIp: '127.0.0.1', hostPort: port })).toMatchObject({ ok: true });
    // A DAP `initialize` followed by leaving can end debugpy's session for good: none is sent.
    expect(Buffer.concat(received).length).toBe(0);
  });

  it("is not ok when something accepts and closes (Docker's proxy in front of a loopback-bound debugger)", async () => {
    const port = await listen(createServer((s) => s.destroy()));
    const r = await probeDebugger({ protocol: 'dap', hostIp: '127.0.0.1', hostPort: port });
    expect(r).toEqual({ ok: false, reason: 'the connection was closed at once (nothing listens behind the port)' });
  });

  it('is not ok when nothing listens', async () => {
    const port = await listen(createServer());
    await new Promise<void>((r) => servers.pop()!.close(() => r()));
    const r = await probeDebugger({ protocol: 'dap', hostIp: '127.0.0.1', hostPort: port });
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('asks a Node inspector for /json/version', async () => {
    const port = await listen(
      createHttpServer((req, res) => {
        res.writeHead(req.url === '/json/version' ? 200 : 404, { 'content-type': 'application/json' });
        res.end('{"Browser":"node.js/v20"}');
      }),
    );
    expect(await probeDebugger({ protocol: 'cdp', hostIp: '127.0.0.1', hostPort: port })).toMatchObject({ ok: true });
  });

  it('waits until the debugger comes up', async () => {
    const server = fakeAdapter();
    const port = await listen(createServer());
    await new Promise<void>((r) => servers.pop()!.close(() => r()));
    setTimeout(() => {
      servers.push(server);
      server.listen(port, '127.0.0.1');
    }, 300);
    const r = await waitForDebugger({ protocol: 'dap', hostIp: '127.0.0.1', hostPort: port }, { timeoutMs: 5_000 });
    expect(r.ok).toBe(true);
    expect(r.ok && r.ms).toBeGreaterThanOrEqual(250);
  });
});
