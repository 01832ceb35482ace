// A stop signal nobody in the group can hear: SIGKILL at once instead of the whole grace period
// (engine/src/runtimes/process/stop-signal-heard.ts). A group that hears it keeps its signal and
// its grace period.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessRuntime } from '../../engine/src/runtimes/process/process-runtime.js';
import { collectLogs, createAndStart, project, type Sandbox, sandbox, service, survivors, waitFor } from './helpers.js';

let box: Sandbox;
let rt: ProcessRuntime;
const GRACE_MS = 30_000;

beforeAll(() => {
  box = sandbox();
  rt = new ProcessRuntime({ stateDir: box.stateDir });
});

afterAll(async () => {
  for (const o of await rt.observe('unheard')) await rt.remove(o.id);
  await rt.close();
  box.cleanup();
});

const ready = (id: string) => waitFor('ready', async () => (await collectLogs(rt, id)).some((l) => l.line === 'ready'));

describe('stop when the stop signal cannot be heard', () => {
  it('kills a group that ignores SIGTERM (inherited SIG_IGN, children too) at once', async () => {
    const svc = service('deaf', {
      command: ['sh', '-c', "trap '' TERM; echo ready; while :; do sleep 1; done"],
      cwd: box.dir,
    });
    const id = await createAndStart(rt, svc, project('unheard', [svc]));
    await ready(id);
    const t0 = Date.now();
    await rt.stop(id, GRACE_MS);
    // Well under the grace period: nothing waited for it.
    expect(Date.now() - t0).toBeLessThan(GRACE_MS / 2);
    expect(await rt.inspect(id)).toMatchObject({ status: 'exited', exitCode: 137 });
    expect(await survivors(id)).toEqual([]);
  });

  it('gives a group with a handler its signal and the time its handler takes', async () => {
    const svc = service('polite', {
      command: [
        'sh',
        '-c',
        "trap 'echo got TERM; sleep 1; echo bye; exit 0' TERM; echo ready; while :; do sleep 1; done",
      ],
      cwd: box.dir,
    });
    const id = await createAndStart(rt, svc, project('unheard', [svc]));
    await ready(id);
    const t0 = Date.now();
    await rt.stop(id, GRACE_MS);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(await rt.inspect(id)).toMatchObject({ status: 'exited', exitCode: 0 });
    const lines = (await collectLogs(rt, id)).map((l) => l.line);
    expect(lines).toContain('got TERM');
    expect(lines).toContain('bye');
  });
});
