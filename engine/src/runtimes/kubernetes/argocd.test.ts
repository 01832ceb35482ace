import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../model/events.js';
import { fetchInstallManifest, sha256 } from './argocd.js';

const body = 'apiVersion: v1\nkind: List\n';
const fakeFetch = (text: string, status = 200) =>
  (async () => new Response(text, { status })) as unknown as typeof fetch;

afterEach(() => {
  delete process.env.DEVENV_ARGOCD_SHA256;
});

describe('the Argo CD install manifest', () => {
  it('without a pin: records the first download, warns, and holds later downloads to it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'argocd-'));
    const events: EngineEvent[] = [];
    const first = await fetchInstallManifest((e) => events.push(e), { dir, fetchFn: fakeFetch(body) });
    expect(first).toEqual({ path: path.join(dir, 'install.yaml'), sha256: sha256(body), verified: false });
    expect(readFileSync(path.join(dir, 'install.yaml.sha256'), 'utf8')).toBe(`${sha256(body)}  install.yaml\n`);
    expect(events.find((e) => e.kind === 'diagnostic')).toMatchObject({
      severity: 'warning',
      code: 'kubernetes.argocd-unpinned',
    });
    // Cached and matching: no download at all.
    const again = await fetchInstallManifest(() => {}, { dir, fetchFn: fakeFetch('never read', 500) });
    expect(again.sha256).toBe(sha256(body));
    // The cache is damaged: the new download must match what was recorded.
    writeFileSync(path.join(dir, 'install.yaml'), 'tampered');
    await expect(fetchInstallManifest(() => {}, { dir, fetchFn: fakeFetch('something else') })).rejects.toMatchObject({
      code: 'kubernetes.argocd-checksum',
    });
  });

  it('with DEVENV_ARGOCD_SHA256: verifies the very first download', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'argocd-'));
    process.env.DEVENV_ARGOCD_SHA256 = sha256(body);
    expect((await fetchInstallManifest(() => {}, { dir, fetchFn: fakeFetch(body) })).verified).toBe(true);
    process.env.DEVENV_ARGOCD_SHA256 = sha256('other');
    const dir2 = mkdtempSync(path.join(tmpdir(), 'argocd-'));
    await expect(fetchInstallManifest(() => {}, { dir: dir2, fetchFn: fakeFetch(body) })).rejects.toMatchObject({
      code: 'kubernetes.argocd-checksum',
    });
  });

  it('says where to put the file when it cannot be downloaded', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'argocd-'));
    const err = await fetchInstallManifest(() => {}, { dir, fetchFn: fakeFetch('', 404) }).catch((e: unknown) => e);
    expect((err as { problems: { code: string; hint: string }[] }).problems[0]).toMatchObject({
      code: 'kubernetes.argocd-download',
      hint: expect.stringContaining(path.join(dir, 'install.yaml')),
    });
  });
});
