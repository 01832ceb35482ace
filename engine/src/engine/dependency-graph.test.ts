import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../model/spec.js';
import { fakeService } from '../runtime-interface/fake-project.js';
import { dependentsOf, runInOrder, topologicalOrder, withDependencies } from './dependency-graph.js';

const svc = (name: string, deps: string[] = []): ServiceSpec =>
  fakeService(name, { dependsOn: Object.fromEntries(deps.map((d) => [d, 'service_started' as const])) });
const stack = Object.fromEntries(
  [
    svc('postgres'),
    svc('redis'),
    svc('migrate', ['postgres']),
    svc('backend', ['migrate', 'redis']),
    svc('frontend', ['backend']),
  ].map((s) => [s.name, s]),
);

describe('dependency graph', () => {
  it('orders every service after its dependencies', () => {
    const order = topologicalOrder(stack);
    for (const s of Object.values(stack)) {
      for (const d of Object.keys(s.dependsOn)) expect(order.indexOf(d)).toBeLessThan(order.indexOf(s.name));
    }
    expect(order).toHaveLength(5);
  });

  it('adds transitive dependencies of the requested services', () => {
    expect(withDependencies(stack, ['backend']).sort()).toEqual(['backend', 'migrate', 'postgres', 'redis']);
  });

  it('finds transitive dependents', () => {
    expect(dependentsOf(stack, 'postgres').sort()).toEqual(['backend', 'frontend', 'migrate']);
  });

  it('names the cycle', () => {
    const cyclic = { a: svc('a', ['b']), b: svc('b', ['a']) };
    expect(() => topologicalOrder(cyclic)).toThrow('a → b → a');
  });
});

describe('runInOrder', () => {
  /** Tasks that end only when the test says so, with a log of starts and ends. */
  function controlled() {
    const log: string[] = [];
    const ends = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
    const task = (name: string) =>
      new Promise<void>((resolve, reject) => {
        log.push(`start ${name}`);
        ends.set(name, {
          resolve: () => {
            log.push(`end ${name}`);
            resolve();
          },
          reject,
        });
      });
    return { log, ends, task };
  }
  const tick = () => new Promise((r) => setTimeout(r, 0));

  it('runs a name after the ones it waits for, and unrelated names at once', async () => {
    // down of the reference stack: dependents first
    const services = Object.fromEntries(
      [
        svc('postgres'),
        svc('redis'),
        svc('migrate', ['postgres']),
        svc('backend', ['postgres', 'redis', 'migrate']),
        svc('worker', ['postgres', 'redis', 'migrate']),
        svc('frontend', ['backend']),
      ].map((s) => [s.name, s]),
    );
    const order = topologicalOrder(services).reverse();
    const { log, ends, task } = controlled();
    const done = runInOrder(order, (n) => dependentsOf(services, n), task);
    await tick();
    expect(log.sort()).toEqual(['start frontend', 'start worker']);
    ends.get('frontend')!.resolve();
    await tick();
    expect(log).toContain('start backend');
    expect(log).not.toContain('start migrate'); // the worker still runs
    ends.get('backend')!.resolve();
    ends.get('worker')!.resolve();
    await tick();
    expect(log).toContain('start migrate');
    expect(log).toContain('start redis'); // needs backend and worker gone, not migrate
    expect(log).not.toContain('start postgres');
    ends.get('migrate')!.resolve();
    ends.get('redis')!.resolve();
    await tick();
    ends.get('postgres')!.resolve();
    await done;
  });

  it('runs every task when one fails, then throws the first failure', async () => {
    const { log, ends, task } = controlled();
    const done = runInOrder(['a', 'b', 'c'], (n) => (n === 'c' ? ['a'] : []), task);
    await tick();
    ends.get('a')!.reject(new Error('a broke'));
    await tick();
    expect(log).toContain('start c'); // after a settled, even as a failure
    ends.get('b')!.resolve();
    ends.get('c')!.resolve();
    await expect(done).rejects.toThrow('a broke');
  });

  it('never waits for a later name, so a cycle cannot deadlock', async () => {
    const seen: string[] = [];
    await runInOrder(
      ['x', 'y'],
      (n) => (n === 'x' ? ['y'] : ['x']),
      async (n) => {
        seen.push(n);
      },
    );
    expect(seen).toEqual(['x', 'y']);
  });
});
