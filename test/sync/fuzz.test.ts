// Acceptance 2: random operation sequences applied to the host while syncing; at the end the
// container tree (read through Docker's own tar export) must equal the host tree: kinds,
// modes, content hashes, link targets. SYNC_FUZZ_SEEDS / SYNC_FUZZ_OPS / SYNC_FUZZ_FIRST_SEED
// shrink or move the run (default: the full 20 seeds × 2,000 operations); SYNC_FUZZ_POLL_SEEDS
// sets how many seeds (default 2, ≤ 500 operations each) run with the polling watcher.
import * as fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  containerTree,
  hostTree,
  removeContainers,
  sh,
  startContainer,
  startSync,
  tempDir,
  treeDiff,
} from './helpers.js';
import { randomOps } from './random-ops.js';

const SEEDS = Number(process.env.SYNC_FUZZ_SEEDS ?? 20);
const OPS = Number(process.env.SYNC_FUZZ_OPS ?? 2000);
const FIRST = Number(process.env.SYNC_FUZZ_FIRST_SEED ?? 1);

let container: Docker.Container;
beforeAll(async () => {
  container = await startContainer('fuzz');
});
afterAll(removeContainers);

describe(`sync fuzz: ${SEEDS} seeds × ${OPS} operations`, () => {
  const seeds = Array.from({ length: SEEDS }, (_, i) => FIRST + i);
  it.each(seeds)('seed %i converges with zero divergence', async (seed) => {
    const root = tempDir(`fuzz${seed}`);
    // Start from a small tree so the initial reconcile has work too.
    fs.mkdirSync(path.join(root, 'src/pkg'), { recursive: true });
    fs.writeFileSync(path.join(root, 'src/pkg/mod.py'), 'x = 1\n');
    const target = `/fuzz/s${seed}`;
    const fx = await startSync(container, root, target);
    try {
      await randomOps(root, seed, OPS);
      await fx.settle();
      const host = hostTree(root);
      const inContainer = await containerTree(container, target);
      const diff = treeDiff(host, inContainer);
      expect(diff.slice(0, 20), `seed ${seed}: ${diff.length} differences`).toEqual([]);
      // The comparison is only as good as the tree is rich.
      const kinds = new Set([...host.values()].map((e) => e.kind));
      expect(kinds.has('dir') && kinds.has('file')).toBe(true);
      if (seed === FIRST) {
        // The oracle itself can fail: a change behind sync's back shows up as a difference.
        await sh(container, `touch '${target}/behind-our-back' && chmod 0600 '${target}'/* 2>/dev/null || true`);
        expect(treeDiff(host, await containerTree(container, target)).length).toBeGreaterThan(0);
      }
      expect(fx.warnings.filter((w) => /refused|lost the connection/.test(w))).toEqual([]);
    } finally {
      await fx.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('sync fuzz with the polling watcher (inotify exhausted)', () => {
  const pollSeeds = Array.from({ length: Number(process.env.SYNC_FUZZ_POLL_SEEDS ?? 2) }, (_, i) => 901 + i);
  it.each(pollSeeds)('seed %i converges with zero divergence', async (seed) => {
    const root = tempDir(`fuzzpoll${seed}`);
    const target = `/fuzz/poll${seed}`;
    const fx = await startSync(container, root, target, { watcher: { poll: true, pollIntervalMs: 50 } });
    try {
      expect(fx.project.watcher.stats().mode).toBe('poll');
      await randomOps(root, seed, Math.min(OPS, 500));
      await fx.settle(600);
      const diff = treeDiff(hostTree(root), await containerTree(container, target));
      expect(diff.slice(0, 20), `seed ${seed}: ${diff.length} differences`).toEqual([]);
    } finally {
      await fx.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
