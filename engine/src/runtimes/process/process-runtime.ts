// The process runtime: every service of a project as a local host process group, for machines
// without a container engine. An instance is a detached process group led by a tiny shell
// wrapper, logging straight to a file and recorded in `<stateDir>/processes/<service>.json`, so
// it outlives the daemon that started it and the next daemon adopts it, as with containers.
// The records are checked against /proc (pid + kernel start time) every time they are read:
// a reused pid is never signalled. See docs/process-runtime.md.

import { type ChildProcess, spawn } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  existsSync,
  type FSWatcher,
  watch as fsWatch,
  openSync,
  readFileSync,
} from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { RuntimeFailure, UserError } from '../../errors.js';
import { type EventSink, now } from '../../model/events.js';
import type { ProjectSpec, ServiceSpec } from '../../model/spec.js';
import type { Health } from '../../model/status.js';
import type {
  Artifact,
  CreateContext,
  Disposable,
  ExecResult,
  InstanceState,
  LogLine,
  ObservedInstance,
  OneOffContext,
  Runtime,
  RuntimeChange,
  RuntimeInfo,
} from '../../runtime/runtime.js';
import { installHint, resolveProgram } from './binaries.js';
import { type ProbeContext, type ProbeHealth, Prober, probeTiming, runProbe } from './health.js';
import {
  type InstanceRecord,
  instanceId,
  newToken,
  parseInstanceId,
  RECORD_VERSION,
  RecordStore,
} from './instance-record.js';
import { listeningPorts } from './listening-sockets.js';
import { filterLines, LineStamper, LogIndex, readFrom, readHistory, rotateLog, splitLines } from './log-file.js';
import { runOneOffProcess } from './one-off.js';
import {
  checkProcess,
  findByToken,
  groupMembers,
  type ProcStat,
  parseProcStat,
  readCmdline,
  TOKEN_VAR,
} from './procfs.js';
import { virtualenvEnv, withVirtualenv } from './python-virtualenv.js';
import { checkTraversable, isRoot, prepareOwnedDir, type RunAs, resolveRunAs } from './run-as.js';
import { groupHearsSignal } from './stop-signal-heard.js';
import { exitStatus, normaliseSignal, SIGKILL_STATUS, WRAPPER_SHELL, wrapperArgs, wrapperMarker } from './wrapper.js';

export interface ProcessRuntimeOptions {
  /** The project's state directory (absolute): records, logs, and the services' data. */
  stateDir: string;
  /** How often adopted instances are checked for exit (ms). */
  pollMs?: number;
  /** A log file larger than this is rotated (one old file kept). */
  logCapBytes?: number;
  /** The environment host processes inherit (default: this process's). */
  hostEnv?: NodeJS.ProcessEnv;
}

interface OwnChild {
  token: string;
  child: ChildProcess;
  /** Resolves with the wrapper's exit status. */
  exited: Promise<number>;
}

interface Listener {
  project: string;
  onChange: (change: RuntimeChange) => void;
}

type LiveStatus = InstanceState['status'];

const DEFAULT_LOG_CAP = 10 * 1024 * 1024;
const FOLLOW_POLL_MS = 250;

export class ProcessRuntime implements Runtime {
  readonly kind = 'process' as const;
  readonly stateDir: string;
  private readonly records: RecordStore;
  private readonly pollMs: number;
  private readonly logCap: number;
  private readonly hostEnv: NodeJS.ProcessEnv;
  private readonly children = new Map<string, OwnChild>();
  private readonly probers = new Map<string, { token: string; prober: Prober }>();
  private readonly starting = new Set<string>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly indexes = new Map<string, LogIndex>();
  private readonly listeners = new Set<Listener>();
  private readonly lastSeen = new Map<string, string>();
  private readonly followers = new Set<AbortController>();
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private closed = false;

  constructor(opts: ProcessRuntimeOptions) {
    if (!isAbsolute(opts.stateDir)) throw new Error(`stateDir must be absolute: ${opts.stateDir}`);
    this.stateDir = opts.stateDir;
    this.records = new RecordStore(opts.stateDir);
    this.pollMs = opts.pollMs ?? 500;
    this.logCap = opts.logCapBytes ?? DEFAULT_LOG_CAP;
    this.hostEnv = opts.hostEnv ?? process.env;
  }

  async connect(): Promise<RuntimeInfo> {
    if (!existsSync('/proc/self/stat')) {
      throw new UserError({
        code: 'process.no-procfs',
        message: `the process runtime needs Linux /proc, which ${process.platform} does not have`,
        hint: 'run with `--runtime docker` (Docker Desktop, colima), or on Linux',
      });
    }
    return { kind: 'process', detail: `local processes (${hostname()})` };
  }

