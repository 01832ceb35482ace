import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProjectSpec } from '../../model/spec.js';
import { placeServicesState, privateStateDir } from './services-state-dir.js';

const root = process.getuid?.() === 0;

function projectWith(
  user: string | undefined,
  projectDir: string,
): Pick<ProjectSpec, 'name' | 'projectDir' | 'services'> {
  const devenv = { process: { command: ['sleep', '1'], cwd: projectDir, env: {}, ...(user ? { user } : {}) } };
  return {
    name: 'demo',
    projectDir,
    services: { db: { name: 'db', devenv } as unknown as ProjectSpec['services'][string] },
  };
}

describe('where the services keep their state', () => {
  let top: string;
  let base: string;
  let privateProject: string;

  beforeEach(() => {
    top = mkdtempSync(join(tmpdir(), 'devenv-placement-'));
    chmodSync(top, 0o711);
    base = join(top, 'base');
    privateProject = join(top, 'private', 'project');
    mkdirSync(privateProject, { recursive: true });
    chmodSync(join(top, 'private'), 0o700);
  });
  afterEach(() => rmSync(top, { recursive: true, force: true }));

  const place = (over: Partial<Parameters<typeof placeServicesState>[0]> = {}) =>
    placeServicesState({
      project: projectWith('nobody', privateProject),
      stateDir: join(privateProject, '.devenv', 'demo'),
      explicit: false,
      base,
      ...over,
    });

  it('stays in the project when DEVENV_STATE_DIR was set by the user', async () => {
    expect(await place({ explicit: true })).toEqual({ dir: join(privateProject, '.devenv', 'demo') });
    expect(existsSync(base)).toBe(false);
  });

  it('stays in the project when no service runs as another user', async () => {
    expect((await place({ project: projectWith(undefined, privateProject) })).moved).toBeUndefined();
  });

  it.runIf(root)(
    'moves to a private directory (0711 all the way, no symlink) when the user cannot reach the project',
    async () => {
      const placed = await place();
      const dir = privateStateDir({ name: 'demo', projectDir: privateProject }, base);
      expect(placed).toEqual({
        dir,
        moved: { reason: `db runs as nobody, who cannot enter ${join(top, 'private')}`, created: true },
      });
      for (const p of [base, join(base, '0'), dir]) {
        const st = lstatSync(p);
        expect([p, st.isDirectory(), st.uid, st.mode & 0o7777]).toEqual([p, true, 0, 0o711]);
      }
      // Found again, and kept even once the project became reachable.
      expect((await place({ project: projectWith(undefined, privateProject) })).moved).toEqual({
        reason: `${dir} holds this project's services' state from an earlier run`,
        created: false,
      });
    },
  );

  it.runIf(root)('says what it would do without creating anything (doctor)', async () => {
    const placed = await place({ dryRun: true });
    expect(placed.moved?.created).toBe(false);
    expect(existsSync(base)).toBe(false);
  });

  it.runIf(root)('refuses a base somebody else made, or a symbolic link in its place', async () => {
    mkdirSync(base, { mode: 0o711 });
    chownSync(base, 65534, 65534);
    await expect(place()).rejects.toMatchObject({
      code: 'process.state-dir-unsafe',
      message: `cannot keep the services' state under ${base}: it is owned by uid 65534, not root`,
    });
    rmSync(base, { recursive: true });
    mkdirSync(join(top, 'elsewhere'));
    symlinkSync(join(top, 'elsewhere'), base);
    await expect(place()).rejects.toMatchObject({ message: expect.stringContaining('is a symbolic link') });
  });

  it.runIf(root)("refuses a project directory in it that is not the invoking user's", async () => {
    const dir = privateStateDir({ name: 'demo', projectDir: privateProject }, base);
    mkdirSync(dir, { recursive: true, mode: 0o711 });
    chownSync(dir, 65534, 65534);
    await expect(place()).rejects.toMatchObject({
      message: expect.stringContaining('is owned by uid 65534, not root'),
    });
  });
});
