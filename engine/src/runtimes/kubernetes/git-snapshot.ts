// Commits the working tree plus the generated tree to a private ref and pushes it to the
// in-cluster git server. What Argo CD deploys is therefore exactly what is on disk now,
// committed or not, and the user's branch, index and files are never touched (docs/kubernetes.md,
// "Uncommitted changes").

import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CommandRunner } from './command-runner.js';
import { GENERATED_DIR, snapshotRef } from './names.js';
import { type SnapshotLayout, snapshotPushCommand, snapshotSteps } from './procedure.js';

export interface SnapshotResult {
  commit: string;
  /** False when the tree equals the previous snapshot's (nothing to push or sync). */
  changed: boolean;
}

async function gitOut(runner: CommandRunner, layout: SnapshotLayout, args: string[]): Promise<string | undefined> {
  const repo = layout.gitDir ? ['--git-dir', layout.gitDir] : ['-C', layout.root];
  const r = await runner.run({ argv: ['git', ...repo, ...args] }, { allowFailure: true });
  return r.exitCode === 0 ? r.stdout.trim() : undefined;
}

/** Writes `files` (repository-relative) as the generated tree, replacing the previous one. */
export async function writeGeneratedTree(layout: SnapshotLayout, files: Record<string, string>): Promise<void> {
  await rm(path.join(layout.generatedTree, GENERATED_DIR), { recursive: true, force: true });
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(layout.generatedTree, rel);
    await mkdir(path.dirname(abs), { recursive: true });
    await writeFile(abs, content);
  }
}

export async function commitSnapshot(
  runner: CommandRunner,
  layout: SnapshotLayout,
  project: string,
  files: Record<string, string>,
): Promise<SnapshotResult> {
  await writeGeneratedTree(layout, files);
  await mkdir(path.dirname(layout.indexFile), { recursive: true });
  let seededIndex = false;
  if (layout.inRepo) {
    // The user's index carries stat data for every tracked file: starting from a copy makes
    // `add -A` rehash only what changed. The copy is ours; the original is only read.
    const indexPath = await gitOut(runner, layout, ['rev-parse', '--path-format=absolute', '--git-path', 'index']);
    if (indexPath)
      seededIndex = await copyFile(indexPath, layout.indexFile).then(
        () => true,
        () => false,
      );
  }
  const head = layout.inRepo ? await gitOut(runner, layout, ['rev-parse', '--verify', '-q', 'HEAD']) : undefined;
  const parent = await gitOut(runner, layout, ['rev-parse', '--verify', '-q', snapshotRef(project)]);
  const first = snapshotSteps(layout, project, { seededIndex, hasHead: head !== undefined, ...(head ? { head } : {}) });
  for (const cmd of first.prepare) await runner.run(cmd);
  const tree = (await runner.run(first.writeTree)).stdout.trim();
  if (parent && (await gitOut(runner, layout, ['rev-parse', `${parent}^{tree}`])) === tree) {
    return { commit: parent, changed: false };
  }
  const steps = snapshotSteps(layout, project, {
    seededIndex,
    hasHead: head !== undefined,
    tree,
    ...(parent ? { parent } : {}),
    ...(head ? { head } : {}),
  });
  const commit = (await runner.run(steps.commitTree)).stdout.trim();
  await runner.run(snapshotSteps(layout, project, { hasHead: head !== undefined, commit }).updateRef);
  return { commit, changed: true };
}

export async function pushSnapshot(
  runner: CommandRunner,
  layout: SnapshotLayout,
  context: string,
  project: string,
): Promise<void> {
  await runner.run(snapshotPushCommand(layout, context, project), { timeoutMs: 300_000 });
}
