// Python services, from manifests and source text: FastAPI, Django and Flask web apps, Celery
// workers, Alembic and Django migrations. Nothing is imported or run; patterns are read.

import type { CeleryApp, Evidence, HealthProbe, Migrations, PythonFramework, PythonWebApp } from './findings.js';
import { baseName, dirOf, findLine, isUnder, joinRel, type RepoFiles } from './repo-files.js';

export interface PythonFindings {
  pythonApps: PythonWebApp[];
  celeryApps: CeleryApp[];
  migrations: Migrations[];
}

const DEFAULT_PORT: Record<PythonFramework, number> = { fastapi: 8000, django: 8000, flask: 5000 };
const HEALTH_PATH = /\/(health|healthz|healthcheck|health-check|status|ready|readyz|livez|ping)\/?$/i;

export function detectPython(repo: RepoFiles, notes: string[]): PythonFindings {
  const project = new PythonProject(repo);
  const pythonApps: PythonWebApp[] = [];
  const claimed = new Set<string>();

  for (const managePy of repo.paths.filter((p) => baseName(p) === 'manage.py')) {
    const app = project.django(managePy);
    if (app && !claimed.has(app.dir)) {
      pythonApps.push(app);
      claimed.add(app.dir);
    }
  }
  for (const framework of ['fastapi', 'flask'] as const) {
    for (const root of project.roots) {
      if (claimed.has(root)) continue;
      const app = project.webApp(framework, root, notes);
      if (app) {
        pythonApps.push(app);
        claimed.add(root);
      }
    }
  }

  const celeryApps = project.roots.flatMap((root) => project.celery(root) ?? []);
  for (const root of project.roots) {
    const dep = project.dependency(root, 'celery');
    if (dep && !celeryApps.some((c) => c.dir === root)) {
      notes.push(`${dep.file}:${dep.line} lists celery, but no \`= Celery(\` was found: add a worker service by hand`);
    }
  }

  const migrations: Migrations[] = [];
  for (const ini of repo.paths.filter((p) => baseName(p) === 'alembic.ini')) {
    const text = repo.read(ini) ?? '';
    const line = findLine(text, /^\[alembic\]/)?.line ?? 1;
    const dir = dirOf(ini);
    migrations.push({
      tool: 'alembic',
      dir,
      python: project.python(dir),
      evidence: [{ file: ini, line, note: 'Alembic config' }],
    });
  }
  for (const app of pythonApps.filter((a) => a.framework === 'django')) {
    migrations.push({
      tool: 'django',
      dir: app.dir,
      python: app.python,
      evidence: [{ file: joinRel(app.dir, 'manage.py'), line: 1, note: 'Django: manage.py migrate' }],
    });
  }
  return { pythonApps, celeryApps, migrations };
}

interface Assignment {
  variable: string;
  file: string;
  line: number;
  module: string;
  /** Assigned inside a function: that function builds the app (a factory). */
  factory?: string;
}

interface Route {
  path: string;
  file: string;
  line: number;
}

/** The Python side of a repository: its roots (folders with a manifest) and their source files. */
class PythonProject {
  readonly roots: string[];
  private readonly manifestsByRoot = new Map<string, string[]>();

  constructor(private readonly repo: RepoFiles) {
    for (const path of repo.paths) {
      const name = baseName(path);
      const dir = dirOf(path);
      let root: string | undefined;
      if (/^requirements.*\.(txt|in)$/.test(name)) root = baseName(dir) === 'requirements' ? dirOf(dir) : dir;
      else if (['pyproject.toml', 'Pipfile', 'setup.py', 'setup.cfg'].includes(name)) root = dir;
      else if (dir === 'requirements' || dir.endsWith('/requirements')) {
        if (name.endsWith('.txt')) root = dirOf(dir);
      }
      if (root === undefined) continue;
      const list = this.manifestsByRoot.get(root) ?? [];
      list.push(path);
      this.manifestsByRoot.set(root, list);
    }
    const roots = new Set(this.manifestsByRoot.keys());
    for (const path of repo.paths) if (baseName(path) === 'manage.py') roots.add(dirOf(path));
    // Code without any manifest still counts, run from the repository root.
    if (this.sources('.').length > 0 && ![...roots].some((r) => r === '.')) roots.add('.');
    this.roots = [...roots].sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
  }

