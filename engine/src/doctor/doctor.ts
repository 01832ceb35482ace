// `devenv doctor`: everything that can stop `devenv up`, checked before it does, each finding
// with the command that fixes it. Reads only; installs and changes nothing.

import { readdirSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProjectSpec } from '../model/spec.js';
import { inotifyLimit } from '../platform/inotify-limits.js';
import { daemonPaths, type ProjectIdentity } from '../protocol/project-identity.js';
import { DockerRuntime } from '../runtimes/docker/docker-runtime.js';
import { findMissingBinaries } from '../runtimes/process/binaries.js';
import type { RuntimeChoice } from '../runtimes/select-runtime.js';
import { kubernetesToolFindings } from './kubernetes-tools.js';
import { portHolders, portIsFree } from './port-holders.js';
import { servicesState } from './services-state.js';

export type FindingStatus = 'ok' | 'info' | 'warn' | 'fail';

export interface Finding {
  check: string;
  status: FindingStatus;
  detail: string;
  fix?: string;
}

export interface DoctorOptions {
  project: ProjectSpec;
  identity: ProjectIdentity;
  runtime: RuntimeChoice;
  /** Host ports the project's own running instances hold (they are not conflicts). */
  ownPorts?: Map<number, string>;
}

export async function runDoctor(opts: DoctorOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  findings.push(nodeVersion());
  const docker = await dockerEngine(opts.runtime);
  findings.push(docker.finding);
  const processRuntime = opts.runtime === 'process' || (opts.runtime === 'auto' && !docker.reachable);
  if (processRuntime) {
    findings.push(...(await processBinaries(opts.project)));
    const stateDir = daemonPaths(opts.identity).stateDir;
    findings.push(...(await servicesState(opts.project, stateDir, process.env.DEVENV_STATE_DIR !== undefined)));
  }
  findings.push(...(await ports(opts.project, opts.ownPorts ?? new Map())));
  findings.push(...(await inotify(opts.project)));
  findings.push(...(await kubernetesToolFindings(opts.runtime)));
  findings.push(...(await diskSpace(opts.project.projectDir, docker.rootDir)));
  findings.push(socketPath(opts.identity));
  return findings;
}

function nodeVersion(): Finding {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 20
    ? { check: 'node', status: 'ok', detail: `Node ${process.version}` }
    : { check: 'node', status: 'fail', detail: `Node ${process.version} is too old`, fix: 'install Node 20 or newer' };
}

async function dockerEngine(
  runtime: RuntimeChoice,
): Promise<{ finding: Finding; reachable: boolean; rootDir?: string }> {
  const docker = new DockerRuntime();
  const where = `${docker.endpoint.description} (${docker.endpoint.source})`;
  try {
    const info = await docker.connect();
    const root = await docker.docker
      .info()
      .then((i: { DockerRootDir?: string }) => i.DockerRootDir)
      .catch(() => undefined);
    return {
      finding: { check: 'docker', status: 'ok', detail: `${info.detail} at ${where}` },
      reachable: true,
      ...(root ? { rootDir: root } : {}),
    };
  } catch {
    const needed = runtime === 'docker' || runtime === 'kind' || runtime === 'k3d' || runtime === 'kubernetes';
    return {
      finding: {
        check: 'docker',
        status: needed ? 'fail' : 'info',
        detail: `no Docker engine answers at ${where}${needed ? '' : '; `up` will run the services as local processes'}`,
        fix: 'start Docker (Docker Desktop, `colima start`, or `sudo systemctl start docker`)',
      },
      reachable: false,
    };
  } finally {
    await docker.close();
  }
}

async function processBinaries(project: ProjectSpec): Promise<Finding[]> {
  const missing = await findMissingBinaries(project);
  if (missing.length === 0) {
    return [{ check: 'process binaries', status: 'ok', detail: 'every command of the process runtime is installed' }];
  }
  return missing.map((m) => ({
    check: 'process binaries',
    status: 'fail' as const,
    detail: `${m.service}: ${m.binary} is missing (used by its ${m.usedBy})`,
    fix: m.installHint,
  }));
}

