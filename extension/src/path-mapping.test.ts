import { describe, expect, it } from 'vitest';
import { resolveMappings, singleRoot, toLocal, toRemote } from './path-mapping.js';

describe('path mapping', () => {
  const backend = resolveMappings([{ localRoot: 'example/backend/app/', remoteRoot: '/app/app' }], '/work/repo');

  it('resolves relative local roots against the workspace folder', () => {
    expect(backend).toEqual([{ localRoot: '/work/repo/example/backend/app', remoteRoot: '/app/app' }]);
  });

  it('maps the local route file to the file the container runs, and back', () => {
    expect(toRemote('/work/repo/example/backend/app/routes.py', backend)).toBe('/app/app/routes.py');
    expect(toLocal('/app/app/routes.py', backend)).toBe('/work/repo/example/backend/app/routes.py');
  });

  it('leaves files outside every mapping unmapped (no false prefix matches)', () => {
    expect(toRemote('/work/repo/example/backend/application.py', backend)).toBeUndefined();
    expect(toLocal('/usr/lib/python3/dist-packages/fastapi/routing.py', backend)).toBeUndefined();
  });

  it('the most specific mapping wins', () => {
    const m = resolveMappings(
      [
        { localRoot: '/w/fe', remoteRoot: '/app' },
        { localRoot: '/w/fe/src', remoteRoot: '/srv/src' },
      ],
      '/',
    );
    expect(toRemote('/w/fe/src/main.jsx', m)).toBe('/srv/src/main.jsx');
    expect(toRemote('/w/fe/index.html', m)).toBe('/app/index.html');
  });

  it('picks the widest consistent root for a one-pair debugger (js-debug)', () => {
    const frontend = resolveMappings(
      [
        { localRoot: '/w/frontend/src', remoteRoot: '/app/src' },
        { localRoot: '/w/frontend', remoteRoot: '/app' },
      ],
      '/',
    );
    expect(singleRoot(frontend)).toEqual({ localRoot: '/w/frontend', remoteRoot: '/app' });
  });

  it('finds the shared root of file mappings (single-file sync rules), as the engine reports them', () => {
    const frontend = resolveMappings(
      [
        { localRoot: '/w/frontend/src', remoteRoot: '/app/src' },
        { localRoot: '/w/frontend/index.html', remoteRoot: '/app/index.html' },
        { localRoot: '/w/frontend/vite.config.js', remoteRoot: '/app/vite.config.js' },
      ],
      '/',
    );
    expect(singleRoot(frontend)).toEqual({ localRoot: '/w/frontend', remoteRoot: '/app' });
  });

  it('is not vetoed by a stray mapping (a mounted CA bundle)', () => {
    expect(
      singleRoot([
        { localRoot: '/w/frontend/vite.config.js', remoteRoot: '/app/vite.config.js' },
        { localRoot: '/w/frontend/src', remoteRoot: '/app/src' },
        { localRoot: '/w/frontend', remoteRoot: '/app' },
        { localRoot: '/etc/ssl/certs/ca-certificates.crt', remoteRoot: '/etc/ssl/certs/host-ca.crt' },
      ]),
    ).toEqual({ localRoot: '/w/frontend', remoteRoot: '/app' });
  });

  it('keeps a lone directory mapping as it is', () => {
    expect(singleRoot([{ localRoot: '/w/backend/app', remoteRoot: '/app' }])).toEqual({
      localRoot: '/w/backend/app',
      remoteRoot: '/app',
    });
  });

  it('falls back to the most specific mapping when they disagree', () => {
    const odd = resolveMappings(
      [
        { localRoot: '/w/frontend', remoteRoot: '/app' },
        { localRoot: '/w/frontend/src', remoteRoot: '/elsewhere' },
      ],
      '/',
    );
    expect(singleRoot(odd)).toEqual({ localRoot: '/w/frontend/src', remoteRoot: '/elsewhere' });
    expect(singleRoot([])).toBeUndefined();
  });
});