  manifests(root: string): string[] {
    return this.manifestsByRoot.get(root) ?? [];
  }

  /** The `.py` files a root owns: under it and not under a deeper root; tests and migrations left out. */
  sources(root: string): string[] {
    const deeper = [...this.manifestsByRoot.keys()].filter((r) => r !== root && isUnder(r, root));
    return this.repo.paths.filter(
      (p) =>
        p.endsWith('.py') &&
        isUnder(p, root) &&
        !deeper.some((d) => isUnder(p, d)) &&
        !/(^|\/)(tests?|migrations|alembic)\//.test(p) &&
        !/(^|\/)(test_[^/]*|[^/]*_test|conftest)\.py$/.test(p),
    );
  }

  /** The line of `name` in one of the root's manifests, if it is a dependency there. */
  dependency(root: string, name: string): Evidence | undefined {
    const pattern = new RegExp(`(^|[\\s"'])${name}(\\[[^\\]]*\\])?\\s*($|[<>=~!^;,"'\\s@])`, 'i');
    for (const manifest of this.manifests(root)) {
      const lines = (this.repo.read(manifest) ?? '').split('\n');
      for (const [i, line] of lines.entries()) {
        if (line.trimStart().startsWith('#')) continue;
        if (pattern.test(line)) return { file: manifest, line: i + 1, note: `depends on ${name}` };
      }
    }
    return undefined;
  }

  python(root: string): string {
    for (const venv of ['.venv', 'venv']) {
      if (this.repo.exists(joinRel(root, `${venv}/bin/python`))) return `\${PYTHON:-${venv}/bin/python}`;
    }
    return `\${PYTHON:-python3}`;
  }

