import { afterEach, describe, expect, it } from 'vitest';
import { kubernetesRuntime } from './kubernetes.js';

const problem = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { problems: { code: string; hint: string }[] }).problems[0];
  }
  throw new Error('no error');
};

afterEach(() => {
  delete process.env.DEVENV_KUBE_CONTEXT;
});

describe('the Kubernetes runtime of a command', () => {
  it('kind and k3d name their own cluster: --context is refused with the runtime that takes it', () => {
    expect(kubernetesRuntime({ runtime: 'kind' })).toBe('kind');
    expect(problem(() => kubernetesRuntime({ runtime: 'k3d', context: 'team-dev' }))).toMatchObject({
      code: 'cli.context-with-local-cluster',
      hint: 'drop --context, or use `--runtime kubernetes --context team-dev`',
    });
  });

  it('--runtime kubernetes needs a context, from --context or DEVENV_KUBE_CONTEXT', () => {
    expect(problem(() => kubernetesRuntime({ runtime: 'kubernetes' }))).toMatchObject({
      code: 'kubernetes.no-context',
    });
    expect(kubernetesRuntime({ runtime: 'kubernetes', context: 'team-dev' })).toBe('kubernetes');
    process.env.DEVENV_KUBE_CONTEXT = 'team-dev';
    expect(kubernetesRuntime({ runtime: 'kubernetes' })).toBe('kubernetes');
  });

  it('other runtimes are told how to pick one', () => {
    expect(problem(() => kubernetesRuntime({ runtime: 'docker' }))).toMatchObject({
      code: 'cli.kubernetes-only',
      hint: 'add `--runtime kind`, `--runtime k3d`, or `--runtime kubernetes --context NAME`',
    });
  });
});
