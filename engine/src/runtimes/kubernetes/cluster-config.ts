// kind and k3d cluster configs, the local registry beside them, and the config hash that decides
// whether an existing cluster is reused. Pure: what this returns is what the golden tests and
// `--dry-run` show, and what cluster-lifecycle.ts writes to disk and hands to the CLIs.

import { createHash } from 'node:crypto';
import { canonicalJson } from '../../model/spec-hash.js';
import { DEFAULT_CLUSTER_NAME, kubeContext, LABEL } from './names.js';
import { K3S_IMAGE, REGISTRY_IMAGE } from './versions.js';

export type ClusterProvider = 'kind' | 'k3d';

/** The local registry: pushed to from the host, pulled from by the cluster's containerd, under one name. */
export interface RegistrySpec {
  /** Docker container name (also its DNS name on the cluster's Docker network). */
  container: string;
  /** Host port, bound on 127.0.0.1. */
  hostPort: number;
  /** Named Docker volume holding the images: survives the registry container and the cluster. */
  volume: string;
  /** Image names use this host, from the host (`docker push`) and in pods (containerd mirror). */
  host: string;
  /** Where the cluster's nodes reach it. */
  endpoint: string;
}

export interface ClusterSpec {
  provider: ClusterProvider;
  name: string;
  /** kubeconfig context the CLIs create. */
  context: string;
  /** Undefined: images are loaded with `kind load docker-image` / `k3d image import`. */
  registry?: RegistrySpec;
  /** The config written to disk and given to `kind create cluster` / `k3d cluster create`. */
  config: Record<string, unknown>;
  /** Hash of the config (without the hash label itself): equal hash, reuse; different, ask for a hard reset. */
  configHash: string;
  /** File name the config is written to under the state directory. */
  configFile: string;
}

export interface ClusterSpecOptions {
  provider: ClusterProvider;
  name: string;
  /** Default true: a local registry; false loads images into the nodes instead. */
  registry?: boolean;
  /** k3d only; default K3S_IMAGE. */
  k3sImage?: string;
  /** kind only: node image (default: the one kind's version ships with). */
  kindNodeImage?: string;
}

/**
 * One registry per provider (kind and k3d clusters may live side by side on one machine), named
 * as kind's and k3d's own local-registry guides do, with the images in a named volume so a hard
 * reset (or `k3d cluster delete`, which takes a registry it created along) never loses them.
 */
export function registrySpec(provider: ClusterProvider): RegistrySpec {
  const container = provider === 'kind' ? 'devenv-registry' : 'devenv-k3d-registry';
  const hostPort = provider === 'kind' ? 5001 : 5002;
  return {
    container,
    hostPort,
    volume: `${container}-data`,
    host: `localhost:${hostPort}`,
    endpoint: `http://${container}:5000`,
  };
}

/** The cluster devenv makes and owns for a provider: none for `context` (a cluster it was pointed at). */
export function ownClusterSpec(opts: {
  provider: ClusterProvider | 'context';
  clusterName?: string | undefined;
  registry?: boolean | undefined;
}): ClusterSpec | undefined {
  return opts.provider === 'context'
    ? undefined
    : clusterSpec({
        provider: opts.provider,
        name: opts.clusterName ?? DEFAULT_CLUSTER_NAME,
        registry: opts.registry !== false,
      });
}

export function clusterSpec(opts: ClusterSpecOptions): ClusterSpec {
  const registry = opts.registry === false ? undefined : registrySpec(opts.provider);
  const base = opts.provider === 'kind' ? kindConfig(opts, registry) : k3dConfig(opts, registry);
  const configHash = createHash('sha256').update(canonicalJson(base)).digest('hex').slice(0, 12);
  const config = opts.provider === 'kind' ? withKindHash(base, configHash) : withK3dHash(base, configHash);
  return {
    provider: opts.provider,
    name: opts.name,
    context: kubeContext(opts.provider, opts.name),
    ...(registry ? { registry } : {}),
    config,
    configHash,
    configFile: `${opts.provider}-cluster.yaml`,
  };
}

