// The engine on the FakeRuntime with a FakeClock, as the unit tests of its parts set it up (a
// Tilt-style fixture): the events it emitted, a service's status, and waits that say what they
// saw when they give up.

import type { EngineEvent } from '../model/events.js';
import type { ServiceSpec } from '../model/spec.js';
import type { ServiceState, ServiceStatus } from '../model/status.js';
import { fakeHealthcheck, fakeProject } from '../runtime-interface/fake-project.js';
import { FakeRuntime, type FakeRuntimeOptions } from '../runtime-interface/fake-runtime.js';
import { FakeClock } from '../shared/fake-clock.js';
import { Engine } from './engine.js';

/** Options of a service with a healthcheck (its health is `starting` until a test says otherwise). */
export const healthy = { healthcheck: fakeHealthcheck };

export function engineFixture(services: ServiceSpec[], opts: FakeRuntimeOptions = {}) {
  const clock = new FakeClock();
  const runtime = new FakeRuntime({ clock, ...opts });
  // The runtime health watch ticks on a clock of its own, so stepping restart backoff never ticks
  // it (and its pending tick never shows among the backoff timers); `suspend` makes the next tick
  // late by the monotonic clock, as a SIGSTOP of the daemon would.
  const healthClock = new FakeClock();
  let suspendedMs = 0;
  const health = { timer: healthClock, monotonic: () => healthClock.now() + suspendedMs };
  const suspend = (ms: number) => {
    suspendedMs += ms;
  };
  const engine = new Engine(runtime, { clock, health });
  const events: EngineEvent[] = [];
  engine.bus.subscribe((e) => events.push(e));
  const project = fakeProject(services);
  const status = (name: string): ServiceStatus => {
    const found = engine.status().services.find((s) => s.name === name);
    if (!found) throw new Error(`the engine knows no service ${name}`);
    return found;
  };
  const waitForState = (name: string, state: ServiceState) =>
    until(
      () => status(name).state === state,
      () => `${name} is ${status(name).state}, not ${state}`,
    );
  return { clock, healthClock, suspend, runtime, engine, events, project, status, waitForState };
}

/** Resolves once `done()` holds (checked every few ms, real time; a throw counts as not yet); rejects with `saw()` after `timeoutMs`. */
export async function until(done: () => boolean, saw: () => string, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const holds = () => {
    try {
      return done();
    } catch {
      return false; // not there yet (a service the engine does not know yet)
    }
  };
  while (!holds()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms: ${saw()}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Let queued promise callbacks and I/O callbacks run. */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}
