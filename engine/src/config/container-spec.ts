// A service's container settings (capabilities, namespaces, DNS, devices, logging, …) → the
// ContainerSpec the runtimes read, each value checked and reported at its position: a
// capability Linux does not have, a sysctl a container cannot set, a device mapping that does
// not parse, an address that is not one. Each group of keys has its file (container-*.ts).

import type { ContainerSpec, NamespaceRef } from '../model/spec.js';
import { ConfigCode } from './codes.js';
import { child, isMap, isScalar, type MapNode, text } from './config-node.js';
import { ContainerDraft, type ServiceRef } from './container-draft.js';
import { deviceKeys, limitKeys } from './container-kernel.js';
import { namespaceKeys } from './container-namespaces.js';
import { dnsKeys, hostKeys, linkKeys } from './container-network.js';
import { securityKeys } from './container-security.js';
import { stringMap } from './node-values.js';
import type { NormaliseContext } from './normalise-context.js';
import { boolValue } from './value-checks.js';

export type { ServiceRef } from './container-draft.js';
export { ulimitsValue } from './container-kernel.js';
export { extraHostsValue } from './container-network.js';

export interface NormalisedContainer {
  container?: ContainerSpec;
  /** Services this one needs started first (network_mode/pid/ipc `service:`, links, volumes_from). */
  refs: ServiceRef[];
}

/** The service's container settings; `container` is undefined when the service sets none. */
export function normaliseContainer(node: MapNode, ctx: NormaliseContext, service: string): NormalisedContainer {
  const d = new ContainerDraft(node, ctx, service);
  runKeys(d);
  hostKeys(d);
  securityKeys(d);
  limitKeys(d);
  namespaceKeys(d);
  deviceKeys(d);
  dnsKeys(d);
  linkKeys(d);
  volumesFromKey(d);
  return d.touched ? { container: d.spec, refs: d.refs } : { refs: d.refs };
}

/** How the container runs: `container_name`, `platform`, `runtime`, `init`, `annotations`, `logging`. */
function runKeys(d: ContainerDraft): void {
  const name = d.get('container_name');
  if (isScalar(name) && name.value !== null) {
    const value = String(name.value);
    if (/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(value)) d.set('containerName', value);
    else
      d.error(
        ConfigCode.invalidValue,
        `${d.what('container_name')} \`${value}\` is not a container name`,
        name.loc,
        `start with a letter or digit, then letters, digits, \`_\`, \`.\` or \`-\`, e.g. \`${value.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^[^a-zA-Z0-9]+/, '') || 'my-container'}\``,
      );
  }
  const platform = d.get('platform');
  const platformText = text(platform);
  if (platform && platformText !== undefined) {
    if (/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(platformText)) d.set('platform', platformText);
    else
      d.error(
        ConfigCode.invalidPlatform,
        `${d.what('platform')} \`${platformText}\` is not a platform`,
        platform.loc,
        'write os/architecture, e.g. `linux/amd64` or `linux/arm64/v8`',
      );
  }
  const runtime = d.get('runtime');
  const runtimeText = text(runtime);
  if (runtime && runtimeText !== undefined) {
    if (/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(runtimeText)) d.set('runtime', runtimeText);
    else
      d.error(
        ConfigCode.invalidValue,
        `${d.what('runtime')} \`${runtimeText}\` is not an OCI runtime name`,
        runtime.loc,
        'name a runtime the engine knows (`docker info` lists them), e.g. `runc`',
      );
  }
  const init = boolValue(d.get('init'), d.ctx, d.what('init'));
  if (init !== undefined) d.set('init', init);
  const annotations = stringMap(d.get('annotations'), d.ctx, false);
  if (Object.keys(annotations).length > 0) d.set('annotations', annotations);
  loggingKey(d);
}

function loggingKey(d: ContainerDraft): void {
  const logging = d.get('logging');
  if (!isMap(logging)) return;
  const driver = text(child(logging, 'driver'));
  const options: Record<string, string> = {};
  const optionsNode = child(logging, 'options');
  for (const [key, entry] of isMap(optionsNode) ? optionsNode.entries : []) {
    if (isScalar(entry.value) && entry.value.value !== null) options[key] = String(entry.value.value);
  }
  const driverNode = child(logging, 'driver');
  if (driver !== undefined && !/^[a-zA-Z0-9][a-zA-Z0-9_./:-]*$/.test(driver) && driverNode) {
    d.error(
      ConfigCode.invalidValue,
      `${d.what('logging.driver')} \`${driver}\` is not a logging driver name`,
      driverNode.loc,
      'use e.g. `json-file`, `local`, `journald` or `none`',
    );
  } else d.set('logging', driver === undefined ? { options } : { driver, options });
}

/** `volumes_from`: another service's (which then starts first) or container's volumes. */
function volumesFromKey(d: ContainerDraft): void {
  for (const item of d.items('volumes_from')) {
    const raw = text(item) ?? '';
    const m = /^(?:(container):)?([a-zA-Z0-9][a-zA-Z0-9_.-]*)(?::(ro|rw))?$/.exec(raw);
    if (!m) {
      d.error(
        ConfigCode.invalidNamespace,
        `${d.what('volumes_from')} entry \`${raw}\` is not \`SERVICE[:ro]\` or \`container:NAME[:ro]\``,
        item.loc,
        'write `data` or `container:shared-data:ro`',
      );
      continue;
    }
    const from: NamespaceRef = m[1]
      ? { kind: 'container', container: m[2] as string }
      : { kind: 'service', service: m[2] as string };
    if (from.kind === 'service') d.refs.push({ service: from.service, key: 'volumes_from', loc: item.loc });
    d.spec.volumesFrom.push({ from, readOnly: m[3] === 'ro' });
    d.touched = true;
  }
}
