import { describe, expect, it } from 'vitest';
import { detectNode, viteProxy } from './nodejs-apps.js';
import { memoryRepo } from './repo-files.js';

function detect(files: Record<string, string>) {
  const notes: string[] = [];
  return { apps: detectNode(memoryRepo(files), notes), notes };
}

const pkg = (deps: Record<string, string>, extra: object = {}) =>
  JSON.stringify({ name: 'x', ...extra, dependencies: deps }, null, 2);

describe('detectNode: frontends', () => {
  it('finds Vite, its port and its /api proxy read from an environment variable', () => {
    const { apps } = detect({
      'frontend/package.json': JSON.stringify({ devDependencies: { vite: '^5' } }, null, 2),
      'frontend/package-lock.json': '{}',
      'frontend/src/main.jsx': '',
      'frontend/index.html': '',
      'frontend/vite.config.ts':
        "const backend = process.env.API_TARGET ?? 'http://127.0.0.1:8000';\nexport default {\n  server: {\n    port: 5174,\n    proxy: {\n      '/api': { target: backend },\n    },\n  },\n};\n",
    });
    expect(apps).toHaveLength(1);
    expect(apps[0]).toMatchObject({
      framework: 'vite',
      role: 'frontend',
      dir: 'frontend',
      port: 5174,
      portMovable: true,
      health: { type: 'http', path: '/' },
      install: { command: 'npm ci --no-audit --no-fund', creates: 'node_modules/.package-lock.json' },
      sourcePaths: ['src', 'index.html', 'vite.config.ts'],
      manifests: ['frontend/package.json', 'frontend/package-lock.json'],
      proxy: { path: '/api', variable: 'API_TARGET', evidence: { file: 'frontend/vite.config.ts', line: 6 } },
    });
    expect(apps[0]?.evidence[0]).toEqual({ file: 'frontend/package.json', line: 3, note: 'depends on vite' });
  });

  it('reports a proxy target written out as a literal', () => {
    expect(
      viteProxy('vite.config.js', "server: { proxy: { '/graphql': { target: 'http://localhost:4000' } } }"),
    ).toEqual({
      path: '/graphql',
      literalTarget: 'http://localhost:4000',
      evidence: { file: 'vite.config.js', line: 1, note: 'dev server proxies /graphql' },
    });
    expect(viteProxy('vite.config.js', 'export default { server: { port: 3000 } }')).toBeUndefined();
  });

  it('prefers Next.js over the Vite it may also list, and installs with the lock file it has', () => {
    const { apps } = detect({
      'package.json': pkg({ next: '14', react: '18', vite: '5' }),
      'yarn.lock': '',
      'app/page.tsx': '',
      'public/favicon.ico': '',
    });
    expect(apps).toMatchObject([
      {
        framework: 'next',
        dir: '.',
        port: 3000,
        install: { command: 'yarn install --frozen-lockfile', creates: 'node_modules/.yarn-integrity' },
        sourcePaths: ['public', 'app'],
      },
    ]);
  });

  it('finds Create React App with pnpm', () => {
    const { apps } = detect({ 'web/package.json': pkg({ 'react-scripts': '5' }), 'web/pnpm-lock.yaml': '' });
    expect(apps[0]).toMatchObject({
      framework: 'react-scripts',
      port: 3000,
      install: { command: 'pnpm install --frozen-lockfile' },
    });
  });
});

describe('detectNode: what is not a frontend', () => {
  it('skips a library that only builds with Vite, and notes an API framework beside a dev server', () => {
    const { apps, notes } = detect({
      'lib/package.json': pkg({ vite: '5' }, { scripts: { build: 'vite build', test: 'vitest' } }),
      'lib/src/index.js': '',
      'kit/package.json': pkg({ vite: '5', express: '4' }, { scripts: { dev: 'vite dev' } }),
    });
    expect(apps.map((a) => [a.dir, a.framework])).toEqual([['kit', 'vite']]);
    expect(notes).toEqual([expect.stringContaining('kit/package.json lists express too')]);
  });
});

describe('detectNode: APIs', () => {
  it('finds an Express entry, the port variable it reads and its health route', () => {
    const { apps } = detect({
      'api/package.json': pkg({ express: '4', redis: '4' }, { scripts: { start: 'node src/server.js' } }),
      'api/src/server.js':
        "const express = require('express');\nconst app = express();\napp.get('/healthz', (req, res) => res.send('ok'));\nconst port = process.env.PORT || 4000;\napp.listen(port);\n",
    });
    expect(apps[0]).toMatchObject({
      framework: 'express',
      role: 'api',
      dir: 'api',
      entry: 'src/server.js',
      port: 4000,
      portMovable: true,
      portVariable: 'PORT',
      health: { type: 'http', path: '/healthz' },
      sourcePaths: ['src'],
      install: { command: 'npm install --no-audit --no-fund' },
    });
    expect(apps[0]?.evidence[1]).toEqual({
      file: 'api/src/server.js',
      line: 4,
      note: 'listens on PORT (default 4000)',
    });
  });

  it('keeps a hard-coded port, finds index.js by convention, and probes the port without routes', () => {
    const { apps } = detect({
      'package.json': pkg({ fastify: '4' }),
      'index.js': "const f = require('fastify')();\nf.listen(3001);\n",
    });
    expect(apps[0]).toMatchObject({
      framework: 'fastify',
      entry: 'index.js',
      port: 3001,
      portMovable: false,
      health: { type: 'tcp' },
    });
    expect(apps[0]?.portVariable).toBeUndefined();
  });

  it('notes an API whose entry file cannot be found, and skips packages that are neither', () => {
    const { apps, notes } = detect({
      'svc/package.json': pkg({ koa: '2' }, { main: 'dist/index.js' }),
      'tools/package.json': pkg({ lodash: '4' }),
      'bad/package.json': '{ nope',
    });
    expect(apps).toEqual([]);
    expect(notes).toEqual([
      'bad/package.json is not valid JSON: skipped',
      expect.stringContaining('svc/package.json: a koa app, but no entry file was found'),
    ]);
  });
});
