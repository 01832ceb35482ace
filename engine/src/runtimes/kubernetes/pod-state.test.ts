import { describe, expect, it } from 'vitest';
import type { ContainerView, PodView, WorkloadView } from './kube-api.js';
import { currentPod, instanceState, podProblem } from './pod-state.js';

function pod(name: string, createdAt: string, c: Partial<ContainerView> = {}, extra: Partial<PodView> = {}): PodView {
  return {
    name,
    uid: name,
    namespace: 'demo',
    labels: {},
    annotations: {},
    createdAt,
    deleting: false,
    phase: 'Running',
    ready: c.ready ?? false,
    containers: [{ name: 'api', ready: false, restartCount: 0, hasReadinessProbe: true, ...c }],
    ...extra,
  };
}

const deployment: WorkloadView = {
  kind: 'Deployment',
  name: 'api',
  namespace: 'demo',
  labels: {},
  annotations: {},
  replicas: 1,
  readyReplicas: 0,
};
const job: WorkloadView = {
  kind: 'Job',
  name: 'migrate',
  namespace: 'demo',
  labels: {},
  annotations: {},
  succeeded: 0,
  failed: 0,
  active: 1,
};
const ports = [{ hostIp: '127.0.0.1', hostPort: 8000, containerPort: 8000, protocol: 'tcp' as const }];

describe('currentPod', () => {
  it('prefers the newest ready pod that is not going away', () => {
    const old = pod('a', '2025-01-01T00:00:01Z', { ready: true }, { ready: true });
    const fresh = pod('b', '2025-01-01T00:00:02Z');
    const leaving = pod('c', '2025-01-01T00:00:03Z', { ready: true }, { ready: true, deleting: true });
    expect(currentPod([old, fresh, leaving])?.name).toBe('a');
    expect(currentPod([fresh, leaving])?.name).toBe('b');
    expect(currentPod([])).toBeUndefined();
  });
});

describe('instanceState', () => {
  it('reads health from readiness', () => {
    const running = { running: { startedAt: '2025-01-01T00:00:02Z' } };
    expect(instanceState(deployment, [pod('a', 't', { ...running, ready: false })], ports)).toEqual({
      status: 'running',
      health: 'starting',
      restartCount: 0,
      ports,
      startedAt: '2025-01-01T00:00:02Z',
    });
    expect(instanceState(deployment, [pod('a', 't', { ...running, ready: true })], ports).health).toBe('healthy');
    expect(instanceState(deployment, [pod('a', 't', { ...running, hasReadinessProbe: false })], ports).health).toBe(
      'none',
    );
  });

  it('maps crash loops, stuck pulls and a scale to zero', () => {
    expect(
      instanceState(deployment, [pod('a', 't', { waiting: { reason: 'CrashLoopBackOff' }, restartCount: 4 })], ports),
    ).toMatchObject({
      status: 'restarting',
      restartCount: 4,
    });
    const pull = pod('a', 't', { waiting: { reason: 'ImagePullBackOff', message: 'not found' } });
    expect(instanceState(deployment, [pull], ports)).toMatchObject({ status: 'dead', exitCode: 1 });
    expect(podProblem(pull)).toBe('ImagePullBackOff: not found');
    expect(podProblem(pod('a', 't', { waiting: { reason: 'ContainerCreating' } }))).toBeUndefined();
    expect(instanceState({ ...deployment, replicas: 0 }, [], ports)).toEqual({
      status: 'exited',
      exitCode: 0,
      health: 'none',
      restartCount: 0,
      ports: [],
    });
    expect(instanceState(undefined, [], ports).status).toBe('missing');
    expect(instanceState(deployment, [], ports).status).toBe('created');
  });

  it('reads a hook Job as a one-shot: running, then exited 0 or its code', () => {
    expect(instanceState(job, [pod('m', 't', { running: {} })], []).status).toBe('running');
    expect(instanceState({ ...job, succeeded: 1, active: 0 }, [], [])).toMatchObject({ status: 'exited', exitCode: 0 });
    expect(
      instanceState(
        { ...job, failed: 1, active: 0 },
        [pod('m', 't', { terminated: { exitCode: 3 } }, { phase: 'Failed' })],
        [],
      ),
    ).toMatchObject({ status: 'exited', exitCode: 3 });
  });
});
