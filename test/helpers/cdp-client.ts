// A Chrome DevTools Protocol client for Node's inspector (`node --inspect`), the way VS Code's
// js-debug talks to it: `/json/list` gives the WebSocket URL; Debugger.enable, breakpoints,
// Debugger.paused. `NodeDebugSession` adds what an editor does on top: local ↔ remote path
// mappings and source maps (Vite bundles vite.config.js into a `.timestamp-….mjs` file with an
// inline source map, so a breakpoint in the local file must land in the generated script).

import WebSocket from 'ws';

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

export interface InspectorTarget {
  id: string;
  title: string;
  url: string;
  webSocketDebuggerUrl: string;
}

/** The inspector's targets; the WebSocket URL's host is taken from our own request, so it is reachable. */
export async function listTargets(host: string, port: number): Promise<InspectorTarget[]> {
  const res = await fetch(`http://${host}:${port}/json/list`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`inspector ${host}:${port}: /json/list answered ${res.status}`);
  return (await res.json()) as InspectorTarget[];
}

/** One CDP connection over the inspector's WebSocket. */
export class CdpConnection {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(r: unknown): void; reject(e: Error): void; method: string }>();
  private readonly listeners = new Set<(method: string, params: Record<string, unknown>) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => this.onMessage(JSON.parse(String(data)) as CdpMessage));
    ws.on('close', () => {
      for (const p of this.pending.values()) p.reject(new Error(`inspector closed before answering ${p.method}`));
      this.pending.clear();
    });
  }

  static async open(url: string, timeoutMs = 10_000): Promise<CdpConnection> {
    const ws = new WebSocket(url, { handshakeTimeout: timeoutMs, perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new CdpConnection(ws);
  }

  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}, timeoutMs = 30_000) {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`CDP ${method} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        method,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  onEvent(listener: (method: string, params: Record<string, unknown>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.ws.close();
  }

  private onMessage(msg: CdpMessage): void {
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`CDP ${p.method} failed: ${msg.error.message}`));
      else p.resolve(msg.result ?? {});
    } else if (msg.method) {
      for (const l of [...this.listeners]) l(msg.method, msg.params ?? {});
    }
  }
}

// ---- source maps (just enough for breakpoints: VLQ mappings, both directions) ---------------

interface Segment {
  genLine: number;
  genCol: number;
  source: number;
  line: number;
  col: number;
}

export class SourceMap {
  readonly sources: string[];
  private readonly segments: Segment[] = [];

  constructor(json: { sources: string[]; sourceRoot?: string; mappings: string }, mapBaseUrl: string) {
    const root = json.sourceRoot
      ? new URL(json.sourceRoot.endsWith('/') ? json.sourceRoot : `${json.sourceRoot}/`, mapBaseUrl).href
      : mapBaseUrl;
    this.sources = json.sources.map((s) => new URL(s, root).href);
    let source = 0;
    let line = 0;
    let col = 0;
    json.mappings.split(';').forEach((group, genLine) => {
      let genCol = 0;
      for (const seg of group.split(',')) {
        if (!seg) continue;
        const v = decodeVlq(seg);
        genCol += v[0]!;
        if (v.length < 4) continue;
        source += v[1]!;
        line += v[2]!;
        col += v[3]!;
        this.segments.push({ genLine, genCol, source, line, col });
      }
    });
  }

  /** The first generated position of an original line (0-based lines), or undefined. */
  generatedFor(sourceUrl: string, line: number): { line: number; col: number } | undefined {
    const src = this.sources.indexOf(sourceUrl);
    let best: Segment | undefined;
    for (const s of this.segments) {
      if (s.source !== src || s.line !== line) continue;
      if (!best || s.genLine < best.genLine || (s.genLine === best.genLine && s.genCol < best.genCol)) best = s;
    }
    return best && { line: best.genLine, col: best.genCol };
  }

  /** The original position of a generated one (0-based lines). */
  originalFor(line: number, col: number): { source: string; line: number } | undefined {
    let best: Segment | undefined;
    for (const s of this.segments) {
      if (s.genLine !== line || s.genCol > col) continue;
      if (!best || s.genCol >= best.genCol) best = s;
    }
    return best && { source: this.sources[best.source]!, line: best.line };
  }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeVlq(seg: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of seg) {
    const digit = B64.indexOf(ch);
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

async function loadSourceMap(scriptUrl: string, sourceMapURL: string): Promise<SourceMap | undefined> {
  if (!sourceMapURL) return undefined;
  const url = new URL(sourceMapURL, scriptUrl);
  let text: string;
  if (url.protocol === 'data:') {
    const comma = url.href.indexOf(',');
    const meta = url.href.slice(5, comma);
    const data = url.href.slice(comma + 1);
    text = meta.endsWith(';base64') ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data);
  } else {
    return undefined; // a map file inside the container is out of reach from the host
  }
  return new SourceMap(JSON.parse(text), scriptUrl);
}

// ---- an editor-like session -----------------------------------------------------------------

export interface PauseInfo {
  reason: string;
  functionName: string;
  /** Local file and 1-based line, through the source map and the path mappings. */
  localPath?: string;
  line: number;
  /** The script URL as the inspector reports it (e.g. `file:///app/vite.config.js.timestamp-…mjs`). */
  scriptUrl: string;
  at: number;
  /** Date.now() when Debugger.paused arrived. */
  eventAt: number;
}

interface Script {
  url: string;
  map?: SourceMap;
}

export interface NodeAttachOptions {
  host: string;
  port: number;
  pathMappings?: { localRoot: string; remoteRoot: string }[];
}

