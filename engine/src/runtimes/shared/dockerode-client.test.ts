import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deferModules, deferrable } from './dockerode-client.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A parent module that requires a heavy one (exporting a function) at load, like dockerode → session. */
function fixture() {
  const dir = mkdtempSync(path.join(tmpdir(), 'devenv-defer-'));
  dirs.push(dir);
  writeFileSync(
    path.join(dir, 'heavy.js'),
    'globalThis.__heavyLoads = (globalThis.__heavyLoads ?? 0) + 1;\nmodule.exports = function (x) { return { x, self: this }; };\n',
  );
  writeFileSync(path.join(dir, 'parent.js'), "const heavy = require('./heavy.js');\nmodule.exports = { heavy };\n");
  const req = createRequire(path.join(dir, 'index.js'));
  return { req, heavy: req.resolve('./heavy.js'), parent: req.resolve('./parent.js') };
}

const loads = () => (globalThis as { __heavyLoads?: number }).__heavyLoads ?? 0;

describe('deferModules', () => {
  it('lets a parent load without the deferred module, which loads on its first call', () => {
    const { req, heavy, parent } = fixture();
    const before = loads();
    expect(deferModules([heavy], req)).toEqual([heavy]);
    const p = req(parent) as { heavy: (x: number) => { x: number; self: unknown } };
    expect(loads()).toBe(before); // not loaded yet
    const receiver = { name: 'modem' };
    expect(p.heavy.call(receiver, 7)).toEqual({ x: 7, self: receiver });
    expect(loads()).toBe(before + 1);
    p.heavy(8);
    expect(loads()).toBe(before + 1); // loaded once
    expect(req(heavy)).not.toBe(p.heavy); // the cache now holds the real module
  });

  it('leaves alone a module that is loaded already', () => {
    const { req, heavy } = fixture();
    const real = req(heavy);
    expect(deferModules([heavy], req)).toEqual([]);
    expect(req(heavy)).toBe(real);
  });
});

describe('deferrable', () => {
  it('finds dockerode’s BuildKit session module and docker-modem’s ssh module (fails if their layout changed)', () => {
    const paths = deferrable();
    expect(paths).toHaveLength(2);
    expect(paths[0]).toMatch(/dockerode[\\/]lib[\\/]session\.js$/);
    expect(paths[1]).toMatch(/docker-modem[\\/]lib[\\/]ssh\.js$/);
  });
});
