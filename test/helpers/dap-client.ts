// A real Debug Adapter Protocol client over TCP, the way VS Code talks to debugpy's `--listen`
// port: Content-Length framing, seq/request/response/event. `DebugpySession` adds what an editor
// does on top: the attach handshake, breakpoints, and debugpy's `debugpyAttach` event (a child
// process, e.g. uvicorn's reloader worker, announcing itself), answered with a second connection.

import { connect, type Socket } from 'node:net';

export interface DapMessage {
  seq: number;
  type: 'request' | 'response' | 'event';
  command?: string;
  event?: string;
  request_seq?: number;
  success?: boolean;
  message?: string;
  arguments?: unknown;
  body?: Record<string, unknown>;
}

interface Pending {
  resolve(body: Record<string, unknown>): void;
  reject(err: Error): void;
  command: string;
}

/** One DAP connection: requests return their response body; events go to listeners. */
export class DapConnection {
  private seq = 1;
  private buffer = Buffer.alloc(0);
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(e: DapMessage) => void>();
  private closedError: Error | undefined;
  /** Every event received, in order (for assertions and diagnostics). */
  readonly events: DapMessage[] = [];

  private constructor(
    private readonly socket: Socket,
    readonly label: string,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const onEnd = (err?: Error) => {
      this.closedError = err ?? new Error(`${label}: connection closed`);
      for (const p of this.pending.values())
        p.reject(new Error(`${label}: ${p.command} unanswered: ${this.closedError.message}`));
      this.pending.clear();
    };
    socket.on('close', () => onEnd());
    socket.on('error', (err) => onEnd(err));
  }

  static open(host: string, port: number, label = `dap ${host}:${port}`, timeoutMs = 10_000): Promise<DapConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`${label}: connect timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(new DapConnection(socket, label));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  /** Send a request; resolves with the response body, rejects on `success: false` or timeout. */
  request<T = Record<string, unknown>>(command: string, args?: unknown, timeoutMs = 30_000): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const seq = this.seq++;
    const msg: Record<string, unknown> = { seq, type: 'request', command };
    if (args !== undefined) msg.arguments = args;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new Error(`${this.label}: ${command} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(seq, {
        command,
        resolve: (body) => {
          clearTimeout(timer);
          resolve(body as T);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      this.write(msg);
    });
  }

