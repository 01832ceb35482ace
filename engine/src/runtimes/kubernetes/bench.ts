// Kubernetes timings for `devenv bench`: measured only where a cluster runs. Without one, every
// row says so (nothing is estimated). The operations are passed in, so the engine (which the
// runtime must not import) is wired by the caller: the CLI's bench command or the live suite.

import type { KubeApi } from './kube-api.js';

export interface BenchRow {
  name: string;
  goal?: string;
  status: 'measured' | 'not-measured';
  ms?: number;
  note: string;
}

/** Each operation is timed around its call, unless it resolves with the milliseconds it measured itself. */
export interface BenchOperations {
  /** From no cluster (the caller resets hard first): cluster, registry, Argo CD, images, every service healthy. */
  coldUp?: () => Promise<number | undefined>;
  /** `up` again with nothing changed. */
  warmUp?: () => Promise<number | undefined>;
  /** Save a file under a sync rule and resolve once the pod has its content. */
  saveToLive?: () => Promise<number | undefined>;
}

const rows: { key: keyof BenchOperations; name: string; goal?: string }[] = [
  { key: 'coldUp', name: 'cold up (cluster, Argo CD, images, all healthy)', goal: '≤ 120 s' },
  { key: 'warmUp', name: 'warm up (nothing changed)' },
  { key: 'saveToLive', name: 'save → live in a pod (exec-stream agent)' },
];

export async function kubernetesBench(
  opts: { api?: KubeApi; ops?: BenchOperations; probeTimeoutMs?: number } = {},
): Promise<BenchRow[]> {
  const reason = await unreachable(opts.api, opts.probeTimeoutMs ?? 5000);
  if (reason) {
    return rows.map((r) => ({
      name: r.name,
      ...(r.goal ? { goal: r.goal } : {}),
      status: 'not-measured' as const,
      note: `measured only where a cluster runs: ${reason}`,
    }));
  }
  const out: BenchRow[] = [];
  for (const r of rows) {
    const op = opts.ops?.[r.key];
    if (!op) {
      out.push({
        name: r.name,
        ...(r.goal ? { goal: r.goal } : {}),
        status: 'not-measured',
        note: 'no operation given to measure it',
      });
      continue;
    }
    const started = performance.now();
    const value = await op();
    const ms = typeof value === 'number' ? value : performance.now() - started;
    const over = r.goal === '≤ 120 s' && ms > 120_000;
    out.push({
      name: r.name,
      ...(r.goal ? { goal: r.goal } : {}),
      status: 'measured',
      ms: Math.round(ms),
      note: over ? 'over the goal' : `context ${opts.api?.context ?? '?'}`,
    });
  }
  return out;
}

async function unreachable(api: KubeApi | undefined, timeoutMs: number): Promise<string | undefined> {
  if (!api) return 'no cluster is configured';
  try {
    await Promise.race([
      api.serverVersion(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)),
    ]);
    return undefined;
  } catch (err) {
    return `context ${api.context} is not reachable (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`;
  }
}