  /** Only a process probe gives health here: a Compose healthcheck is written for the container. */
  hasHealthcheck(service: ServiceSpec): boolean {
    return service.devenv.process?.healthcheck !== undefined;
  }

  hashInput(service: ServiceSpec, project: ProjectSpec, _artifact?: Artifact): unknown {
    const p = service.devenv.process;
    const venv = p && virtualenvEnv(p, project.projectDir, this.hostEnv);
    return {
      ...(venv ? { virtualenv: venv.VIRTUAL_ENV } : {}),
      process: p
        ? { command: p.command, cwd: p.cwd, env: p.env, user: p.user, init: p.init, probe: p.healthcheck }
        : null,
      composeHealth: p?.healthcheck ? composeHealthOf(service) : undefined,
      stopSignal: stopSignalOf(service),
      stateDir: this.stateDir,
    };
  }

  async observe(project: string): Promise<ObservedInstance[]> {
    const out: ObservedInstance[] = [];
    for (const rec of await this.records.list()) {
      if (rec.project !== project) continue;
      const state = await this.locked(rec.service, () => this.inspectLocked(rec.service, rec.token));
      if (state.status === 'missing') continue;
      out.push({ id: instanceId(rec.service, rec.token), service: rec.service, specHash: rec.specHash, state });
    }
    return out;
  }

  async ensureProjectResources(_project: ProjectSpec, _sink: EventSink): Promise<void> {
    await mkdir(this.stateDir, { recursive: true, mode: 0o700 });
    await mkdir(join(this.stateDir, 'logs'), { recursive: true, mode: 0o700 });
    await mkdir(this.records.dir, { recursive: true, mode: 0o700 });
  }

  prepareArtifacts(
    services: ServiceSpec[],
    project: ProjectSpec,
    sink: EventSink,
    _signal: AbortSignal,
    _opts: { force: string[] },
  ): Record<string, Promise<Artifact | undefined>> {
    const out: Record<string, Promise<Artifact | undefined>> = {};
    for (const svc of services) {
      out[svc.name] = this.checkRunnable(svc, project).then(
        () => {
          if (svc.healthcheck && svc.healthcheck.test[0] !== 'NONE' && !svc.devenv.process?.healthcheck) {
            sink({
              kind: 'diagnostic',
              ts: now(),
              severity: 'warning',
              code: 'process.healthcheck-not-run',
              service: svc.name,
              message: `the Compose healthcheck of ${svc.name} is written for its container and is not run on the host`,
              hint: 'add `x-devenv.process.healthcheck` (type http, tcp or command) so its health is known',
            });
          }
          return undefined;
        },
        (err: unknown) => {
          if (err instanceof RuntimeFailure) {
            sink({
              kind: 'diagnostic',
              ts: now(),
              severity: 'error',
              code: err.code,
              service: svc.name,
              message: err.message,
              ...(err.hint ? { hint: err.hint } : {}),
            });
          }
          throw err;
        },
      );
      out[svc.name]!.catch(() => undefined);
    }
    return out;
  }

  async create(service: ServiceSpec, ctx: CreateContext): Promise<string> {
    const proc = requireProcess(service);
    return this.locked(service.name, async () => {
      const existing = await this.records.read(service.name);
      if (existing) {
        const state = await this.inspectLocked(existing.service, existing.token);
        if (state.status === 'running') {
          throw new RuntimeFailure(
            'process.instance-exists',
            `service ${service.name} already runs as ${instanceId(existing.service, existing.token)}`,
            { service: service.name, hint: 'remove it first (`devenv down`)' },
          );
        }
        await this.forget(existing);
      }
      const token = newToken();
      const record: InstanceRecord = {
        version: RECORD_VERSION,
        project: ctx.project.name,
        service: service.name,
        token,
        specHash: ctx.specHash,
        process: withVirtualenv(proc, ctx.project.projectDir, this.hostEnv),
        stopSignal: stopSignalOf(service),
        createdAt: now(),
        status: 'created',
      };
      const composeHealth = composeHealthOf(service);
      if (composeHealth) record.composeHealth = composeHealth;
      await this.records.write(record);
      return instanceId(service.name, token);
    });
  }

  async start(id: string): Promise<void> {
    const { service, token } = this.parseId(id);
    await this.locked(service, async () => {
      const rec = await this.records.read(service);
      if (!rec || rec.token !== token) {
        throw new RuntimeFailure('process.missing', `instance ${id} no longer exists`, { service });
      }
      const state = await this.inspectLocked(service, token);
      if (state.status === 'running') return;
      this.starting.add(service);
      try {
        await this.spawnInstance((await this.records.read(service)) ?? rec);
      } finally {
        this.starting.delete(service);
      }
    });
    this.notify(service, token, 'start');
  }

