// What the process runtime reads from a service's spec: its `x-devenv.process` section (or the
// YAML to add when it has none), the stop signal, the Compose health timing a probe borrows, and
// whether its program is there at all.

import { RuntimeFailure } from '../../errors.js';
import { type EventSink, now } from '../../model/events.js';
import type { ProcessSpec, ServiceSpec } from '../../model/spec.js';
import { installHint, resolveProgram } from './binaries.js';
import type { InstanceRecord } from './instance-record.js';
import { withVirtualenv } from './python-virtualenv.js';
import { normaliseSignal } from './wrapper.js';

export function requireProcess(svc: ServiceSpec): ProcessSpec {
  const proc = svc.devenv.process;
  if (!proc) {
    throw new RuntimeFailure(
      'process.no-command',
      `service ${svc.name} has no \`x-devenv.process\`: the process runtime does not know how to run it without a container`,
      { service: svc.name, hint: processYamlHint(svc) },
    );
  }
  return proc;
}

function processYamlHint(svc: ServiceSpec): string {
  const command = svc.command?.length ? svc.command.join(' ') : '<command as you run it on this machine>';
  return [
    `tell devenv how to run ${svc.name} as a host process, e.g.:`,
    `  ${svc.name}:`,
    '    x-devenv:',
    '      process:',
    `        command: ${command}`,
    '        cwd: .            # relative to the Compose file',
    '        env: {}',
    '        healthcheck: { type: http, url: http://127.0.0.1:PORT/ }',
    'or run this project with `--runtime docker`',
  ].join('\n');
}

/** Fails before anything runs when the service has no command or its program is not installed. */
export async function checkRunnable(svc: ServiceSpec, hostEnv: NodeJS.ProcessEnv, projectDir: string): Promise<void> {
  // A Python service runs with the project's virtualenv first on PATH (python-virtualenv.ts).
  const proc = withVirtualenv(requireProcess(svc), projectDir, hostEnv);
  const program = proc.command[0];
  if (!program) {
    throw new RuntimeFailure('process.no-command', `\`x-devenv.process.command\` of ${svc.name} is empty`, {
      service: svc.name,
      hint: processYamlHint(svc),
    });
  }
  const path = { ...hostEnv, ...proc.env }.PATH;
  if (!(await resolveProgram(program, proc.cwd, path))) {
    throw new RuntimeFailure(
      'process.program-missing',
      `${svc.name} runs ${program}, which is not ${program.includes('/') ? 'an executable file' : 'on PATH'}`,
      { service: svc.name, hint: installHint(program) },
    );
  }
}

/**
 * What `prepareArtifacts` does for a service here (there is nothing to build): check it can run,
 * warn that a Compose healthcheck is not run on the host, and report a failure as a diagnostic.
 */
export async function prepareService(
  svc: ServiceSpec,
  hostEnv: NodeJS.ProcessEnv,
  sink: EventSink,
  projectDir: string,
): Promise<void> {
  try {
    await checkRunnable(svc, hostEnv, projectDir);
  } catch (err) {
    if (err instanceof RuntimeFailure) {
      sink({
        kind: 'diagnostic',
        ts: now(),
        severity: 'error',
        code: err.code,
        service: svc.name,
        message: err.message,
        ...(err.hint ? { hint: err.hint } : {}),
      });
    }
    throw err;
  }
  if (svc.healthcheck && svc.healthcheck.test[0] !== 'NONE' && !svc.devenv.process?.healthcheck) {
    sink({
      kind: 'diagnostic',
      ts: now(),
      severity: 'warning',
      code: 'process.healthcheck-not-run',
      service: svc.name,
      message: `the Compose healthcheck of ${svc.name} is written for its container and is not run on the host`,
      hint: 'add `x-devenv.process.healthcheck` (type http, tcp or command) so its health is known',
    });
  }
}

export function stopSignalOf(svc: ServiceSpec): string {
  return normaliseSignal(svc.stopSignal) ?? 'SIGTERM';
}

export function composeHealthOf(svc: ServiceSpec): InstanceRecord['composeHealth'] {
  const hc = svc.healthcheck;
  if (!hc || hc.test[0] === 'NONE') return undefined;
  return {
    intervalMs: hc.intervalMs,
    startPeriodMs: hc.startPeriodMs,
    ...(hc.startIntervalMs === undefined ? {} : { startIntervalMs: hc.startIntervalMs }),
  };
}
