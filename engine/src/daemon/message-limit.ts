// A bound on what one client may make the daemon buffer: vscode-jsonrpc's reader keeps reading
// until a message's Content-Length has arrived, whatever that length says. This transform sits
// between the socket and the reader, passes the bytes through untouched, and ends the
// connection on a header block or a message larger than the limits.

import { Transform, type TransformCallback } from 'node:stream';

/** The largest JSON-RPC message a client may send (an `up` with its variables is a few kB). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
const MAX_HEADER_BYTES = 8 * 1024;

export class MessageLimit extends Transform {
  private header: Buffer = Buffer.alloc(0);
  /** Body bytes still to pass before the next header block. */
  private bodyLeft = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly onViolation: (why: string) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const refused = this.consume(chunk);
    if (refused === undefined) {
      done();
      return;
    }
    this.onViolation(refused);
    done(new Error(`refused ${refused}`));
  }

  /** Passes what fits on; what was wrong otherwise. */
  private consume(chunk: Buffer): string | undefined {
    let rest: Buffer = chunk;
    while (rest.length > 0) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, rest.length);
        this.push(rest.subarray(0, take));
        this.bodyLeft -= take;
        rest = rest.subarray(take);
        continue;
      }
      this.header = this.header.length ? Buffer.concat([this.header, rest]) : rest;
      rest = Buffer.alloc(0);
      const end = this.header.indexOf('\r\n\r\n');
      if (end < 0) return this.header.length > MAX_HEADER_BYTES ? 'a header block over 8 kB' : undefined;
      const block = this.header.subarray(0, end).toString('latin1');
      const length = /(?:^|\r\n)Content-Length:\s*(\d+)\s*(?:\r\n|$)/i.exec(block)?.[1];
      if (length === undefined) return 'a message without Content-Length';
      const size = Number(length);
      if (size > this.maxBytes) return `a message of ${size} bytes (the limit is ${this.maxBytes})`;
      this.push(this.header.subarray(0, end + 4));
      rest = this.header.subarray(end + 4);
      this.header = Buffer.alloc(0);
      this.bodyLeft = size;
    }
    return undefined;
  }
}
