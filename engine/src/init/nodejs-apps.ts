// Node services, from package.json and source text: dev-server frontends (Vite, Next.js,
// Create React App) and HTTP APIs (Express, Fastify, Koa, hapi, Nest).

import type { DevServerProxy, Evidence, HealthProbe, NodeApp, NodeFramework } from './findings.js';
import { baseName, dirOf, findLine, isUnder, joinRel, type RepoFiles } from './repo-files.js';

interface PackageJson {
  main?: unknown;
  scripts?: Record<string, unknown>;
  dependencies?: Record<string, unknown>;
  devDependencies?: Record<string, unknown>;
}

const FRONTENDS: { dep: string; framework: NodeFramework; port: number }[] = [
  { dep: 'next', framework: 'next', port: 3000 },
  { dep: 'vite', framework: 'vite', port: 5173 },
  { dep: 'react-scripts', framework: 'react-scripts', port: 3000 },
];

const APIS: { dep: string; framework: NodeFramework }[] = [
  { dep: '@nestjs/core', framework: 'nest' },
  { dep: 'express', framework: 'express' },
  { dep: 'fastify', framework: 'fastify' },
  { dep: 'koa', framework: 'koa' },
  { dep: '@hapi/hapi', framework: 'hapi' },
];

const ENTRY_CANDIDATES = [
  'server.js',
  'index.js',
  'app.js',
  'main.js',
  'src/server.js',
  'src/index.js',
  'src/app.js',
  'src/main.js',
];

export function detectNode(repo: RepoFiles, notes: string[]): NodeApp[] {
  const apps: NodeApp[] = [];
  for (const manifest of repo.paths.filter((p) => baseName(p) === 'package.json')) {
    const text = repo.read(manifest);
    if (text === undefined) continue;
    let pkg: PackageJson;
    try {
      pkg = JSON.parse(text) as PackageJson;
    } catch {
      notes.push(`${manifest} is not valid JSON: skipped`);
      continue;
    }
    const dir = dirOf(manifest);
    const deps = { ...(pkg.dependencies ?? {}), ...(pkg.devDependencies ?? {}) };
    const depLine = (name: string): Evidence => ({
      file: manifest,
      line: findLine(text, new RegExp(`"${name.replace('/', '\\/')}"\\s*:`))?.line ?? 1,
      note: `depends on ${name}`,
    });
    const api = APIS.find((a) => a.dep in deps);
    const frontend = FRONTENDS.find((f) => f.dep in deps && (f.dep !== 'vite' || servesWithVite(repo, dir, pkg)));
    if (frontend) {
      apps.push(frontendApp(repo, dir, frontend.framework, frontend.port, depLine(frontend.dep)));
      if (api) {
        notes.push(
          `${manifest} lists ${api.dep} too: init runs its ${frontend.dep} dev server; if the package also runs an API server, add that service by hand`,
        );
      }
      continue;
    }
    if (api) {
      const app = apiApp(repo, dir, pkg, api.framework, depLine(api.dep), notes);
      if (app) apps.push(app);
    }
  }
  return apps;
}

/** A Vite app, not a library that only builds with Vite: it has index.html, or a script runs the dev server. */
function servesWithVite(repo: RepoFiles, dir: string, pkg: PackageJson): boolean {
  if (repo.exists(joinRel(dir, 'index.html'))) return true;
  return Object.values(pkg.scripts ?? {}).some(
    (script) => typeof script === 'string' && /(^|&&\s*|\s)vite(\s+(dev|serve)\b|\s*$|\s+--)/.test(script),
  );
}

