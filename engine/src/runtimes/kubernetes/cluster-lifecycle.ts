// Creating, reusing and resetting clusters through the kind/k3d CLIs. A cluster is reused when
// its node carries this config's hash; a cluster of the same name made from another config is
// never replaced silently (the user asks for `reset --hard`). The registry and its images survive
// every reset: they live in a container and a named volume of their own.

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { UserError } from '../../errors.js';
import { type EventSink, now } from '../../model/events.js';
import { type ClusterSpec, localRegistryHosting } from './cluster-config.js';
import { validateClusterConfig } from './cluster-schemas.js';
import type { CommandRunner } from './command-runner.js';
import {
  bootstrapPath,
  clusterCreateCommand,
  clusterDeleteCommand,
  clusterListCommand,
  clusterMatchProbe,
  kindNodesCommand,
  kindRegistryNetworkProbe,
  kindRegistryNodeSteps,
  kindRegistryRun,
  registryRunningProbe,
} from './procedure.js';

export type ClusterOutcome = 'created' | 'reused';

export async function clusterExists(runner: CommandRunner, cluster: ClusterSpec): Promise<boolean> {
  const out = await runner.run(clusterListCommand(cluster));
  if (cluster.provider === 'kind') return out.stdout.split('\n').some((l) => l.trim() === cluster.name);
  try {
    const list = JSON.parse(out.stdout || '[]') as { name?: string }[];
    return list.some((c) => c.name === cluster.name);
  } catch {
    return false;
  }
}

export async function writeClusterConfig(cluster: ClusterSpec, stateDir: string): Promise<string> {
  const problems = validateClusterConfig(cluster.provider, cluster.config);
  if (problems.length > 0) {
    throw new Error(`devenv generated an invalid ${cluster.provider} config: ${problems.join('; ')}`);
  }
  const file = path.join(stateDir, cluster.configFile);
  await mkdir(stateDir, { recursive: true });
  await writeFile(file, stringify(cluster.config, { lineWidth: 0 }));
  return file;
}

/** The registry container (kind): running, started, or created. k3d creates its own with the cluster. */
export async function ensureKindRegistry(runner: CommandRunner, cluster: ClusterSpec, sink: EventSink): Promise<void> {
  const registry = cluster.registry;
  if (!registry || cluster.provider !== 'kind') return;
  const probe = await runner.run(registryRunningProbe(registry), { allowFailure: true });
  if (probe.exitCode === 0 && probe.stdout.trim() === 'true') return;
  if (probe.exitCode === 0) {
    await runner.run({ argv: ['docker', 'start', registry.container] });
    return;
  }
  log(sink, `starting the local registry ${registry.container} on 127.0.0.1:${registry.hostPort}`);
  await runner.run(kindRegistryRun(registry));
}

/**
 * The cluster for this config: reused when its hash matches, created when absent. A cluster of
 * the same name with another hash is an error with the fix, never silently recreated.
 */
export async function ensureCluster(
  runner: CommandRunner,
  cluster: ClusterSpec,
  stateDir: string,
  sink: EventSink,
): Promise<ClusterOutcome> {
  await ensureKindRegistry(runner, cluster, sink);
  if (await clusterExists(runner, cluster)) {
    const match = await runner.run(clusterMatchProbe(cluster), { allowFailure: true });
    if (match.exitCode === 0 && match.stdout.trim() !== '') {
      await connectKindRegistry(runner, cluster, stateDir);
      return 'reused';
    }
    throw new UserError(
      {
        code: 'kubernetes.cluster-mismatch',
        message: `a ${cluster.provider} cluster named ${cluster.name} exists but was not made from this configuration (config hash ${cluster.configHash})`,
        hint: `recreate it with \`devenv reset --hard\` (the registry and its images are kept), or use another cluster name`,
      },
      ['devenv reset --hard'],
    );
  }
  await writeClusterConfig(cluster, stateDir);
  if (cluster.provider === 'k3d' && cluster.registry) {
    // A registry container left behind by a deleted cluster blocks `registries.create`; its images
    // are in the named volume, so removing the container loses nothing.
    await runner.run({ argv: ['docker', 'rm', '-f', cluster.registry.container] }, { allowFailure: true });
  }
  const id = 'cluster:create';
  sink({ kind: 'progress', ts: now(), id, title: `${cluster.provider} cluster ${cluster.name}`, message: 'creating' });
  try {
    await runner.run(clusterCreateCommand(cluster, stateDir), {
      timeoutMs: 600_000,
      onLine: (line) =>
        sink({
          kind: 'progress',
          ts: now(),
          id,
          title: `${cluster.provider} cluster ${cluster.name}`,
          message: line.trim().slice(0, 120),
        }),
    });
  } catch (err) {
    sink({
      kind: 'progress',
      ts: now(),
      id,
      title: `${cluster.provider} cluster ${cluster.name}`,
      done: true,
      failed: true,
    });
    throw err;
  }
  sink({
    kind: 'progress',
    ts: now(),
    id,
    title: `${cluster.provider} cluster ${cluster.name}`,
    message: 'created',
    done: true,
  });
  await connectKindRegistry(runner, cluster, stateDir);
  return 'created';
}

/** kind's local-registry steps 3–5 (idempotent: run on every `up`, cheap). */
export async function connectKindRegistry(
  runner: CommandRunner,
  cluster: ClusterSpec,
  stateDir: string,
): Promise<void> {
  if (cluster.provider !== 'kind' || !cluster.registry) return;
  const nodes = (await runner.run(kindNodesCommand(cluster))).stdout
    .split('\n')
    .map((n) => n.trim())
    .filter(Boolean);
  await mkdir(path.dirname(bootstrapPath(stateDir, 'registryHosting')), { recursive: true });
  await writeFile(bootstrapPath(stateDir, 'registryHosting'), stringify(localRegistryHosting(cluster.registry)));
  const onNetwork = await runner.run(kindRegistryNetworkProbe(cluster.registry), { allowFailure: true });
  const connected = onNetwork.exitCode === 0 && onNetwork.stdout.trim() !== 'null' && onNetwork.stdout.trim() !== '';
  for (const cmd of kindRegistryNodeSteps(cluster, nodes, stateDir)) {
    if (connected && cmd.argv[1] === 'network') continue;
    await runner.run(cmd);
  }
}

/** Hard reset: delete and recreate the cluster. The registry container and its volume stay. */
export async function recreateCluster(
  runner: CommandRunner,
  cluster: ClusterSpec,
  stateDir: string,
  sink: EventSink,
): Promise<void> {
  if (await clusterExists(runner, cluster)) {
    log(sink, `deleting ${cluster.provider} cluster ${cluster.name} (the registry and its images are kept)`);
    await runner.run(clusterDeleteCommand(cluster), { timeoutMs: 300_000 });
  }
  await ensureCluster(runner, cluster, stateDir, sink);
}

function log(sink: EventSink, line: string): void {
  sink({ kind: 'log', ts: now(), service: 'devenv', stream: 'system', line });
}
