// The layer table of docs/architecture.md as data, and the check that holds every import of the
// TypeScript sources to it (layers.test.ts runs it in `npm test`'s unit project). A file belongs
// to the first layer whose paths contain it; it may import its own layer, the layers it lists,
// Node's builtins and any npm package, except the packages one layer owns (dockerode belongs to
// the Docker runtime, ink to the TUI…). A file in no layer is a failure too: a new folder gets
// its row in the table on purpose, not by accident.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface Layer {
  name: string;
  /** Repository-relative paths: a folder ends with `/`, anything else is one file. */
  paths: string[];
  /** Other layers this one may import. */
  mayImport: string[];
}

/** A package only some layers may import (its owners), with the reason. */
export interface OwnedPackage {
  name: string;
  owners: string[];
  /** Single files outside the owners that may import it, each with why. */
  files?: Record<string, string>;
}

/** An import the table forbids, let through until the branch that removes it lands. */
export interface AllowedViolation {
  from: string;
  /** The imported module as written (a relative path resolved from `from`, or a package). */
  to: string;
  issue: number;
  owner: string;
  why: string;
}

const runtimeNames = ['docker', 'process', 'kubernetes'];
const runtimes = runtimeNames.map((n) => `runtimes/${n}`);
/** What every runtime may import (besides its own client library). */
const runtimeBase = ['shared', 'model', 'platform', 'runtime interface', 'sync', 'debug', 'runtime helpers'];

/** Every layer of the engine package below the daemon: what the daemon and `@devenv/engine/engine` reach. */
export const everythingInside = [
  'shared',
  'model',
  'platform',
  'config',
  'sync',
  'runtime interface',
  'debug',
  'reload',
  'engine',
  'runtime helpers',
  ...runtimes,
  'runtime selection',
  'doctor',
  'init',
  'telemetry',
  'protocol',
];

/** The rows of the table in docs/architecture.md, in its order. */
export const layers: Layer[] = [
  { name: 'shared', paths: ['engine/src/shared/', 'engine/src/cache-dir.ts'], mayImport: [] },
  { name: 'model', paths: ['engine/src/model/', 'engine/src/errors.ts'], mayImport: ['shared'] },
  { name: 'platform', paths: ['engine/src/platform/'], mayImport: ['shared', 'model'] },
  { name: 'config', paths: ['engine/src/config/'], mayImport: ['shared', 'model'] },
  // The watcher asks the platform for inotify's limits (its fallback to polling).
  { name: 'sync', paths: ['engine/src/sync/'], mayImport: ['shared', 'model', 'platform'] },
  // The interface's types mention sync sessions; the FakeRuntime beside it attaches fake transports.
  { name: 'runtime interface', paths: ['engine/src/runtime-interface/'], mayImport: ['shared', 'model', 'sync'] },
  { name: 'debug', paths: ['engine/src/debug/'], mayImport: ['shared', 'model', 'runtime interface'] },
  { name: 'reload', paths: ['engine/src/reload/'], mayImport: ['shared', 'model', 'runtime interface', 'debug'] },
  {
    name: 'engine',
    paths: ['engine/src/engine/'],
    mayImport: ['shared', 'model', 'runtime interface', 'sync', 'debug', 'reload'],
  },
  // Helpers several runtimes share (a reconnect loop…), importing no runtime themselves.
  {
    name: 'runtime helpers',
    paths: ['engine/src/runtimes/shared/'],
    mayImport: ['shared', 'model', 'platform', 'runtime interface', 'sync'],
  },
  ...runtimeNames.map(
    (n): Layer => ({ name: `runtimes/${n}`, paths: [`engine/src/runtimes/${n}/`], mayImport: runtimeBase }),
  ),
  {
    name: 'runtime selection',
    paths: ['engine/src/runtimes/select-runtime.ts'],
    mayImport: ['shared', 'model', 'runtime interface', ...runtimes],
  },
  {
    name: 'doctor',
    paths: ['engine/src/doctor/'],
    mayImport: ['shared', 'model', 'platform', 'protocol', 'runtime selection', ...runtimes],
  },
  { name: 'init', paths: ['engine/src/init/'], mayImport: ['shared', 'model', 'config'] },
  // The up timeline as OpenTelemetry spans and the engine's Prometheus metrics, from events only.
  { name: 'telemetry', paths: ['engine/src/telemetry/'], mayImport: ['shared', 'model'] },
  { name: 'protocol', paths: ['engine/src/protocol/'], mayImport: ['shared', 'model'] },
  { name: 'daemon', paths: ['engine/src/daemon/'], mayImport: everythingInside },
  // `@devenv/engine`: the model and the errors only, so that every CLI start stays light.
  { name: 'model entry point', paths: ['engine/src/index.ts'], mayImport: ['shared', 'model', 'runtime interface'] },
  // `@devenv/engine/engine`: the engine, the loader, the daemon and the runtimes (imported lazily).
  // `up --dry-run` on Kubernetes prepares services as the engine does and plans with that runtime.
  {
    name: 'engine entry point',
    paths: ['engine/src/engine-api.ts', 'engine/src/kubernetes-dry-run.ts'],
    mayImport: ['daemon', ...everythingInside],
  },
  // The terminal UI renders events and statuses; it never reaches the engine itself.
  { name: 'tui', paths: ['cli/src/tui/'], mayImport: ['cli', '@devenv/engine', '@devenv/engine/protocol'] },
  // The CLI reaches runtimes only through the engine (`@devenv/engine/engine`) or the daemon.
  {
    name: 'cli',
    paths: ['cli/src/'],
    mayImport: ['tui', '@devenv/engine', '@devenv/engine/protocol', '@devenv/engine/engine'],
  },
  { name: 'extension', paths: ['extension/src/'], mayImport: ['@devenv/engine', '@devenv/engine/protocol'] },
  // The package's entry points (package.json `exports`), as the layers outside it import them.
  { name: '@devenv/engine', paths: ['@devenv/engine'], mayImport: [] },
  { name: '@devenv/engine/protocol', paths: ['@devenv/engine/protocol'], mayImport: [] },
  { name: '@devenv/engine/engine', paths: ['@devenv/engine/engine'], mayImport: [] },
  { name: '@devenv/engine/sync', paths: ['@devenv/engine/sync', '@devenv/engine/sync/docker'], mayImport: [] },
];

