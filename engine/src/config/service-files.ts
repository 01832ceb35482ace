// Secrets and configs: the top-level definitions (where the content comes from: a host file, a
// variable, inline content) and each service's references to them (where the file appears,
// with which owner and mode) → ServiceFileSpec. A definition whose file is missing or whose
// variable is unset fails here, at its position, rather than when a container starts.

import type { ServiceFileSpec, SourceLocation } from '../model/spec.js';
import { ConfigCode } from './codes.js';
import { type ConfigNode, child, entryOf, isMap, isScalar, isSeq, type MapNode, text } from './config-node.js';
import { didYouMean } from './edit-distance.js';
import { hostPath } from './mounts.js';
import type { NormaliseContext } from './normalise-context.js';
import { fileModeValue, idValue } from './value-checks.js';

type Kind = 'secret' | 'config';

interface Definition {
  file?: string;
  content?: string;
}

export type FileDefinitions = Record<Kind, Map<string, Definition>>;

/** The top-level `secrets:` and `configs:` of the merged document, their sources checked. */
export function fileDefinitions(root: MapNode, ctx: NormaliseContext): FileDefinitions {
  return {
    secret: definitions(child(root, 'secrets'), 'secret', ctx),
    config: definitions(child(root, 'configs'), 'config', ctx),
  };
}

function definitions(node: ConfigNode | undefined, kind: Kind, ctx: NormaliseContext): Map<string, Definition> {
  const out = new Map<string, Definition>();
  for (const [name, entry] of isMap(node) ? node.entries : []) {
    const def = entry.value;
    // External ones are refused by the key table; nothing to read here.
    if (child(def, 'external') !== undefined) {
      out.set(name, {});
      continue;
    }
    const sources = ['file', 'environment', ...(kind === 'config' ? ['content'] : [])].filter(
      (k) => child(def, k) !== undefined,
    );
    const where = `${kind} \`${name}\``;
    if (sources.length !== 1) {
      ctx.diagnostics.error(
        ConfigCode.secretSourceMissing,
        sources.length === 0
          ? `${where} says nowhere where its content comes from`
          : `${where} gives its content twice (${sources.map((s) => `\`${s}\``).join(' and ')})`,
        sources.length === 0 ? entry.keyLoc : (entryOf(def, sources[1] as string)?.keyLoc ?? entry.keyLoc),
        kind === 'secret'
          ? `give exactly one of \`file: ./secrets/${name}.txt\` or \`environment: VARIABLE\``
          : `give exactly one of \`file: ./${name}.conf\`, \`content: ...\` or \`environment: VARIABLE\``,
      );
      out.set(name, {}); // reported here: the services that use it are not reported again
      continue;
    }
    const source = sources[0] as string;
    const valueNode = child(def, source) as ConfigNode;
    const value = text(valueNode) ?? '';
    if (source === 'file') {
      const path = hostPath(value, ctx.projectDir, ctx.home);
      if (!ctx.fs.isFile(path)) {
        ctx.diagnostics.error(
          ConfigCode.secretSourceMissing,
          `the file of ${where} does not exist: ${path}`,
          valueNode.loc,
          `create it (relative paths start at ${ctx.projectDir}), or point \`file:\` at an existing file`,
        );
        out.set(name, {});
        continue;
      }
      out.set(name, { file: path });
    } else if (source === 'environment') {
      const content = ctx.env(value);
      if (content === undefined) {
        ctx.diagnostics.error(
          ConfigCode.secretSourceMissing,
          `${where} takes its content from \`${value}\`, which is not set`,
          valueNode.loc,
          `set it in your shell (\`export ${value}=...\`) or in the .env file next to the Compose file`,
        );
        out.set(name, {});
        continue;
      }
      out.set(name, { content });
    } else {
      out.set(name, { content: value });
    }
  }
  return out;
}

/** The service's `secrets:` or `configs:` list against the definitions. */
export function serviceFiles(
  node: ConfigNode | undefined,
  kind: Kind,
  defs: FileDefinitions,
  ctx: NormaliseContext,
  service: string,
): ServiceFileSpec[] {
  const out: ServiceFileSpec[] = [];
  const key = kind === 'secret' ? 'secrets' : 'configs';
  const targets = new Map<string, SourceLocation>();
  for (const item of isSeq(node) ? node.items : []) {
    const sourceNode = isMap(item) ? child(item, 'source') : item;
    const source = text(sourceNode);
    if (source === undefined || !sourceNode) {
      ctx.diagnostics.error(
        ConfigCode.missingKey,
        `an entry of \`${key}\` in service \`${service}\` has no \`source\``,
        item.loc,
        `add \`source:\` with the name of a top-level ${kind}`,
      );
      continue;
    }
    const def = defs[kind].get(source);
    if (!def) {
      const known = [...defs[kind].keys()];
      ctx.diagnostics.error(
        kind === 'secret' ? ConfigCode.undefinedSecret : ConfigCode.undefinedConfig,
        `service \`${service}\` uses ${kind} \`${source}\`, which is not declared under the top-level \`${key}:\``,
        sourceNode.loc,
        didYouMean(source, known) ??
          `declare it:\n    ${key}:\n      ${source}:\n        file: ./${source}${kind === 'secret' ? '.txt' : '.conf'}`,
      );
      continue;
    }
    const targetNode = isMap(item) ? child(item, 'target') : undefined;
    const rawTarget = text(targetNode);
    const base = kind === 'secret' ? '/run/secrets/' : '/';
    const target =
      rawTarget === undefined ? `${base}${source}` : rawTarget.startsWith('/') ? rawTarget : `${base}${rawTarget}`;
    if (rawTarget !== undefined && (rawTarget === '' || /(^|\/)\.\.(\/|$)/.test(rawTarget))) {
      ctx.diagnostics.error(
        ConfigCode.invalidValue,
        `the \`target\` of ${kind} \`${source}\` in service \`${service}\` is not a file path: \`${rawTarget}\``,
        (targetNode ?? item).loc,
        `write an absolute path like \`${base}${source}\`, or a file name`,
      );
      continue;
    }
    const clash = targets.get(target);
    if (clash) {
      ctx.diagnostics.error(
        ConfigCode.duplicateItem,
        `service \`${service}\` puts two ${key} at ${target}`,
        (targetNode ?? item).loc,
        'give one of them another `target`',
      );
      continue;
    }
    targets.set(target, (targetNode ?? item).loc);
    const spec: ServiceFileSpec = { kind, source, target };
    if (def.file !== undefined) spec.file = def.file;
    if (def.content !== undefined) spec.content = def.content;
    if (isMap(item)) {
      const what = (k: string) => `\`${k}\` of ${kind} \`${source}\` in service \`${service}\``;
      const uid = idValue(child(item, 'uid'), ctx, what('uid'));
      const gid = idValue(child(item, 'gid'), ctx, what('gid'));
      const mode = fileModeValue(child(item, 'mode'), ctx, what('mode'));
      if (uid !== undefined) spec.uid = uid;
      if (gid !== undefined) spec.gid = gid;
      if (mode !== undefined) spec.mode = mode;
    } else if (!isScalar(item)) continue;
    out.push(spec);
  }
  return out;
}
