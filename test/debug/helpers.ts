// Small helpers shared by the debugger integration tests.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { DebugpySession, StopInfo } from '../helpers/dap-client.js';
import { waitUntil } from '../helpers/wait.js';

/** 1-based line of the first line containing `text`. */
export function lineOf(file: string, text: string): number {
  const index = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(text));
  if (index < 0) throw new Error(`${text} not in ${file}`);
  return index + 1;
}

export { freePort } from '../helpers/free-port.js';

export function npmRegistry(): string {
  try {
    return execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim();
  } catch {
    return 'https://registry.npmjs.org/';
  }
}

export { removeImagesOf } from '../helpers/docker.js';

/** Keep requesting until one answers (a reloading server refuses connections for a moment). */
export async function requestUntilAnswered(url: string, init?: RequestInit): Promise<Response> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * After a reload: request `url` until a request stops in another process than `before`. The old
 * server may still take a request first: it answers it (uvicorn retires gracefully), or dies with
 * it, and the request, tried again, stops in the new one while its answer is awaited. Returns the
 * stop in the new process and the pending response.
 */
export function stopInAnotherProcess(
  session: DebugpySession,
  url: string,
  before: StopInfo,
): Promise<{ stop: StopInfo; response: Promise<Response> }> {
  return waitUntil(
    'a stop in the new server process',
    async () => {
      const response = requestUntilAnswered(url);
      let stop = await session.waitForStop(60_000);
      if (stop.connection !== before.connection) return { stop, response };
      await session.resume(stop);
      let settled = false;
      void response.finally(() => {
        settled = true;
      });
      for (;;) {
        const next = session.takeStop();
        if (next) {
          stop = next;
          if (stop.connection !== before.connection) return { stop, response };
          await session.resume(stop);
        } else if (settled) {
          return undefined;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    { timeoutMs: 120_000 },
  );
}
