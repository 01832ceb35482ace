// Commands for the Kubernetes runtimes: `up --dry-run` (the full plan: every command line and
// every manifest, nothing run) and `argocd password`.

import { ExitCode, UserError } from '@devenv/engine';
import { type GlobalOptions, projectContext } from '../context.js';

function provider(opts: GlobalOptions): 'kind' | 'k3d' {
  if (opts.runtime === 'kind' || opts.runtime === 'k3d') return opts.runtime;
  throw new UserError({
    code: 'cli.kubernetes-only',
    message: 'this needs a Kubernetes runtime',
    hint: 'add `--runtime kind` or `--runtime k3d`',
  });
}

/** `devenv --runtime kind|k3d up --dry-run`: `$ command` lines, then `---`-separated YAML documents. */
export async function dryRunCommand(opts: GlobalOptions): Promise<number> {
  const ctx = projectContext(opts);
  const p = provider(opts);
  const { loadProject, planKubernetes, formatPlan } = await import('@devenv/engine/engine');
  const { project } = await loadProject({
    files: ctx.identity.files,
    projectDir: ctx.identity.projectDir,
    projectName: ctx.identity.name,
    env: { ...process.env, DEVENV_STATE_DIR: ctx.paths.stateDir },
  });
  const plan = await planKubernetes(project, { provider: p, stateDir: ctx.paths.stateDir });
  process.stdout.write(formatPlan(plan));
  return plan.problems.length > 0 ? ExitCode.userError : ExitCode.ok;
}

export async function argocdPasswordCommand(opts: GlobalOptions): Promise<number> {
  const ctx = projectContext(opts);
  const p = provider(opts);
  const { KubernetesRuntime } = await import('@devenv/engine/engine');
  const runtime = new KubernetesRuntime({ provider: p, stateDir: ctx.paths.stateDir });
  try {
    await runtime.connect();
    process.stdout.write(`${await runtime.argocdPassword()}\n`);
  } finally {
    await runtime.close();
  }
  return ExitCode.ok;
}
