import type { EnvironmentEntry, ProjectIdentity } from '@devenv/engine/protocol';
import { describe, expect, it } from 'vitest';
import { chooseEnvironment } from './environment-choice.js';

const entry = (project: string, projectDir: string, files = [`${projectDir}/compose.yaml`]): EnvironmentEntry => ({
  project,
  projectDir,
  files,
  runtime: 'docker',
  updatedAt: '2026-12-01T00:00:00.000Z',
});
const local = (name: string, projectDir: string, files = [`${projectDir}/compose.yaml`]): ProjectIdentity => ({
  name,
  projectDir,
  files,
});

const shopA = entry('shop', '/srv/a', ['/srv/a/compose.yaml', '/srv/a/compose.dev.yaml']);
const shopB = entry('shop', '/srv/b');
const blog = entry('blog', '/home/me/blog');

describe('which environment a command on an existing one means', () => {
  it('-p NAME from a directory without a Compose file: the one recorded under that name', () => {
    expect(chooseEnvironment({ projectName: 'blog' }, undefined, [shopA, blog], '/tmp')).toEqual({
      kind: 'recorded',
      entry: blog,
    });
  });

  it('-p NAME from another project’s directory still means the recorded environment of that name', () => {
    expect(chooseEnvironment({ projectName: 'blog' }, local('blog', '/srv/a'), [shopA, blog], '/srv/a')).toEqual({
      kind: 'recorded',
      entry: blog,
    });
  });

  it('the name is compared as Compose normalises it', () => {
    expect(chooseEnvironment({ projectName: 'Blog' }, undefined, [blog], '/tmp')).toMatchObject({ entry: blog });
  });

  it('several of that name: the one in this directory, else ambiguous with the choices', () => {
    expect(chooseEnvironment({ projectName: 'shop' }, local('shop', '/srv/b'), [shopA, shopB], '/srv/b')).toEqual({
      kind: 'recorded',
      entry: shopB,
    });
    expect(chooseEnvironment({ projectName: 'shop' }, undefined, [shopA, shopB], '/tmp')).toEqual({
      kind: 'ambiguous',
      name: 'shop',
      entries: [shopA, shopB],
    });
  });

  it('--project-dir picks among several of one name', () => {
    expect(chooseEnvironment({ projectName: 'shop', projectDir: '/srv/a' }, undefined, [shopA, shopB], '/tmp')).toEqual(
      { kind: 'recorded', entry: shopA },
    );
    expect(chooseEnvironment({ projectDir: '../a' }, undefined, [shopA, shopB], '/srv/b')).toEqual({
      kind: 'recorded',
      entry: shopA,
    });
  });

  it('a name nobody recorded: the Compose file found here under that name, else unknown', () => {
    expect(chooseEnvironment({ projectName: 'new' }, local('new', '/srv/a'), [shopA], '/srv/a')).toEqual({
      kind: 'local',
    });
    expect(chooseEnvironment({ projectName: 'new' }, undefined, [shopA], '/tmp')).toEqual({
      kind: 'unknown',
      name: 'new',
    });
  });

  it('nothing given: the file found here, with the files the environment was brought up from', () => {
    expect(chooseEnvironment({}, local('shop', '/srv/a'), [shopA, shopB], '/srv/a')).toEqual({
      kind: 'recorded',
      entry: shopA,
    });
    expect(chooseEnvironment({}, local('other', '/srv/c'), [shopA], '/srv/c')).toEqual({ kind: 'local' });
    expect(chooseEnvironment({}, undefined, [shopA], '/tmp')).toEqual({ kind: 'local' });
  });

  it('-f: the files given win; the record adds only how it was run', () => {
    const given = local('shop', '/srv/a', ['/srv/a/compose.yaml']);
    expect(chooseEnvironment({ file: ['compose.yaml'] }, given, [shopA], '/srv/a')).toEqual({
      kind: 'recorded',
      entry: { ...shopA, files: ['/srv/a/compose.yaml'] },
    });
    expect(chooseEnvironment({ file: ['x.yaml'] }, local('x', '/srv/x'), [shopA], '/srv/x')).toEqual({ kind: 'local' });
  });
});
