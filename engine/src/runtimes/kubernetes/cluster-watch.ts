// The two watches the runtime keeps open, both through the shared reconnect loop: the project's
// pods (each change tells the engine to inspect the instance, and the forwards which pod is
// current) and its Argo CD Applications (each change becomes a `cluster` event: the TUI header
// and the extension show sync, health, operation and hooks as they move).

import type { EventSink } from '../../model/events.js';
import { now } from '../../model/events.js';
import type { ClusterStatus } from '../../model/status.js';
import type { Disposable, RuntimeChange } from '../../runtime-interface/runtime.js';
import { keepWatching } from '../shared/watch-reconnect.js';
import type { KubeApi, PodView } from './kube-api.js';
import { LABEL, labelValue, objectName, projectNamespace } from './names.js';

export function watchProjectPods(
  kube: () => KubeApi,
  project: string,
  onPod: (service: string, pod: PodView, gone: boolean) => void,
  onChange: (change: RuntimeChange) => void,
): Disposable {
  const ns = projectNamespace(project);
  // API unreachable for a moment (cluster restarting), or a watch the server ended: again.
  return keepWatching(async (signal) => {
    const handle = await kube().watchPods(ns, `${LABEL.project}=${labelValue(project)}`, (type, pod) => {
      const service = pod.labels[LABEL.service];
      const role = pod.labels[LABEL.role];
      if (!service) return;
      onPod(service, pod, type === 'DELETED' || pod.deleting);
      if (role !== 'service' && role !== 'hook') return;
      const kind = role === 'hook' ? 'Job' : 'Deployment';
      const c = pod.containers[0];
      const what = c?.waiting?.reason ?? (c?.terminated ? `exited ${c.terminated.exitCode}` : pod.phase);
      onChange({
        instanceId: `${project}/${service}/${kind}/${objectName(service)}`,
        service,
        reason: `${type.toLowerCase()} pod ${pod.name} (${what})`,
      });
    });
    if (signal.aborted) return handle.close();
    signal.addEventListener('abort', () => handle.close(), { once: true });
    await handle.closed;
  });
}

/**
 * A `cluster` event whenever what `status()` returns for the project's Applications changes.
 * Argo CD writes an Application's status many times a second while it syncs: at most one read
 * per 250 ms, and an event only when the picture changed.
 */
export function watchApplicationStatus(
  kube: () => KubeApi,
  project: string,
  status: () => Promise<ClusterStatus>,
  sink: () => EventSink,
): Disposable {
  let last = '';
  let timer: NodeJS.Timeout | undefined;
  const emit = () => {
    timer = undefined;
    void status().then(
      (cluster) => {
        const text = JSON.stringify(cluster);
        if (text === last) return;
        last = text;
        sink()({ kind: 'cluster', ts: now(), cluster });
      },
      () => undefined,
    );
  };
  const changed = () => {
    timer ??= setTimeout(emit, 250);
  };
  const watch = keepWatching(async (signal) => {
    const handle = await kube().watchApplications(`${LABEL.project}=${labelValue(project)}`, changed);
    if (signal.aborted) return handle.close();
    signal.addEventListener('abort', () => handle.close(), { once: true });
    changed();
    await handle.closed;
  });
  return {
    dispose: () => {
      watch.dispose();
      if (timer) clearTimeout(timer);
    },
  };
}
