// The project as the asking client sees it: interpolation takes the client's environment (as
// `docker compose` would), not the environment of whichever client happened to start the daemon.

import { ResponseError } from 'vscode-jsonrpc/node';
import { loadProject } from '../config/index.js';
import type { ProjectIdentity } from '../protocol/project-identity.js';
import { type ConfigSource, ErrorCodes, type ErrorData } from '../protocol/protocol.js';

/**
 * Load the config a client sent (else the daemon's own project files), with DEVENV_STATE_DIR set
 * to where the services keep their state. A client that sent only the names it guessed the config
 * uses is asked (ErrorCodes.needVariables) for any other name the loader looks up.
 */
export async function loadForClient(
  id: ProjectIdentity,
  config: ConfigSource | undefined,
  servicesStateDir: string,
): ReturnType<typeof loadProject> {
  const values = { ...(config?.env ?? process.env), DEVENV_STATE_DIR: servicesStateDir };
  const missing = new Set<string>();
  const known = config?.envNames ? new Set(config.envNames) : undefined;
  const env = known ? recordingEnv(values, known, missing) : values;
  const load = loadProject({
    files: config?.files?.length ? config.files : id.files,
    projectDir: config?.projectDir ?? id.projectDir,
    projectName: config?.projectName ?? id.name,
    env,
    ...(config?.profiles ? { profiles: config.profiles } : {}),
  });
  const outcome = await load.then(
    (loaded) => ({ loaded }),
    (err: unknown) => ({ err }),
  );
  if (missing.size > 0) {
    throw new ResponseError<ErrorData>(ErrorCodes.needVariables, 'the config uses variables the client did not send', {
      variables: [...missing].sort(),
    });
  }
  if ('err' in outcome) throw outcome.err;
  return outcome.loaded;
}

/** The client's variables, noting each name looked up that the client was not asked about. */
function recordingEnv(
  values: Record<string, string | undefined>,
  known: ReadonlySet<string>,
  missing: Set<string>,
): Record<string, string | undefined> {
  return new Proxy(values, {
    get: (target, key) => {
      if (typeof key !== 'string') return undefined;
      if (Object.hasOwn(target, key)) return target[key];
      if (!known.has(key)) missing.add(key);
      return undefined;
    },
  });
}
