// Commands for the Kubernetes runtimes: `up --dry-run` (the full plan: every command line and
// every manifest, nothing run), `argocd password` and `argocd ui`.

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
  const { loadProject } = await import('@devenv/engine/engine');
  const { planKubernetes, formatPlan } = await import('@devenv/engine/kubernetes');
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
  const { KubernetesRuntime } = await import('@devenv/engine/kubernetes');
  const runtime = new KubernetesRuntime({ provider: p, stateDir: ctx.paths.stateDir });
  try {
    await runtime.connect();
    process.stdout.write(`${await runtime.argocdPassword()}\n`);
  } finally {
    await runtime.close();
  }
  return ExitCode.ok;
}

/** `devenv argocd ui`: Argo CD's UI forwarded to 127.0.0.1 until Ctrl-C. */
export async function argocdUiCommand(opts: GlobalOptions & { port?: string }): Promise<number> {
  const ctx = projectContext(opts);
  const p = provider(opts);
  const port = opts.port === undefined ? 0 : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UserError({
      code: 'cli.bad-port',
      message: `--port ${opts.port} is not a port number`,
      hint: 'give a number from 1 to 65535, or leave --port out for a free one',
    });
  }
  const { KubernetesRuntime } = await import('@devenv/engine/kubernetes');
  const runtime = new KubernetesRuntime({ provider: p, stateDir: ctx.paths.stateDir });
  try {
    await runtime.connect();
    const forward = await runtime.forwardArgoCdUi(port);
    process.stdout.write(
      `Argo CD: ${forward.url} (user admin; \`devenv --runtime ${p} argocd password\` prints the password). Ctrl-C ends the forward.\n`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await forward.close();
  } finally {
    await runtime.close();
  }
  return ExitCode.ok;
}
