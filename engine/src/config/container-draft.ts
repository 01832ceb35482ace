// One service's container settings while they are read: the ContainerSpec so far, the services
// it names, and where each key group (container-*.ts) reports what it cannot take.

import { type ContainerSpec, emptyContainerSpec, type SourceLocation } from '../model/spec.js';
import { type ConfigNode, child, isScalar, isSeq, type MapNode, text } from './config-node.js';
import type { NormaliseContext } from './normalise-context.js';

/** A reference to another service found in a container setting, checked once every service is known. */
export interface ServiceRef {
  service: string;
  /** The key it was found in, e.g. `network_mode`. */
  key: string;
  loc: SourceLocation;
}

export class ContainerDraft {
  readonly spec: ContainerSpec = emptyContainerSpec();
  /** Services this one needs started first (network_mode/pid/ipc `service:`, links, volumes_from). */
  readonly refs: ServiceRef[] = [];
  /** Whether the service sets any container key: a service that sets none has no ContainerSpec. */
  touched = false;

  constructor(
    readonly node: MapNode,
    readonly ctx: NormaliseContext,
    readonly service: string,
  ) {}

  get(key: string): ConfigNode | undefined {
    return child(this.node, key);
  }

  /** How a message names a key: `` `dns` of service `web` ``. */
  what(key: string): string {
    return `\`${key}\` of service \`${this.service}\``;
  }

  /** Set one field of the spec; `undefined` (unset or not valid) leaves it as it is. */
  set<K extends keyof ContainerSpec>(key: K, value: ContainerSpec[K] | undefined): void {
    if (value === undefined) return;
    this.spec[key] = value;
    this.touched = true;
  }

  error(code: string, message: string, loc: SourceLocation, hint: string): void {
    this.ctx.diagnostics.error(code, message, loc, hint);
  }

  /** The entries of a list key (a lone scalar counts as a list of one). */
  items(key: string): ConfigNode[] {
    return listItems(this.get(key));
  }

  /** The entries of a list key that pass `valid`; each other one reported at its position. */
  validEntries(key: string, valid: (entry: string) => boolean, code: string, isNot: string, hint: string): string[] {
    const out: string[] = [];
    for (const item of this.items(key)) {
      const raw = text(item) ?? '';
      if (valid(raw)) out.push(raw);
      else this.error(code, `${this.what(key)} entry \`${raw}\` is not ${isNot}`, item.loc, hint);
    }
    if (out.length > 0) this.touched = true;
    return out;
  }
}

export function listItems(node: ConfigNode | undefined): ConfigNode[] {
  return isSeq(node) ? node.items : node !== undefined && isScalar(node) && node.value !== null ? [node] : [];
}