  async stop(id: string, timeoutMs: number): Promise<void> {
    const { service, token } = this.parseId(id);
    await this.locked(service, () => this.stopLocked(service, token, timeoutMs));
  }

  async remove(id: string): Promise<void> {
    const { service, token } = this.parseId(id);
    const removed = await this.locked(service, async () => {
      const rec = await this.records.read(service);
      if (!rec || rec.token !== token) return false;
      await this.stopLocked(service, token, 10_000);
      await this.forget(rec);
      return true;
    });
    if (removed) this.notify(service, token, 'remove');
  }

  async inspect(id: string): Promise<InstanceState> {
    const parsed = parseInstanceId(id);
    if (!parsed) return missingState();
    return this.locked(parsed.service, () => this.inspectLocked(parsed.service, parsed.token));
  }

  async *logs(
    id: string,
    opts: { follow: boolean; tail?: number; since?: number },
    signal: AbortSignal,
  ): AsyncIterable<LogLine> {
    const { service, token } = this.parseId(id);
    const rec = await this.records.read(service);
    if (!rec || rec.token !== token) {
      throw new RuntimeFailure('process.missing', `instance ${id} no longer exists`, { service });
    }
    const path = this.logPath(service);
    const index = this.indexOf(service);
    const history = await readHistory(path, index, { ...opts, partial: !opts.follow });
    for (const l of history.lines) yield l;
    if (!opts.follow || signal.aborted) return;

    const controller = new AbortController();
    const abort = () => controller.abort();
    signal.addEventListener('abort', abort, { once: true });
    this.followers.add(controller);
    const waiter = new ChangeWaiter(path, controller.signal);
    let offset = history.offset;
    let stamper = history.stamper;
    let pending: Buffer = Buffer.alloc(0);
    let ending = false;
    try {
      for (;;) {
        const data = await readFrom(path, offset).catch(() => Buffer.alloc(0));
        const st = await stat(path).catch(() => undefined);
        const size = st?.size ?? 0;
        if (size < offset) {
          // Truncated or rotated: start over at the new beginning.
          offset = 0;
          pending = Buffer.alloc(0);
          stamper = new LineStamper();
          index.invalidate();
          continue;
        }
        if (data.length > 0) {
          const base = offset - pending.length;
          const chunk = pending.length > 0 ? Buffer.concat([pending, data]) : data;
          offset += data.length;
          const { lines, consumed } = splitLines(chunk, base);
          pending = chunk.subarray(consumed);
          if (lines.length > 0) {
            await index.cover(lines.at(-1)!.end, Math.floor(st?.mtimeMs ?? Date.now()));
            for (const l of filterLines(
              stamper.stamp(lines, await index.load()),
              opts.since === undefined ? {} : { since: opts.since },
            )) {
              yield l;
            }
          }
        }
        if (controller.signal.aborted) return;
        if (data.length > 0) continue;
        if (ending) {
          if (pending.length > 0) {
            await index.cover(offset, Date.now());
            yield* stamper.stamp([{ end: offset, text: pending.toString('utf8') }], await index.load());
          }
          return;
        }
        // The run ended: read once more, for what it wrote between our last read and its exit.
        if (await this.followEnded(service, token)) ending = true;
        else await waiter.next(FOLLOW_POLL_MS);
      }
    } finally {
      waiter.close();
      signal.removeEventListener('abort', abort);
      this.followers.delete(controller);
    }
  }

  watch(project: string, onChange: (change: RuntimeChange) => void): Disposable {
    const listener: Listener = { project, onChange };
    this.listeners.add(listener);
    if (!this.pollTimer && !this.closed) {
      this.pollTimer = setInterval(() => void this.poll(), this.pollMs);
      this.pollTimer.unref();
    }
    return {
      dispose: () => {
        this.listeners.delete(listener);
        if (this.listeners.size === 0 && this.pollTimer) {
          clearInterval(this.pollTimer);
          this.pollTimer = undefined;
        }
      },
    };
  }

  async removeProjectResources(project: ProjectSpec, opts: { volumes: boolean }): Promise<void> {
    if (!opts.volumes) return;
    const live = (await this.observe(project.name)).filter((o) => o.state.status === 'running');
    if (live.length > 0) {
      throw new RuntimeFailure(
        'process.still-running',
        `cannot delete the data of ${project.name}: ${live.map((o) => o.service).join(', ')} still running`,
        { hint: 'run `devenv down` first' },
      );
    }
    // Volume data = every directory in the state directory except the runtime's own (logs, records).
    const entries = await readdir(this.stateDir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isDirectory() || e.name === 'logs' || e.name === 'processes') continue;
      await rm(join(this.stateDir, e.name), { recursive: true, force: true });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    this.listeners.clear();
    for (const { prober } of this.probers.values()) prober.stop();
    this.probers.clear();
    for (const f of this.followers) f.abort();
    // The services keep running: they outlive the daemon until `down`.
  }