export const ownedPackages: OwnedPackage[] = [
  {
    name: 'dockerode',
    // The Docker runtime, and the image builder and engine client Kubernetes shares with it.
    owners: ['runtimes/docker', 'runtime helpers'],
    files: { 'engine/src/sync/docker-transport.ts': 'a type: the Docker runtime hands its client to the transport' },
  },
  { name: '@kubernetes/client-node', owners: ['runtimes/kubernetes'] },
  { name: 'kubernetes-models', owners: ['runtimes/kubernetes'] },
  { name: '@kubernetes-models/argo-cd', owners: ['runtimes/kubernetes'] },
  { name: 'execa', owners: runtimeNames.map((n) => `runtimes/${n}`) },
  { name: 'vscode-jsonrpc', owners: ['protocol', 'daemon', 'cli', 'extension'] },
  { name: 'ink', owners: ['tui'] },
  { name: 'react', owners: ['tui'] },
  { name: 'vscode', owners: ['extension'] },
  { name: 'vscode-languageclient', owners: ['extension'] },
  { name: 'vscode-languageserver', owners: ['cli'] },
  { name: 'prom-client', owners: ['telemetry'] },
  ...[
    'api',
    'sdk-trace-base',
    'resources',
    'semantic-conventions',
    'otlp-transformer',
    'exporter-trace-otlp-http',
    'exporter-trace-otlp-proto',
  ].map((p): OwnedPackage => ({ name: `@opentelemetry/${p}`, owners: ['telemetry'] })),
];

/**
 * Violations other branches are removing now. The integrator deletes each entry when its
 * branch lands; an entry whose import is gone fails the check, so none outlives its fix.
 */
export const allowedViolations: AllowedViolation[] = [];

export interface Violation {
  from: string;
  to: string;
  message: string;
}

export interface Source {
  /** Repository-relative, with `/`. */
  file: string;
  text: string;
}

export interface CheckResult {
  violations: Violation[];
  /** Allowlist entries that match no import any more. */
  stale: AllowedViolation[];
}

/** The layer a repository-relative path (or an `@devenv/engine…` specifier) belongs to. */
export function layerOf(file: string, table: readonly Layer[] = layers): Layer | undefined {
  return table.find((l) => l.paths.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p)));
}

