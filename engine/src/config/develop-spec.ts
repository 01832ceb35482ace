// Compose Watch (`develop.watch`) → DevelopSpec: host paths made absolute and checked, container
// targets required for the sync actions and absolute, `sync+exec` needing its `exec`.

import { basename, dirname } from 'node:path';
import type { DevelopSpec, WatchAction, WatchRule } from '../model/spec.js';
import { ConfigCode } from './codes.js';
import { type ConfigNode, child, isSeq, text } from './config-node.js';
import { closest } from './edit-distance.js';
import { hostPath } from './mounts.js';
import { bool, commandList, stringList } from './node-values.js';
import type { NormaliseContext } from './normalise-context.js';

export function normaliseDevelop(
  node: ConfigNode | undefined,
  ctx: NormaliseContext,
  service: string,
): DevelopSpec | undefined {
  if (node === undefined) return undefined;
  const watch = child(node, 'watch');
  const rules: WatchRule[] = [];
  for (const [i, ruleNode] of (isSeq(watch) ? watch.items : []).entries()) {
    const rule = normaliseRule(ruleNode, ctx, `\`develop.watch[${i}]\` of service \`${service}\``);
    if (rule) rules.push(rule);
  }
  return { watch: rules };
}

function normaliseRule(node: ConfigNode, ctx: NormaliseContext, where: string): WatchRule | undefined {
  const pathNode = child(node, 'path');
  const rawPath = text(pathNode);
  const action = text(child(node, 'action')) as WatchAction | undefined;
  if (rawPath === undefined || action === undefined || !pathNode) return undefined;
  const path = hostPath(rawPath, ctx.projectDir, ctx.home);
  if (!ctx.fs.isDirectory(path) && !ctx.fs.isFile(path)) {
    const parent = dirname(path);
    const guess = closest(basename(path), ctx.fs.list(parent));
    ctx.diagnostics.error(
      ConfigCode.watchPathMissing,
      `${where} watches \`${rawPath}\`, which does not exist (${path})`,
      pathNode.loc,
      guess ? `did you mean \`${guess}\`?` : `create it, or fix the path (relative paths start at ${ctx.projectDir})`,
    );
  }
  const rule: WatchRule = {
    path,
    action,
    ignore: stringList(child(node, 'ignore')),
    initialSync: bool(child(node, 'initial_sync')),
  };
  const targetNode = child(node, 'target');
  const target = text(targetNode);
  if (target !== undefined && targetNode) {
    if (!target.startsWith('/')) {
      ctx.diagnostics.error(
        ConfigCode.watchTargetNotAbsolute,
        `${where} has target \`${target}\`, which is not an absolute container path`,
        targetNode.loc,
        `container paths start with \`/\`, e.g. \`/app/${target.replace(/^\.?\/*/, '')}\``,
      );
    }
    rule.target = target;
  } else if (action.startsWith('sync')) {
    ctx.diagnostics.error(
      ConfigCode.watchTargetMissing,
      `${where} uses \`${action}\` but has no \`target\``,
      node.loc,
      'add `target:` with the container path the files are copied to, e.g. `target: /app`',
    );
  }
  const exec = child(node, 'exec');
  if (exec !== undefined) {
    const command = commandList(child(exec, 'command'), ctx, `\`exec.command\` of ${where}`);
    if (command) {
      rule.exec = { command };
      const user = text(child(exec, 'user'));
      const workingDir = text(child(exec, 'working_dir'));
      if (user !== undefined) rule.exec.user = user;
      if (workingDir !== undefined) rule.exec.workingDir = workingDir;
    }
  } else if (action === 'sync+exec') {
    ctx.diagnostics.error(
      ConfigCode.watchExecMissing,
      `${where} uses \`sync+exec\` but has no \`exec\``,
      node.loc,
      'add `exec: {command: ["kill", "-HUP", "1"]}` (the command run in the container after each sync)',
    );
  }
  return rule;
}
