// What every normalising step needs: where relative paths start, the variables, the disk, and
// where to report. Positions of normalised values are kept in side tables so the cross-service
// checks (port clashes, dependency cycles) can still point at the line that caused them.

import type { MountSpec, PortSpec, SourceLocation } from '../model/spec.js';
import type { ConfigFs } from './config-fs.js';
import type { ServiceRef } from './container-spec.js';
import type { Diagnostics } from './diagnostics.js';
import type { ExpansionBudget, Lookup } from './interpolation.js';

export interface NormaliseContext {
  projectDir: string;
  home: string;
  env: Lookup;
  fs: ConfigFs;
  diagnostics: Diagnostics;
  warnedUnset: Set<string>;
  /** What expansion may still add, shared by the whole project (env_files included). */
  budget?: ExpansionBudget;
}

/** Where each part of one normalised service was written. */
export interface ServiceLocations {
  service: SourceLocation;
  ports: Map<PortSpec, SourceLocation>;
  mounts: Map<MountSpec, SourceLocation>;
  /** depends_on entry → position of its name, and of its `condition` when written. */
  dependsOn: Map<string, { name: SourceLocation; condition?: SourceLocation }>;
  networks: Map<string, SourceLocation>;
  /** Other services named by network_mode, pid, ipc, links, volumes_from: they start first. */
  serviceRefs: ServiceRef[];
  /** `<network>|ipv4_address` → where a fixed address was written. */
  addresses: Map<string, SourceLocation>;
}