/** The table's rows as docs/architecture.md writes them: layer names and what each may import. */
export function documentedLayers(markdown: string): { names: string[]; mayImport: string[] }[] {
  const lines = markdown.split('\n');
  const header = lines.findIndex((l) => /^\|\s*layer\s*\|\s*where\s*\|\s*may import\s*\|\s*owns\s*\|$/.test(l));
  if (header < 0) return [];
  const rows = lines.slice(header + 2);
  const out: { names: string[]; mayImport: string[] }[] = [];
  for (const row of rows) {
    if (!row.startsWith('|')) break;
    const cells = row.split('|').map((c) => c.trim().replaceAll('`', ''));
    const words = (cell: string) => (cell === 'nothing' ? [] : cell.split(', '));
    const mayImport = words(cells[3] ?? '').flatMap((w) =>
      w === 'all of the engine package' ? everythingInside : [w],
    );
    out.push({ names: words(cells[1] ?? ''), mayImport });
  }
  return out;
}

/** Check every import of `sources` against the table; test files (`*.test.ts`) are left out. */
export function checkLayers(
  sources: readonly Source[],
  opts: { layers?: Layer[]; packages?: OwnedPackage[]; allowed?: AllowedViolation[] } = {},
): CheckResult {
  const table = opts.layers ?? layers;
  const packages = opts.packages ?? ownedPackages;
  const allowed = opts.allowed ?? allowedViolations;
  const used = new Set<AllowedViolation>();
  const violations: Violation[] = [];
  for (const src of sources) {
    if (/\.test\.tsx?$/.test(src.file)) continue;
    const from = layerOf(src.file, table);
    if (!from) {
      violations.push({
        from: src.file,
        to: '',
        message: `${src.file} is in no layer: give its folder a row in docs/architecture.md and scripts/layering/layers.ts`,
      });
      continue;
    }
    for (const specifier of importsOf(src)) {
      const problem = judge(src.file, from, specifier, table, packages);
      if (!problem) continue;
      const entry = allowed.find((a) => a.from === src.file && a.to === problem.to);
      if (entry) used.add(entry);
      else violations.push(problem);
    }
  }
  return { violations, stale: allowed.filter((a) => !used.has(a)) };
}

function judge(
  file: string,
  from: Layer,
  specifier: string,
  table: readonly Layer[],
  packages: readonly OwnedPackage[],
): Violation | undefined {
  if (specifier.startsWith('node:')) return undefined;
  if (specifier.startsWith('.')) {
    const to = resolveRelative(file, specifier);
    const target = layerOf(to, table);
    if (!target) return { from: file, to, message: `${file} imports ${to}, which is in no layer` };
    if (allows(from, target)) return undefined;
    return { from: file, to, message: `${file} (${from.name}) imports ${to} (${target.name}): ${rule(from)}` };
  }
  if (specifier === '@devenv/engine' || specifier.startsWith('@devenv/engine/')) {
    const target = layerOf(specifier, table);
    if (target && allows(from, target)) return undefined;
    return { from: file, to: specifier, message: `${file} (${from.name}) imports ${specifier}: ${rule(from)}` };
  }
  const name = packageName(specifier);
  const owned = packages.find((p) => p.name === name);
  if (!owned || owned.owners.includes(from.name) || owned.files?.[file]) return undefined;
  return {
    from: file,
    to: name,
    message: `${file} (${from.name}) imports ${name}, which only ${owned.owners.join(', ')} may import`,
  };
}

function allows(from: Layer, to: Layer): boolean {
  return from === to || from.mayImport.includes(to.name);
}

function rule(layer: Layer): string {
  return layer.mayImport.length === 0
    ? `${layer.name} may import nothing but itself`
    : `${layer.name} may import only ${layer.mayImport.join(', ')}`;
}

/** `./x.js` from engine/src/a/b.ts → engine/src/a/x.ts (sources are TypeScript; imports say .js). */
export function resolveRelative(from: string, specifier: string): string {
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  return joined.replace(/\.js$/, '.ts').replace(/\.jsx$/, '.tsx');
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Every module a file imports: static, `export … from`, dynamic `import()` and `import('x').T` types. */
export function importsOf(src: Source): string[] {
  return ts.preProcessFile(src.text, true, true).importedFiles.map((f) => f.fileName);
}

/** The TypeScript sources of the three packages, as the check reads them. */
export function repositorySources(root: string): Source[] {
  const out: Source[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'dist') walk(rel);
      } else if (/\.(ts|tsx|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        out.push({ file: rel, text: readFileSync(path.join(root, rel), 'utf8') });
      }
    }
  };
  for (const dir of ['engine/src', 'cli/src', 'extension/src']) walk(dir);
  return out;
}
