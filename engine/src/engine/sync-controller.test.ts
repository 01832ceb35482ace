// The sync controller on the FakeRuntime, over real temp folders and the real watcher: which
// sessions it builds, how it attaches and reports, and which action a batch runs.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EngineEvent } from '../model/events.js';
import type { WatchRule } from '../model/spec.js';
import { fakeProject, fakeService } from '../runtime-interface/fake-project.js';
import { FakeRuntime } from '../runtime-interface/fake-runtime.js';
import { SyncController } from './sync-controller.js';

const dirs: string[] = [];
const controllers: SyncController[] = [];
afterEach(async () => {
  for (const c of controllers.splice(0)) await c.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function folder(files: Record<string, string> = { 'app.py': 'print(1)\n' }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sync-controller-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function rule(dir: string, action: WatchRule['action'], patch: Partial<WatchRule> = {}): WatchRule {
  return { path: dir, action, target: '/app', ignore: [], initialSync: false, ...patch };
}

function setup(opts: { copiesFiles?: boolean } = {}) {
  const runtime = new FakeRuntime(opts);
  const events: EngineEvent[] = [];
  const actions: string[] = [];
  const figures: string[] = [];
  const controller = new SyncController(runtime, (e) => events.push(e), {
    restart: async (s) => void actions.push(`restart ${s}`),
    rebuild: async (s) => void actions.push(`rebuild ${s}`),
    exec: async (s, command) => void actions.push(`exec ${s}: ${command.join(' ')}`),
    figures: (s, f) => figures.push(`${s}: ${f.files}`),
  });
  controllers.push(controller);
  const progress = () =>
    events.flatMap((e) => (e.kind === 'progress' ? [`${e.message}${e.failed ? ' (failed)' : ''}`] : []));
  return { runtime, controller, events, actions, figures, progress };
}

describe('SyncController', () => {
  it('attaches the copying sessions of a service, reports it, and reconciles files into the instance', async () => {
    const dir = folder({ 'app.py': 'print(1)\n', 'lib.py': 'x = 1\n' });
    const { runtime, controller, progress } = setup();
    await controller.configure(
      fakeProject([
        fakeService('api', { develop: { watch: [rule(dir, 'sync'), rule(dir, 'rebuild', { target: undefined })] } }),
        fakeService('db'),
      ]),
    );
    expect(controller.copiesInto('api')).toBe(true);
    expect(controller.copiesInto('db')).toBe(false);
    await controller.attach('api', 'api-1', { reconcile: true });
    expect(runtime.calledWith('attachSync', undefined).map((c) => c.instanceId)).toEqual(['api-1']);
    const [transport] = runtime.transports.get('api')!;
    expect(transport!.tree.has('app.py') && transport!.tree.has('lib.py')).toBe(true);
    expect(runtime.transports.get('api')).toHaveLength(1); // the rebuild rule copies nothing
    expect(controller.linked('api')).toBe(true);
    expect(progress()).toEqual(['attaching', 'in sync']);
    expect((await controller.resync('api')).sent).toBe(0); // already in line
  });

  it('detaches a link, and attaching again replaces the old one', async () => {
    const dir = folder();
    const { runtime, controller } = setup();
    await controller.configure(fakeProject([fakeService('api', { develop: { watch: [rule(dir, 'sync')] } })]));
    await controller.attach('api', 'api-1', { reconcile: false });
    const first = runtime.transports.get('api')![0]!;
    await controller.attach('api', 'api-2', { reconcile: false });
    expect(first.closed).toBe(true);
    await controller.detach('api');
    expect(controller.linked('api')).toBe(false);
    expect(runtime.transports.get('api')![1]!.closed).toBe(true);
  });

  it('reports a failed attach as failed progress and throws it', async () => {
    const dir = folder();
    const { runtime, controller, progress } = setup();
    await controller.configure(fakeProject([fakeService('api', { develop: { watch: [rule(dir, 'sync')] } })]));
    runtime.failOn('attachSync', new Error('no agent in the image'));
    await expect(controller.attach('api', 'api-1', { reconcile: false })).rejects.toThrow('no agent in the image');
    expect(progress()).toEqual(['attaching', 'no agent in the image (failed)']);
    expect(controller.linked('api')).toBe(false);
  });

  it('runs the rule’s action after a batch of saved files: restart, exec', async () => {
    const dir = folder();
    const execDir = folder({ 'schema.sql': 'create table t();\n' });
    const { controller, actions, figures } = setup();
    await controller.configure(
      fakeProject([
        fakeService('api', { develop: { watch: [rule(dir, 'sync+restart')] } }),
        fakeService('db', {
          develop: { watch: [rule(execDir, 'sync+exec', { exec: { command: ['psql', '-f', 'schema.sql'] } })] },
        }),
      ]),
    );
    await controller.attach('api', 'api-1', { reconcile: false });
    await controller.attach('db', 'db-1', { reconcile: false });
    writeFileSync(path.join(dir, 'app.py'), 'print(2)\n');
    writeFileSync(path.join(execDir, 'schema.sql'), 'create table u();\n');
    await vi.waitFor(() => expect(actions.sort()).toEqual(['exec db: psql -f schema.sql', 'restart api']), {
      timeout: 5_000,
      interval: 10,
    });
    expect(figures).toContain('api: 1');
  });

  it('does not restart an instance for the reconcile that brought it in line', async () => {
    const dir = folder();
    const { runtime, controller, actions } = setup();
    await controller.configure(fakeProject([fakeService('api', { develop: { watch: [rule(dir, 'sync+restart')] } })]));
    await controller.attach('api', 'api-1', { reconcile: true });
    expect(runtime.transports.get('api')![0]!.tree.has('app.py')).toBe(true);
    await controller.idle();
    expect(actions).toEqual([]);
  });

  it('on a runtime where files are in place, copies nothing and only runs actions', async () => {
    const dir = folder();
    const { runtime, controller, actions } = setup({ copiesFiles: false });
    await controller.configure(fakeProject([fakeService('api', { develop: { watch: [rule(dir, 'sync+restart')] } })]));
    expect(controller.copiesInto('api')).toBe(false);
    await controller.attach('api', 'api-1', { reconcile: true });
    expect(runtime.calledWith('attachSync')).toEqual([]);
    expect(await controller.resync('api')).toEqual({
      sent: 0,
      removed: 0,
      note: 'files are already in place on this runtime',
    });
    writeFileSync(path.join(dir, 'app.py'), 'print(3)\n');
    await vi.waitFor(() => expect(actions).toEqual(['restart api']), { timeout: 5_000, interval: 10 });
  });

  it('says why a resync does nothing', async () => {
    const dir = folder();
    const { controller } = setup();
    await controller.configure(fakeProject([fakeService('api', { develop: { watch: [rule(dir, 'sync')] } })]));
    expect((await controller.resync('db')).note).toBe('db has no develop.watch rules');
    expect((await controller.resync('api')).note).toBe('api has no running instance to sync into');
  });

  it('keeps its sessions when the rules did not change, and rebuilds them when they did', async () => {
    const dir = folder();
    const { runtime, controller } = setup();
    const project = fakeProject([fakeService('api', { develop: { watch: [rule(dir, 'sync')] } })]);
    await controller.configure(project);
    await controller.attach('api', 'api-1', { reconcile: false });
    await controller.configure(project);
    expect(controller.linked('api')).toBe(true);
    await controller.configure(
      fakeProject([fakeService('api', { develop: { watch: [rule(dir, 'sync', { target: '/srv' })] } })]),
    );
    expect(controller.linked('api')).toBe(false);
    expect(runtime.transports.get('api')![0]!.closed).toBe(true);
  });

  it('syncs a rule on one file as its folder filtered to that file', async () => {
    const dir = folder({ 'settings.toml': 'a = 1\n', 'other.txt': 'no\n' });
    const { runtime, controller } = setup();
    await controller.configure(
      fakeProject([
        fakeService('api', {
          develop: { watch: [rule(path.join(dir, 'settings.toml'), 'sync', { target: '/etc/app/settings.toml' })] },
        }),
      ]),
    );
    await controller.attach('api', 'api-1', { reconcile: true });
    const [transport] = runtime.transports.get('api')!;
    expect(transport!.target).toBe('/etc/app');
    expect([...transport!.tree.keys()]).toEqual(['settings.toml']);
  });
});
