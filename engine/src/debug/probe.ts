// Is a debugger attachable through its endpoint? A TCP connect is not enough: Docker's proxy
// accepts on the published port even when nothing listens on the container's side (a debugger
// bound to 127.0.0.1 inside the container), and closes the connection only afterwards. So the
// probe checks each kind its own way: a connection that debugpy's adapter keeps open (see
// probeDap), or the inspector's `/json/version` (node). Neither disturbs the debuggee or releases
// a `--wait-for-client`.

import { get } from 'node:http';
import { connect } from 'node:net';
import type { DebugEndpoint } from '../model/status.js';

export type ProbeResult = { ok: true; ms: number } | { ok: false; reason: string };

type Target = Pick<DebugEndpoint, 'protocol' | 'hostIp' | 'hostPort'>;

export function probeDebugger(endpoint: Target, timeoutMs = 2_000): Promise<ProbeResult> {
  return endpoint.protocol === 'dap' ? probeDap(endpoint, timeoutMs) : probeInspector(endpoint, timeoutMs);
}

/** Poll until the debugger answers; resolves with the last failure when the time is up. */
export async function waitForDebugger(
  endpoint: Target,
  opts: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {},
): Promise<ProbeResult> {
  const started = Date.now();
  const deadline = started + (opts.timeoutMs ?? 30_000);
  let last: ProbeResult = { ok: false, reason: 'not probed' };
  while (Date.now() < deadline && !opts.signal?.aborted) {
    last = await probeDebugger(endpoint, Math.min(2_000, Math.max(100, deadline - Date.now())));
    if (last.ok) return { ok: true, ms: Date.now() - started };
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
  return last;
}

/**
 * debugpy's port, probed without speaking DAP: a client that sends `initialize` and leaves (even
 * politely, with `disconnect`) while the debuggee is still starting makes debugpy's adapter end
 * the session and stop listening for good (seen with debugpy 1.6). So: connect and hold the
 * connection silently for `holdMs`. Docker's proxy (or a port-forward) in front of nothing closes
 * or resets it within milliseconds; a listening adapter keeps it open, and a silent client that
 * leaves is harmless to it (and releases no `--wait-for-client`).
 */
function probeDap(endpoint: Target, timeoutMs: number, holdMs = 250): Promise<ProbeResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect({ host: endpoint.hostIp, port: endpoint.hostPort });
    let connectedAt = 0;
    let hold: NodeJS.Timeout | undefined;
    const done = (r: ProbeResult) => {
      clearTimeout(timer);
      clearTimeout(hold);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(
      () => done({ ok: false, reason: `no connection within ${timeoutMs} ms` }),
      timeoutMs + holdMs,
    );
    socket.once('connect', () => {
      connectedAt = Date.now();
      hold = setTimeout(() => done({ ok: true, ms: connectedAt - started }), holdMs);
    });
    socket.once('close', () =>
      done({ ok: false, reason: 'the connection was closed at once (nothing listens behind the port)' }),
    );
    socket.once('error', (err) => done({ ok: false, reason: err.message }));
  });
}

/**
 * The inspector's `/json/version`, over node:http with its own timer: a fetch to Docker's proxy
 * with nothing behind it can stay pending forever.
 */
function probeInspector(endpoint: Target, timeoutMs: number): Promise<ProbeResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const req = get({ host: endpoint.hostIp, port: endpoint.hostPort, path: '/json/version' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve({ ok: false, reason: `inspector answered ${res.statusCode}` });
        try {
          JSON.parse(body);
          resolve({ ok: true, ms: Date.now() - started });
        } catch {
          resolve({ ok: false, reason: 'the answer to /json/version is not JSON' });
        }
      });
      res.on('error', (err) => resolve({ ok: false, reason: err.message }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ ok: false, reason: err.message }));
  });
}
