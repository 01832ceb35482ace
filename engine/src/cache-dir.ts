// Where devenv keeps what it may rebuild at any time (downloaded manifests, digests of valid
// Compose files): `$XDG_CACHE_HOME/devenv`, else `~/.cache/devenv`.

import { homedir } from 'node:os';
import path from 'node:path';

export function devenvCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'devenv');
}
