// The loader's pipeline, shared by loadProject (files on disk) and validateDocument (an editor
// buffer). Phases, each gated on the previous one being error-free so one mistake is reported
// once and not as a cascade: parse → interpolate + schema (per file) → extends (per file) →
// merge the files → normalise + cross-service checks → ProjectSpec.

import { basename } from 'node:path';
import type { ProjectSpec, ServiceSpec } from '../model/spec.js';
import { ConfigCode } from './codes.js';
import { type ConfigFs, readForLoader } from './config-fs.js';
import { child, isMap, type MapNode, text, toPlain } from './config-node.js';
import { normaliseProjectExtension } from './devenv-extension.js';
import type { Diagnostics } from './diagnostics.js';
import { didYouMean } from './edit-distance.js';
import { resolveExtends } from './extends.js';
import { applyIncludes } from './include.js';
import { interpolateTree } from './interpolate-tree.js';
import { ExpansionBudget, type Lookup } from './interpolation.js';
import { activeUses, findKeyUses, type KeyUse, keyDiagnostics, runtimeIndependentProblems } from './key-uses.js';
import { mergeNode, withoutResets } from './merge.js';
import { checkFixedAddresses, declaredNetworks, declaredVolumes } from './network-spec.js';
import type { NormaliseContext } from './normalise-context.js';
import { isEnabledByProfiles, withDependencies } from './profiles.js';
import { addImpliedDependencies, checkProject } from './project-checks.js';
import { normaliseProjectName } from './project-name.js';
import { schemaDiagnostics } from './schema-errors.js';
import { fileDefinitions } from './service-files.js';
import { type NormalisedService, normaliseService } from './service-spec.js';
import { parseYamlSource } from './yaml-source.js';

export interface SourceFile {
  /** Absolute path (positions in problems use it). */
  path: string;
  text: string;
}

export interface CompileInput {
  files: SourceFile[];
  projectDir: string;
  /** Interpolation variables: the process environment over the project's `.env`. */
  env: Readonly<Record<string, string | undefined>>;
  profiles: readonly string[];
  /** `-p` or COMPOSE_PROJECT_NAME; otherwise the file's `name:` or the directory name. */
  projectName?: string;
  /** Services named on the command line: they and their dependencies run whatever their profiles. */
  services?: readonly string[];
  fs: ConfigFs;
  home: string;
  diagnostics: Diagnostics;
  warnedUnset: Set<string>;
  /** One warning per key without effect (editors) instead of one warning listing them all (CLI). */
  warningsPerKey?: boolean;
}

export interface CompileOutput {
  project?: ProjectSpec;
  resolved?: Record<string, unknown>;
  /** The Compose keys of the active services and the top level, for the runtime's own check (key-uses.ts). */
  keyUses?: KeyUse[];
}