function frontendApp(repo: RepoFiles, dir: string, framework: NodeFramework, port: number, dep: Evidence): NodeApp {
  const evidence = [dep];
  const sources = ['src', 'public', 'app', 'pages', 'components', 'index.html'].filter((p) =>
    repo.exists(joinRel(dir, p)),
  );
  const app: NodeApp = {
    framework,
    role: 'frontend',
    dir,
    port,
    portMovable: true,
    health: { type: 'http', path: '/' },
    install: installStep(repo, dir),
    sourcePaths: sources,
    manifests: manifests(repo, dir),
    evidence,
  };
  if (framework === 'vite') {
    const config = repo.paths.find(
      (p) => dirOf(p) === dir && /^vite\.config\.(js|ts|mjs|cjs|mts|cts)$/.test(baseName(p)),
    );
    if (config) {
      const text = repo.read(config) ?? '';
      app.sourcePaths.push(baseName(config));
      const serverPort = findLine(text, /^\s*port\s*:\s*(\d{2,5})/);
      if (serverPort) {
        app.port = Number(serverPort.match[1]);
        evidence.push({ file: config, line: serverPort.line, note: `dev server port ${app.port}` });
      }
      const proxy = viteProxy(config, text);
      if (proxy) app.proxy = proxy;
    }
  }
  return app;
}

