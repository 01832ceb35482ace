// A container's inspect data → the runtime-neutral InstanceState, and the state of a service's
// instances taken together when it runs several (`scale`): it runs when every one runs, is
// healthy when every one is, has exited (with that one's code) when any has, so the engine's
// restart policy starts it again, and is gone when any is gone, so the engine recreates them.

import type Dockerode from 'dockerode';
import type { Health, PublishedPort } from '../../model/status.js';
import type { InstanceState } from '../../runtime-interface/runtime.js';

export const MISSING: InstanceState = { status: 'missing', health: 'none', restartCount: 0, ports: [] };

export function stateOf(info: Dockerode.ContainerInspectInfo, earlyHealthy: boolean): InstanceState {
  const s = info.State;
  const status: InstanceState['status'] = s.Restarting
    ? 'restarting'
    : s.Running
      ? 'running'
      : s.Status === 'created'
        ? 'created'
        : s.Status === 'dead'
          ? 'dead'
          : 'exited';
  const healthStatus = s.Health?.Status;
  let health: Health =
    healthStatus === 'healthy' || healthStatus === 'unhealthy' || healthStatus === 'starting' ? healthStatus : 'none';
  if (health === 'starting' && s.Running && earlyHealthy) health = 'healthy';
  const ports: PublishedPort[] = [];
  for (const [key, bindings] of Object.entries(info.NetworkSettings.Ports ?? {})) {
    const [port, proto] = key.split('/');
    for (const b of bindings ?? []) {
      ports.push({
        hostIp: b.HostIp,
        hostPort: Number(b.HostPort),
        containerPort: Number(port),
        protocol: proto === 'udp' ? 'udp' : 'tcp',
      });
    }
  }
  sortPorts(ports);
  const state: InstanceState = { status, health, restartCount: info.RestartCount ?? 0, ports };
  if (status === 'exited' || status === 'dead') {
    state.exitCode = s.ExitCode;
    if (s.OOMKilled) state.oomKilled = true;
    if (s.FinishedAt && !s.FinishedAt.startsWith('0001')) state.finishedAt = s.FinishedAt;
  }
  if (s.StartedAt && !s.StartedAt.startsWith('0001')) state.startedAt = s.StartedAt;
  return state;
}

function sortPorts(ports: PublishedPort[]): void {
  ports.sort(
    (a, b) => a.containerPort - b.containerPort || a.hostIp.localeCompare(b.hostIp) || a.hostPort - b.hostPort,
  );
}

const HEALTH_ORDER: Health[] = ['unhealthy', 'starting', 'healthy', 'none'];

/** The state of several instances of one service, as one. */
export function combinedState(states: readonly InstanceState[]): InstanceState {
  const [first] = states;
  if (!first || states.length === 1) return first ?? MISSING;
  const present = states.filter((s) => s.status !== 'missing');
  // One instance gone (removed from outside) is the whole gone: the engine recreates them all.
  if (present.length < states.length) return MISSING;
  const down = present.find((s) => s.status === 'exited' || s.status === 'dead');
  const restarting = present.find((s) => s.status === 'restarting');
  const status: InstanceState['status'] = restarting
    ? 'restarting'
    : down
      ? down.status
      : present.every((s) => s.status === 'created')
        ? 'created'
        : 'running';
  const healths = present.map((s) => s.health);
  const health = HEALTH_ORDER.find((h) => healths.includes(h)) ?? 'none';
  const ports = present.flatMap((s) => s.ports);
  sortPorts(ports);
  const out: InstanceState = {
    status,
    health,
    restartCount: present.reduce((n, s) => n + s.restartCount, 0),
    ports,
  };
  if (down && (status === 'exited' || status === 'dead')) {
    if (down.exitCode !== undefined) out.exitCode = down.exitCode;
    if (down.oomKilled) out.oomKilled = true;
    if (down.finishedAt) out.finishedAt = down.finishedAt;
    if (down.signalled) out.signalled = down.signalled;
  }
  const startedAt = (down ?? present.reduce((a, b) => ((a.startedAt ?? '') > (b.startedAt ?? '') ? a : b))).startedAt;
  if (startedAt) out.startedAt = startedAt;
  return out;
}
