// `kill -9` of the daemon at several moments of `up` on the reference stack, then `up` again:
// the environment converges with no duplicate containers or processes, no orphan process, and
// nothing recreated that did not change. On Docker and on the process runtime.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, devenv, repoRoot } from '../helpers/cli.js';
import { dockerAvailable, projectContainers } from '../helpers/docker.js';
import { copyReferenceStack } from '../helpers/reference-copy.js';
import { referenceFiles, referencePorts } from '../helpers/reference-stack.js';
import { waitUntil } from '../helpers/wait.js';
import { backendPython } from '../process-runtime/reference-project.js';

interface Status {
  services: { name: string; state: string; containerId: string | null }[];
}

/** Start `up -d`, SIGKILL the daemon as soon as its log shows `line`, and wait for the client to notice. */
async function upAndKillAt(
  args: string[],
  env: Record<string, string>,
  logFile: string,
  line: RegExp,
): Promise<string> {
  const offset = existsSync(logFile) ? readFileSync(logFile).length : 0;
  const child = spawn(process.execPath, [cliBin, ...args, 'up', '--detach'], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: 'ignore',
  });
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  const seen = await waitUntil(
    `the daemon log to show ${line}`,
    () => {
      if (!existsSync(logFile)) return undefined;
      const text = readFileSync(logFile, 'utf8').slice(offset);
      return line.exec(text)?.[0];
    },
    { timeoutMs: 300_000, intervalMs: 20 },
  );
  const pid = Number(/daemon (\d+) serving/.exec(readFileSync(logFile, 'utf8').slice(offset))?.[1]);
  expect(pid).toBeGreaterThan(0);
  process.kill(pid, 'SIGKILL');
  const code = await exited;
  expect(code).toBe(2); // the client saw its daemon vanish
  return seen;
}

async function status(args: string[], env: Record<string, string>): Promise<Status> {
  const r = await devenv([...args, 'status', '--json'], { env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Status;
}

const settled = (s: Status) => s.services.every((x) => x.state === 'healthy' || x.state === 'completed');

/** Processes carrying the project's state directory in their environment, by instance token. */
async function projectProcesses(stateDir: string): Promise<Map<string, number[]>> {
  const byToken = new Map<string, number[]>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let env: string;
    try {
      env = (await readFile(`/proc/${name}/environ`)).toString('latin1');
    } catch {
      continue;
    }
    const vars = env.split('\0');
    if (!vars.includes(`DEVENV_STATE_DIR=${stateDir}`)) continue;
    const token = vars.find((v) => v.startsWith('DEVENV_INSTANCE_TOKEN='))?.slice('DEVENV_INSTANCE_TOKEN='.length);
    if (!token) continue;
    byToken.set(token, [...(byToken.get(token) ?? []), Number(name)]);
  }
  return byToken;
}

function recordTokens(stateDir: string): Map<string, string> {
  const dir = join(stateDir, 'processes');
  const out = new Map<string, string>();
  for (const f of existsSync(dir) ? readdirSync(dir) : []) {
    if (!f.endsWith('.json')) continue;
    const r = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { service: string; token: string; status: string };
    out.set(r.service, r.token);
  }
  return out;
}

const killPoints: Record<'docker' | 'process', { name: string; line: RegExp }[]> = {
  docker: [
    { name: 'while images build and postgres starts', line: /postgres: starting/ },
    { name: 'while the migration starts', line: /migrate: starting/ },
    { name: 'while the backend starts', line: /backend: starting/ },
  ],
  process: [
    { name: 'while postgres initialises', line: /postgres: starting/ },
    { name: 'while the migration starts', line: /migrate: starting/ },
    { name: 'while the backend starts', line: /backend: starting/ },
  ],
};

for (const runtime of ['docker', 'process'] as const) {
  const skip = runtime === 'docker' && !dockerAvailable() ? ' (skipped: needs a Docker engine)' : '';
  describe.skipIf(skip !== '')(`kill -9 of the daemon during up, then up again, on ${runtime}${skip}`, () => {
    const copy = copyReferenceStack(`crash-${runtime}`);
    const hostCa = referenceFiles().env;
    const stateDir = join(copy.root, 'state');
    const project = `devenvtest-crash-${runtime}`;
    const files = ['-f', copy.compose, ...(hostCa.HOST_CA_BUNDLE && runtime === 'docker' ? ['-f', copy.hostCa] : [])];
    const args = [...files, '-p', project, '--runtime', runtime];
    const env: Record<string, string> = { ...hostCa, DEVENV_STATE_DIR: stateDir, PYTHON: backendPython() };
    const logFile = join(stateDir, 'daemon.log');

    // Free ports: it runs beside the stack from `npm run up`.
    beforeAll(async () => {
      Object.assign(env, (await referencePorts()).env);
    });

    afterAll(async () => {
      await devenv([...args, 'down', '--volumes'], { env });
    });

    for (const point of killPoints[runtime]) {
      it(`converges after a kill ${point.name}`, async () => {
        await devenv([...args, 'down'], { env });
        await upAndKillAt(args, env, logFile, point.line);

        // What survived the crash, before the next `up` looks at it.
        const before =
          runtime === 'docker'
            ? Object.fromEntries(
                projectContainers(project)
                  .filter((c) => c.state === 'running')
                  .map((c) => [c.service, c.id]),
              )
            : Object.fromEntries(recordTokens(stateDir));
        const liveBefore = runtime === 'process' ? await projectProcesses(stateDir) : new Map<string, number[]>();

        const again = await devenv([...args, 'up', '--detach'], { env, timeoutMs: 900_000 });
        expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
        const s = await status(args, env);
        expect(settled(s), JSON.stringify(s.services)).toBe(true);

        if (runtime === 'docker') {
          const containers = projectContainers(project);
          const perService = new Map<string, number>();
          for (const c of containers) perService.set(c.service, (perService.get(c.service) ?? 0) + 1);
          expect(
            [...perService.values()].every((n) => n === 1),
            JSON.stringify([...perService]),
          ).toBe(true);
          expect(perService.size).toBe(6);
          // Running containers the crash left behind were kept, not recreated (their spec did not change).
          const now = Object.fromEntries(containers.map((c) => [c.service, c.id]));
          for (const [service, id] of Object.entries(before)) if (service !== 'migrate') expect(now[service]).toBe(id);
        } else {
          const tokens = recordTokens(stateDir);
          expect(tokens.size).toBe(6);
          const live = await projectProcesses(stateDir);
          // Every live process belongs to a recorded instance: no orphan, no duplicate group.
          for (const token of live.keys()) expect([...tokens.values()], `orphan token ${token}`).toContain(token);
          // Long-running services that were already running when the daemon died were adopted, not restarted.
          for (const service of ['postgres', 'redis']) {
            if (before[service] && liveBefore.has(before[service]!)) expect(tokens.get(service)).toBe(before[service]);
          }
        }
      });
    }
  });
}
