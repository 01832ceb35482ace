// The shape devenv writes Kubernetes objects in. Deliberately loose: every generated object is
// validated against the real schemas (kubernetes-models, @kubernetes-models/argo-cd) in tests.

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** `Kind/namespace/name`, how plans and messages name an object. */
export function objectRef(o: K8sObject): string {
  return `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}
