import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { allocateDebugPorts, isPortFree } from './debug-ports.js';

const busy = (ports: number[]) => async (p: number) => !ports.includes(p);

describe('allocateDebugPorts', () => {
  it('counts up from 5678 (python) and 9229 (node), services in name order', async () => {
    const out = await allocateDebugPorts(
      [
        { service: 'worker', type: 'python' },
        { service: 'frontend', type: 'node' },
        { service: 'backend', type: 'python' },
        { service: 'migrate', type: 'python' },
      ],
      [],
      { isFree: busy([]) },
    );
    expect(out).toEqual({ backend: 5678, frontend: 9229, migrate: 5679, worker: 5680 });
  });

  it('gives the same answer for the same inputs, whatever their order', async () => {
    const a = await allocateDebugPorts(
      [
        { service: 'b', type: 'python' },
        { service: 'a', type: 'python' },
      ],
      [],
      { isFree: busy([5678]) },
    );
    const b = await allocateDebugPorts(
      [
        { service: 'a', type: 'python' },
        { service: 'b', type: 'python' },
      ],
      [],
      { isFree: busy([5678]) },
    );
    expect(a).toEqual({ a: 5679, b: 5680 });
    expect(b).toEqual(a);
  });

  it('skips ports that are busy on 127.0.0.1 or taken by the project', async () => {
    const out = await allocateDebugPorts([{ service: 'api', type: 'python' }], [5679], { isFree: busy([5678]) });
    expect(out).toEqual({ api: 5680 });
  });

  it("keeps the port a service's running instance holds (it looks busy because it is ours)", async () => {
    const out = await allocateDebugPorts(
      [
        { service: 'a', type: 'python' },
        { service: 'b', type: 'python', previous: { port: 5678, held: true } },
      ],
      [],
      { isFree: busy([5678]) },
    );
    // b keeps 5678; a, sorted first, does not steal it.
    expect(out).toEqual({ a: 5679, b: 5678 });
  });

  it('keeps a previous port of a stopped instance only while it is still free', async () => {
    const req = [{ service: 'a', type: 'python' as const, previous: { port: 5690, held: false } }];
    expect(await allocateDebugPorts(req, [], { isFree: busy([]) })).toEqual({ a: 5690 });
    expect(await allocateDebugPorts(req, [], { isFree: busy([5690]) })).toEqual({ a: 5678 });
  });

  it('uses host_port as written, and others avoid it', async () => {
    const out = await allocateDebugPorts(
      [
        { service: 'a', type: 'python' },
        { service: 'b', type: 'python', hostPort: 5678 },
      ],
      [],
      { isFree: busy([]) },
    );
    expect(out).toEqual({ a: 5679, b: 5678 });
  });

  it('says what to do when nothing in range is free', async () => {
    await expect(
      allocateDebugPorts([{ service: 'a', type: 'node' }], [], { isFree: async () => false, range: 3 }),
    ).rejects.toThrow(/no free debug port for a between 9229 and 9231 on 127.0.0.1/);
  });
});

describe('isPortFree', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  it('sees a listener on 127.0.0.1 and on 0.0.0.0', async () => {
    server = createServer();
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    expect(await isPortFree(port)).toBe(false);
    await new Promise<void>((r) => server!.close(() => r()));
    expect(await isPortFree(port)).toBe(true);
    server = createServer();
    await new Promise<void>((r) => server!.listen(port, '0.0.0.0', () => r()));
    expect(await isPortFree(port)).toBe(false);
  });
});