  onEvent(listener: (e: DapMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The first event (already received or future) named `event` that satisfies `match`. */
  waitForEvent(event: string, match: (e: DapMessage) => boolean = () => true, timeoutMs = 30_000): Promise<DapMessage> {
    const seen = this.events.find((e) => e.event === event && match(e));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`${this.label}: no ${event} event within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onEvent((e) => {
        if (e.event === event && match(e)) {
          clearTimeout(timer);
          off();
          resolve(e);
        }
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private write(msg: unknown): void {
    const json = Buffer.from(JSON.stringify(msg), 'utf8');
    this.socket.write(Buffer.concat([Buffer.from(`Content-Length: ${json.length}\r\n\r\n`, 'ascii'), json]));
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const length = /Content-Length:\s*(\d+)/i.exec(header);
      if (!length) throw new Error(`${this.label}: frame without Content-Length: ${header}`);
      const start = headerEnd + 4;
      const end = start + Number(length[1]);
      if (this.buffer.length < end) return;
      const msg = JSON.parse(this.buffer.subarray(start, end).toString('utf8')) as DapMessage;
      this.buffer = this.buffer.subarray(end);
      this.dispatch(msg);
    }
  }

  private dispatch(msg: DapMessage): void {
    if (msg.type === 'response') {
      const p = this.pending.get(msg.request_seq ?? -1);
      if (!p) return;
      this.pending.delete(msg.request_seq!);
      if (msg.success) p.resolve(msg.body ?? {});
      else p.reject(new Error(`${this.label}: ${p.command} failed: ${msg.message ?? 'no message'}`));
    } else if (msg.type === 'event') {
      this.events.push(msg);
      for (const l of [...this.listeners]) l(msg);
    } else if (msg.type === 'request') {
      // Reverse requests (runInTerminal, startDebugging) are not used by an attach; refuse politely.
      this.write({
        seq: this.seq++,
        type: 'response',
        request_seq: msg.seq,
        command: msg.command,
        success: false,
        message: 'not supported by this client',
      });
    }
  }
}

export interface StackFrame {
  id: number;
  name: string;
  line: number;
  column: number;
  source?: { path?: string; name?: string };
}

export interface StopInfo {
  /** The connection (parent or child process) that stopped. */
  connection: DapConnection;
  threadId: number;
  reason: string;
  frames: StackFrame[];
  /** Milliseconds since the session was asked to wait for this stop. */
  at: number;
  /** Date.now() when the `stopped` event arrived (the frames came one round trip later). */
  eventAt: number;
}

export interface DebugpyAttachOptions {
  host: string;
  port: number;
  pathMappings?: { localRoot: string; remoteRoot: string }[];
  /** Local file → lines. Sent to every process (parent and each announced child). */
  breakpoints?: Record<string, number[]>;
  /** Extra attach arguments (e.g. `justMyCode`). */
  attachArgs?: Record<string, unknown>;
  timeoutMs?: number;
}

/**
 * An attach to a debugpy `--listen` port, following child processes: for every `debugpyAttach`
 * event it opens a second connection to the same host and port (not the address in the event,
 * which is the adapter's own view from inside the container) and attaches with the event's body.
 */
export class DebugpySession {
  readonly connections: DapConnection[] = [];
  /** Every `debugpyAttach` body received, in order. */
  readonly childAttaches: Record<string, unknown>[] = [];
  private readonly stops: StopInfo[] = [];
  private readonly stopWaiters = new Set<(s: StopInfo) => void>();
  private breakpoints: Record<string, number[]>;
  private readonly childErrors: Error[] = [];

  private constructor(private readonly opts: DebugpyAttachOptions) {
    this.breakpoints = { ...(opts.breakpoints ?? {}) };
  }

  static async attach(opts: DebugpyAttachOptions): Promise<DebugpySession> {
    const session = new DebugpySession(opts);
    await session.attachConnection(undefined);
    return session;
  }

  get root(): DapConnection {
    return this.connections[0]!;
  }

  /** Attach failures of announced children (a child that could not be followed loses its breakpoints). */
  get errors(): readonly Error[] {
    return this.childErrors;
  }

  /** Replace the breakpoints of one file in every attached process; returns the parent's verdicts. */
  async setBreakpoints(path: string, lines: number[]): Promise<{ verified: boolean; line?: number }[]> {
    this.breakpoints[path] = lines;
    const results = await Promise.all(
      this.connections.filter((c) => !c.closed).map((c) => this.sendBreakpoints(c, path, lines).catch(() => [])),
    );
    return results[0] ?? [];
  }

  /** The next `stopped` event from any process (one already received and not yet taken counts). */
  waitForStop(timeoutMs = 30_000): Promise<StopInfo> {
    const queued = this.stops.shift();
    if (queued) return Promise.resolve(queued);
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.stopWaiters.delete(waiter);
        reject(
          new Error(
            `no breakpoint hit within ${timeoutMs} ms (connections: ${this.connections.length}, ` +
              `children announced: ${this.childAttaches.length}${this.childErrors.length ? `, child errors: ${this.childErrors.map((e) => e.message).join('; ')}` : ''})`,
          ),
        );
      }, timeoutMs);
      const waiter = (s: StopInfo) => {
        clearTimeout(timer);
        this.stopWaiters.delete(waiter);
        resolve({ ...s, at: Date.now() - started });
      };
      this.stopWaiters.add(waiter);
    });
  }

  /** A stop already received and not yet taken, without waiting. */
  takeStop(): StopInfo | undefined {
    return this.stops.shift();
  }

  /** Resume the thread that stopped. */
  async resume(stop: StopInfo): Promise<void> {
    await stop.connection.request('continue', { threadId: stop.threadId });
  }

  /** Wait until a child process has been announced and attached (e.g. after a reload). */
  async waitForChildren(count: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.connections.length - 1 < count) {
      if (Date.now() > deadline)
        throw new Error(`only ${this.connections.length - 1} of ${count} child processes attached`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Disconnect every connection without terminating the debuggee. */
  async close(): Promise<void> {
    await Promise.all(
      this.connections
        .filter((c) => !c.closed)
        .map((c) => c.request('disconnect', { terminateDebuggee: false }, 5_000).catch(() => undefined)),
    );
    for (const c of this.connections) c.close();
  }

  private async attachConnection(child: Record<string, unknown> | undefined): Promise<void> {
    const { host, port } = this.opts;
    const label = child ? `debugpy child ${String(child.subProcessId ?? '?')}` : `debugpy ${host}:${port}`;
    const conn = await DapConnection.open(host, port, label, this.opts.timeoutMs ?? 10_000);
    this.connections.push(conn);
    conn.onEvent((e) => this.onEvent(conn, e));
    await conn.request('initialize', {
      clientID: 'devenv-test',
      clientName: 'devenv test client',
      adapterID: 'debugpy',
      pathFormat: 'path',
      linesStartAt1: true,
      columnsStartAt1: true,
      supportsRunInTerminalRequest: false,
    });
    const initialized = conn.waitForEvent('initialized', () => true, this.opts.timeoutMs ?? 30_000);
    // debugpy answers `attach` only after `configurationDone`: send it, then configure.
    const args = child
      ? child
      : {
          name: 'devenv attach',
          type: 'debugpy',
          request: 'attach',
          connect: { host, port },
          justMyCode: true,
          ...(this.opts.pathMappings ? { pathMappings: this.opts.pathMappings } : {}),
          ...this.opts.attachArgs,
        };
    const attached = conn.request('attach', args, this.opts.timeoutMs ?? 30_000);
    attached.catch(() => undefined);
    await initialized;
    for (const [path, lines] of Object.entries(this.breakpoints)) await this.sendBreakpoints(conn, path, lines);
    await conn.request('configurationDone');
    await attached;
  }

  private sendBreakpoints(conn: DapConnection, path: string, lines: number[]) {
    return conn
      .request<{ breakpoints: { verified: boolean; line?: number }[] }>('setBreakpoints', {
        source: { path },
        breakpoints: lines.map((line) => ({ line })),
        lines,
      })
      .then((b) => b.breakpoints);
  }

  private onEvent(conn: DapConnection, e: DapMessage): void {
    if (e.event === 'debugpyAttach' && e.body) {
      this.childAttaches.push(e.body);
      this.attachConnection(e.body).catch((err: unknown) => {
        this.childErrors.push(err instanceof Error ? err : new Error(String(err)));
      });
      return;
    }
    if (e.event === 'stopped' && e.body) {
      const eventAt = Date.now();
      const threadId = Number(e.body.threadId);
      const reason = String(e.body.reason ?? '');
      void conn
        .request<{ stackFrames: StackFrame[] }>('stackTrace', { threadId, startFrame: 0, levels: 20 })
        .then((st) => this.deliver({ connection: conn, threadId, reason, frames: st.stackFrames, at: 0, eventAt }))
        .catch((err: unknown) => {
          this.childErrors.push(err instanceof Error ? err : new Error(String(err)));
        });
    }
  }

  private deliver(stop: StopInfo): void {
    const waiter = [...this.stopWaiters][0];
    if (waiter) waiter(stop);
    else this.stops.push(stop);
  }
}
