import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { stripAnsi } from '../../output/terminal-text.js';
import { sampleStatus } from '../fake-client.js';
import type { ProjectInfo } from '../state/reducer.js';
import { Header, runtimeLabel } from './header.js';

const status = sampleStatus();
const project: ProjectInfo = {
  name: 'shop',
  dir: '/home/me/shop',
  runtime: 'docker',
  runtimeDetail: 'Docker 27.3.1 (API 1.47)',
  phase: 'degraded',
};
const frame = (p: ProjectInfo, width = 100) =>
  stripAnsi(render(<Header project={p} services={status.services} width={width} />).lastFrame() ?? '');

describe('Header', () => {
  it('shows project, runtime, n/m healthy, phase and the help key', () => {
    const out = frame(project);
    expect(out).toContain('devenv');
    expect(out).toContain('shop');
    expect(out).toContain('Docker 27.3.1 (API 1.47)');
    expect(out).toContain('2/3 healthy');
    expect(out).toContain('degraded');
    expect(out.split('\n')[0]!.trimEnd().endsWith('? help')).toBe(true);
    expect(out.split('\n')).toHaveLength(1);
  });

  it('adds the cluster and Argo CD Applications when the runtime reports them', () => {
    const out = frame({
      ...project,
      runtime: 'kubernetes',
      runtimeDetail: 'kind-devenv',
      cluster: {
        name: 'devenv',
        context: 'kind-devenv',
        argocd: [
          { app: 'api', sync: 'Synced', health: 'Healthy' },
          { app: 'jobs', sync: 'OutOfSync', health: 'Progressing' },
        ],
      },
    });
    const [first, second] = out.split('\n');
    expect(first).toContain('Kubernetes · context kind-devenv');
    expect(second).toContain('cluster devenv');
    expect(second).toContain('context kind-devenv');
    expect(second).toContain('api Synced/Healthy, jobs OutOfSync/Progressing');
  });

  it("shows what each Application's sync does: a running migration, a failed smoke test", () => {
    const out = frame(
      {
        ...project,
        runtime: 'kubernetes',
        cluster: {
          name: 'devenv',
          context: 'kind-devenv',
          argocd: [
            {
              app: 'shop-migrate',
              service: 'migrate',
              sync: 'OutOfSync',
              health: 'Healthy',
              operation: { phase: 'Running', message: 'waiting for completion of hook batch/Job/migrate' },
              hooks: [{ name: 'Job/migrate', type: 'PreSync', phase: 'Running' }],
            },
            {
              app: 'shop-api',
              service: 'api',
              sync: 'Synced',
              health: 'Healthy',
              operation: { phase: 'Failed', message: 'one or more synchronization tasks completed unsuccessfully' },
              hooks: [{ name: 'Job/api-smoke', type: 'PostSync', phase: 'Failed' }],
            },
          ],
        },
      },
      200,
    );
    expect(out).toContain(
      'migrate OutOfSync/Healthy (PreSync migrate Running), api Synced/Healthy (PostSync api-smoke Failed)',
    );
  });

  it('says at once when the runtime’s engine is away, and while the environment comes back', () => {
    const since = '2026-01-01T10:05:00.000Z';
    expect(frame({ ...project, runtimeHealth: { state: 'unavailable', since } }, 140)).toContain(
      'engine unavailable, waiting',
    );
    expect(frame({ ...project, runtimeHealth: { state: 'recovering', since } }, 140)).toContain(
      'engine back, restoring the environment',
    );
    expect(frame({ ...project, runtimeHealth: { state: 'available', since } }, 140)).not.toContain('engine');
  });

  it('says when Argo CD has no Applications yet', () => {
    const out = frame({ ...project, runtime: 'kubernetes', cluster: { name: 'dev', context: 'k3d-dev' } });
    expect(out).toContain('Argo CD: no Applications yet');
  });

  it('fits a narrow terminal without wrapping', () => {
    const out = frame(project, 40);
    expect(out.split('\n')).toHaveLength(1);
    expect(out.length).toBeLessThanOrEqual(40);
  });

  it('names each runtime', () => {
    expect(runtimeLabel({ runtime: 'process' })).toBe('processes');
    expect(runtimeLabel({ runtime: 'docker', runtimeDetail: '27.3.1' })).toBe('Docker 27.3.1');
    expect(runtimeLabel({ runtime: undefined })).toBe('connecting…');
  });
});
