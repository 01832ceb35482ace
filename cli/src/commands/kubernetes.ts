// Commands for the Kubernetes runtimes: `up --dry-run` (the full plan: every command line and
// every manifest, nothing run) and `argocd password|ui|install`. They reach the cluster through
// the engine's API (the runtime the engine selects for the project), never a runtime class.

import { createInterface } from 'node:readline/promises';
import { type EngineEvent, ExitCode, UserError } from '@devenv/engine';
import { type GlobalOptions, type ProjectContext, projectContext } from '../context.js';

export type KubernetesChoice = 'kind' | 'k3d' | 'kubernetes';

/** The Kubernetes runtime a command is for, from the global options; a UserError with the fix otherwise. */
export function kubernetesRuntime(opts: GlobalOptions): KubernetesChoice {
  const runtime = opts.runtime;
  if (runtime === 'kind' || runtime === 'k3d') {
    if (opts.context) {
      throw new UserError({
        code: 'cli.context-with-local-cluster',
        message: `--context names a cluster devenv did not create; --runtime ${runtime} uses the one devenv creates`,
        hint: `drop --context, or use \`--runtime kubernetes --context ${opts.context}\``,
      });
    }
    return runtime;
  }
  if (runtime === 'kubernetes') {
    if (!opts.context && !process.env.DEVENV_KUBE_CONTEXT) {
      throw new UserError({
        code: 'kubernetes.no-context',
        message: '`--runtime kubernetes` needs the kube context to use',
        hint: 'pass `--context NAME` (see `kubectl config get-contexts`)',
      });
    }
    return runtime;
  }
  throw new UserError({
    code: 'cli.kubernetes-only',
    message: 'this needs a Kubernetes runtime',
    hint: 'add `--runtime kind`, `--runtime k3d`, or `--runtime kubernetes --context NAME`',
  });
}

async function loadFor(ctx: ProjectContext) {
  const { loadProject } = await import('@devenv/engine/engine');
  const { project } = await loadProject({
    files: ctx.identity.files,
    projectDir: ctx.identity.projectDir,
    projectName: ctx.identity.name,
    env: { ...process.env, DEVENV_STATE_DIR: ctx.paths.stateDir },
    ...(ctx.config.profiles ? { profiles: ctx.config.profiles } : {}),
  });
  return project;
}

/** The project's Kubernetes runtime as the engine selects it, and its Argo CD. */
async function argocdOf(ctx: ProjectContext, choice: KubernetesChoice) {
  const { selectRuntime } = await import('@devenv/engine/engine');
  const runtime = await selectRuntime(choice, { stateDir: ctx.paths.stateDir });
  if (!runtime.argocd) throw new Error(`the ${choice} runtime offers no Argo CD access`);
  return { runtime, argocd: runtime.argocd };
}

/** `devenv --runtime kind|k3d|kubernetes up --dry-run`: `$ command` lines, then `---`-separated YAML documents. */
export async function dryRunCommand(opts: GlobalOptions & { debug?: boolean }): Promise<number> {
  const ctx = projectContext(opts);
  const runtime = kubernetesRuntime(opts);
  const project = await loadFor(ctx);
  const { kubernetesDryRun } = await import('@devenv/engine/engine');
  const kubeContext = opts.context ?? process.env.DEVENV_KUBE_CONTEXT;
  const imageRegistry = opts.imageRegistry ?? process.env.DEVENV_K8S_REGISTRY;
  const plan = await kubernetesDryRun(project, {
    runtime,
    stateDir: ctx.paths.stateDir,
    ...(kubeContext ? { kubeContext } : {}),
    ...(imageRegistry ? { imageRegistry } : {}),
    ...(opts.debug === false ? { debug: false } : {}),
  });
  process.stdout.write(plan.text);
  return plan.problems.length > 0 ? ExitCode.userError : ExitCode.ok;
}

export async function argocdPasswordCommand(opts: GlobalOptions): Promise<number> {
  const ctx = projectContext(opts);
  const { runtime, argocd } = await argocdOf(ctx, kubernetesRuntime(opts));
  try {
    await runtime.connect();
    process.stdout.write(`${await argocd.password()}\n`);
  } finally {
    await runtime.close();
  }
  return ExitCode.ok;
}

/** `devenv argocd ui`: Argo CD's UI forwarded to 127.0.0.1 until Ctrl-C. */
export async function argocdUiCommand(opts: GlobalOptions & { port?: string }): Promise<number> {
  const ctx = projectContext(opts);
  const choice = kubernetesRuntime(opts);
  const port = opts.port === undefined ? 0 : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UserError({
      code: 'cli.bad-port',
      message: `--port ${opts.port} is not a port number`,
      hint: 'give a number from 1 to 65535, or leave --port out for a free one',
    });
  }
  const { runtime, argocd } = await argocdOf(ctx, choice);
  try {
    await runtime.connect();
    const forward = await argocd.forwardUi(port);
    process.stdout.write(
      `Argo CD: ${forward.url} (user admin; \`${runtimeFlags(opts, choice)} argocd password\` prints the password). Ctrl-C ends the forward.\n`,
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

/**
 * `devenv argocd install`: what installing and configuring the pinned Argo CD would change, then
 * (confirmed, or `--yes`) those changes. On kind/k3d `up` does this itself; on a cluster devenv did
 * not create this command is the only way devenv touches Argo CD.
 */
export async function argocdInstallCommand(opts: GlobalOptions & { yes?: boolean }): Promise<number> {
  const ctx = projectContext(opts);
  const choice = kubernetesRuntime(opts);
  const project = await loadFor(ctx);
  const { runtime, argocd } = await argocdOf(ctx, choice);
  const progress = (e: EngineEvent) => {
    if (e.kind === 'progress' && e.done)
      process.stderr.write(`${e.title}: ${e.failed ? 'failed' : (e.message ?? 'done')}\n`);
  };
  try {
    const info = await runtime.connect();
    const planned = await argocd.plannedChanges(() => {});
    if (planned.changes.length === 0) {
      process.stdout.write(`Argo CD ${planned.installed} on ${info.detail} needs no change\n`);
      return ExitCode.ok;
    }
    process.stdout.write(`On ${info.detail}, devenv would:\n${planned.changes.map((c) => `  - ${c}\n`).join('')}`);
    if (!opts.yes) {
      if (!process.stdin.isTTY) {
        throw new UserError({
          code: 'cli.argocd-unconfirmed',
          message: 'Argo CD changes not confirmed (no terminal here to ask in)',
          hint: `add \`--yes\`: \`${runtimeFlags(opts, choice)} argocd install --yes\``,
        });
      }
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await rl.question('Make these changes? [y/N] ');
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        process.stdout.write('nothing changed\n');
        return ExitCode.ok;
      }
    }
    await argocd.install(project, progress);
    process.stdout.write(`done: \`${runtimeFlags(opts, choice)} up\` deploys ${project.name} through it\n`);
  } finally {
    await runtime.close();
  }
  return ExitCode.ok;
}

/** `devenv --runtime … [--context …]`, for hints that must run as printed. */
function runtimeFlags(opts: GlobalOptions, choice: KubernetesChoice): string {
  const context = opts.context ?? process.env.DEVENV_KUBE_CONTEXT;
  return `devenv --runtime ${choice}${choice === 'kubernetes' && context ? ` --context ${context}` : ''}`;
}
