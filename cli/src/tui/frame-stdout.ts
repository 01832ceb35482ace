// ink 6.8's incremental renderer (which rewrites only the rows that changed, so nothing
// flickers) is off by one when a frame ends with a line feed, as every frame shorter than the
// terminal does: it parks the cursor on the row below the frame, then moves up as if it were
// on the frame's last row, so each redraw lands one row low. ink 7 needs Node 22, so the TUI
// hands ink this stream instead of stdout: it drops the line feed (or cursor-next-line) that
// ends a write, which keeps the cursor on the frame's last row where the renderer expects it.

const trailing = ['\n', '\x1b[E'];

export function withoutTrailingLineFeed(chunk: string): string {
  for (const t of trailing) if (chunk.endsWith(t)) return chunk.slice(0, -t.length);
  return chunk;
}

export function frameStdout(stdout: NodeJS.WriteStream): NodeJS.WriteStream {
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    return (stdout.write as (c: string, ...r: unknown[]) => boolean)(withoutTrailingLineFeed(text), ...rest);
  };
  return new Proxy(stdout, {
    get(target, prop) {
      if (prop === 'write') return write;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
