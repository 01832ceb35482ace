// Which of the client's environment variables a project's config uses, so `up` sends those and
// not the whole environment (tokens, keys, whatever the shell holds). A first guess from the text
// of the Compose files and the project's `.env`: every `$NAME` / `${NAME`, every bare list item
// or empty-valued key (`environment: [DEBUG]` takes DEBUG from the environment), the `.env`'s
// keys, and the names Compose itself reads. The daemon records every lookup its loader makes and asks for any name
// missing from the guess (ErrorCodes.needVariables); sendUp answers, so the result is exact.

import { join } from 'node:path';
import type { MessageConnection } from 'vscode-jsonrpc';
import { ResponseError } from 'vscode-jsonrpc';
import { readRegularFile } from '../shared/read-bounded.js';
import {
  type ConfigSource,
  ErrorCodes,
  type ErrorData,
  Methods,
  type UpParams,
  type UpResultWire,
} from './protocol.js';

/** Names the loader reads whatever the files say. */
const ALWAYS = ['HOME', 'COMPOSE_PROFILES', 'COMPOSE_PROJECT_NAME', 'COMPOSE_FILE', 'COMPOSE_PATH_SEPARATOR'];
const REFERENCE = /\$\{?([A-Za-z_][A-Za-z0-9_]*)/g;
const BARE_ITEM = /^[ \t]*-[ \t]+["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]*$/gm;
const BARE_KEY = /^[ \t]*["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?:[ \t]*$/gm;
// Every key of the `.env`: the client's own value of that name wins over the file's.
const DOTENV_KEY = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*(?:=|#|$)/gm;

/** The guess: names the config files and the project's `.env` may look up. */
export function guessConfigVariables(files: readonly string[], projectDir: string): Set<string> {
  const names = new Set(ALWAYS);
  for (const file of files) {
    const text = readSmallText(file);
    if (text === undefined) continue;
    for (const re of [REFERENCE, BARE_ITEM, BARE_KEY]) for (const m of text.matchAll(re)) names.add(m[1]!);
  }
  const dotenv = readSmallText(join(projectDir, '.env'));
  if (dotenv !== undefined) {
    for (const re of [REFERENCE, DOTENV_KEY]) for (const m of dotenv.matchAll(re)) names.add(m[1]!);
  }
  return names;
}

/** `env` and `envNames` of a ConfigSource for these names. */
export function environmentFor(
  names: Iterable<string>,
  env: Record<string, string | undefined> = process.env,
): Required<Pick<ConfigSource, 'env' | 'envNames'>> {
  const out: Record<string, string> = {};
  const list = [...new Set(names)].sort();
  for (const name of list) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  return { env: out, envNames: list };
}

/**
 * `devenv/up`, answering the daemon's requests for variables the guess missed (each round can
 * only reveal names that the values of the last one led to, such as an env_file's path).
 */
export async function sendUp(
  connection: MessageConnection,
  params: UpParams,
  env: Record<string, string | undefined> = process.env,
): Promise<UpResultWire> {
  // The client's OpenTelemetry settings travel with its `up`: the daemon exports that up's timeline.
  const otel = params.otel ?? otelVariables(env);
  let current: UpParams = Object.keys(otel).length > 0 ? { ...params, otel } : params;
  for (let round = 0; ; round++) {
    try {
      return await connection.sendRequest(Methods.up, current);
    } catch (err) {
      const asked = err instanceof ResponseError && err.code === ErrorCodes.needVariables;
      const wanted = asked ? ((err.data as ErrorData | undefined)?.variables ?? []) : [];
      const known = new Set(current.config.envNames ?? []);
      const fresh = wanted.filter((n) => typeof n === 'string' && !known.has(n));
      if (!asked || fresh.length === 0 || round >= 16 || current.config.envNames === undefined) throw err;
      current = { ...current, config: { ...current.config, ...environmentFor([...known, ...fresh], env) } };
    }
  }
}

/** The OTEL_* variables of an environment (endpoint, headers, protocol, resource attributes…). */
export function otelVariables(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith('OTEL_') && v !== undefined) out[k] = v;
  return out;
}

function readSmallText(file: string): string | undefined {
  const read = readRegularFile(file);
  return read.ok ? read.bytes.toString('utf8') : undefined;
}