/** `server.proxy` in a Vite config: the first proxied path, and whether the target comes from the environment. */
export function viteProxy(file: string, text: string): DevServerProxy | undefined {
  const start = findLine(text, /\bproxy\s*:\s*\{/);
  if (!start) return undefined;
  const after = text
    .split('\n')
    .slice(start.line - 1)
    .join('\n');
  const key = /["'`](\/[^"'`]*)["'`]\s*:/.exec(after);
  const path = key?.[1] ?? '/';
  const keyLine = key ? start.line + after.slice(0, key.index).split('\n').length - 1 : start.line;
  const evidence: Evidence = { file, line: keyLine, note: `dev server proxies ${path}` };
  const targetMatch = /target\s*:\s*([^,\n}]+)/.exec(after);
  const target = targetMatch?.[1]?.trim();
  const proxy: DevServerProxy = { path, evidence };
  if (target && /^["'`]/.test(target)) {
    proxy.literalTarget = target.replace(/^["'`]|["'`]$/g, '');
    return proxy;
  }
  // The target is an expression: a variable read from process.env (or Vite's loadEnv) decides it.
  const envRead = /(?:process\.env|\benv)(?:\.(\w+)|\[\s*["'](\w+)["']\s*\])/g;
  const names = [...text.matchAll(envRead)].map((m) => (m[1] ?? m[2]) as string).filter((n) => n !== 'NODE_ENV');
  const variable =
    (target && names.find((n) => target.includes(n))) ??
    names.find((n) => /URL|TARGET|HOST|BACKEND|API|PROXY/i.test(n));
  if (variable) proxy.variable = variable;
  return proxy;
}

function apiApp(
  repo: RepoFiles,
  dir: string,
  pkg: PackageJson,
  framework: NodeFramework,
  dep: Evidence,
  notes: string[],
): NodeApp | undefined {
  const entry = entryFile(repo, dir, pkg);
  if (!entry) {
    notes.push(
      `${dep.file}: a ${framework} app, but no entry file was found (tried "main", scripts.start, ${ENTRY_CANDIDATES.join(', ')}): add its service by hand`,
    );
    return undefined;
  }
  const entryPath = joinRel(dir, entry);
  const text = repo.read(entryPath) ?? '';
  const evidence: Evidence[] = [dep];
  let port = 3000;
  let portMovable = true;
  let portVariable: string | undefined;
  const fromEnv = findLine(text, /process\.env\.(\w*PORT\w*)\s*(?:\|\||\?\?)\s*["']?(\d{2,5})/);
  const literal = findLine(text, /\.listen\(\s*(?:\{\s*port\s*:\s*)?(\d{2,5})\b/);
  if (fromEnv) {
    port = Number(fromEnv.match[2]);
    portVariable = fromEnv.match[1] as string;
    evidence.push({ file: entryPath, line: fromEnv.line, note: `listens on ${portVariable} (default ${port})` });
  } else if (literal) {
    port = Number(literal.match[1]);
    portMovable = false;
    evidence.push({ file: entryPath, line: literal.line, note: `listens on ${port}` });
  } else {
    const listen = findLine(text, /\.listen\(/);
    evidence.push({ file: entryPath, line: listen?.line ?? 1, note: 'entry point' });
    if (/process\.env\.PORT\b/.test(text)) portVariable = 'PORT';
  }
  const envPort = /^\s*PORT\s*=\s*(\d{2,5})/m.exec(repo.read(joinRel(dir, '.env')) ?? '')?.[1];
  if (envPort && portVariable) port = Number(envPort);
  const sourceDir = entry.includes('/') ? (entry.split('/')[0] as string) : entry;
  const app: NodeApp = {
    framework,
    role: 'api',
    dir,
    port,
    portMovable,
    entry,
    health: apiHealth(repo, dir),
    install: installStep(repo, dir),
    sourcePaths: [sourceDir],
    manifests: manifests(repo, dir),
    evidence,
  };
  if (portVariable) app.portVariable = portVariable;
  return app;
}

function entryFile(repo: RepoFiles, dir: string, pkg: PackageJson): string | undefined {
  const scripts = pkg.scripts ?? {};
  for (const name of ['dev', 'start', 'serve']) {
    const script = scripts[name];
    if (typeof script !== 'string') continue;
    const m = /\b(?:node|nodemon)\s+(?:--?[\w-]+(?:=\S+)?\s+)*((?:\.\/)?[\w./-]+\.[cm]?js)\b/.exec(script);
    if (m && repo.exists(joinRel(dir, (m[1] as string).replace(/^\.\//, ''))))
      return (m[1] as string).replace(/^\.\//, '');
  }
  if (typeof pkg.main === 'string' && /\.[cm]?js$/.test(pkg.main)) {
    const main = pkg.main.replace(/^\.\//, '');
    if (repo.exists(joinRel(dir, main))) return main;
  }
  return ENTRY_CANDIDATES.find((c) => repo.exists(joinRel(dir, c)));
}

function apiHealth(repo: RepoFiles, dir: string): HealthProbe {
  const files = repo.paths.filter(
    (p) => isUnder(p, dir) && /\.[cm]?[jt]s$/.test(p) && !/(^|\/)(tests?|__tests__)\//.test(p),
  );
  let root = false;
  for (const file of files) {
    if (dir !== '.' || !file.includes('/') || file.startsWith('src/') || file.startsWith('routes/')) {
      const text = repo.read(file) ?? '';
      const health = /\.(?:get|all|route)\(\s*["'`](\/[^"'`]*health[^"'`]*)["'`]/i.exec(text);
      if (health) return { type: 'http', path: health[1] as string };
      if (/\.get\(\s*["'`]\/["'`]/.test(text)) root = true;
    }
  }
  return root ? { type: 'http', path: '/' } : { type: 'tcp' };
}

/** What installs node_modules, by lock file; run by the process runtime only while node_modules is missing. */
function installStep(repo: RepoFiles, dir: string): { command: string; creates: string } {
  if (repo.exists(joinRel(dir, 'pnpm-lock.yaml'))) {
    return { command: 'pnpm install --frozen-lockfile', creates: 'node_modules/.modules.yaml' };
  }
  if (repo.exists(joinRel(dir, 'yarn.lock'))) {
    return { command: 'yarn install --frozen-lockfile', creates: 'node_modules/.yarn-integrity' };
  }
  if (repo.exists(joinRel(dir, 'package-lock.json'))) {
    return { command: 'npm ci --no-audit --no-fund', creates: 'node_modules/.package-lock.json' };
  }
  return { command: 'npm install --no-audit --no-fund', creates: 'node_modules/.package-lock.json' };
}

function manifests(repo: RepoFiles, dir: string): string[] {
  return ['package.json', 'package-lock.json', 'yarn.lock', 'pnpm-lock.yaml']
    .map((name) => joinRel(dir, name))
    .filter((p) => repo.exists(p));
}