  /** `x = Ctor(` at module level, or inside a function (a factory), in the root's sources. */
  assignments(root: string, ctor: string): Assignment[] {
    const out: Assignment[] = [];
    const pattern = new RegExp(`^(\\s*)(\\w+)\\s*(?::[^=]+)?=\\s*${ctor}\\(`);
    for (const file of this.sources(root)) {
      const text = this.repo.read(file) ?? '';
      if (!text.includes(`${ctor}(`)) continue;
      let enclosing: string | undefined;
      for (const [i, line] of text.split('\n').entries()) {
        const def = /^def (\w+)\s*\(/.exec(line);
        if (def) enclosing = def[1];
        else if (/^\S/.test(line)) enclosing = undefined;
        const m = pattern.exec(line);
        if (!m) continue;
        const indented = (m[1] ?? '').length > 0;
        if (indented && !enclosing) continue;
        out.push({
          variable: m[2] as string,
          file,
          line: i + 1,
          module: moduleName(file, root),
          ...(indented && enclosing ? { factory: enclosing } : {}),
        });
      }
    }
    return out;
  }

  webApp(framework: 'fastapi' | 'flask', root: string, notes: string[]): PythonWebApp | undefined {
    const ctor = framework === 'fastapi' ? 'FastAPI' : 'Flask';
    const candidates = this.assignments(root, ctor).sort((a, b) => score(b) - score(a));
    const dep = this.dependency(root, framework);
    const best = candidates[0];
    if (!best) {
      if (dep && !(framework === 'flask' && this.dependency(root, 'fastapi'))) {
        notes.push(
          `${dep.file}:${dep.line} lists ${framework}, but no \`= ${ctor}(\` was found: add its service by hand`,
        );
      }
      return undefined;
    }
    const evidence: Evidence[] = [
      { file: best.file, line: best.line, note: `${best.factory ? `${best.factory}() builds ` : ''}${ctor} app` },
    ];
    if (dep) evidence.push(dep);
    let target: string;
    if (framework === 'fastapi') target = `${best.module}:${best.factory ?? best.variable}`;
    else target = best.factory || best.variable === 'app' ? best.module : `${best.module}:${best.variable}`;
    const routes = this.decoratorRoutes(root);
    const docsOff = /docs_url\s*=\s*None/.test(lineAt(this.repo, best.file, best.line));
    return {
      framework,
      dir: root,
      target,
      factory: framework === 'fastapi' && best.factory !== undefined,
      port: this.port(root, best.file, framework),
      health: healthFrom(routes, framework === 'fastapi' && !docsOff ? '/docs' : undefined),
      python: this.python(root),
      sourcePaths: [this.topLevel(root, best.module)],
      manifests: this.manifests(root),
      evidence,
    };
  }

  django(managePy: string): PythonWebApp | undefined {
    const root = dirOf(managePy);
    const text = this.repo.read(managePy) ?? '';
    const settings = findLine(text, /DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']/);
    if (!settings && !text.includes('django')) return undefined;
    const evidence: Evidence[] = [
      { file: managePy, line: settings?.line ?? 1, note: 'Django manage.py' },
      ...(this.dependency(root, 'django') ? [this.dependency(root, 'django') as Evidence] : []),
    ];
    let health: HealthProbe = { type: 'tcp' };
    const settingsModule = settings?.match[1];
    const settingsText = settingsModule ? this.readModule(root, settingsModule) : undefined;
    const urlconf = settingsText ? /ROOT_URLCONF\s*=\s*["']([\w.]+)["']/.exec(settingsText)?.[1] : undefined;
    const urlsText = urlconf ? this.readModule(root, urlconf) : undefined;
    if (urlconf && urlsText) {
      const file = moduleFile(root, urlconf);
      const routes: Route[] = [];
      for (const [i, line] of urlsText.split('\n').entries()) {
        const m = /\b(?:re_)?path\(\s*r?["']\^?([^"'$]*)\$?["']/.exec(line);
        if (m) routes.push({ path: `/${m[1]}`, file, line: i + 1 });
      }
      const admin = routes.find((r) => r.path === '/admin/');
      health = healthFrom(routes, admin ? '/admin/' : undefined);
    }
    const packages = this.repo.paths
      .filter((p) => baseName(p) === '__init__.py' && dirOf(dirOf(p)) === root && isUnder(p, root))
      .map((p) => baseName(dirOf(p)))
      .filter((name) => !/^(tests?|migrations)$/.test(name));
    return {
      framework: 'django',
      dir: root,
      target: 'manage.py',
      factory: false,
      port: this.port(root, managePy, 'django'),
      health,
      python: this.python(root),
      sourcePaths: packages.length > 0 ? packages : ['.'],
      manifests: this.manifests(root),
      evidence,
    };
  }

  celery(root: string): CeleryApp | undefined {
    const best = this.assignments(root, 'Celery').filter((a) => !a.factory)[0];
    if (!best) return undefined;
    const dep = this.dependency(root, 'celery');
    return {
      dir: root,
      module: best.module,
      python: this.python(root),
      sourcePaths: [this.topLevel(root, best.module)],
      manifests: this.manifests(root),
      evidence: [{ file: best.file, line: best.line, note: 'Celery app' }, ...(dep ? [dep] : [])],
    };
  }

  /** `@router.get("/health")` and the like, with the prefixes of APIRouter/Blueprint and include_router. */
  private decoratorRoutes(root: string): Route[] {
    const routes: (Route & { router: string })[] = [];
    const routerPrefix = new Map<string, string>();
    const includePrefix = new Map<string, string>();
    for (const file of this.sources(root)) {
      const text = this.repo.read(file) ?? '';
      for (const [i, line] of text.split('\n').entries()) {
        const router = /^(\w+)\s*=\s*(?:APIRouter|Blueprint)\((.*)/.exec(line);
        if (router) {
          const prefix = /(?:url_)?prefix\s*=\s*["']([^"']*)["']/.exec(router[2] ?? '')?.[1];
          if (prefix) routerPrefix.set(`${file}#${router[1]}`, prefix);
        }
        const include =
          /(?:include_router|register_blueprint)\(\s*([\w.]+)\s*,.*?(?:url_)?prefix\s*=\s*["']([^"']*)["']/.exec(line);
        if (include) includePrefix.set((include[1] as string).split('.').pop() as string, include[2] as string);
        const route = /^\s*@(\w+)\.(?:get|route|api_route|head)\(\s*["']([^"']*)["']/.exec(line);
        if (route) routes.push({ router: route[1] as string, path: route[2] as string, file, line: i + 1 });
      }
    }
    return routes.map((r) => ({
      path: joinPaths(includePrefix.get(r.router) ?? '', routerPrefix.get(`${r.file}#${r.router}`) ?? '', r.path),
      file: r.file,
      line: r.line,
    }));
  }

  /** The port in the code (`uvicorn.run(..., port=8080)`) or the .env (`PORT=8080`), else the default. */
  private port(root: string, entryFile: string, framework: PythonFramework): number {
    const entry = this.repo.read(entryFile) ?? '';
    const inCode = /\.run\([^)]*\bport\s*=\s*(\d{2,5})/.exec(entry)?.[1];
    if (inCode) return Number(inCode);
    const runserver = /runserver[^\n"']*?:(\d{2,5})/.exec(entry)?.[1];
    if (runserver) return Number(runserver);
    const names = framework === 'flask' ? ['FLASK_RUN_PORT', 'PORT'] : ['PORT'];
    for (const envFile of [joinRel(root, '.env'), '.env', joinRel(root, '.env.example'), '.env.example']) {
      const text = this.repo.read(envFile);
      if (!text) continue;
      for (const name of names) {
        const m = new RegExp(`^\\s*(?:export\\s+)?${name}\\s*=\\s*["']?(\\d{2,5})`, 'm').exec(text);
        if (m) return Number(m[1]);
      }
    }
    return DEFAULT_PORT[framework];
  }

  private readModule(root: string, module: string): string | undefined {
    return (
      this.repo.read(moduleFile(root, module)) ??
      this.repo.read(joinRel(root, `${module.replace(/\./g, '/')}/__init__.py`))
    );
  }

  /** The first segment of a module (`app.main` → `app/`, or `app.py` for a single-file app). */
  private topLevel(root: string, module: string): string {
    const first = module.split('.')[0] as string;
    return this.repo.exists(joinRel(root, first)) && !this.repo.exists(joinRel(root, `${first}.py`))
      ? first
      : `${first}.py`;
  }
}

function healthFrom(routes: Route[], fallback: string | undefined): HealthProbe {
  const health =
    routes.find((r) => HEALTH_PATH.test(r.path) && /health/i.test(r.path)) ??
    routes.find((r) => HEALTH_PATH.test(r.path));
  if (health) return { type: 'http', path: health.path };
  if (routes.some((r) => r.path === '/')) return { type: 'http', path: '/' };
  return fallback ? { type: 'http', path: fallback } : { type: 'tcp' };
}

function joinPaths(...parts: string[]): string {
  const joined = parts
    .filter((p) => p !== '')
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p !== '')
    .join('/');
  const last = parts[parts.length - 1] ?? '';
  return `/${joined}${joined && last.endsWith('/') ? '/' : ''}`;
}

/** Prefer `app` in main.py / app.py / asgi.py / wsgi.py near the root. */
function score(a: Assignment): number {
  let s = 0;
  if (a.variable === 'app' || a.variable === 'application') s += 4;
  if (/(^|\/)(main|app|asgi|wsgi|server|__init__)\.py$/.test(a.file)) s += 2;
  if (a.factory) s -= 1;
  return s * 10 - depth(a.file);
}

function moduleName(file: string, root: string): string {
  const rel = root === '.' ? file : file.slice(root.length + 1);
  return rel
    .replace(/\.py$/, '')
    .replace(/\/__init__$/, '')
    .replace(/\//g, '.');
}

function moduleFile(root: string, module: string): string {
  return joinRel(root, `${module.replace(/\./g, '/')}.py`);
}

function lineAt(repo: RepoFiles, file: string, line: number): string {
  return (repo.read(file) ?? '').split('\n')[line - 1] ?? '';
}

function depth(path: string): number {
  return path === '.' ? 0 : path.split('/').length;
}
