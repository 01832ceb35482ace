// Acceptance 1: a git repository whose two branches differ in 2,000+ files, switched back and
// forth while syncing (sometimes before the previous switch has converged): the container
// must end equal to the host, with nothing lost and nothing resurrected.
import * as fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBranchyRepo } from './branchy-repo.js';
import {
  containerTree,
  git,
  hostTree,
  removeContainers,
  rng,
  startContainer,
  startSync,
  tempDir,
  treeDiff,
} from './helpers.js';

const SWITCHES = Number(process.env.SYNC_STORM_SWITCHES ?? 8);

let container: Docker.Container;
beforeAll(async () => {
  container = await startContainer('storm');
});
afterAll(removeContainers);

describe('git branch storm', () => {
  it(`switching between branches ${SWITCHES} times converges with nothing lost or resurrected`, async () => {
    const root = tempDir('storm');
    const { differing } = makeBranchyRepo(root);
    const diffFiles = git(root, 'diff', '--no-renames', '--name-only', 'a', 'b').split('\n').filter(Boolean);
    expect(diffFiles.length).toBeGreaterThanOrEqual(2000);
    expect(differing).toBeGreaterThanOrEqual(2000);
    // Ignored build output: it must never reach the container.
    fs.mkdirSync(path.join(root, 'node_modules/big'), { recursive: true });
    fs.writeFileSync(path.join(root, 'node_modules/big/index.js'), 'x');
    fs.writeFileSync(path.join(root, 'debug.log'), 'x');

    const fx = await startSync(container, root, '/src');
    try {
      const r = rng(7);
      for (let i = 0; i < SWITCHES; i++) {
        git(root, 'checkout', '-q', i % 2 === 0 ? 'b' : 'a');
        // Sometimes switch again at once, sometimes mid-sync, sometimes after it settled.
        const wait = r();
        if (wait < 0.3) continue;
        if (wait < 0.7) await new Promise((res) => setTimeout(res, Math.floor(r() * 300)));
        else await fx.settle(200);
      }
      await fx.settle();
      const final = SWITCHES % 2 === 0 ? 'a' : 'b';
      expect(git(root, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe(final);
      const host = hostTree(root);
      const diff = treeDiff(host, await containerTree(container, '/src'));
      expect(diff.slice(0, 20), `${diff.length} differences`).toEqual([]);
      expect(host.has('node_modules')).toBe(false);
      expect(host.size).toBeGreaterThan(1500);
      expect(fx.warnings.filter((w) => /refused|lost/.test(w))).toEqual([]);
    } finally {
      await fx.close();
    }
  });
});
