// Rewriting what a service runs, for every runtime: the process command (`x-devenv.process`), or
// the container's entrypoint + command (the image's defaults when the file leaves them out),
// edited as one argv and split back at the entrypoint boundary. Used by debugger injection and by
// the fork reloader; pure.

import type { RuntimeKind, ServiceSpec } from '../model/spec.js';
import type { ImageDefaults } from '../runtime-interface/runtime.js';

export interface EditedCommand {
  argv: string[];
  /** How much the first `boundary` tokens (the entrypoint) grew. */
  entrypointDelta: number;
  /** Variables to set in the service (merged over its own). */
  env: Record<string, string>;
}

/** Edit one argv; `boundary` is the entrypoint's length (0 for a process command). */
export type ArgvEditor = (argv: readonly string[], boundary: number) => EditedCommand | { skipped: string };

/** The service with its command edited, or why it could not be (`purpose` completes "… to <purpose>"). */
export function rewriteServiceCommand(
  service: ServiceSpec,
  runtime: RuntimeKind,
  image: ImageDefaults | undefined,
  editor: ArgvEditor,
  purpose: string,
): { service: ServiceSpec } | { skipped: string } {
  if (runtime === 'process') {
    const process = service.devenv.process;
    if (!process || process.command.length === 0) {
      return { skipped: `${service.name} has no \`x-devenv.process.command\` to ${purpose}` };
    }
    const edited = editor(process.command, 0);
    if ('skipped' in edited) return { skipped: `${service.name}: ${edited.skipped}` };
    return {
      service: {
        ...service,
        devenv: {
          ...service.devenv,
          process: { ...process, command: edited.argv, env: { ...process.env, ...edited.env } },
        },
      },
    };
  }
  // What the container runs: Docker drops the image's CMD when the entrypoint is overridden.
  const entrypoint = service.entrypoint ?? image?.entrypoint ?? [];
  const command = service.command ?? (service.entrypoint ? [] : (image?.cmd ?? []));
  const combined = [...entrypoint, ...command];
  if (combined.length === 0) {
    return {
      skipped: `${service.name} runs its image's default command, which devenv does not know here: write \`command:\` in the Compose file`,
    };
  }
  const edited = editor(combined, entrypoint.length);
  if ('skipped' in edited) return { skipped: `${service.name}: ${edited.skipped}` };
  const out: ServiceSpec = {
    ...service,
    ports: [...service.ports],
    environment: { ...service.environment, ...edited.env },
  };
  // Split the edited argv back at the entrypoint boundary (edits never straddle it).
  const newEntrypoint = edited.argv.slice(0, entrypoint.length + edited.entrypointDelta);
  const newCommand = edited.argv.slice(entrypoint.length + edited.entrypointDelta);
  if (!sameArgv(newEntrypoint, entrypoint)) {
    out.entrypoint = newEntrypoint;
    // Setting the entrypoint drops the image's CMD: keep it by writing it out.
    out.command = newCommand;
  } else if (!sameArgv(newCommand, command)) {
    out.command = newCommand;
  }
  return { service: out };
}

/** How much the entrypoint part of an argv grows under `edits`: edits at or before the program stay in it. */
export function entrypointGrowth(
  edits: readonly { index: number; remove: number; insert: readonly unknown[] }[],
  boundary: number,
  programInEntrypoint: boolean,
): number {
  let delta = 0;
  for (const e of edits) {
    if (e.index < boundary || (e.index === boundary && e.remove === 0 && programInEntrypoint)) {
      delta += e.insert.length - e.remove;
    }
  }
  return delta;
}

function sameArgv(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
