import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../model/events.js';
import { fakeService } from '../runtime-interface/fake-project.js';
import { EventBus } from './event-bus.js';
import { StatusStore } from './status-store.js';

function store() {
  const bus = new EventBus();
  const events: EngineEvent[] = [];
  bus.subscribe((e) => events.push(e));
  return { store: new StatusStore(bus), events };
}

describe('StatusStore', () => {
  it('announces a service once, and publishes only real changes', () => {
    const { store: s, events } = store();
    const rec = s.track(fakeService('web'));
    expect(s.track(fakeService('web'))).toBe(rec);
    s.set(rec, { state: 'running', message: 'up' });
    s.set(rec, { state: 'running', message: 'up' });
    s.set(rec, { message: undefined });
    const states = events.flatMap((e) => (e.kind === 'status' ? [`${e.status.state}:${e.status.message ?? ''}`] : []));
    expect(states).toEqual(['pending:', 'running:up', 'running:']);
  });

  it('derives the phase from the services, and follows it once running', () => {
    const { store: s, events } = store();
    expect(s.derivePhase()).toBe('idle');
    const a = s.track(fakeService('a'));
    const b = s.track(fakeService('b'));
    expect(s.derivePhase()).toBe('stopped'); // all pending
    s.set(a, { state: 'running' });
    s.set(b, { state: 'healthy' });
    s.setPhase(s.derivePhase());
    expect(s.phase).toBe('running');
    s.set(b, { state: 'exited', exitCode: 1 });
    expect(s.phase).toBe('degraded');
    expect(events.flatMap((e) => (e.kind === 'project' ? [e.phase] : []))).toEqual(['running', 'degraded']);
  });

  it('waits for a status, or fails with the reason and the service', async () => {
    const { store: s } = store();
    const rec = s.track(fakeService('db'));
    const healthy = s.waitFor(
      'db',
      (st) => st.state === 'healthy',
      () => undefined,
    );
    const failing = s.waitFor(
      'db',
      () => false,
      (st) => (st.state === 'unhealthy' ? 'healthcheck failing' : undefined),
    );
    s.set(rec, { state: 'healthy' });
    await healthy;
    s.set(rec, { state: 'unhealthy' });
    await expect(failing).rejects.toMatchObject({ message: 'healthcheck failing', service: 'db' });
    // Already true: resolves at once.
    await s.waitFor(
      'db',
      (st) => st.state === 'unhealthy',
      () => undefined,
    );
  });

  it('lists statuses in the order asked, then any other, and knows the debug ports in use', () => {
    const { store: s } = store();
    const web = s.track(fakeService('web'));
    s.track(fakeService('db'));
    s.track(fakeService('old'));
    expect(s.statuses(['db', 'web']).map((x) => x.name)).toEqual(['db', 'web', 'old']);
    web.instanceId = 'web-1';
    s.set(web, {
      state: 'running',
      debug: { type: 'python', protocol: 'dap', hostIp: '127.0.0.1', hostPort: 5678, pathMappings: [] },
    });
    expect(s.debugPortsKnown()).toEqual({ web: { port: 5678, held: true } });
  });
});
