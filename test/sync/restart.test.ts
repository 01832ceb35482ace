// Acceptance 4: a container restarted or recreated is brought in line by the reconcile that
// runs in attach() (before the engine would mark the service ready), including edits made
// while it was down.
import * as fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDockerChannel } from '../../engine/src/sync/docker-transport.js';
import {
  containerTree,
  docker,
  hostTree,
  removeContainers,
  startContainer,
  startSync,
  tempDir,
  treeDiff,
} from './helpers.js';

afterAll(removeContainers);

function seedTree(root: string): void {
  for (let d = 0; d < 10; d++) {
    fs.mkdirSync(path.join(root, `dir${d}`), { recursive: true });
    for (let f = 0; f < 20; f++) fs.writeFileSync(path.join(root, `dir${d}/f${f}.py`), `v = ${d * 100 + f}\n`);
  }
}

function editWhileDown(root: string): void {
  fs.writeFileSync(path.join(root, 'dir0/f0.py'), 'v = "edited while down"\n');
  fs.rmSync(path.join(root, 'dir1'), { recursive: true });
  fs.mkdirSync(path.join(root, 'added-while-down'));
  fs.writeFileSync(path.join(root, 'added-while-down/new.py'), 'new = True\n');
  fs.chmodSync(path.join(root, 'dir2/f2.py'), 0o755);
  fs.renameSync(path.join(root, 'dir3'), path.join(root, 'dir3-renamed'));
}

describe('container restart and recreate', () => {
  it('docker stop/start: edits made while it was down are there once attach() resolves', async () => {
    const root = tempDir('restart');
    seedTree(root);
    const container = await startContainer('restart');
    const fx = await startSync(container, root, '/app');
    await fx.settle();
    expect(treeDiff(hostTree(root), await containerTree(container, '/app'))).toEqual([]);

    await container.stop({ t: 1 });
    editWhileDown(root);
    await fx.settle();
    expect(fx.warnings.some((w) => /lost the connection/.test(w))).toBe(true);
    expect(fx.session.attached).toBe(false);

    await container.start();
    const channel = await openDockerChannel(docker, container.id);
    const result = await fx.session.attach(await channel.target('/app'));
    // No settle: attach() itself must have converged the container.
    expect(treeDiff(hostTree(root), await containerTree(container, '/app'))).toEqual([]);
    expect(result?.sent).toBeGreaterThan(0);
    expect(result?.removed).toBeGreaterThan(0);

    // And live sync carries on over the new channel.
    fs.writeFileSync(path.join(root, 'after.py'), 'after = 1\n');
    await fx.settle();
    expect(treeDiff(hostTree(root), await containerTree(container, '/app'))).toEqual([]);
    await fx.close();
    await channel.close();
  });

  it('docker restart while files keep changing converges after re-attach', async () => {
    const root = tempDir('restart2');
    seedTree(root);
    const container = await startContainer('restart2');
    const fx = await startSync(container, root, '/app');
    const restarting = container.restart({ t: 1 });
    for (let i = 0; i < 50; i++) {
      fs.writeFileSync(path.join(root, `dir${i % 10}/churn${i}.txt`), `${i}`);
      if (i % 7 === 0) fs.rmSync(path.join(root, `dir${i % 10}/f${i % 20}.py`), { force: true });
      await new Promise((r) => setTimeout(r, 20));
    }
    await restarting;
    const channel = await openDockerChannel(docker, container.id);
    await fx.session.attach(await channel.target('/app'));
    await fx.settle();
    expect(treeDiff(hostTree(root), await containerTree(container, '/app'))).toEqual([]);
    await fx.close();
    await channel.close();
  });

  it('a recreated container (empty target) gets the whole tree before attach() resolves', async () => {
    const root = tempDir('recreate');
    seedTree(root);
    const first = await startContainer('recreate-a');
    const fx = await startSync(first, root, '/app');
    await fx.settle();
    await first.remove({ force: true });
    editWhileDown(root);
    await fx.settle();
    const second = await startContainer('recreate-b');
    const channel = await openDockerChannel(docker, second.id);
    const result = await fx.session.attach(await channel.target('/app'));
    expect(treeDiff(hostTree(root), await containerTree(second, '/app'))).toEqual([]);
    expect(result?.sent).toBe(hostTree(root).size);
    await fx.close();
    await channel.close();
  });
});