  /** A host process in the service's environment and cwd (its virtualenv included). */
  runOneOff(service: ServiceSpec, argv: string[], ctx: OneOffContext): Promise<ExecResult> {
    const proc = withVirtualenv(requireProcess(service), ctx.project.projectDir, this.hostEnv);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...this.hostEnv, ...proc.env })) if (v !== undefined) env[k] = v;
    return runOneOffProcess(argv, { cwd: proc.cwd, env, timeoutMs: ctx.timeoutMs });
  }

  // ---- starting --------------------------------------------------------------------------

  private async checkRunnable(svc: ServiceSpec, project: ProjectSpec): Promise<void> {
    const proc = withVirtualenv(requireProcess(svc), project.projectDir, this.hostEnv);
    const program = proc.command[0];
    if (!program) {
      throw new RuntimeFailure('process.no-command', `\`x-devenv.process.command\` of ${svc.name} is empty`, {
        service: svc.name,
        hint: processYamlHint(svc),
      });
    }
    const path = { ...this.hostEnv, ...proc.env }.PATH;
    if (!(await resolveProgram(program, proc.cwd, path))) {
      throw new RuntimeFailure(
        'process.program-missing',
        `${svc.name} runs ${program}, which is not ${program.includes('/') ? 'an executable file' : 'on PATH'}`,
        { service: svc.name, hint: installHint(program) },
      );
    }
  }

  private async spawnInstance(rec: InstanceRecord): Promise<void> {
    const { service } = rec;
    const proc = rec.process;
    const runAs = isRoot() && proc.user ? await resolveRunAs(proc.user, service) : undefined;
    const env = this.envFor(rec, runAs);
    const program = proc.command[0];
    if (!program) throw new RuntimeFailure('process.no-command', `${service} has an empty command`, { service });
    const programPath = await resolveProgram(program, proc.cwd, env.PATH);
    if (!programPath) {
      throw new RuntimeFailure('process.program-missing', `${service} runs ${program}, which is not installed`, {
        service,
        hint: installHint(program),
      });
    }
    const creates = proc.init?.creates === undefined ? undefined : resolve(proc.cwd, proc.init.creates);
    if (runAs) {
      if (creates) await prepareOwnedDir(dirname(creates), this.stateDir, runAs);
      const needed = [proc.cwd, dirname(programPath)];
      if (creates) needed.push(dirname(creates));
      if (proc.init?.command[0]?.includes('/')) needed.push(dirname(resolve(proc.cwd, proc.init.command[0])));
      await checkTraversable(runAs, needed, service, this.stateDir);
    }

    await mkdir(join(this.stateDir, 'logs'), { recursive: true, mode: 0o700 });
    const logPath = this.logPath(service);
    const index = this.indexOf(service);
    await rotateLog(logPath, index, this.logCap, 'move').catch(() => false);

    if (proc.init && !(creates && existsSync(creates))) {
      await this.runInit(rec, env, runAs, logPath);
      if (creates && !existsSync(creates)) {
        appendNote(logPath, `init finished but did not create ${creates}; it will run again on the next start`);
      }
    }

    // Earlier runs' lines arrived before this run: pin them, so `since` can tell the runs apart.
    const logOffset = await this.coverLog(service);
    rec.status = 'starting';
    rec.logOffset = logOffset;
    delete rec.pid;
    delete rec.pgid;
    delete rec.startTime;
    delete rec.exitCode;
    delete rec.finishedAt;
    delete rec.health;
    // The record names the token before the process exists: a daemon killed right now leaves a
    // record the next one resolves by finding the token in /proc/*/environ.
    await this.records.write(rec);

    const logFd = openSync(logPath, 'a', 0o600);
    const exitFd = openSync(this.records.exitFile(service, rec.token), 'w', 0o600);
    let child: ChildProcess;
    try {
      child = spawn(WRAPPER_SHELL, wrapperArgs(service, proc.command), {
        cwd: proc.cwd,
        env,
        detached: true,
        stdio: ['ignore', logFd, logFd, exitFd],
        ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
      });
    } finally {
      closeSync(logFd);
      closeSync(exitFd);
    }
    const pid = child.pid;
    if (pid === undefined) {
      const err = await new Promise<Error>((res) => child.once('error', res));
      rec.status = 'created';
      await this.records.write(rec);
      throw new RuntimeFailure('process.spawn-failed', `cannot start ${service}: ${err.message}`, {
        service,
        hint: `check \`x-devenv.process.cwd\` (${proc.cwd})`,
      });
    }
    // Read synchronously: an awaited read lets Node reap a child that exited at once.
    const procStat = readStatSync(pid);
    const exited = new Promise<number>((res) => child.once('exit', (code, sig) => res(exitStatus(code, sig))));
    child.unref();
    this.children.set(service, { token: rec.token, child, exited });
    void exited.then((status) => this.onOwnExit(service, rec.token, pid, status));

    const startedAtMs = Date.now();
    rec.status = 'running';
    rec.pid = pid;
    rec.pgid = pid;
    rec.startTime = procStat?.startTime ?? '';
    rec.startedAt = new Date(startedAtMs).toISOString();
    await this.records.write(rec);
    this.ensureProber(rec);
  }

  private async runInit(rec: InstanceRecord, env: Record<string, string>, runAs: RunAs | undefined, logPath: string) {
    const init = rec.process.init!;
    const [file, ...args] = init.command;
    if (!file) return;
    rec.status = 'initialising';
    await this.records.write(rec);
    const from = await stat(logPath).then(
      (s) => s.size,
      () => 0,
    );
    appendNote(logPath, `init: ${init.command.join(' ')}`);
    const logFd = openSync(logPath, 'a', 0o600);
    let status: number;
    try {
      const child = spawn(file, args, {
        cwd: rec.process.cwd,
        env,
        detached: true,
        stdio: ['ignore', logFd, logFd],
        ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
      });
      status = await new Promise<number>((res) => {
        child.once('error', (err) => {
          appendNote(logPath, `init could not start: ${err.message}`);
          res(127);
        });
        child.once('exit', (code, sig) => res(exitStatus(code, sig)));
      });
    } finally {
      closeSync(logFd);
    }
    rec.status = 'created';
    await this.records.write(rec);
    if (status !== 0) {
      const tail = (await readFrom(logPath, from).catch(() => Buffer.alloc(0)))
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .slice(-15);
      const last = tail.filter((l) => !l.startsWith('[devenv] ')).at(-1);
      throw new RuntimeFailure(
        'process.init-failed',
        `init of ${rec.service} (${init.command.join(' ')}) exited with code ${status}${last ? `: ${last}` : ''}`,
        {
          service: rec.service,
          hint: `its last output (all of it in ${logPath}):\n    ${tail.join('\n    ')}`,
        },
      );
    }
  }

  private envFor(rec: InstanceRecord, runAs: RunAs | undefined): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.hostEnv)) if (v !== undefined) env[k] = v;
    Object.assign(env, rec.process.env);
    env.DEVENV_PROJECT = rec.project;
    env.DEVENV_SERVICE = rec.service;
    env.DEVENV_STATE_DIR = this.stateDir;
    env[TOKEN_VAR] = rec.token;
    if (runAs) {
      env.HOME = runAs.home;
      env.USER = runAs.name;
      env.LOGNAME = runAs.name;
    }
    return env;
  }

  // ---- stopping --------------------------------------------------------------------------

  private async stopLocked(service: string, token: string, timeoutMs: number): Promise<void> {
    const state = await this.inspectLocked(service, token);
    if (state.status !== 'running') return;
    const rec = (await this.records.read(service))!;
    this.stopProber(service);
    const signal = normaliseSignal(rec.stopSignal) ?? 'SIGTERM';
    const heard = rec.pgid === undefined || (await groupHearsSignal(rec.pgid, rec.pid ?? rec.pgid, signal));
    await signalGroup(rec, signal);
    if (!(await waitGone(rec, heard ? timeoutMs : 0))) {
      await signalGroup(rec, 'SIGKILL');
      await waitGone(rec, 5000);
    }
    const code = await this.exitCodeAfterDeath(rec);
    await this.finishRun(rec, code);
  }

  /** The exit status of a run whose wrapper is gone: our own child's, the wrapper's file, or a SIGKILL. */
  private async exitCodeAfterDeath(rec: InstanceRecord): Promise<number> {
    const own = this.children.get(rec.service);
    if (own && own.token === rec.token && own.child.pid === rec.pid) {
      const status = await Promise.race([own.exited, sleep(2000).then(() => undefined)]);
      if (status !== undefined) return status;
    }
    const written = await this.records.readExitCode(rec.service, rec.token);
    if (written !== undefined) return written;
    // The wrapper traps every catchable signal, so dying without writing its status means SIGKILL.
    return SIGKILL_STATUS;
  }

  /**
   * Record the end of a run (however it was noticed: our child's exit event, a poll, an
   * inspect, a stop), stop probing, kill whatever the run left behind, and tell the watchers.
   */
  private async finishRun(rec: InstanceRecord, exitCode: number): Promise<void> {
    this.stopProber(rec.service);
    rec.status = 'exited';
    rec.exitCode = exitCode;
    rec.finishedAt = now();
    delete rec.health;
    await this.records.write(rec);
    await killLeftovers(rec.token);
    await this.coverLog(rec.service);
    this.notify(rec.service, rec.token, `exit (code ${exitCode})`);
  }

  private async onOwnExit(service: string, token: string, pid: number, status: number): Promise<void> {
    const own = this.children.get(service);
    if (own?.token === token && own.child.pid === pid) this.children.delete(service);
    await this.locked(service, async () => {
      const rec = await this.records.read(service);
      if (!rec || rec.token !== token || rec.pid !== pid || rec.status !== 'running') return;
      await this.finishRun(rec, status);
    });
  }

  // ---- observing -------------------------------------------------------------------------

  /**
   * The instance's state from its record checked against /proc; fixes a stale record on the way.
   * `light` skips the listening sockets (a scan of every process): the poll does not need them.
   */
  private async inspectLocked(service: string, token: string, light = false): Promise<InstanceState> {
    const rec = await this.records.read(service);
    if (!rec || rec.token !== token) return missingState();
    const status = await this.liveStatus(rec);
    const state: InstanceState = { status, health: 'none', restartCount: 0, ports: [] };
    if (rec.startedAt) state.startedAt = rec.startedAt;
    if (status === 'exited') {
      if (rec.exitCode !== undefined) state.exitCode = rec.exitCode;
      return state;
    }
    if (status !== 'running') return state;
    state.health = this.healthOf(rec);
    if (!light && rec.pgid !== undefined) {
      const members = await groupMembers(rec.pgid);
      state.ports = await listeningPorts(members.map((m) => m.pid));
    }
    return state;
  }

  private async liveStatus(rec: InstanceRecord): Promise<LiveStatus> {
    switch (rec.status) {
      case 'created':
        return 'created';
      case 'exited':
        return 'exited';
      case 'initialising':
      case 'starting':
        if (this.starting.has(rec.service)) return 'created';
        return this.resolveInterruptedStart(rec);
      case 'running': {
        if (rec.pid === undefined || rec.startTime === undefined) return this.resolveInterruptedStart(rec);
        if ((await checkProcess(rec.pid, rec.startTime)) === 'alive') {
          this.ensureProber(rec);
          return 'running';
        }
        await this.finishRun(rec, await this.exitCodeAfterDeath(rec));
        return 'exited';
      }
    }
  }

  /**
   * A daemon died between writing the token and recording the pid (or during init). The
   * token in /proc/*\/environ tells: the wrapper found → adopt it; an init found → it was
   * interrupted, kill it (init runs again); nothing → never spawned, still `created`.
   */
  private async resolveInterruptedStart(rec: InstanceRecord): Promise<LiveStatus> {
    const procs = await findByToken(rec.token);
    if (rec.status === 'starting' || rec.status === 'running') {
      for (const p of procs) {
        if (p.pid !== p.pgrp) continue;
        const argv = await readCmdline(p.pid);
        if (argv?.[3] !== wrapperMarker(rec.service)) continue;
        rec.status = 'running';
        rec.pid = p.pid;
        rec.pgid = p.pgrp;
        rec.startTime = p.startTime;
        rec.startedAt = await startedAtOf(p);
        await this.records.write(rec);
        this.ensureProber(rec);
        return 'running';
      }
    }
    const code = await this.records.readExitCode(rec.service, rec.token);
    await killProcesses(procs);
    if (code !== undefined && rec.status === 'starting') {
      rec.status = 'exited';
      rec.exitCode = code;
      rec.finishedAt = now();
      await this.records.write(rec);
      return 'exited';
    }
    rec.status = 'created';
    await this.records.write(rec);
    return 'created';
  }

  private healthOf(rec: InstanceRecord): Health {
    if (!rec.process.healthcheck) return 'none';
    const p = this.probers.get(rec.service);
    if (p && p.token === rec.token) return p.prober.status;
    return rec.health?.status ?? 'starting';
  }

  /** Probe a running instance (started here or adopted) unless already probing it. */
  private ensureProber(rec: InstanceRecord): void {
    const probe = rec.process.healthcheck;
    if (!probe || this.closed || rec.pid === undefined) return;
    const existing = this.probers.get(rec.service);
    if (existing?.token === rec.token) return;
    existing?.prober.stop();
    const { service, token } = rec;
    const ctx: ProbeContext = { cwd: rec.process.cwd, env: this.envFor(rec, undefined) };
    delete ctx.env[TOKEN_VAR];
    const timing = probeTiming(probe, rec.composeHealth);
    const userReady =
      isRoot() && rec.process.user
        ? resolveRunAs(rec.process.user, service).then(
            (u) => {
              ctx.uid = u.uid;
              ctx.gid = u.gid;
              Object.assign(ctx.env, { HOME: u.home, USER: u.name, LOGNAME: u.name });
            },
            () => undefined,
          )
        : Promise.resolve();
    const prober = new Prober({
      timing,
      startedAtMs: rec.startedAt ? Date.parse(rec.startedAt) : Date.now(),
      ...(rec.health ? { initial: rec.health } : {}),
      run: async () => {
        await userReady;
        return runProbe(probe, ctx, timing.timeoutMs);
      },
      onChange: (status, failures) => void this.onHealth(service, token, status, failures),
    });
    this.probers.set(service, { token, prober });
    prober.start();
  }

  private stopProber(service: string): void {
    this.probers.get(service)?.prober.stop();
    this.probers.delete(service);
  }

  private async onHealth(service: string, token: string, status: ProbeHealth, failures: number): Promise<void> {
    await this.locked(service, async () => {
      const rec = await this.records.read(service);
      if (!rec || rec.token !== token || rec.status !== 'running') return;
      rec.health = { status, failures };
      await this.records.write(rec);
    });
    this.notify(service, token, `health_status: ${status}`);
  }

  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      const projects = new Set([...this.listeners].map((l) => l.project));
      const records = (await this.records.list()).filter((r) => projects.has(r.project));
      await Promise.all(
        records.map(async (rec) => {
          // A service busy starting or stopping reports its own changes.
          if (this.locks.has(rec.service)) return;
          const state = await this.locked(rec.service, () => this.inspectLocked(rec.service, rec.token, true));
          const id = instanceId(rec.service, rec.token);
          const summary = summarise(state);
          const before = this.lastSeen.get(id);
          this.lastSeen.set(id, summary);
          if (before !== undefined && before !== summary) this.emit(rec.project, id, rec.service, summary);
          if (state.status === 'running') await this.tendLog(rec.service);
        }),
      );
    } catch {
      // A record or /proc entry vanished mid-read: the next poll sees the settled state.
    } finally {
      this.polling = false;
    }
  }

  /** Note arrival times of new log bytes nobody follows, and keep the file under its cap. */
  private async tendLog(service: string): Promise<void> {
    await this.coverLog(service);
    await rotateLog(this.logPath(service), this.indexOf(service), this.logCap, 'copytruncate').catch(() => false);
  }

  /**
   * Pin the arrival time of every byte of the log so far to the file's mtime: the moment its
   * last byte was written, so an upper bound for all of them. Returns the log's size.
   */
  private async coverLog(service: string): Promise<number> {
    const st = await stat(this.logPath(service)).catch(() => undefined);
    if (!st || st.size === 0) return 0;
    await this.indexOf(service).cover(st.size, Math.floor(st.mtimeMs));
    return st.size;
  }

  private notify(service: string, token: string, reason: string): void {
    const id = instanceId(service, token);
    void this.records.read(service).then((rec) => {
      if (!rec) {
        this.lastSeen.delete(id);
        for (const l of this.listeners) l.onChange({ instanceId: id, service, reason });
        return;
      }
      for (const l of this.listeners) if (l.project === rec.project) l.onChange({ instanceId: id, service, reason });
    });
  }

  private emit(project: string, id: string, service: string, reason: string): void {
    for (const l of this.listeners) if (l.project === project) l.onChange({ instanceId: id, service, reason });
  }

  private async followEnded(service: string, token: string): Promise<boolean> {
    const rec = await this.records.read(service);
    if (!rec || rec.token !== token) return true;
    if (rec.status !== 'exited') return false;
    return true;
  }

  // ---- helpers ---------------------------------------------------------------------------

  private async forget(rec: InstanceRecord): Promise<void> {
    this.stopProber(rec.service);
    this.lastSeen.delete(instanceId(rec.service, rec.token));
    await this.records.delete(rec.service, rec.token);
  }

  private logPath(service: string): string {
    return join(this.stateDir, 'logs', `${service}.log`);
  }

  private indexOf(service: string): LogIndex {
    let index = this.indexes.get(service);
    if (!index) {
      index = new LogIndex(`${this.logPath(service)}.idx`);
      this.indexes.set(service, index);
    }
    return index;
  }

  private parseId(id: string): { service: string; token: string } {
    const parsed = parseInstanceId(id);
    if (!parsed) throw new RuntimeFailure('process.bad-id', `not a process instance id: ${id}`);
    return parsed;
  }

  /** Run `fn` with the service's record to itself (one start/stop/inspect at a time per service). */
  private locked<T>(service: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(service) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(service, tail);
    void tail.then(() => {
      if (this.locks.get(service) === tail) this.locks.delete(service);
    });
    return run;
  }
}

