// The snapshot Argo CD deploys: the working tree as it is (tracked edits, deletions, untracked
// files that are not ignored) plus the generated tree, on a private ref. The user's branch, index
// and files are untouched. Real git, temporary repositories.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExecaRunner } from '../../engine/src/runtimes/kubernetes/command-runner.js';
import { commitSnapshot } from '../../engine/src/runtimes/kubernetes/git-snapshot.js';
import { snapshotLayout, snapshotPushCommand } from '../../engine/src/runtimes/kubernetes/procedure.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8' }).trim();

function repo(): string {
  const dir = fs.mkdtempSync(path.join(tmpdir(), 'k8s-snap-'));
  git(dir, 'init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(dir, '.gitignore'), 'secret.env\n');
  fs.writeFileSync(path.join(dir, 'app.py'), 'v = 1\n');
  fs.writeFileSync(path.join(dir, 'gone.py'), 'x\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'initial');
  return dir;
}

const generated = { '.devenv-k8s/demo/apps/kustomization.yaml': 'resources: []\n' };

describe('the snapshot', () => {
  it('commits the working tree and the generated tree to refs/devenv/<project>, touching nothing of the user', async () => {
    const dir = repo();
    fs.writeFileSync(path.join(dir, 'app.py'), 'v = 2  # not committed\n');
    fs.rmSync(path.join(dir, 'gone.py'));
    fs.writeFileSync(path.join(dir, 'new.py'), 'new\n');
    fs.writeFileSync(path.join(dir, 'secret.env'), 'TOKEN=x\n');
    git(dir, 'add', 'new.py'); // something staged, to see the index survive
    const before = {
      head: git(dir, 'rev-parse', 'HEAD'),
      status: git(dir, 'status', '--porcelain'),
      branch: git(dir, 'branch', '--show-current'),
    };
    const state = fs.mkdtempSync(path.join(tmpdir(), 'k8s-state-'));

    const result = await commitSnapshot(new ExecaRunner(), snapshotLayout(dir, true, state), 'demo', generated);
    expect(result.changed).toBe(true);
    expect(git(dir, 'rev-parse', 'refs/devenv/demo')).toBe(result.commit);
    expect(git(dir, 'ls-tree', '-r', '--name-only', result.commit).split('\n')).toEqual([
      '.devenv-k8s/demo/apps/kustomization.yaml',
      '.gitignore',
      'app.py',
      'new.py',
    ]);
    expect(git(dir, 'show', `${result.commit}:app.py`)).toBe('v = 2  # not committed');
    expect(git(dir, 'log', '-1', '--format=%an <%ae>', result.commit)).toBe('devenv <devenv@localhost>');
    expect({
      head: git(dir, 'rev-parse', 'HEAD'),
      status: git(dir, 'status', '--porcelain'),
      branch: git(dir, 'branch', '--show-current'),
    }).toEqual(before);
    expect(git(dir, 'branch', '--list')).toBe('* main');

    // Nothing changed: the same commit, nothing to push.
    expect(await commitSnapshot(new ExecaRunner(), snapshotLayout(dir, true, state), 'demo', generated)).toEqual({
      commit: result.commit,
      changed: false,
    });
    // A change: a new commit whose parent is the previous snapshot.
    fs.writeFileSync(path.join(dir, 'app.py'), 'v = 3\n');
    const next = await commitSnapshot(new ExecaRunner(), snapshotLayout(dir, true, state), 'demo', generated);
    expect(next.changed).toBe(true);
    expect(git(dir, 'rev-parse', `${next.commit}^`)).toBe(result.commit);
  });

  it('outside git, keeps the snapshots in a private repository of the state directory', async () => {
    const dir = fs.mkdtempSync(path.join(tmpdir(), 'k8s-nogit-'));
    fs.writeFileSync(path.join(dir, 'compose.yaml'), 'services: {}\n');
    const state = fs.mkdtempSync(path.join(tmpdir(), 'k8s-state-'));
    const layout = snapshotLayout(dir, false, state);
    const result = await commitSnapshot(new ExecaRunner(), layout, 'demo', generated);
    expect(fs.existsSync(path.join(dir, '.git'))).toBe(false);
    expect(
      execFileSync('git', ['--git-dir', layout.gitDir!, 'ls-tree', '-r', '--name-only', result.commit], {
        encoding: 'utf8',
      })
        .trim()
        .split('\n'),
    ).toEqual(['.devenv-k8s/demo/apps/kustomization.yaml', 'compose.yaml']);
  });

  it("leaves devenv's own state out, even where no .gitignore names it, and runs none of the user's git hooks", async () => {
    const dir = repo();
    fs.rmSync(path.join(dir, '.gitignore'));
    // The project's devenv state inside the repository: logs, the private index, its k8s files.
    const devenvDir = path.join(dir, '.devenv', 'demo');
    fs.mkdirSync(path.join(devenvDir, 'k8s'), { recursive: true });
    fs.writeFileSync(path.join(devenvDir, 'daemon.log'), 'log\n');
    fs.mkdirSync(path.join(dir, '.devenv', 'other'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.devenv', 'other', 'daemon.log'), 'log\n');
    // Hooks that would fail: devenv's private ref and its push are not the user's commits.
    for (const hook of ['pre-push', 'reference-transaction']) {
      fs.writeFileSync(path.join(dir, '.git/hooks', hook), '#!/bin/sh\necho "hook ran" >&2\nexit 1\n', { mode: 0o755 });
    }
    const layout = snapshotLayout(dir, true, path.join(devenvDir, 'k8s'), devenvDir);
    expect(layout.exclude).toEqual(['.devenv']);
    const result = await commitSnapshot(new ExecaRunner(), layout, 'demo', generated);
    const files = git(dir, 'ls-tree', '-r', '--name-only', result.commit).split('\n');
    expect(files.filter((f) => f.startsWith('.devenv/'))).toEqual([]);
    expect(files).toContain('app.py');
    // The push devenv runs, to a plain bare repository instead of the in-cluster server.
    const remote = fs.mkdtempSync(path.join(tmpdir(), 'k8s-remote-'));
    git(remote, 'init', '-q', '--bare');
    const push = snapshotPushCommand(layout, 'kind-devenv', 'demo');
    const argv = push.argv.map((a) => (a.startsWith('ext::') ? remote : a));
    execFileSync(argv[0]!, argv.slice(1), { stdio: 'pipe' });
    expect(git(remote, 'rev-parse', 'refs/heads/devenv/demo')).toBe(result.commit);
  });
});
