// A Kubernetes instance id: `<project>/<service>/<kind>/<name>` — everything needed to find the
// workload and its pods again, from the id alone (`devenv down` without a daemon has only ids).

import { instanceSelector } from './compose-to-k8s.js';
import type { WorkloadView } from './kube-api.js';
import { LABEL, labelValue, serviceAppName } from './names.js';

export interface InstanceRef {
  project: string;
  service: string;
  kind: WorkloadView['kind'];
  name: string;
}

export function formatId(ref: InstanceRef): string {
  return `${ref.project}/${ref.service}/${ref.kind}/${ref.name}`;
}

export function parseId(id: string): InstanceRef {
  const [project, service, kind, name] = id.split('/');
  if (!project || !service || !name || (kind !== 'Deployment' && kind !== 'Job' && kind !== 'StatefulSet')) {
    throw new Error(`not a Kubernetes instance id: ${id}`);
  }
  return { project, service, kind, name };
}

/** The pods of the instance: a Deployment's (its selector), or a hook Job's. */
export function podSelector(ref: InstanceRef): string {
  return ref.kind === 'Job'
    ? `${LABEL.project}=${labelValue(ref.project)},${LABEL.service}=${labelValue(ref.service)},${LABEL.role}=hook`
    : instanceSelector(ref.project, ref.service);
}

/** The Application that deploys the instance, for waiting on Argo CD. */
export function appTarget(ref: InstanceRef): InstanceRef & { app: string } {
  return { ...ref, app: serviceAppName(ref.project, ref.service) };
}