export class NodeDebugSession {
  private readonly scripts = new Map<string, Script>();
  private readonly wanted: { localPath: string; line: number }[] = [];
  private readonly placed = new Set<string>();
  private readonly pauses: PauseInfo[] = [];
  private readonly waiters = new Set<(p: PauseInfo) => void>();
  private readonly pendingMaps: Promise<unknown>[] = [];

  private constructor(
    readonly cdp: CdpConnection,
    private readonly opts: NodeAttachOptions,
  ) {}

  static async attach(opts: NodeAttachOptions): Promise<NodeDebugSession> {
    const [target] = await listTargets(opts.host, opts.port);
    if (!target) throw new Error(`inspector ${opts.host}:${opts.port} lists no target`);
    const cdp = await CdpConnection.open(target.webSocketDebuggerUrl);
    const session = new NodeDebugSession(cdp, opts);
    cdp.onEvent((method, params) => session.onEvent(method, params));
    await cdp.send('Runtime.enable');
    await cdp.send('Debugger.enable');
    // A process started with --inspect-brk waits for this.
    await cdp.send('Runtime.runIfWaitingForDebugger');
    return session;
  }

  /** Break at a line (1-based) of a local file, in every script generated from it, now and later. */
  async setBreakpoint(localPath: string, line: number): Promise<number> {
    this.wanted.push({ localPath, line });
    await Promise.all(this.pendingMaps);
    let count = 0;
    for (const [scriptId, script] of this.scripts) count += await this.place(scriptId, script);
    return count;
  }

  waitForPause(timeoutMs = 30_000): Promise<PauseInfo> {
    const queued = this.pauses.shift();
    if (queued) return Promise.resolve(queued);
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no breakpoint hit within ${timeoutMs} ms (breakpoints placed: ${this.placed.size})`));
      }, timeoutMs);
      const waiter = (p: PauseInfo) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve({ ...p, at: Date.now() - started });
      };
      this.waiters.add(waiter);
    });
  }

  resume(): Promise<unknown> {
    return this.cdp.send('Debugger.resume');
  }

  async close(): Promise<void> {
    await this.cdp.send('Debugger.disable', {}, 5_000).catch(() => undefined);
    this.cdp.close();
  }

  private remoteUrlOf(localPath: string): string | undefined {
    for (const m of this.opts.pathMappings ?? []) {
      const local = m.localRoot.replace(/\/$/, '');
      if (localPath === local || localPath.startsWith(`${local}/`)) {
        return `file://${m.remoteRoot.replace(/\/$/, '')}${localPath.slice(local.length)}`;
      }
    }
    return localPath.startsWith('/') ? `file://${localPath}` : undefined;
  }

  private localPathOf(remoteUrl: string): string | undefined {
    if (!remoteUrl.startsWith('file://')) return undefined;
    const remote = decodeURIComponent(new URL(remoteUrl).pathname);
    for (const m of this.opts.pathMappings ?? []) {
      const root = m.remoteRoot.replace(/\/$/, '');
      if (remote === root || remote.startsWith(`${root}/`))
        return `${m.localRoot.replace(/\/$/, '')}${remote.slice(root.length)}`;
    }
    return remote;
  }

  private async place(scriptId: string, script: Script): Promise<number> {
    let count = 0;
    for (const bp of this.wanted) {
      const remote = this.remoteUrlOf(bp.localPath);
      if (!remote) continue;
      const key = `${scriptId}:${bp.localPath}:${bp.line}`;
      if (this.placed.has(key)) continue;
      let location: { lineNumber: number; columnNumber: number } | undefined;
      if (script.map) {
        const gen = script.map.generatedFor(remote, bp.line - 1);
        if (gen) location = { lineNumber: gen.line, columnNumber: gen.col };
      } else if (script.url === remote) {
        location = { lineNumber: bp.line - 1, columnNumber: 0 };
      }
      if (!location) continue;
      this.placed.add(key);
      await this.cdp.send('Debugger.setBreakpoint', { location: { scriptId, ...location } });
      count++;
    }
    return count;
  }

  private onEvent(method: string, params: Record<string, unknown>): void {
    if (method === 'Debugger.scriptParsed') {
      const scriptId = String(params.scriptId);
      const url = String(params.url ?? '');
      if (!url.startsWith('file://')) return;
      const script: Script = { url };
      this.scripts.set(scriptId, script);
      const sourceMapURL = String(params.sourceMapURL ?? '');
      const loading = loadSourceMap(url, sourceMapURL)
        .then((map) => {
          if (map) script.map = map;
          return this.wanted.length > 0 ? this.place(scriptId, script) : 0;
        })
        .catch(() => undefined);
      this.pendingMaps.push(loading);
      return;
    }
    if (method === 'Debugger.paused') {
      const frames = params.callFrames as {
        functionName: string;
        location: { scriptId: string; lineNumber: number; columnNumber: number };
        url: string;
      }[];
      const top = frames[0]!;
      const script = this.scripts.get(top.location.scriptId);
      let source = script?.url ?? top.url;
      let line = top.location.lineNumber;
      const original = script?.map?.originalFor(top.location.lineNumber, top.location.columnNumber);
      if (original) {
        source = original.source;
        line = original.line;
      }
      const pause: PauseInfo = {
        reason: String(params.reason ?? ''),
        functionName: top.functionName,
        line: line + 1,
        scriptUrl: script?.url ?? top.url,
        at: 0,
        eventAt: Date.now(),
      };
      const local = this.localPathOf(source);
      if (local) pause.localPath = local;
      const waiter = [...this.waiters][0];
      if (waiter) waiter(pause);
      else this.pauses.push(pause);
    }
  }
}