// ---- module helpers ----------------------------------------------------------------------

function requireProcess(svc: ServiceSpec) {
  const proc = svc.devenv.process;
  if (!proc) {
    throw new RuntimeFailure(
      'process.no-command',
      `service ${svc.name} has no \`x-devenv.process\`: the process runtime does not know how to run it without a container`,
      { service: svc.name, hint: processYamlHint(svc) },
    );
  }
  return proc;
}

function processYamlHint(svc: ServiceSpec): string {
  const command = svc.command?.length ? svc.command.join(' ') : '<command as you run it on this machine>';
  return [
    `tell devenv how to run ${svc.name} as a host process, e.g.:`,
    `  ${svc.name}:`,
    '    x-devenv:',
    '      process:',
    `        command: ${command}`,
    '        cwd: .            # relative to the Compose file',
    '        env: {}',
    '        healthcheck: { type: http, url: http://127.0.0.1:PORT/ }',
    'or run this project with `--runtime docker`',
  ].join('\n');
}

function stopSignalOf(svc: ServiceSpec): string {
  return normaliseSignal(svc.stopSignal) ?? 'SIGTERM';
}

function composeHealthOf(svc: ServiceSpec): InstanceRecord['composeHealth'] {
  const hc = svc.healthcheck;
  if (!hc || hc.test[0] === 'NONE') return undefined;
  return {
    intervalMs: hc.intervalMs,
    startPeriodMs: hc.startPeriodMs,
    ...(hc.startIntervalMs === undefined ? {} : { startIntervalMs: hc.startIntervalMs }),
  };
}

