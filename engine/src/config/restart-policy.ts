// Compose `restart:` values: no, always, unless-stopped, on-failure[:max-retries].

import type { RestartPolicy } from '../model/spec.js';
import { closest } from './edit-distance.js';

export type RestartParse = { ok: true; policy: RestartPolicy } | { ok: false; message: string; hint: string };

const NAMES = ['no', 'always', 'on-failure', 'unless-stopped'] as const;

export function parseRestartPolicy(value: string): RestartParse {
  const trimmed = value.trim();
  if (trimmed === 'no' || trimmed === 'always' || trimmed === 'unless-stopped' || trimmed === 'on-failure') {
    return { ok: true, policy: { name: trimmed } };
  }
  const m = /^on-failure:(\d+)$/.exec(trimmed);
  if (m) return { ok: true, policy: { name: 'on-failure', maxRetries: Number(m[1]) } };
  if (trimmed.startsWith('on-failure:')) {
    return {
      ok: false,
      message: `\`${trimmed}\` needs a whole number of retries after \`on-failure:\``,
      hint: 'write e.g. `on-failure:3`',
    };
  }
  const guess = closest(trimmed.replace(/:.*$/, ''), NAMES);
  return {
    ok: false,
    message: `\`${trimmed}\` is not a restart policy`,
    hint: guess
      ? `did you mean \`${guess}\`? (one of: no, always, on-failure[:N], unless-stopped)`
      : 'use one of: no, always, on-failure, on-failure:3, unless-stopped (quote `"no"` to be safe)',
  };
}
