// Compose `healthcheck:` → HealthcheckSpec with Docker's defaults (30s interval, 30s timeout,
// 3 retries, no start period). A string test runs in a shell (`CMD-SHELL`); a list must start with
// CMD, CMD-SHELL or NONE. No `test` means "keep the image's own HEALTHCHECK" (an empty test).

import type { HealthcheckSpec } from '../model/spec.js';
import { ConfigCode } from './codes.js';
import { type ConfigNode, child, isScalar, isSeq, text } from './config-node.js';
import { closest } from './edit-distance.js';
import { durationMs } from './node-values.js';
import type { NormaliseContext } from './normalise-context.js';
import { boolValue } from './value-checks.js';

export const HEALTHCHECK_DEFAULTS = { intervalMs: 30_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 0 } as const;

const FORMS = ['CMD', 'CMD-SHELL', 'NONE'];

export function normaliseHealthcheck(
  node: ConfigNode | undefined,
  ctx: NormaliseContext,
  service: string,
): HealthcheckSpec | undefined {
  if (node === undefined || (isScalar(node) && node.value === null)) return undefined;
  const spec: HealthcheckSpec = { test: [], ...HEALTHCHECK_DEFAULTS };
  if (boolValue(child(node, 'disable'), ctx, `\`healthcheck.disable\` of service \`${service}\``))
    return { ...spec, test: ['NONE'] };
  const test = child(node, 'test');
  if (test !== undefined) spec.test = testForm(test, ctx, service) ?? [];
  const what = (key: string) => `\`healthcheck.${key}\` of service \`${service}\``;
  spec.intervalMs = durationMs(child(node, 'interval'), ctx, what('interval')) ?? spec.intervalMs;
  spec.timeoutMs = durationMs(child(node, 'timeout'), ctx, what('timeout')) ?? spec.timeoutMs;
  spec.startPeriodMs = durationMs(child(node, 'start_period'), ctx, what('start_period')) ?? spec.startPeriodMs;
  const startInterval = durationMs(child(node, 'start_interval'), ctx, what('start_interval'));
  if (startInterval !== undefined) spec.startIntervalMs = startInterval;
  const retries = child(node, 'retries');
  if (isScalar(retries) && retries.value !== null) {
    const n = Number(retries.value);
    if (Number.isInteger(n) && n >= 0) spec.retries = n;
    else {
      ctx.diagnostics.error(
        ConfigCode.invalidHealthcheck,
        `${what('retries')} must be a whole number, not ${String(retries.value)}`,
        retries.loc,
        'use e.g. `retries: 3`',
      );
    }
  }
  return spec;
}

function testForm(node: ConfigNode, ctx: NormaliseContext, service: string): string[] | undefined {
  const bad = (message: string, hint: string, at = node.loc) => {
    ctx.diagnostics.error(
      ConfigCode.invalidHealthcheck,
      `healthcheck test of service \`${service}\` ${message}`,
      at,
      hint,
    );
    return undefined;
  };
  if (isScalar(node)) {
    const script = text(node) ?? '';
    if (script.trim() === '')
      return bad('is empty', 'give a command, e.g. `test: curl -f http://localhost:8000/health`');
    return ['CMD-SHELL', script];
  }
  if (!isSeq(node)) return undefined;
  const items = node.items.map((i) => text(i) ?? '');
  const [form, ...args] = items;
  if (form === undefined)
    return bad('is an empty list', 'write `["CMD", "curl", "-f", "http://localhost"]` or a string');
  const formNode = node.items[0] ?? node;
  if (!FORMS.includes(form)) {
    const guess = closest(form, FORMS);
    return bad(
      `starts with \`${form}\`; a list must start with CMD, CMD-SHELL or NONE`,
      guess
        ? `did you mean \`${guess}\`?`
        : `write \`["CMD", ${items.map((i) => JSON.stringify(i)).join(', ')}]\`, or give the command as a string`,
      formNode.loc,
    );
  }
  if (form === 'CMD' && args.length === 0)
    return bad('has `CMD` but no command after it', 'write e.g. `["CMD", "pg_isready"]`', formNode.loc);
  if (form === 'CMD-SHELL' && args.length !== 1) {
    return bad(
      `has \`CMD-SHELL\` followed by ${args.length} items; it takes exactly one shell script`,
      'write `["CMD-SHELL", "curl -f http://localhost || exit 1"]`, or use `CMD` with separate arguments',
      formNode.loc,
    );
  }
  if (form === 'NONE' && args.length > 0)
    return bad('has `NONE` followed by arguments', 'write `["NONE"]` alone, or `disable: true`', formNode.loc);
  return items;
}