export function compileProject(input: CompileInput): CompileOutput {
  const { diagnostics } = input;
  const interpolation = {
    lookup: (name: string) => input.env[name],
    diagnostics,
    warnedUnset: input.warnedUnset,
    budget: new ExpansionBudget(),
  };

  const loadDocument = (path: string, source: string, lookup: Lookup = interpolation.lookup): MapNode | undefined => {
    const parsed = parseYamlSource(source, path);
    diagnostics.add(parsed.diagnostics);
    if (!parsed.root) return undefined;
    interpolateTree(parsed.root, { ...interpolation, lookup });
    diagnostics.add(schemaDiagnostics(toPlain(parsed.root), parsed.root));
    return parsed.root;
  };
  const roots = input.files.map((f) => ({ path: f.path, root: loadDocument(f.path, f.text) }));
  if (diagnostics.hasErrors) return {};

  const extendedFiles = new Map<string, MapNode | undefined>();
  const extendsContext = {
    diagnostics,
    fileExists: (path: string) => input.fs.isFile(path),
    loadFile: (path: string) => {
      if (!extendedFiles.has(path)) {
        const read = readForLoader(input.fs, path);
        if ('problem' in read) diagnostics.add([{ severity: 'error', ...read.problem }]);
        extendedFiles.set(path, 'text' in read ? loadDocument(path, read.text) : undefined);
      }
      return extendedFiles.get(path);
    },
  };
  const includeContext = {
    diagnostics,
    fs: input.fs,
    home: input.home,
    warnedUnset: input.warnedUnset,
    load: loadDocument,
    resolveExtends: (root: MapNode, path: string) => resolveExtends(root, path, extendsContext),
  };
  for (const { path, root } of roots)
    if (root) applyIncludes(root, input.projectDir, interpolation.lookup, includeContext, [path]);
  if (diagnostics.hasErrors) return {};
  for (const { path, root } of roots) if (root) resolveExtends(root, path, extendsContext);
  if (diagnostics.hasErrors) return {};

  let merged: MapNode | undefined;
  for (const { root } of roots) {
    if (!root) continue;
    merged = merged ? (mergeNode(merged, root) as MapNode) : withoutResets(root);
  }
  if (!merged) return {};

  const name = projectName(merged, input);
  const ctx: NormaliseContext = {
    projectDir: input.projectDir,
    home: input.home,
    env: interpolation.lookup,
    fs: input.fs,
    diagnostics,
    warnedUnset: input.warnedUnset,
    budget: interpolation.budget,
  };
  const files = fileDefinitions(merged, ctx);
  const services = new Map<string, NormalisedService>();
  const servicesNode = child(merged, 'services');
  for (const [serviceName, entry] of isMap(servicesNode) ? servicesNode.entries : []) {
    if (isMap(entry.value))
      services.set(serviceName, normaliseService(serviceName, entry.value, entry.keyLoc, ctx, files));
  }
  addImpliedDependencies(services, diagnostics);
  const active = activeSet(services, input);
  const volumes = declaredVolumes(child(merged, 'volumes'), ctx);
  const networks = declaredNetworks(child(merged, 'networks'), ctx);
  for (const [serviceName, { spec, locations }] of services) {
    checkFixedAddresses(serviceName, spec.networkAttachments, locations.addresses, networks, ctx);
  }
  const keyUses = activeUses(findKeyUses(merged), active);
  diagnostics.add(
    keyDiagnostics(runtimeIndependentProblems(keyUses), {
      projectDir: input.projectDir,
      perKey: input.warningsPerKey ?? false,
    }),
  );
  checkProject({
    services,
    active,
    volumes: Object.keys(volumes),
    networks: Object.keys(networks),
    projectDir: input.projectDir,
    diagnostics,
  });
  if (diagnostics.hasErrors || name === undefined) return {};

  const enabled: Record<string, ServiceSpec> = {};
  const disabled: Record<string, ServiceSpec> = {};
  for (const [serviceName, { spec }] of services) (active.has(serviceName) ? enabled : disabled)[serviceName] = spec;
  const project: ProjectSpec = {
    name,
    projectDir: input.projectDir,
    configFiles: input.files.map((f) => f.path),
    services: enabled,
    volumes,
    networks,
    devenv: normaliseProjectExtension(child(merged, 'x-devenv'), ctx),
  };
  if (Object.keys(disabled).length > 0) project.disabledServices = disabled;
  return { project, resolved: resolvedDocument(merged, name, active), keyUses };
}

function projectName(merged: MapNode, input: CompileInput): string | undefined {
  const nameNode = child(merged, 'name');
  const fromFile = text(nameNode);
  const raw = input.projectName ?? fromFile ?? basename(input.projectDir);
  const name = normaliseProjectName(raw);
  if (name !== '') return name;
  input.diagnostics.error(
    ConfigCode.invalidProjectName,
    `project name \`${raw}\` has no usable characters once normalised (lowercase letters, digits, \`_\`, \`-\`)`,
    input.projectName === undefined && fromFile !== undefined ? nameNode?.loc : undefined,
    'set `name:` at the top of the file, or pass -p NAME',
  );
  return undefined;
}

function activeSet(services: ReadonlyMap<string, NormalisedService>, input: CompileInput): Set<string> {
  const active = new Set<string>();
  // `scale: 0` (or `deploy.replicas: 0`) leaves a service out, as Compose starts none of it.
  for (const [name, { spec }] of services)
    if (isEnabledByProfiles(spec.profiles, input.profiles) && spec.replicas !== 0) active.add(name);
  const requested = input.services ?? [];
  for (const name of requested) {
    if (services.has(name)) continue;
    input.diagnostics.error(
      ConfigCode.unknownService,
      `no service named \`${name}\``,
      undefined,
      didYouMean(name, services.keys()) ?? `known services: ${[...services.keys()].join(', ')}`,
    );
  }
  const specs = Object.fromEntries([...services].map(([n, s]) => [n, s.spec]));
  for (const name of withDependencies(requested, specs)) active.add(name);
  return active;
}

/** The merged, interpolated document as `devenv config` prints it: active services only. */
function resolvedDocument(merged: MapNode, name: string, active: ReadonlySet<string>): Record<string, unknown> {
  const plain = toPlain(merged) as Record<string, unknown>;
  const services = (plain.services ?? {}) as Record<string, unknown>;
  const { version: _version, name: _name, ...rest } = plain;
  return {
    name,
    ...rest,
    services: Object.fromEntries(Object.entries(services).filter(([n]) => active.has(n))),
  };
}
