import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WatchRule } from '../model/spec.js';
import { FakeTransport } from './fake-transport.js';
import { ProjectSync, planWatchRoots } from './project-sync.js';
import { SyncSession } from './session.js';

const rule = (p: string, ignore: string[] = [], action: WatchRule['action'] = 'sync'): WatchRule => ({
  path: p,
  action,
  target: '/app',
  ignore,
  initialSync: false,
});

describe('planWatchRoots', () => {
  it('watches nested rule paths once and ignores a path only when every covering rule does', () => {
    const root = fs.mkdtempSync(path.join(tmpdir(), 'plan-'));
    const outer = new SyncSession({ service: 'a', rule: rule(root, ['build', 'web/cache']) });
    const inner = new SyncSession({ service: 'b', rule: rule(path.join(root, 'web'), ['dist']) });
    const roots = planWatchRoots([inner, outer]);
    expect(roots.map((r) => r.path)).toEqual([root]);
    const f = roots[0]!.filter!;
    expect(f.ignoresDirect(path.join(root, 'build'), true)).toBe(true);
    expect(f.ignoresDirect(path.join(root, 'web/dist'), true)).toBe(false); // outer rule still wants it
    expect(f.ignoresDirect(path.join(root, 'web/cache'), true)).toBe(false); // inner rule still wants it
    expect(f.ignoresDirect(path.join(root, 'web/.git'), true)).toBe(true); // built-in for both
  });
});

describe('ProjectSync', () => {
  it('routes changes to the sessions whose rule covers them and answers an overflow with a reconcile', async () => {
    const root = fs.mkdtempSync(path.join(tmpdir(), 'proj-'));
    fs.mkdirSync(path.join(root, 'api'));
    fs.mkdirSync(path.join(root, 'web'));
    const apiT = new FakeTransport();
    const webT = new FakeTransport();
    const api = new SyncSession({ service: 'api', rule: rule(path.join(root, 'api')), transport: apiT });
    const web = new SyncSession({ service: 'web', rule: rule(path.join(root, 'web')), transport: webT });
    const project = new ProjectSync([api, web]);
    await project.start();
    fs.writeFileSync(path.join(root, 'api/main.py'), 'x');
    for (let i = 0; i < 300 && !apiT.tree.has('main.py'); i++) await new Promise((r) => setTimeout(r, 10));
    await project.idle();
    expect([...apiT.tree.keys()]).toEqual(['main.py']);
    expect(webT.tree.size).toBe(0);
    // Something the watcher missed: only a reconcile finds it.
    await webT.apply([{ op: 'write', path: 'stale.js', mode: 0o644, data: Buffer.from('old') }]);
    fs.writeFileSync(path.join(root, 'web/missed.js'), 'y');
    // An overflow from the watcher (several in a burst) reconciles every attached session.
    project.watcher.emit('overflow', 'test');
    project.watcher.emit('overflow', 'test again');
    for (let i = 0; i < 300 && webT.tree.has('stale.js'); i++) await new Promise((r) => setTimeout(r, 10));
    await project.idle();
    expect([...webT.tree.keys()].sort()).toEqual(['missed.js']);
    const results = await project.reconcileAll();
    expect(results.map((r) => r?.sent)).toEqual([0, 0]);
    await project.close();
  });
});

describe('ProjectSync with a single-file rule', () => {
  it('runs a rebuild rule watching one file when that file changes, and not for its neighbours', async () => {
    const root = fs.mkdtempSync(path.join(tmpdir(), 'file-rule-'));
    fs.writeFileSync(path.join(root, 'package.json'), '{}');
    fs.writeFileSync(path.join(root, 'other.json'), '{}');
    const seen: string[][] = [];
    const rebuild = new SyncSession({
      service: 'web',
      rule: rule(path.join(root, 'package.json'), [], 'rebuild'),
      hooks: { onBatchApplied: (b) => void seen.push(b.paths) },
    });
    const project = new ProjectSync([rebuild]);
    await project.start();
    fs.writeFileSync(path.join(root, 'other.json'), '{"a":1}');
    fs.writeFileSync(path.join(root, 'package.json'), '{"b":1}');
    for (let i = 0; i < 300 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await project.close();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.flat().every((p) => p === 'package.json')).toBe(true);
  });
});