function missingState(): InstanceState {
  return { status: 'missing', health: 'none', restartCount: 0, ports: [] };
}

function summarise(s: InstanceState): string {
  return `${s.status}/${s.health}/${s.exitCode ?? ''}`;
}

function readStatSync(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Signal the instance's whole group, but only while its leader is the process we started. */
async function signalGroup(rec: InstanceRecord, signal: NodeJS.Signals): Promise<void> {
  if (rec.pid === undefined || rec.pgid === undefined || rec.startTime === undefined) return;
  if ((await checkProcess(rec.pid, rec.startTime)) !== 'alive') return;
  try {
    process.kill(-rec.pgid, signal);
  } catch {
    // ESRCH: gone meanwhile.
  }
}

async function waitGone(rec: InstanceRecord, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (rec.pid === undefined || rec.startTime === undefined) return true;
    if ((await checkProcess(rec.pid, rec.startTime)) !== 'alive') return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(50, Math.max(1, deadline - Date.now())));
  }
}

/** Kill every process still carrying the token (left in the group, or escaped with setsid). */
async function killLeftovers(token: string): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const procs = await findByToken(token);
    if (procs.length === 0) return;
    await killProcesses(procs);
    await sleep(50);
  }
}

/** SIGKILL processes found in a scan, each only if it is still the same process (start time). */
async function killProcesses(procs: ProcStat[]): Promise<void> {
  for (const p of procs) {
    if ((await checkProcess(p.pid, p.startTime)) !== 'alive') continue;
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

let bootTimeMs: number | undefined;

/** Wall-clock start of a process: boot time + start ticks (USER_HZ is 100 on Linux). */
async function startedAtOf(p: ProcStat): Promise<string> {
  if (bootTimeMs === undefined) {
    const text = await readFile('/proc/stat', 'utf8').catch(() => '');
    const m = /^btime (\d+)$/m.exec(text);
    bootTimeMs = m ? Number(m[1]) * 1000 : 0;
  }
  if (!bootTimeMs) return now();
  return new Date(bootTimeMs + Number(p.startTime) * 10).toISOString();
}

/** A line of devenv's own in the service log (init started, init failed to create its file). */
function appendNote(logPath: string, text: string): void {
  try {
    appendFileSync(logPath, `[devenv] ${text}\n`, { mode: 0o600 });
  } catch {
    // A note is a courtesy; never fail a start over it.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Wakes a follower when its file changes, or after a poll interval at the latest. It watches the
 * logs directory (inotify), so a file created, replaced or rotated later is still seen at once.
 */
class ChangeWaiter {
  private watcher: FSWatcher | undefined;
  private wake: (() => void) | undefined;
  private dirty = false;
  private readonly name: string;

  constructor(
    private readonly path: string,
    private readonly signal: AbortSignal,
  ) {
    this.name = basename(path);
    signal.addEventListener('abort', () => this.fire(), { once: true });
  }

  async next(maxMs: number): Promise<void> {
    this.arm();
    if (this.dirty || this.signal.aborted) {
      this.dirty = false;
      return;
    }
    await new Promise<void>((res) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        res();
      }, maxMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        res();
      };
    });
    this.dirty = false;
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.fire();
  }

  private arm(): void {
    if (this.watcher) return;
    try {
      this.watcher = fsWatch(dirname(this.path), { persistent: false }, (_event, file) => {
        if (!file || file === this.name) this.fire();
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      // No directory yet: the poll interval covers it.
    }
  }

  private fire(): void {
    this.dirty = true;
    this.wake?.();
  }
}
