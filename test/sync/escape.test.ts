// Acceptance 3: nothing sync does may write outside the target directory in the container.
import * as fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDockerChannel } from '../../engine/src/sync/docker-transport.js';
import { docker, removeContainers, sh, startContainer, startSync, tempDir } from './helpers.js';

let container: Docker.Container;

/** Fingerprint (path, size, mtime) of the container's whole filesystem outside /app and the agent. */
const outsideFingerprint = () =>
  sh(
    container,
    "find / -mindepth 1 -xdev \\( -path /app -o -path /proc -o -path /sys -o -path /dev -o -path /.devenv \\) -prune -o -printf '%p %s %T@\\n' | sort | sha1sum",
  );

beforeAll(async () => {
  container = await startContainer('escape');
});
afterAll(removeContainers);

describe.each([
  ['agent', false],
  ['archive fallback', true],
])('escape attempts through the %s', (_name, forceArchive) => {
  const target = forceArchive ? '/app/fallback' : '/app/agent';

  it('copies no host symlink that leads outside, and warns', async () => {
    const root = tempDir('esc');
    fs.symlinkSync('/etc', path.join(root, 'etc-link'));
    fs.symlinkSync('../../../etc/passwd', path.join(root, 'climb'));
    fs.writeFileSync(path.join(root, 'ok.txt'), 'fine');
    const before = await outsideFingerprint();
    const fx = await startSync(container, root, target, { forceArchive });
    fs.writeFileSync(path.join(root, 'etc-link-2'), 'x');
    fs.rmSync(path.join(root, 'etc-link-2'));
    fs.symlinkSync('/etc', path.join(root, 'etc-link-2'));
    await fx.settle();
    await fx.close();
    const listing = await sh(container, `ls -A ${target}`);
    expect(listing.split('\n').filter(Boolean).sort()).toEqual(['ok.txt']);
    expect(fx.warnings.filter((w) => /leads outside/.test(w)).length).toBeGreaterThanOrEqual(3);
    expect(await outsideFingerprint()).toBe(before);
  });

  it('refuses ../ and absolute paths fed straight to the transport', async () => {
    const before = await outsideFingerprint();
    const channel = await openDockerChannel(docker, container.id, { forceArchive });
    const t = await channel.target(target);
    const r = await t.apply([
      { op: 'write', path: '../../x', mode: 0o644, data: Buffer.from('pwned') },
      { op: 'write', path: '../escaped', mode: 0o644, data: Buffer.from('pwned') },
      { op: 'write', path: '/etc/pwned', mode: 0o644, data: Buffer.from('pwned') },
      { op: 'delete', path: '../../etc/hostname' },
      { op: 'mkdir', path: 'a/../../b', mode: 0o755 },
      { op: 'symlink', path: 'l', target: '/etc' },
    ]);
    await channel.close();
    expect(r.errors.map((e) => e.code)).toEqual([
      'EBADPATH',
      'EBADPATH',
      'EBADPATH',
      'EBADPATH',
      'EBADPATH',
      'ELINKOUT',
    ]);
    expect(await outsideFingerprint()).toBe(before);
    expect(await sh(container, 'test ! -e /x && test ! -e /app/escaped && test ! -e /etc/pwned && echo clean')).toMatch(
      /clean/,
    );
  });

  it('refuses to write through a symlink planted inside the container', async () => {
    const root = tempDir('plant');
    fs.mkdirSync(path.join(root, 'link'));
    fs.writeFileSync(path.join(root, 'link/readme'), 'dir on the host');
    const fx = await startSync(container, root, target, { forceArchive });
    await fx.settle();
    // Someone in the container swaps the synced directory for a link to /etc...
    await sh(container, `rm -rf ${target}/link && ln -s /etc ${target}/link`);
    const before = await outsideFingerprint();
    // ...then the host writes into that directory.
    fs.writeFileSync(path.join(root, 'link/passwd'), 'root::0:0::/:/bin/sh\n');
    fs.writeFileSync(path.join(root, 'link/new-file'), 'should not land in /etc');
    fs.rmSync(path.join(root, 'link/readme'));
    await fx.settle();
    await fx.close();
    expect(await sh(container, 'test ! -e /etc/new-file && test -e /etc/hostname && echo intact')).toMatch(/intact/);
    expect(await outsideFingerprint()).toBe(before);
    const refused = fx.warnings.filter((w) => /symlink in the container/.test(w));
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(refused.every((w) => w.includes('link/'))).toBe(true);
  });
});
