// Waiting, the one implementation: a pause, and a deadline on a promise that says what took too long.

export { setTimeout as sleep } from 'node:timers/promises';

/** `p`, or a rejection with `message` once `ms` pass first (the timer never outlives the race). */
export function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
