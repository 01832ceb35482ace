// Live sync end to end on the reference stack, for any runtime: a saved backend route is served,
// a saved Celery task runs in the worker, a saved frontend component is served by Vite. Runs on
// a private copy of the stack so the repository's files are never edited, on free ports so it runs
// beside the stack from `npm run up`.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendPython } from '../process-runtime/reference-project.js';
import { devenv } from './cli.js';
import { copyReferenceStack } from './reference-copy.js';
import { getJson, type ReferencePorts, referenceFiles, referencePorts } from './reference-stack.js';
import { waitUntil } from './wait.js';

export function liveEditSuite(runtime: 'docker' | 'process', opts: { skip: string | false }): void {
  const title = `live edits reach the running reference stack on ${runtime}${opts.skip ? ` (skipped: ${opts.skip})` : ''}`;
  describe.skipIf(opts.skip !== false)(title, () => {
    const copy = copyReferenceStack(`live-${runtime}`);
    const hostCa = referenceFiles().env;
    const files = ['-f', copy.compose, ...(hostCa.HOST_CA_BUNDLE && runtime === 'docker' ? ['-f', copy.hostCa] : [])];
    const args = [...files, '-p', `devenvtest-live-${runtime}`, '--runtime', runtime];
    const env: Record<string, string> = { ...hostCa, DEVENV_STATE_DIR: `${copy.root}/state`, PYTHON: backendPython() };
    const token = `t${Date.now().toString(36)}`;
    let ports: ReferencePorts;

    beforeAll(async () => {
      ports = await referencePorts();
      Object.assign(env, ports.env);
      const r = await devenv([...args, 'up', '--detach'], { env, timeoutMs: 900_000 });
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    });

    afterAll(async () => {
      await devenv([...args, 'down', '--volumes'], { env });
    });

    it('a saved backend route is served', async () => {
      copy.edit('example/backend/app/routes.py', (t) =>
        t.replace(
          'body = {"status": "ok" if healthy else "degraded", **checks}',
          `body = {"status": "ok" if healthy else "degraded", "edit": "${token}", **checks}`,
        ),
      );
      const body = await waitUntil(
        'the backend to serve the edited route',
        async () => {
          const r = await getJson(`${ports.backend}/api/health`);
          return r.body.edit === token ? r.body : undefined;
        },
        { timeoutMs: 60_000 },
      );
      expect(body.status).toBe('ok');
    });

    it('a saved Celery task runs in the worker', async () => {
      copy.edit('example/backend/app/jobs.py', (t) =>
        t.replace('return {"sum": a + b}', `return {"sum": a + b, "edit": "${token}"}`),
      );
      const result = await waitUntil(
        'the worker to run the edited task',
        async () => {
          const created = await fetch(`${ports.backend}/api/tasks`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ kind: 'add', payload: { a: 1, b: 2 } }),
            signal: AbortSignal.timeout(5000),
          });
          const { task_id: id } = (await created.json()) as { task_id: string };
          for (let i = 0; i < 20; i++) {
            const r = await getJson(`${ports.backend}/api/tasks/${id}`);
            if (r.body.state === 'SUCCESS')
              return (r.body.result as { edit?: string }).edit === token ? r.body.result : undefined;
            await new Promise((res) => setTimeout(res, 250));
          }
          return undefined;
        },
        { timeoutMs: 120_000, intervalMs: 500 },
      );
      expect(result).toEqual({ sum: 3, edit: token });
    });

    it('a saved frontend component is served by Vite', async () => {
      copy.edit('example/frontend/src/App.jsx', (t) =>
        t.replace('<h1>devenv reference stack</h1>', `<h1>devenv reference stack ${token}</h1>`),
      );
      const text = await waitUntil(
        'Vite to serve the edited component',
        async () => {
          const r = await fetch(`${ports.frontend}/src/App.jsx`, { signal: AbortSignal.timeout(5000) });
          const body = await r.text();
          return body.includes(token) ? body : undefined;
        },
        { timeoutMs: 60_000 },
      );
      expect(text).toContain(token);
    });
  });
}
