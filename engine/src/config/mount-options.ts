// The per-type options of a long-syntax mount (`bind:`, `volume:`, `tmpfs:`) and of a
// service-level `tmpfs:` entry, read onto the MountSpec with each value checked. A bind mount
// whose host path is missing fails here unless the mount may create it (`create_host_path`, the
// short syntax), as Docker would refuse it at start.

import type { MountSpec } from '../model/spec.js';
import { ConfigCode } from './codes.js';
import { type ConfigNode, child, isMap, text } from './config-node.js';
import { stringMap } from './node-values.js';
import type { NormaliseContext } from './normalise-context.js';
import { parseByteSize, parseFileMode } from './units.js';
import { boolValue, fileModeValue, sizeValue } from './value-checks.js';

const PROPAGATION = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

/** Adds the long syntax's type options to `mount` (a copy); reports bad values. */
export function longMountOptions(item: ConfigNode, mount: MountSpec, ctx: NormaliseContext, what: string): MountSpec {
  const out: MountSpec = { ...mount };
  boolValue(child(item, 'read_only'), ctx, `\`read_only\` of ${what}`);
  const bind = child(item, 'bind');
  const volume = child(item, 'volume');
  const tmpfs = child(item, 'tmpfs');
  if (isMap(bind)) {
    const create = boolValue(child(bind, 'create_host_path'), ctx, `\`bind.create_host_path\` of ${what}`);
    if (create !== undefined) out.createHostPath = create;
    const propagationNode = child(bind, 'propagation');
    const propagation = text(propagationNode);
    if (propagation !== undefined && propagationNode) {
      if (PROPAGATION.includes(propagation)) out.propagation = propagation;
      else
        ctx.diagnostics.error(
          ConfigCode.invalidValue,
          `\`bind.propagation\` of ${what} is \`${propagation}\`, not a propagation mode`,
          propagationNode.loc,
          `use one of ${PROPAGATION.join(', ')}`,
        );
    }
    const selinux = text(child(bind, 'selinux'));
    if (selinux === 'z' || selinux === 'Z') out.selinux = selinux;
  }
  if (isMap(volume)) {
    const nocopy = boolValue(child(volume, 'nocopy'), ctx, `\`volume.nocopy\` of ${what}`);
    if (nocopy !== undefined) out.noCopy = nocopy;
    const labels = stringMap(child(volume, 'labels'), ctx, false);
    if (Object.keys(labels).length > 0) out.volumeLabels = labels;
    const subpathNode = child(volume, 'subpath');
    const subpath = text(subpathNode);
    if (subpath !== undefined && subpathNode) {
      if (subpath.startsWith('/') || subpath.split('/').includes('..'))
        ctx.diagnostics.error(
          ConfigCode.invalidVolume,
          `\`volume.subpath\` of ${what} must be a relative path inside the volume, not \`${subpath}\``,
          subpathNode.loc,
          'write a path like `data/app`, without a leading `/` or `..`',
        );
      else out.subpath = subpath;
    }
  }
  if (isMap(tmpfs)) {
    const size = sizeValue(child(tmpfs, 'size'), ctx, `\`tmpfs.size\` of ${what}`);
    if (size !== undefined) out.tmpfsSize = size;
    const mode = fileModeValue(child(tmpfs, 'mode'), ctx, `\`tmpfs.mode\` of ${what}`);
    if (mode !== undefined) out.tmpfsMode = mode;
  }
  return out;
}

/** `bind` mounts of a missing host path that nothing will create: Docker refuses them at start. */
export function checkBindSource(mount: MountSpec, at: ConfigNode, ctx: NormaliseContext, what: string): void {
  if (mount.type !== 'bind' || mount.createHostPath || mount.source === undefined) return;
  if (ctx.fs.isFile(mount.source) || ctx.fs.isDirectory(mount.source)) return;
  // Sockets and devices are neither files nor directories to the loader; only what lives under
  // the project is known not to be one of those.
  if (!mount.source.startsWith(ctx.projectDir)) return;
  ctx.diagnostics.error(
    ConfigCode.bindSourceMissing,
    `${what} binds ${mount.source}, which does not exist`,
    (child(at, 'source') ?? at).loc,
    'create it, fix the path, or add `bind: {create_host_path: true}` to have it created as a directory',
  );
}

const TMPFS_OPTION =
  /^(size=\d+(\.\d+)?[kmgtp%]?|mode=[0-7]{3,4}|uid=\d+|gid=\d+|nr_inodes=\d+[kmg]?|noexec|exec|nosuid|suid|nodev|dev|ro|rw|sync|async|dirsync|noatime|atime|nodiratime|diratime|relatime|norelatime|strictatime|nostrictatime|mand|nomand|tmpcopyup|notmpcopyup)$/i;

/** A service-level `tmpfs:` entry, `/run` or `/run:size=64m,mode=1777`; a string problem when it does not parse. */
export function serviceTmpfs(entry: string): MountSpec | string {
  const colon = entry.indexOf(':');
  const target = colon < 0 ? entry : entry.slice(0, colon);
  const options = colon < 0 ? '' : entry.slice(colon + 1);
  if (!target.startsWith('/')) return `\`${target}\` is not an absolute container path`;
  const mount: MountSpec = { type: 'tmpfs', target, readOnly: false };
  for (const option of options === '' ? [] : options.split(',')) {
    if (!TMPFS_OPTION.test(option)) return `\`${option}\` is not a tmpfs mount option`;
    const [key, value = ''] = option.split('=');
    if (key === 'size' && !value.endsWith('%')) mount.tmpfsSize = parseByteSize(value);
    else if (key === 'mode') mount.tmpfsMode = parseFileMode(value);
    else if (key === 'ro') mount.readOnly = true;
    else mount.tmpfsOptions = [...(mount.tmpfsOptions ?? []), option];
  }
  return mount;
}
