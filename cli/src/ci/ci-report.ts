// The JUnit report of one `devenv ci` run, from what happened: each service's way to ready (from
// the up's timeline), the environment taken down, and each test.

import { type Span, spanMs, type Timeline } from '@devenv/engine';
import type { ServiceFailure } from './environment-watch.js';
import type { JUnitCase, JUnitSuite } from './junit.js';

export interface TestResult {
  name: string;
  /** Undefined: not run (why is in `skipped`). */
  exitCode?: number;
  durationMs: number;
  timedOut?: boolean;
  error?: string;
  skipped?: string;
  output?: string;
}

export interface CiRunFacts {
  project: string;
  startedAt: string;
  timeline: Timeline | undefined;
  /** The service whose failure ended the run, with its last lines. */
  failure?: (ServiceFailure & { lines: string[] }) | undefined;
  /** Services that were not ready when the timeout ran out. */
  timedOut?: string[] | undefined;
  /** Failures of services while the tests ran. */
  crashes: (ServiceFailure & { lines: string[] })[];
  tests: TestResult[];
  down: { durationMs: number; error?: string } | 'kept';
}

export function ciReport(f: CiRunFacts): JUnitSuite[] {
  const envClass = `devenv.${f.project}.environment`;
  const cases: JUnitCase[] = [];
  const services = f.timeline?.spans.filter((s) => s.name === 'service') ?? [];
  for (const s of services) cases.push(serviceCase(s, f, envClass));
  for (const c of f.crashes)
    cases.push({
      name: `${c.service} kept running during the tests`,
      classname: envClass,
      timeSeconds: 0,
      failure: { message: `${c.service} ${c.reason}`, type: 'ServiceFailed', text: withLines(c.reason, c.lines) },
    });
  if (f.down === 'kept')
    cases.push({ name: 'environment down', classname: envClass, timeSeconds: 0, skipped: '--keep' });
  else
    cases.push({
      name: 'environment down',
      classname: envClass,
      timeSeconds: f.down.durationMs / 1000,
      ...(f.down.error ? { failure: { message: f.down.error, type: 'DownFailed' } } : {}),
    });
  const testClass = `devenv.${f.project}.tests`;
  const tests: JUnitCase[] = f.tests.map((t) => {
    const base = { name: t.name, classname: testClass, timeSeconds: t.durationMs / 1000 };
    if (t.skipped !== undefined) return { ...base, skipped: t.skipped };
    const out = t.output ? { systemOut: t.output } : {};
    if (t.exitCode === 0) return { ...base, ...out };
    const message = t.error ?? (t.timedOut ? 'timed out' : `exited with code ${t.exitCode}`);
    return { ...base, ...out, failure: { message, type: t.timedOut ? 'Timeout' : 'CommandFailed' } };
  });
  return [
    { name: `${f.project} environment`, timestamp: f.startedAt, cases },
    { name: `${f.project} tests`, timestamp: f.startedAt, cases: tests },
  ];
}

function serviceCase(s: Span, f: CiRunFacts, classname: string): JUnitCase {
  const service = s.service ?? '';
  const base = { name: `${service} ready`, classname, timeSeconds: spanMs(s) / 1000 };
  if (f.failure?.service === service) {
    const { reason, lines } = f.failure;
    return {
      ...base,
      failure: { message: `${service} ${reason}`, type: 'ServiceFailed', text: withLines(reason, lines) },
    };
  }
  if (f.timedOut?.includes(service))
    return { ...base, failure: { message: `${service} was not ready within the timeout`, type: 'Timeout' } };
  if (s.outcome === 'failed')
    return { ...base, failure: { message: `${service}: ${s.message ?? 'failed'}`, type: 'ServiceFailed' } };
  if (s.outcome === 'cancelled' || s.end === undefined)
    return { ...base, skipped: `not ready: ${s.message ?? 'the run ended before it was'}` };
  return base;
}

function withLines(reason: string, lines: string[]): string {
  return lines.length === 0 ? reason : `${reason}\nlast lines:\n${lines.join('\n')}`;
}
