import { describe, expect, it } from 'vitest';
import { hostPath, parseVolumeMapping, parseVolumeString } from './mounts.js';

const dir = '/work/app';
const home = '/home/me';

describe('parseVolumeString', () => {
  it('treats path-like sources as binds resolved to absolute paths', () => {
    expect(parseVolumeString('./src:/app/src', dir, home)).toEqual({
      ok: true,
      mount: { type: 'bind', source: '/work/app/src', target: '/app/src', readOnly: false, createHostPath: true },
    });
    expect(parseVolumeString('../shared:/shared:ro', dir, home)).toMatchObject({
      mount: { source: '/work/shared', readOnly: true },
    });
    expect(parseVolumeString('~/cache:/cache', dir, home)).toMatchObject({ mount: { source: '/home/me/cache' } });
    expect(parseVolumeString('/abs:/x:ro,z', dir, home)).toMatchObject({
      mount: { type: 'bind', source: '/abs', readOnly: true, selinux: 'z' },
    });
    expect(parseVolumeString('/abs:/x:rslave', dir, home)).toMatchObject({ mount: { propagation: 'rslave' } });
    expect(parseVolumeString('data:/x:nocopy', dir, home)).toMatchObject({ mount: { type: 'volume', noCopy: true } });
  });

  it('treats other sources as named volumes and a lone path as anonymous', () => {
    expect(parseVolumeString('pgdata:/var/lib/postgresql/data', dir, home)).toEqual({
      ok: true,
      mount: { type: 'volume', source: 'pgdata', target: '/var/lib/postgresql/data', readOnly: false },
    });
    expect(parseVolumeString('/data', dir, home)).toEqual({
      ok: true,
      mount: { type: 'volume', target: '/data', readOnly: false },
    });
  });

  it('rejects relative targets, unknown modes and odd shapes', () => {
    expect(parseVolumeString('./src:app', dir, home)).toMatchObject({ ok: false, problem: { field: 'target' } });
    expect(parseVolumeString('./src:/app:rox', dir, home)).toMatchObject({ ok: false });
    expect(parseVolumeString('a:/b:ro:x', dir, home)).toMatchObject({ ok: false });
    expect(parseVolumeString('my data:/x', dir, home)).toMatchObject({ ok: false, problem: { field: 'source' } });
  });
});

describe('parseVolumeMapping', () => {
  it('reads bind, volume and tmpfs', () => {
    expect(parseVolumeMapping({ type: 'bind', source: 'src', target: '/app', read_only: true }, dir, home)).toEqual({
      ok: true,
      mount: { type: 'bind', source: '/work/app/src', target: '/app', readOnly: true },
    });
    expect(parseVolumeMapping({ type: 'volume', source: 'data', target: '/d' }, dir, home)).toMatchObject({
      mount: { source: 'data' },
    });
    expect(parseVolumeMapping({ type: 'tmpfs', target: '/tmp' }, dir, home)).toEqual({
      ok: true,
      mount: { type: 'tmpfs', target: '/tmp', readOnly: false },
    });
  });

  it('needs a source for binds and a target always', () => {
    expect(parseVolumeMapping({ type: 'bind', target: '/x' }, dir, home)).toMatchObject({
      ok: false,
      problem: { field: 'source' },
    });
    expect(parseVolumeMapping({ type: 'volume', source: 'd' }, dir, home)).toMatchObject({
      ok: false,
      problem: { field: 'target' },
    });
  });
});

describe('hostPath', () => {
  it('expands ~ and resolves relative paths', () => {
    expect(hostPath('~', dir, home)).toBe('/home/me');
    expect(hostPath('./a/../b', dir, home)).toBe('/work/app/b');
    expect(hostPath('/x/./y', dir, home)).toBe('/x/y');
  });
});
