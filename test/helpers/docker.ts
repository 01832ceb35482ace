// Facts about the real Docker engine, read with the docker CLI (not through devenv's own code).

import { execFileSync } from 'node:child_process';

export function dockerAvailable(): boolean {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

export function imageExists(ref: string): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', ref], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

export function docker(args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export interface ContainerRow {
  id: string;
  name: string;
  service: string;
  state: string;
}

/** Every container labelled for the project, running or not. */
export function projectContainers(project: string): ContainerRow[] {
  const out = docker([
    'ps',
    '-a',
    '--no-trunc',
    '--filter',
    `label=dev.devenv.project=${project}`,
    '--format',
    '{{.ID}}\t{{.Names}}\t{{.Label "dev.devenv.service"}}\t{{.State}}',
  ]);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, name, service, state] = line.split('\t');
      return { id: id!, name: name!, service: service!, state: state! };
    });
}

export function idsByService(project: string): Record<string, string> {
  return Object.fromEntries(projectContainers(project).map((c) => [c.service, c.id]));
}

export function networksOf(project: string): string[] {
  return docker(['network', 'ls', '--filter', `label=dev.devenv.project=${project}`, '--format', '{{.Name}}'])
    .split('\n')
    .filter(Boolean);
}

export function volumesOf(project: string): string[] {
  return docker(['volume', 'ls', '--filter', `label=dev.devenv.project=${project}`, '--format', '{{.Name}}'])
    .split('\n')
    .filter(Boolean);
}

export function inspect<T = Record<string, unknown>>(id: string): T {
  return JSON.parse(docker(['inspect', id]))[0] as T;
}

/** `down` keeps images; this project's are tagged `<project>-<service>` (layers stay cached). */
export function removeImagesOf(name: string): void {
  const refs = docker(['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${name}-*`])
    .split('\n')
    .filter(Boolean);
  if (refs.length > 0) docker(['rmi', ...refs]);
}
