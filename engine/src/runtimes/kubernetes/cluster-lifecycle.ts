// Creating, reusing and resetting clusters through the kind/k3d CLIs. A cluster is reused when
// its node carries this config's hash; a cluster of the same name made from another config is
// never replaced silently (the user asks for `reset --hard`). The registry and its images survive
// every reset: they live in a container and a named volume of their own.

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { UserError } from '../../errors.js';
import { type EventSink, now } from '../../model/events.js';
import { type ClusterSpec, localRegistryHosting, type RegistrySpec } from './cluster-config.js';
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
  portHolderProbe,
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

/**
 * The registry container (kind): running, started, or created. A registry another container
 * already publishes on the same port (kind's local-registry guide runs `kind-registry` on 5001) is
 * used as it is: it serves the same `localhost:5001/…` names, so devenv aliases that container on
 * the nodes instead. k3d creates its own registry with the cluster. Returns the registry in use.
 */
export async function ensureKindRegistry(
  runner: CommandRunner,
  cluster: ClusterSpec,
  sink: EventSink,
): Promise<RegistrySpec | undefined> {
  const registry = cluster.registry;
  if (!registry || cluster.provider !== 'kind') return registry;
  const probe = await runner.run(registryRunningProbe(registry), { allowFailure: true });
  if (probe.exitCode === 0 && probe.stdout.trim() === 'true') return registry;
  if (probe.exitCode === 0) {
    await runner.run({ argv: ['docker', 'start', registry.container] });
    return registry;
  }
  const holders = await runner.run(portHolderProbe(registry.hostPort), { allowFailure: true });
  for (const line of holders.stdout.split('\n')) {
    const [name, image, ports] = line.trim().split('\t');
    if (!name || !image) continue;
    const inner = new RegExp(`:${registry.hostPort}->(\\d+)/tcp`).exec(ports ?? '')?.[1];
    if (/^(docker\.io\/)?(library\/)?registry(:|@|$)/.test(image) && inner) {
      log(sink, `using the registry ${name} that already serves 127.0.0.1:${registry.hostPort} (${image})`);
      return { ...registry, container: name, endpoint: `http://${name}:${inner}` };
    }
    throw new UserError(
      {
        code: 'kubernetes.registry-port-busy',
        message: `port 127.0.0.1:${registry.hostPort}, where devenv runs its image registry for kind, is published by the container ${name} (${image})`,
        hint: `stop it: \`docker stop ${name}\``,
      },
      [`docker stop ${name}`],
    );
  }
  log(sink, `starting the local registry ${registry.container} on 127.0.0.1:${registry.hostPort}`);
  const started = await runner.run(kindRegistryRun(registry), { allowFailure: true });
  if (started.exitCode !== 0) {
    const busy = /port is already allocated|address already in use/i.test(started.stderr);
    throw new UserError({
      code: busy ? 'kubernetes.registry-port-busy' : 'kubernetes.registry-start',
      message: busy
        ? `another program on this machine holds 127.0.0.1:${registry.hostPort}, where devenv runs its image registry for kind`
        : `the image registry ${registry.container} did not start: ${started.stderr.trim().split('\n').pop()}`,
      hint: busy
        ? `find it with \`ss -ltnp 'sport = :${registry.hostPort}'\` and stop it`
        : `see \`docker logs ${registry.container}\``,
    });
  }
  return registry;
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
  const registry = await ensureKindRegistry(runner, cluster, sink);
  const inUse: ClusterSpec = registry ? { ...cluster, registry } : cluster;
  if (await clusterExists(runner, cluster)) {
    const match = await runner.run(clusterMatchProbe(cluster), { allowFailure: true });
    if (match.exitCode === 0 && match.stdout.trim() !== '') {
      await connectKindRegistry(runner, inUse, stateDir);
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
  await connectKindRegistry(runner, inUse, stateDir);
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
