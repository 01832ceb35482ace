import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { frameStdout, withoutTrailingLineFeed } from './frame-stdout.js';

describe('frameStdout', () => {
  it('drops the line feed or cursor-next-line that ends a frame, nothing else', () => {
    expect(withoutTrailingLineFeed('a\nb\n')).toBe('a\nb');
    expect(withoutTrailingLineFeed('\x1b[3Aa\x1b[E')).toBe('\x1b[3Aa');
    expect(withoutTrailingLineFeed('\x1b[?2026h')).toBe('\x1b[?2026h');
  });

  it('passes everything else through to the real stream', () => {
    const written: string[] = [];
    const real = Object.assign(new EventEmitter(), {
      columns: 120,
      rows: 40,
      isTTY: true,
      write: (s: string) => {
        written.push(s);
        return true;
      },
    }) as unknown as NodeJS.WriteStream;
    const proxied = frameStdout(real);
    proxied.write('frame\n');
    proxied.write(Buffer.from('x\n'));
    expect(written).toEqual(['frame', 'x']);
    expect([proxied.columns, proxied.rows, proxied.isTTY]).toEqual([120, 40, true]);
    let resized = 0;
    proxied.on('resize', () => resized++);
    real.emit('resize');
    expect(resized).toBe(1);
  });
});
