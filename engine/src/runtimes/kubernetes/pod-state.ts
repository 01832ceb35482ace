// Workload and pods → the engine's InstanceState, and which pod is "the" instance right now.
// Pure, so every case (pulling, crash loop, completed hook, scaled to zero) is a unit test.

import type { Health, PublishedPort } from '../../model/status.js';
import type { InstanceState } from '../../runtime-interface/runtime.js';
import type { PodView, WorkloadView } from './kube-api.js';

/**
 * The pod a forward, a log stream or a sync channel should use: the newest ready pod that is not
 * being deleted, else the newest one not being deleted (a pod still starting, or crash-looping).
 */
export function currentPod(pods: readonly PodView[]): PodView | undefined {
  const live = pods.filter((p) => !p.deleting && p.phase !== 'Succeeded' && p.phase !== 'Failed');
  const newest = (list: PodView[]) =>
    [...list].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.name.localeCompare(a.name))[0];
  return (
    newest(live.filter((p) => p.ready)) ?? newest(live) ?? newest(pods.filter((p) => !p.deleting)) ?? newest([...pods])
  );
}

/**
 * A Deployment's instance is its current pod; a Job's is its last pod. Scaled to zero reads as
 * exited (code 0), as a stopped container does; gone reads as missing.
 */
export function instanceState(
  workload: WorkloadView | undefined,
  pods: readonly PodView[],
  ports: PublishedPort[],
): InstanceState {
  if (!workload) return { status: 'missing', health: 'none', restartCount: 0, ports: [] };
  if (workload.kind === 'Job') return jobState(workload, pods, ports);
  if ((workload.replicas ?? 1) === 0 && pods.every((p) => p.deleting)) {
    return { status: 'exited', exitCode: 0, health: 'none', restartCount: 0, ports: [] };
  }
  const pod = currentPod(pods);
  if (!pod) return { status: 'created', health: 'none', restartCount: 0, ports };
  return podState(pod, ports);
}

function jobState(job: WorkloadView, pods: readonly PodView[], ports: PublishedPort[]): InstanceState {
  const pod = [...pods].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  const c = pod?.containers[0];
  if ((job.succeeded ?? 0) > 0) {
    return {
      status: 'exited',
      exitCode: 0,
      health: 'none',
      restartCount: 0,
      ports: [],
      ...(c?.terminated?.startedAt ? { startedAt: c.terminated.startedAt } : {}),
    };
  }
  if ((job.failed ?? 0) > 0 && (job.active ?? 0) === 0) {
    return { status: 'exited', exitCode: c?.terminated?.exitCode ?? 1, health: 'none', restartCount: 0, ports: [] };
  }
  if (!pod) return { status: 'created', health: 'none', restartCount: 0, ports };
  return podState(pod, ports);
}

const crashReasons = new Set(['CrashLoopBackOff', 'RunContainerError']);
const stuckReasons = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
]);

export function podState(pod: PodView, ports: PublishedPort[]): InstanceState {
  const c = pod.containers[0];
  const restartCount = c?.restartCount ?? 0;
  if (!c) return { status: 'created', health: 'none', restartCount: 0, ports };
  if (c.waiting && crashReasons.has(c.waiting.reason ?? '')) {
    return { status: 'restarting', health: 'none', restartCount, ports };
  }
  if (c.waiting && stuckReasons.has(c.waiting.reason ?? '')) {
    return { status: 'dead', health: 'none', restartCount, ports: [], exitCode: 1 };
  }
  if (c.terminated) {
    return {
      status: 'exited',
      exitCode: c.terminated.exitCode,
      health: 'none',
      restartCount,
      ports: [],
      ...(c.terminated.startedAt ? { startedAt: c.terminated.startedAt } : {}),
    };
  }
  if (c.running) {
    const health: Health = !c.hasReadinessProbe ? 'none' : c.ready ? 'healthy' : 'starting';
    return {
      status: 'running',
      health,
      restartCount,
      ports,
      ...(c.running.startedAt ? { startedAt: c.running.startedAt } : {}),
    };
  }
  return { status: 'created', health: 'none', restartCount, ports };
}

/** Why a pod is not running, in the API's words (`ImagePullBackOff: …`), for status messages. */
export function podProblem(pod: PodView | undefined): string | undefined {
  const w = pod?.containers[0]?.waiting;
  if (!w?.reason || w.reason === 'ContainerCreating' || w.reason === 'PodInitializing') return undefined;
  return w.message ? `${w.reason}: ${w.message}` : w.reason;
}
