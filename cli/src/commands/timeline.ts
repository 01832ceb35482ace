// `devenv timeline [--json]`: where the last `up`'s time went. Every service's phases on one time
// axis with the critical path marked, from the daemon (live while an `up` runs) or, when none
// runs, from the timeline the last daemon kept in the state directory.

import { criticalPath, ExitCode, spanMs, type Timeline, UserError } from '@devenv/engine';
import { Methods, readTimelineFile } from '@devenv/engine/protocol';
import { ResponseError } from 'vscode-jsonrpc';
import { environmentContext, findDaemon, type GlobalOptions } from '../context.js';
import { waterfallText } from '../output/waterfall.js';

export interface TimelineOptions extends GlobalOptions {
  json?: boolean;
  /** One row per service instead of one per phase. */
  compact?: boolean;
}

export async function timelineCommand(opts: TimelineOptions): Promise<number> {
  const ctx = environmentContext(opts, 'timeline');
  let timeline: Timeline | undefined;
  const daemon = await findDaemon(ctx);
  if (daemon) {
    try {
      timeline = (await daemon.connection.sendRequest(Methods.timeline)) ?? undefined;
    } catch (err) {
      // A daemon of an older devenv has no timeline to give: read what was kept.
      if (!(err instanceof ResponseError && err.code === -32601)) throw err;
    } finally {
      daemon.close();
    }
  }
  timeline ??= readTimelineFile(ctx.paths.stateDir);
  if (!timeline) {
    throw new UserError({
      code: 'cli.no-timeline',
      message: `no \`up\` of ${ctx.identity.name} has been recorded yet`,
      hint: 'run `devenv up` (or `devenv ci`); its timeline is kept until the next one',
    });
  }
  process.stdout.write(opts.json ? `${JSON.stringify(timelineJson(timeline), null, 2)}\n` : textOf(timeline, opts));
  return ExitCode.ok;
}

/** The timeline with each span's length and the critical path spelt out (for jq and CI tools). */
export function timelineJson(timeline: Timeline, nowMs = Date.now()) {
  return {
    ...timeline,
    spans: timeline.spans.map((s) => ({ ...s, durationMs: spanMs(s, nowMs) })),
    criticalPath: criticalPath(timeline, nowMs),
  };
}

function textOf(timeline: Timeline, opts: TimelineOptions): string {
  const width = process.stdout.isTTY ? (process.stdout.columns ?? 120) : 120;
  return `${waterfallText(timeline, { width, detail: opts.compact ? 'services' : 'phases' }).join('\n')}\n`;
}
