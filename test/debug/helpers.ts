// Small helpers shared by the debugger integration tests.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

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