/**
 * kind: API server on 127.0.0.1 (kind's default, written out so it is visible), no host port
 * mappings (devenv forwards ports through the API), and containerd's registry config directory
 * enabled so the registry can be aliased per node (kind's local-registry guide).
 */
function kindConfig(opts: ClusterSpecOptions, registry: RegistrySpec | undefined): Record<string, unknown> {
  const node: Record<string, unknown> = { role: 'control-plane' };
  if (opts.kindNodeImage) node.image = opts.kindNodeImage;
  return {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name: opts.name,
    networking: { apiServerAddress: '127.0.0.1' },
    nodes: [node],
    ...(registry
      ? {
          containerdConfigPatches: [
            '[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"',
          ],
        }
      : {}),
  };
}

function withKindHash(config: Record<string, unknown>, hash: string): Record<string, unknown> {
  const nodes = (config.nodes as Record<string, unknown>[]).map((n) => ({
    ...n,
    labels: { ...((n.labels as Record<string, string>) ?? {}), [LABEL.configHash]: hash },
  }));
  return { ...config, nodes };
}

/**
 * k3d: one server, the API on 127.0.0.1, traefik off (nothing here needs an ingress, and two
 * cores are better spent elsewhere), the registry created with the cluster as k3d documents it
 * (`registries.create`) with its storage in a named volume, and a mirror so pods name images
 * `localhost:<port>/…` exactly as on kind.
 */
function k3dConfig(opts: ClusterSpecOptions, registry: RegistrySpec | undefined): Record<string, unknown> {
  return {
    apiVersion: 'k3d.io/v1alpha5',
    kind: 'Simple',
    metadata: { name: opts.name },
    servers: 1,
    agents: 0,
    image: opts.k3sImage ?? K3S_IMAGE,
    kubeAPI: { hostIP: '127.0.0.1' },
    ...(registry
      ? {
          registries: {
            create: {
              name: registry.container,
              host: '127.0.0.1',
              hostPort: String(registry.hostPort),
              image: REGISTRY_IMAGE,
              volumes: [`${registry.volume}:/var/lib/registry`],
            },
            config: `mirrors:\n  "${registry.host}":\n    endpoint:\n      - ${registry.endpoint}\n`,
          },
        }
      : {}),
    options: {
      k3d: { wait: true, timeout: '180s' },
      k3s: { extraArgs: [{ arg: '--disable=traefik', nodeFilters: ['server:*'] }] },
      kubeconfig: { updateDefaultKubeconfig: true, switchCurrentContext: false },
    },
  };
}

function withK3dHash(config: Record<string, unknown>, hash: string): Record<string, unknown> {
  const options = config.options as Record<string, Record<string, unknown>>;
  const k3s = options.k3s ?? {};
  return {
    ...config,
    options: {
      ...options,
      k3s: {
        ...k3s,
        nodeLabels: [{ label: `${LABEL.configHash}=${hash}`, nodeFilters: ['server:*'] }],
      },
    },
  };
}

/** kind's documented ConfigMap (KEP-1755) telling tools where the local registry is. */
export function localRegistryHosting(registry: RegistrySpec): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'local-registry-hosting', namespace: 'kube-public' },
    data: {
      'localRegistryHosting.v1': `host: "${registry.host}"\nhelp: "https://kind.sigs.k8s.io/docs/user/local-registry/"\n`,
    },
  };
}

/** containerd's hosts.toml aliasing `registry.host` to the registry container, per kind node. */
export function kindRegistryHostsToml(registry: RegistrySpec): string {
  return `[host."${registry.endpoint}"]\n`;
}

export function kindRegistryDir(registry: RegistrySpec): string {
  return `/etc/containerd/certs.d/${registry.host}`;
}
