// A service's secrets and configs in a cluster: each becomes a Secret (secrets) or a ConfigMap
// (configs) of the service's own, mounted as one file at the Compose target with its mode. File
// sources are read now, so the manifests carry the content (the cluster cannot see this disk).

import { readFileSync } from 'node:fs';
import type { Problem } from '../../errors.js';
import type { ServiceFileSpec, ServiceSpec } from '../../model/spec.js';
import type { K8sObject } from './k8s-object.js';
import { dnsLabel } from './names.js';

export interface FileObjects {
  objects: K8sObject[];
  volumes: Record<string, unknown>[];
  mounts: Record<string, unknown>[];
  problems: Problem[];
}

/** The object name of one secret or config of a service. */
export function fileObjectName(owner: string, f: ServiceFileSpec): string {
  return dnsLabel(`${owner}-${f.kind}-${f.source}`);
}

export function fileObjects(
  svc: ServiceSpec,
  owner: string,
  meta: { labels: Record<string, string>; annotations: Record<string, string> },
): FileObjects {
  const out: FileObjects = { objects: [], volumes: [], mounts: [], problems: [] };
  for (const [i, f] of (svc.files ?? []).entries()) {
    let content = f.content;
    if (content === undefined && f.file) {
      try {
        content = readFileSync(f.file, 'utf8');
      } catch (err) {
        out.problems.push({
          code: 'kubernetes.file-unreadable',
          message: `service ${svc.name}: cannot read ${f.kind} ${f.source} from ${f.file}: ${err instanceof Error ? err.message : String(err)}`,
          hint: 'make the file readable',
        });
        continue;
      }
    }
    const name = fileObjectName(owner, f);
    const key = 'content';
    out.objects.push(
      f.kind === 'secret'
        ? {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name, ...meta },
            type: 'Opaque',
            stringData: { [key]: content ?? '' },
          }
        : { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...meta }, data: { [key]: content ?? '' } },
    );
    const volume = `${f.kind}-${i}`;
    const item = { key, path: 'content', ...(f.mode !== undefined ? { mode: f.mode } : {}) };
    out.volumes.push(
      f.kind === 'secret'
        ? { name: volume, secret: { secretName: name, items: [item], defaultMode: 0o444 } }
        : { name: volume, configMap: { name, items: [item], defaultMode: 0o444 } },
    );
    out.mounts.push({ name: volume, mountPath: f.target, subPath: 'content', readOnly: true });
  }
  return out;
}
