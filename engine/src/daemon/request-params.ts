// The shape of each request's params, checked before a handler sees them: a client that sends
// `params: null` or a number for `services` gets JSON-RPC's "invalid params" (-32602) saying
// which field, not an internal error from deep inside the engine.

type Check = (value: unknown, at: string) => string | undefined;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const str: Check = (v, at) => (typeof v === 'string' ? undefined : `${at} must be a string`);
const num: Check = (v, at) => (typeof v === 'number' && Number.isFinite(v) ? undefined : `${at} must be a number`);
const bool: Check = (v, at) => (typeof v === 'boolean' ? undefined : `${at} must be true or false`);
const strings: Check = (v, at) =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? undefined : `${at} must be a list of strings`;
const port: Check = (v, at) =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535
    ? undefined
    : `${at} must be a port number (0 to 65535)`;
const stringMap: Check = (v, at) =>
  isObject(v) && Object.values(v).every((x) => typeof x === 'string') ? undefined : `${at} must map names to strings`;
const oneOf =
  (...allowed: string[]): Check =>
  (v, at) =>
    typeof v === 'string' && allowed.includes(v) ? undefined : `${at} must be one of ${allowed.join(', ')}`;

/** An object with these fields (`?` after a name: optional); unknown fields are let through. */
function object(fields: Record<string, Check>): Check {
  return (v, at) => {
    if (!isObject(v)) return `${at} must be an object`;
    for (const [spec, check] of Object.entries(fields)) {
      const optional = spec.endsWith('?');
      const name = optional ? spec.slice(0, -1) : spec;
      const value = v[name];
      if (value === undefined) {
        if (optional) continue;
        return `${at}.${name} is missing`;
      }
      const problem = check(value, `${at}.${name}`);
      if (problem) return problem;
    }
    return undefined;
  };
}

const configSource = object({
  'files?': strings,
  'projectDir?': str,
  'projectName?': str,
  'profiles?': strings,
  'env?': stringMap,
  'envNames?': strings,
});

const service = object({ service: str });

const PARAMS: Record<string, Check> = {
  'devenv/initialize': object({ protocolVersion: num, client: object({ name: str, version: str, 'pid?': num }) }),
  'devenv/up': object({
    config: configSource,
    'services?': strings,
    'build?': bool,
    'removeOrphans?': bool,
    'debug?': bool,
    'metricsPort?': port,
    'otel?': stringMap,
  }),
  'devenv/down': object({ 'volumes?': bool, 'shutdown?': bool }),
  'devenv/subscribe': object({ 'kinds?': strings, 'replayLogs?': num }),
  'devenv/logs': object({ 'service?': str, 'limit?': num }),
  'devenv/restart': service,
  'devenv/rebuild': service,
  'devenv/debug': service,
  'devenv/resync': service,
  'devenv/reset': object({ mode: oneOf('soft', 'hard') }),
};

/** What is wrong with a request's params, or undefined when they fit its method. */
export function invalidParams(method: string, params: unknown): string | undefined {
  const check = PARAMS[method];
  return check ? check(params, 'params') : undefined;
}