async function ports(project: ProjectSpec, own: Map<number, string>): Promise<Finding[]> {
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const svc of Object.values(project.services)) {
    for (const p of svc.ports) {
      if (p.published === undefined || p.protocol !== 'tcp') continue;
      const key = `${p.hostIp}:${p.published}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (own.has(p.published)) {
        out.push({
          check: 'ports',
          status: 'ok',
          detail: `${key} (${svc.name}) is held by this environment's ${own.get(p.published)}`,
        });
        continue;
      }
      if (await portIsFree(p.published, p.hostIp)) {
        out.push({ check: 'ports', status: 'ok', detail: `${key} (${svc.name}) is free` });
        continue;
      }
      const holders = await portHolders(p.published);
      const who = holders.length
        ? holders.map((h) => `${h.command} (pid ${h.pid}) on ${h.address}`).join(', ')
        : 'a process this user cannot see';
      out.push({
        check: 'ports',
        status: 'fail',
        detail: `${key} (${svc.name}) is taken by ${who}`,
        fix: holders.length
          ? `stop it (\`kill ${holders[0]!.pid}\`), or publish ${svc.name} on another port`
          : `find it with \`sudo ss -ltnp 'sport = :${p.published}'\``,
      });
    }
  }
  return out;
}

/** Directories the watcher will watch: under every develop.watch path, minus the usual heavy ones. */
function countWatchedDirs(paths: string[], limit: number): number {
  const skip = new Set(['node_modules', '.git', '__pycache__', '.venv', 'dist', 'build']);
  let count = 0;
  const walk = (dir: string) => {
    if (count > limit) return;
    count++;
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory() && !skip.has(e.name)) walk(join(dir, e.name));
  };
  for (const p of paths) walk(p);
  return count;
}

async function inotify(project: ProjectSpec): Promise<Finding[]> {
  const watches = inotifyLimit('max_user_watches');
  const instances = inotifyLimit('max_user_instances') ?? Number.POSITIVE_INFINITY;
  if (watches === undefined)
    return [
      { check: 'inotify', status: 'info', detail: `no inotify limits here (${process.platform}): nothing to check` },
    ];
  const roots = Object.values(project.services).flatMap((s) => s.develop?.watch.map((w) => w.path) ?? []);
  const dirs = countWatchedDirs([...new Set(roots)], watches);
  const fix = 'echo fs.inotify.max_user_watches=524288 | sudo tee /etc/sysctl.d/60-devenv.conf && sudo sysctl --system';
  const findings: Finding[] = [];
  if (dirs > watches / 2) {
    findings.push({
      check: 'inotify',
      status: dirs > watches ? 'fail' : 'warn',
      detail: `the sync roots hold about ${dirs} directories; max_user_watches is ${watches} (shared by every program of this user)`,
      fix,
    });
  } else {
    findings.push({
      check: 'inotify',
      status: 'ok',
      detail: `max_user_watches ${watches} for about ${dirs} watched directories`,
    });
  }
  if (instances < 128) {
    findings.push({
      check: 'inotify',
      status: 'warn',
      detail: `max_user_instances is ${instances}; editors and watchers each take one`,
      fix: 'echo fs.inotify.max_user_instances=512 | sudo tee -a /etc/sysctl.d/60-devenv.conf && sudo sysctl --system',
    });
  }
  return findings;
}

async function diskSpace(projectDir: string, dockerRoot: string | undefined): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const [label, dir] of [
    ['project directory', projectDir],
    ['Docker data', dockerRoot],
  ] as const) {
    if (!dir) continue;
    try {
      const s = await statfs(dir);
      const freeGb = (s.bavail * s.bsize) / 2 ** 30;
      const status: FindingStatus = freeGb < 1 ? 'fail' : freeGb < 5 ? 'warn' : 'ok';
      out.push({
        check: 'disk',
        status,
        detail: `${label} (${dir}): ${freeGb.toFixed(1)} GiB free`,
        ...(status === 'ok'
          ? {}
          : { fix: 'free some space (`docker system prune` removes unused images and build cache)' }),
      });
    } catch {
      // A Docker root this user cannot stat (rootful engine, another machine): nothing to say.
    }
  }
  return out;
}

function socketPath(identity: ProjectIdentity): Finding {
  const paths = daemonPaths(identity);
  return {
    check: 'daemon socket',
    status: 'ok',
    detail: `${paths.socket} (${paths.socket.length} bytes; the limit is 107)`,
  };
}
