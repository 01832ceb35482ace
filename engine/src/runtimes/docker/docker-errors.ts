// Reading the Docker engine's errors: the HTTP status, and its own message (the one reader of
// that message, shared with the Kubernetes runtime's image builds, is in runtimes/shared).

export { dockerErrorMessage as errMessage } from '../shared/docker-engine.js';

export function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'statusCode' in err
    ? (err as { statusCode?: number }).statusCode
    : undefined;
}
