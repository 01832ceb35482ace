// `pull_policy` (and `pull_refresh_after` for `refresh`): when the image of a service is pulled.
// `daily`, `weekly`, `every_<duration>` and `refresh` pull when the local copy is older than
// their period; `if_not_present` is `missing`.

import type { PullPolicy } from '../model/spec.js';
import { ConfigCode } from './codes.js';
import { type ConfigNode, text } from './config-node.js';
import { parseDuration } from './durations.js';
import type { NormaliseContext } from './normalise-context.js';

const DAY = 86_400_000;
const UNIT: Record<string, number> = { w: 7 * DAY, d: DAY, h: 3_600_000, m: 60_000, s: 1000 };

export function normalisePullPolicy(
  node: ConfigNode | undefined,
  refreshAfter: ConfigNode | undefined,
  hasBuild: boolean,
  ctx: NormaliseContext,
  service: string,
): PullPolicy | undefined {
  const raw = text(node);
  if (raw === undefined || !node) {
    checkRefreshAfter(refreshAfter, ctx, service);
    return undefined;
  }
  const bad = (message: string, hint: string) => {
    ctx.diagnostics.error(ConfigCode.invalidPullPolicy, message, node.loc, hint);
    return undefined;
  };
  if (raw === 'always' || raw === 'never' || raw === 'missing') return { kind: raw };
  if (raw === 'if_not_present') return { kind: 'missing' };
  if (raw === 'build') {
    if (!hasBuild)
      return bad(
        `\`pull_policy: build\` of service \`${service}\` needs a \`build:\` section`,
        'add `build: ./dir`, or use `pull_policy: missing`',
      );
    return { kind: 'build' };
  }
  if (raw === 'daily') return { kind: 'every', ms: DAY };
  if (raw === 'weekly') return { kind: 'every', ms: 7 * DAY };
  if (raw === 'refresh') return { kind: 'every', ms: checkRefreshAfter(refreshAfter, ctx, service) ?? DAY };
  const every = /^every_((?:\d+[wdhms])+)$/.exec(raw);
  if (every) {
    let ms = 0;
    for (const part of (every[1] as string).matchAll(/(\d+)([wdhms])/g))
      ms += Number(part[1]) * (UNIT[part[2] as string] ?? 0);
    if (ms > 0) return { kind: 'every', ms };
  }
  return bad(
    `\`pull_policy\` of service \`${service}\` is \`${raw}\`, which is not a pull policy`,
    'use `always`, `never`, `missing`, `build`, `daily`, `weekly`, `every_12h` or `refresh`',
  );
}

function checkRefreshAfter(node: ConfigNode | undefined, ctx: NormaliseContext, service: string): number | undefined {
  const raw = text(node);
  if (raw === undefined || !node) return undefined;
  const ms = parseDuration(raw);
  if (ms !== undefined && ms > 0) return ms;
  ctx.diagnostics.error(
    ConfigCode.invalidDuration,
    `\`pull_refresh_after\` of service \`${service}\` \`${raw}\` is not a duration`,
    node.loc,
    'use a duration like `12h` or `30m`',
  );
  return undefined;
}
