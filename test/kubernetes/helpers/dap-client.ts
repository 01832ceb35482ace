// A small Debug Adapter Protocol client for the live suite: enough to attach to debugpy through
// a forwarded port, follow debugpy's child processes (`debugpyAttach`: uvicorn --reload serves
// requests from a child, which must be attached to on a connection of its own), set a
// breakpoint, and see it hit.

import { Socket } from 'node:net';

type Message = { seq: number; type: 'request' | 'response' | 'event'; [k: string]: unknown };

export class DapConnection {
  private seq = 1;
  private buffer = Buffer.alloc(0);
  private readonly pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  private readonly listeners: ((m: Message) => void)[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d) => this.onData(d));
    socket.on('close', () => {
      for (const p of this.pending.values()) p.reject(new Error('DAP connection closed'));
      this.pending.clear();
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<DapConnection> {
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      socket.once('error', reject);
      socket.connect(port, host, () => resolve(new DapConnection(socket)));
    });
  }

  request(command: string, args: Record<string, unknown> = {}): Promise<Message> {
    const seq = this.seq++;
    const body = Buffer.from(JSON.stringify({ seq, type: 'request', command, arguments: args }), 'utf8');
    this.socket.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.socket.write(body);
    return new Promise((resolve, reject) => this.pending.set(seq, { resolve, reject }));
  }

  onEvent(cb: (event: string, body: Record<string, unknown>) => void): void {
    this.listeners.push((m) => {
      if (m.type === 'event') cb(m.event as string, (m.body ?? {}) as Record<string, unknown>);
    });
  }

  waitEvent(name: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${name} event within ${timeoutMs} ms`)), timeoutMs);
      this.onEvent((event, body) => {
        if (event !== name) return;
        clearTimeout(timer);
        resolve(body);
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(d: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, d]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString())?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const msg = JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8')) as Message;
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      if (msg.type === 'response') {
        const p = this.pending.get(msg.request_seq as number);
        this.pending.delete(msg.request_seq as number);
        if (msg.success === false) p?.reject(new Error(`${msg.command}: ${String(msg.message)}`));
        else p?.resolve(msg);
      }
      for (const l of this.listeners) l(msg);
    }
  }
}

export interface BreakpointHit {
  line: number;
  path: string;
}

/**
 * initialize → attach → (initialized) → setBreakpoints → configurationDone, on the process and
 * on every child debugpy announces; then `trigger()`, and the first `stopped` event's top frame.
 */
export async function hitBreakpoint(opts: {
  port: number;
  remoteFile: string;
  line: number;
  trigger: () => Promise<unknown>;
  timeoutMs?: number;
}): Promise<BreakpointHit> {
  const connections: DapConnection[] = [];
  let hit: ((h: BreakpointHit) => void) | undefined;
  const stopped = new Promise<BreakpointHit>((resolve) => {
    hit = resolve;
  });
  const session = async (attachArgs: Record<string, unknown>): Promise<void> => {
    const dap = await DapConnection.connect(opts.port);
    connections.push(dap);
    dap.onEvent((event, body) => {
      if (event === 'debugpyAttach') void session(body);
      if (event === 'stopped') {
        void dap
          .request('stackTrace', { threadId: body.threadId, startFrame: 0, levels: 1 })
          .then((r) => {
            const frame = ((r.body as { stackFrames: { line: number; source?: { path?: string } }[] }).stackFrames ??
              [])[0];
            if (frame) hit?.({ line: frame.line, path: frame.source?.path ?? '' });
            return dap.request('continue', { threadId: body.threadId });
          })
          .catch(() => {});
      }
    });
    const initialized = dap.waitEvent('initialized');
    await dap.request('initialize', {
      clientID: 'devenv-live-suite',
      adapterID: 'debugpy',
      linesStartAt1: true,
      columnsStartAt1: true,
      pathFormat: 'path',
    });
    // debugpy answers `attach` only after configurationDone: do not wait for it here.
    const attached = dap.request('attach', { justMyCode: false, subProcess: true, ...attachArgs });
    await initialized;
    await dap.request('setBreakpoints', { source: { path: opts.remoteFile }, breakpoints: [{ line: opts.line }] });
    await dap.request('configurationDone');
    await attached;
  };
  try {
    await session({});
    // Give a reloader's child a moment to be announced and configured.
    await new Promise((r) => setTimeout(r, 2000));
    const trigger = opts.trigger().catch(() => undefined);
    const result = await Promise.race([
      stopped,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('no breakpoint hit')), opts.timeoutMs ?? 60_000),
      ),
    ]);
    await trigger;
    return result;
  } finally {
    for (const c of connections) {
      await c.request('disconnect', { terminateDebuggee: false }).catch(() => {});
      c.close();
    }
  }
}
