// Reading the Docker engine's errors (HTTP status, its own message) and two small waits the
// runtime's parts share.

export function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'statusCode' in err
    ? (err as { statusCode?: number }).statusCode
    : undefined;
}

export function errMessage(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const json = (err as { json?: { message?: string } }).json;
    if (json?.message) return json.message.trim();
    if (err instanceof Error) return err.message.replace(/^\(HTTP code \d+\)[^-]*- /, '').trim();
  }
  return String(err);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

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
