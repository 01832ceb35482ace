// The baseline every `up` row is measured against: Debian's docker-compose 1.29 on the same
// Compose file, plus polling Docker until the same healthchecks pass. Shared by the `core` and
// `untuned` sections.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import YAML from 'yaml';

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** docker-compose 1.29 is there, or installed from Debian when this runs as root with apt. */
export function ensureCompose129() {
  if (spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0) return true;
  if (process.getuid?.() === 0 && spawnSync('apt-get', ['--version']).status === 0) {
    console.error('… installing Debian’s docker-compose (the baseline) with apt-get');
    sh('apt-get', ['install', '-y', '-q', 'docker-compose'], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    return true;
  }
  return false;
}

/** The same files for docker-compose 1.29: no `name`, no `develop`, ports pinned to 127.0.0.1. */
export function filesForCompose129(files) {
  const dir = mkdtempSync(path.join(tmpdir(), 'devenv-bench-compose-'));
  return files.map((file, i) => {
    const doc = YAML.parse(execFileSync('cat', [file], { encoding: 'utf8' }));
    delete doc.name;
    for (const svc of Object.values(doc.services ?? {})) {
      delete svc.develop;
      if (Array.isArray(svc.ports))
        svc.ports = svc.ports.map((p) => (typeof p === 'string' && p.split(':').length === 2 ? `127.0.0.1:${p}` : p));
    }
    const out = path.join(dir, `${i}-${path.basename(file)}`);
    // YAML 1.1 output, so 'no' stays a string for docker-compose 1.29's PyYAML (not the boolean false).
    writeFileSync(out, YAML.stringify(doc, { version: '1.1' }));
    return out;
  });
}

/** `docker-compose` for one project: `compose(args, env)`. */
export function composeRunner({ projectDir, project, files }) {
  const fArgs = files.flatMap((f) => ['-f', f]);
  return (args, env = {}) =>
    sh('docker-compose', ['--project-directory', projectDir, '-p', project, ...fArgs, ...args], {
      env: { ...process.env, ...env },
    });
}

/** Poll Docker until every container of the compose project is healthy, or exited 0 for one-shots. */
export async function waitComposeSettled(project, expected) {
  for (;;) {
    const ids = sh('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`])
      .split('\n')
      .filter(Boolean);
    if (ids.length >= expected) {
      const states = JSON.parse(sh('docker', ['inspect', ...ids])).map((c) => {
        if (c.State.Status === 'exited') return c.State.ExitCode === 0 ? 'done' : 'failed';
        if (c.State.Health) return c.State.Health.Status === 'healthy' ? 'done' : 'waiting';
        return c.State.Running ? 'done' : 'waiting';
      });
      if (states.includes('failed')) throw new Error('a docker-compose container failed');
      if (states.every((s) => s === 'done')) return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
