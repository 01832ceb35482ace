// The in-cluster git server Argo CD reads the project from, so a laptop with no network still
// works: lighttpd + git-http-backend (read-only smart HTTP) in an image devenv builds itself FROM
// debian:bookworm-slim. devenv pushes with `git push ext::kubectl exec …` into a receive helper
// that creates the repository on first use. The same image carries curl for smoke-test Jobs.

import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ProjectSpec, ServiceSpec } from '../../model/spec.js';
import type { K8sObject } from './k8s-object.js';
import { dnsLabel, GIT_SERVER_NAME, LABEL, MANAGED_BY, SYSTEM_NAMESPACE } from './names.js';

const dockerfile = `# devenv tools: the in-cluster git server (lighttpd + git-http-backend) and curl for smoke tests.
FROM debian:bookworm-slim
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends git lighttpd curl ca-certificates \\
 && rm -rf /var/lib/apt/lists/*
COPY lighttpd.conf /etc/lighttpd/devenv-git.conf
COPY devenv-git-receive /usr/local/bin/devenv-git-receive
RUN chmod 755 /usr/local/bin/devenv-git-receive \\
 && mkdir -p /srv/git /srv/www \\
 && echo ok > /srv/www/healthz \\
 && git config --system --add safe.directory '*'
EXPOSE 8080
CMD ["lighttpd", "-D", "-f", "/etc/lighttpd/devenv-git.conf"]
`;

// git-http-backend serves clones and fetches; pushes over HTTP stay off (no receive-pack), so
// the only writer is whoever may exec into the pod.
const lighttpdConf = `server.modules = ("mod_alias", "mod_cgi", "mod_setenv")
server.document-root = "/srv/www"
server.port = 8080
server.errorlog = "/dev/stderr"
alias.url = ("/git" => "/usr/lib/git-core/git-http-backend")
$HTTP["url"] =~ "^/git" {
  cgi.assign = ("" => "")
  setenv.add-environment = ("GIT_PROJECT_ROOT" => "/srv/git", "GIT_HTTP_EXPORT_ALL" => "1")
}
`;

const receiveHelper = `#!/bin/sh
# devenv-git-receive NAME: the receiving end of \`git push ext::kubectl exec -i … devenv-git-receive NAME\`.
# Creates /srv/git/NAME.git on first use. stdout carries git's protocol: everything else to stderr.
set -eu
name=\${1:-}
case "$name" in
  '' | *[!a-z0-9-]*) echo "devenv-git-receive: bad repository name '$name'" >&2; exit 2 ;;
esac
repo=/srv/git/$name.git
if [ ! -d "$repo" ]; then
  git init -q --bare "$repo" >&2
  git -C "$repo" config receive.denyNonFastForwards false
  git -C "$repo" config receive.denyDeletes false
fi
exec git-receive-pack "$repo"
`;

export const TOOLS_IMAGE_FILES: Record<string, { content: string; mode: number }> = {
  Dockerfile: { content: dockerfile, mode: 0o644 },
  'lighttpd.conf': { content: lighttpdConf, mode: 0o644 },
  'devenv-git-receive': { content: receiveHelper, mode: 0o755 },
};

/** Content hash of the tools image's build context: its tag, so a changed file builds anew. */
export function toolsImageTag(): string {
  const h = createHash('sha256');
  for (const [name, f] of Object.entries(TOOLS_IMAGE_FILES).sort(([a], [b]) => a.localeCompare(b))) {
    h.update(`${name}\0${f.mode}\0${f.content}\0`);
  }
  return h.digest('hex').slice(0, 12);
}

/** Writes the build context to `dir` (for the image builder, or `docker build`). */
export async function writeToolsContext(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, f] of Object.entries(TOOLS_IMAGE_FILES)) {
    await writeFile(path.join(dir, name), f.content, { mode: f.mode });
  }
}

/** The tools image as a service and project of its own, for the image builder (`contextDir` from writeToolsContext). */
export function toolsImageBuild(contextDir: string): { service: ServiceSpec; project: ProjectSpec } {
  const service: ServiceSpec = {
    name: 'devenv-tools',
    image: `devenv-tools:${toolsImageTag()}`,
    build: { context: contextDir, dockerfile: 'Dockerfile', args: {} },
    environment: {},
    ports: [],
    volumes: [],
    dependsOn: {},
    restart: { name: 'no' },
    labels: {},
    networks: [],
    profiles: [],
    tty: false,
    stdinOpen: false,
    devenv: {},
  };
  const project: ProjectSpec = {
    name: 'devenv',
    projectDir: contextDir,
    configFiles: [],
    services: { 'devenv-tools': service },
    volumes: {},
    networks: {},
    devenv: {},
  };
  return { service, project };
}

export function repoName(project: string): string {
  return dnsLabel(project);
}

/** The URL Argo CD clones from. */
export function inClusterRepoURL(project: string): string {
  return `http://${GIT_SERVER_NAME}.${SYSTEM_NAMESPACE}.svc.cluster.local/git/${repoName(project)}.git`;
}

/**
 * `git push` target that needs no port: git's ext:: transport runs `kubectl exec -i` into the git
 * server and speaks the protocol over its stdin/stdout (ext:: splits words on spaces, so none of
 * these may contain one).
 */
export function pushRemote(kubeContext: string, project: string): string {
  return [
    'ext::kubectl',
    '--context',
    kubeContext,
    '-n',
    SYSTEM_NAMESPACE,
    'exec',
    '-i',
    `deploy/${GIT_SERVER_NAME}`,
    '-c',
    'git',
    '--',
    'devenv-git-receive',
    repoName(project),
  ].join(' ');
}

export function gitServerObjects(image: string): K8sObject[] {
  const labels = { [LABEL.managedBy]: MANAGED_BY, 'app.kubernetes.io/name': GIT_SERVER_NAME };
  const selector = { 'app.kubernetes.io/name': GIT_SERVER_NAME };
  return [
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: `${GIT_SERVER_NAME}-data`, namespace: SYSTEM_NAMESPACE, labels },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: GIT_SERVER_NAME, namespace: SYSTEM_NAMESPACE, labels },
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'git',
                image,
                imagePullPolicy: 'IfNotPresent',
                ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
                readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 2 },
                volumeMounts: [{ name: 'repos', mountPath: '/srv/git' }],
              },
            ],
            volumes: [{ name: 'repos', persistentVolumeClaim: { claimName: `${GIT_SERVER_NAME}-data` } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: GIT_SERVER_NAME, namespace: SYSTEM_NAMESPACE, labels },
      spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
    },
  ];
}
