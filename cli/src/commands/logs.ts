// `devenv logs [service] [--follow]`: history from the daemon (and live lines with --follow),
// or the runtime's own logs when no daemon runs.

import { type EngineEvent, ExitCode } from '@devenv/engine';
import { Methods, Notifications } from '@devenv/engine/protocol';
import { environmentContext, findDaemon, type GlobalOptions } from '../context.js';
import { localEngine } from '../local-engine.js';
import { colourWanted, PlainRenderer } from '../output/plain-renderer.js';

export async function logsCommand(
  service: string | undefined,
  opts: GlobalOptions & { follow?: boolean; tail?: string; timestamps?: boolean },
): Promise<number> {
  const ctx = environmentContext(opts, 'logs');
  const limit = opts.tail ? Number(opts.tail) : 1000;
  const renderer = new PlainRenderer(process.stdout, {
    colour: colourWanted(process.stdout),
    timestamps: opts.timestamps ?? false,
  });
  const show = (e: EngineEvent) => {
    if (e.kind === 'log' && (!service || e.service === service)) renderer.render(e);
  };
  const daemon = await findDaemon(ctx);
  if (daemon) {
    const status = await daemon.connection.sendRequest(Methods.status);
    renderer.setServices(status.services.map((s) => s.name));
    if (service && !status.services.some((s) => s.name === service)) {
      daemon.close();
      process.stderr.write(
        `error: no service named ${service}\n  hint: services: ${status.services.map((s) => s.name).join(', ')}\n`,
      );
      return ExitCode.userError;
    }
    for (const e of await daemon.connection.sendRequest(Methods.logs, { ...(service ? { service } : {}), limit }))
      show(e);
    if (!opts.follow) {
      daemon.close();
      return ExitCode.ok;
    }
    daemon.connection.onNotification(Notifications.event, show);
    await daemon.connection.sendRequest(Methods.subscribe, { kinds: ['log'] });
    await new Promise<void>((resolve) => {
      daemon.connection.onClose(() => resolve());
      process.on('SIGINT', () => resolve());
    });
    daemon.close();
    return ExitCode.ok;
  }
  const { engine, project } = await localEngine(ctx, ctx.runtime);
  renderer.setServices(Object.keys(project.services));
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort());
  await engine.streamLogs(
    project,
    { ...(service ? { service } : {}), follow: opts.follow ?? false, tail: limit },
    controller.signal,
    show,
  );
  await engine.close();
  return ExitCode.ok;
}
