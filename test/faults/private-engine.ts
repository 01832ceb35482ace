// A Docker engine of the test's own, so that restarting it hurts nobody: its own dockerd with its
// own socket, data root, exec root (and the containerd it starts there), pidfile and config
// file; a default bridge of its own (never docker0), and no iptables rules (the shared engine's
// chains stay untouched). Ports still publish on 127.0.0.1 through docker-proxy. Images come
// from the shared engine (`docker save | docker load`): this one has no way out to a registry or
// a package mirror.

import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '../helpers/wait.js';

/** What this machine lacks for a private engine, or undefined when it has everything. */
export function privateEngineMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'root (dockerd runs only as root here)';
  try {
    execFileSync('dockerd', ['--version'], { stdio: 'pipe' });
  } catch {
    return 'the dockerd binary (apt-get install docker.io)';
  }
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 10_000 });
  } catch {
    return 'a running Docker engine to build the test image on (scripts/ensure-docker.sh)';
  }
  return undefined;
}

export class PrivateEngine {
  readonly root: string;
  readonly host: string;
  private readonly pidfile: string;
  private readonly logFile: string;
  private readonly args: string[];
  /** Its default bridge, made by start() and deleted by destroy() (a name is at most 15 bytes). */
  readonly bridge = `dvf${process.pid % 100_000}`;

  constructor() {
    // Short: containerd's sockets live under the exec root, and a socket path has 107 bytes.
    this.root = mkdtempSync(join(tmpdir(), 'dvf-'));
    for (const d of ['data', 'exec']) mkdirSync(join(this.root, d));
    const config = join(this.root, 'daemon.json');
    writeFileSync(config, '{}\n');
    this.host = `unix://${join(this.root, 'docker.sock')}`;
    this.pidfile = join(this.root, 'docker.pid');
    this.logFile = join(this.root, 'dockerd.log');
    this.args = [
      '--host',
      this.host,
      '--data-root',
      join(this.root, 'data'),
      '--exec-root',
      join(this.root, 'exec'),
      '--pidfile',
      this.pidfile,
      '--config-file',
      config,
      // A bridge of its own. Never `--bridge none`: a dockerd started that way deletes the host's
      // docker0, the shared engine's default bridge, and every other container start then fails
      // ("could not find bridge docker0"). Checked on this machine (Docker 20.10).
      '--bridge',
      this.bridge,
      '--iptables=false',
      '--ip-masq=false',
      // No `--default-address-pool`: with one, a dockerd that starts again on its data root
      // removes the "stale" default bridge interface, and that is docker0 by name whatever
      // `--bridge` says (Docker 20.10: seen here, docker0 deleted at the engine-restart case).
      // Without one, the project's network gets a subnet no host route uses yet.
      '--log-level',
      'warn',
    ];
  }

  /** The environment that points the docker CLI and devenv at this engine. */
  get env(): Record<string, string> {
    return { DOCKER_HOST: this.host };
  }

  get pid(): number | undefined {
    try {
      const pid = Number(readFileSync(this.pidfile, 'utf8').trim());
      return pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  async start(): Promise<void> {
    if (!existsSync(`/sys/class/net/${this.bridge}`)) {
      const subnet = `10.214.${process.pid % 250}.1/24`;
      execFileSync('ip', ['link', 'add', this.bridge, 'type', 'bridge'], { stdio: 'pipe' });
      execFileSync('ip', ['addr', 'add', subnet, 'dev', this.bridge], { stdio: 'pipe' });
      execFileSync('ip', ['link', 'set', this.bridge, 'up'], { stdio: 'pipe' });
    }
    const log = openSync(this.logFile, 'a');
    const child = spawn('dockerd', this.args, { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    closeSync(log);
    await waitUntil(`the private dockerd to answer (its log: ${this.logFile})`, () => this.answers(), {
      timeoutMs: 60_000,
      intervalMs: 100,
    });
  }

  /** Stop the engine the way a Docker restart does (SIGTERM: it stops its containers, then exits). */
  async stop(): Promise<void> {
    const pid = this.pid;
    if (!pid) return;
    process.kill(pid, 'SIGTERM');
    await waitUntil('the private dockerd to exit', () => !alive(pid), { timeoutMs: 60_000, intervalMs: 100 });
  }

  answers(): boolean {
    try {
      this.docker(['version', '--format', '{{.Server.Version}}']);
      return true;
    } catch {
      return false;
    }
  }

  docker(args: string[], opts: { input?: string; timeoutMs?: number } = {}): string {
    return execFileSync('docker', ['-H', this.host, ...args], {
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 60_000,
      ...(opts.input !== undefined ? { input: opts.input } : {}),
    }).trim();
  }

  /** Copy images from the shared engine into this one. */
  loadFromShared(refs: string[]): void {
    execFileSync('sh', ['-c', `docker save "$@" | docker -H '${this.host}' load -q`, 'sh', ...refs], {
      stdio: 'pipe',
      timeout: 300_000,
    });
  }

  /** Stop it and remove everything it kept: its containers and networks first (their interfaces outlive it), then it. */
  async destroy(): Promise<void> {
    if (this.answers()) {
      const ids = this.docker(['ps', '-aq']).split('\n').filter(Boolean);
      if (ids.length > 0) this.docker(['rm', '-f', ...ids]);
      this.docker(['network', 'prune', '-f']);
    }
    await this.stop().catch(() => undefined);
    const pid = this.pid;
    if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    // The exec root held the managed containerd's state; its mounts are gone with it.
    if (existsSync(this.root)) rmSync(this.root, { recursive: true, force: true });
    if (existsSync(`/sys/class/net/${this.bridge}`))
      execFileSync('ip', ['link', 'del', this.bridge], { stdio: 'pipe' });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
