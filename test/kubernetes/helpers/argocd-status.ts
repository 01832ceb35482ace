// Application objects as Argo CD v2.14's application controller writes them during a sync, for
// unit tests. Messages and fields follow gitops-engine's sync_context.go: an operation waiting for
// a hook says "waiting for completion of hook <group>/<kind>/<name>", one waiting for regular
// resources "waiting for healthy state of …"; every task appears in syncResult.resources with its
// hookPhase (the task's operation state), and hooks also with hookType.

type Resource = {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  status?: string;
  message?: string;
  hookType?: string;
  hookPhase?: string;
  syncPhase?: string;
};

export interface AppState {
  name: string;
  service?: string;
  role?: 'root' | 'service';
  resourceVersion?: string;
  sync?: string;
  revision?: string;
  health?: string;
  conditions?: { type: string; message: string }[];
  op?: { phase: string; message: string; revision: string; resources?: Resource[] };
}

export function application(s: AppState): Record<string, unknown> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: s.name,
      namespace: 'argocd',
      resourceVersion: s.resourceVersion ?? '1000',
      labels: {
        'dev.devenv/project': 'demo',
        'dev.devenv/role': s.role ?? 'service',
        ...(s.service ? { 'dev.devenv/service': s.service } : {}),
      },
    },
    status: {
      sync: { status: s.sync ?? 'Synced', ...(s.revision ? { revision: s.revision } : {}) },
      health: { status: s.health ?? 'Healthy' },
      ...(s.conditions
        ? { conditions: s.conditions.map((c) => ({ ...c, lastTransitionTime: '2025-01-01T00:00:00Z' })) }
        : {}),
      ...(s.op
        ? {
            operationState: {
              operation: { sync: { revision: s.op.revision }, initiatedBy: { automated: true } },
              phase: s.op.phase,
              message: s.op.message,
              startedAt: '2025-01-01T00:00:00Z',
              syncResult: { revision: s.op.revision, resources: s.op.resources ?? [] },
            },
          }
        : {}),
    },
  };
}

export const deployment = (name: string, phase = 'Running'): Resource => ({
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  namespace: 'demo',
  name,
  status: 'Synced',
  message: `deployment.apps/${name} configured`,
  hookPhase: phase,
  syncPhase: 'Sync',
});

export const hookJob = (name: string, type: 'PreSync' | 'PostSync', phase: string, message?: string): Resource => ({
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  namespace: 'demo',
  name,
  ...(message ? { message } : {}),
  hookType: type,
  hookPhase: phase,
  syncPhase: type,
});

const OLD = 'a'.repeat(40);

/** backend: synced its Deployment, waiting for it to turn healthy before the PostSync smoke test. */
export const waitingForHealth = (name: string, service: string, revision = OLD) =>
  application({
    name,
    service,
    resourceVersion: '2001',
    sync: 'Synced',
    revision,
    health: 'Progressing',
    op: {
      phase: 'Running',
      message: `waiting for healthy state of apps/Deployment/${service}`,
      revision,
      resources: [deployment(service)],
    },
  });

/** backend: its PostSync smoke test Job is running. */
export const smokeRunning = (name: string, service: string, revision = OLD) =>
  application({
    name,
    service,
    resourceVersion: '2002',
    sync: 'Synced',
    revision,
    health: 'Healthy',
    op: {
      phase: 'Running',
      message: `waiting for completion of hook batch/Job/${service}-smoke`,
      revision,
      resources: [deployment(service, 'Succeeded'), hookJob(`${service}-smoke`, 'PostSync', 'Running')],
    },
  });

/** migrate: its PreSync migration Job is running. */
export const migrationRunning = (name: string, service: string, revision = OLD) =>
  application({
    name,
    service,
    resourceVersion: '2003',
    sync: 'OutOfSync',
    revision,
    health: 'Healthy',
    op: {
      phase: 'Running',
      message: `waiting for completion of hook batch/Job/${service}`,
      revision,
      resources: [
        { ...hookJob(`${service}-env`, 'PreSync', 'Succeeded'), group: '', kind: 'ConfigMap' },
        hookJob(service, 'PreSync', 'Running'),
      ],
    },
  });
