// `post_start` and `pre_stop`: commands run inside the service's instance right after it starts
// and right before it is stopped, each with its own user, directory, environment and privileges.

import type { HookSpec } from '../model/spec.js';
import { type ConfigNode, child, isSeq, text } from './config-node.js';
import { commandList, stringMap } from './node-values.js';
import type { NormaliseContext } from './normalise-context.js';
import { boolValue } from './value-checks.js';

export function normaliseHooks(node: ConfigNode | undefined, ctx: NormaliseContext, what: string): HookSpec[] {
  const out: HookSpec[] = [];
  for (const item of isSeq(node) ? node.items : []) {
    const command = commandList(child(item, 'command'), ctx, `\`command\` of ${what}`);
    if (!command || command.length === 0) continue;
    const hook: HookSpec = {
      command,
      privileged: boolValue(child(item, 'privileged'), ctx, `\`privileged\` of ${what}`) ?? false,
      environment: stringMap(child(item, 'environment'), ctx),
    };
    const user = text(child(item, 'user'));
    const workingDir = text(child(item, 'working_dir'));
    if (user !== undefined) hook.user = user;
    if (workingDir !== undefined) hook.workingDir = workingDir;
    out.push(hook);
  }
  return out;
}
