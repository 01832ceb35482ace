// The process runtime: every service of a project as a local host process group, for machines
// without a container engine. An instance is a detached process group led by a tiny shell
// wrapper, logging straight to a file and recorded in `<stateDir>/processes/<service>.json`, so
// it outlives the daemon that started it and the next daemon adopts it, as with containers.
// The records are checked against the process table (pid + start time) every time they are
// read: a reused pid is never signalled. See docs/process-runtime.md.
//
// This file holds the Runtime itself (the lifecycle of a record); the parts live beside it:
// process-group.ts (spawn, signal, kill), interrupted-start.ts, init-run.ts, handover.ts (a
// service run as another user), instance-probers.ts, service-logs.ts, change-feed.ts (watch).
// Processes and sockets are read through ../../platform (/proc, or ps and lsof).

import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { RuntimeFailure, UserError } from '../../errors.js';
import { type EventSink, now } from '../../model/events.js';
import type { ProjectSpec, ServiceSpec } from '../../model/spec.js';
import { type HostProcesses, hostProcesses } from '../../platform/host-processes.js';
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
} from '../../runtime-interface/runtime.js';
import { installHint, resolveProgram } from './binaries.js';
import { ChangeFeed } from './change-feed.js';
import { prepareForUser, type RunPlan } from './handover.js';
import type { ProbeHealth } from './health.js';
import { runInit } from './init-run.js';
import { InstanceProbers } from './instance-probers.js';
import {
  type InstanceRecord,
  instanceId,
  newToken,
  parseInstanceId,
  RECORD_VERSION,
  RecordStore,
  TOKEN_VAR,
} from './instance-record.js';
import { resolveInterruptedStart } from './interrupted-start.js';
import { runOneOffProcess } from './one-off.js';
import { killLeftovers, leaderAlive, signalGroup, sleep, spawnWrapper, waitGone } from './process-group.js';
import { composeHealthOf, prepareService, requireProcess, stopSignalOf } from './process-spec.js';
import { virtualenvEnv, withVirtualenv } from './python-virtualenv.js';
import { isRoot, type RunAs, resolveRunAs } from './run-as.js';
import { serviceFilesHashInput, writeServiceFiles } from './service-files.js';
import { ServiceLogs } from './service-logs.js';
import { groupHearsSignal } from './stop-signal-heard.js';
import { exitStatus, normaliseSignal, SIGKILL_STATUS } from './wrapper.js';

export interface ProcessRuntimeOptions {
  /** The project's state directory (absolute): records, logs, and by default the services' data. */
  stateDir: string;
  /**
   * DEVENV_STATE_DIR as the services see it, where their data lives (default `stateDir`);
   * elsewhere when a service's user cannot reach the project (services-state-dir.ts).
   */
  servicesStateDir?: string;
  /** How often adopted instances are checked for exit (ms). */
  pollMs?: number;
  /** A log file larger than this is rotated (one old file kept). */
  logCapBytes?: number;
  /** The environment host processes inherit (default: this process's). */
  hostEnv?: NodeJS.ProcessEnv;
  /** How processes and sockets are read (default: this machine's, or DEVENV_PLATFORM's). */
  platform?: HostProcesses;
}

interface OwnChild {
  token: string;
  child: ChildProcess;
  /** Resolves with the wrapper's exit status. */
  exited: Promise<number>;
}

type LiveStatus = InstanceState['status'];

const DEFAULT_LOG_CAP = 10 * 1024 * 1024;

export class ProcessRuntime implements Runtime {
  readonly kind = 'process' as const;
  readonly stateDir: string;
  readonly servicesStateDir: string;
  private readonly records: RecordStore;
  private readonly logFiles: ServiceLogs;
  private readonly probers: InstanceProbers;
  private readonly hostEnv: NodeJS.ProcessEnv;
  private readonly host: HostProcesses;
  private readonly children = new Map<string, OwnChild>();
  private readonly starting = new Set<string>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly feed: ChangeFeed;
  private polling = false;
  private closed = false;

  constructor(opts: ProcessRuntimeOptions) {
    if (!isAbsolute(opts.stateDir)) throw new Error(`stateDir must be absolute: ${opts.stateDir}`);
    this.stateDir = opts.stateDir;
    this.servicesStateDir = opts.servicesStateDir ?? opts.stateDir;
    if (!isAbsolute(this.servicesStateDir))
      throw new Error(`servicesStateDir must be absolute: ${this.servicesStateDir}`);
    this.records = new RecordStore(opts.stateDir);
    this.logFiles = new ServiceLogs(opts.stateDir, opts.logCapBytes ?? DEFAULT_LOG_CAP);
    this.feed = new ChangeFeed(opts.pollMs ?? 500, () => this.poll());
    this.hostEnv = opts.hostEnv ?? process.env;
    this.host = opts.platform ?? hostProcesses();
    this.probers = new InstanceProbers({
      envFor: (rec) => this.envFor(rec, undefined),
      cwdFor: (rec) => rec.handover?.cwd ?? rec.process.cwd,
      onHealth: (service, token, status, failures) => void this.onHealth(service, token, status, failures),
    });
  }

  async connect(): Promise<RuntimeInfo> {
    const missing = await this.host.unavailable();
    if (missing) {
      throw new UserError({
        code: 'process.platform',
        message: `the process runtime cannot watch processes here: ${missing.reason}`,
        hint: `${missing.hint}; or run with \`--runtime docker\``,
      });
    }
    const how = this.host.kind === 'procfs' ? '' : ', read with ps and lsof';
    return { kind: 'process', detail: `local processes (${hostname()}${how})` };
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
      stateDir: this.servicesStateDir,
      ...(service.files?.length ? { files: serviceFilesHashInput(service) } : {}),
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
    await mkdir(this.servicesStateDir, { recursive: true, mode: 0o700 });
    await this.logFiles.ensureDir();
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
      out[svc.name] = prepareService(svc, this.hostEnv, sink, project.projectDir).then(() => undefined);
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
      // Secrets and configs become files in the state directory the service can reach; the variables say where.
      const filesEnv = await writeServiceFiles(this.servicesStateDir, service, proc.user);
      const record: InstanceRecord = {
        version: RECORD_VERSION,
        project: ctx.project.name,
        service: service.name,
        token,
        specHash: ctx.specHash,
        process: withVirtualenv(
          Object.keys(filesEnv).length > 0 ? { ...proc, env: { ...proc.env, ...filesEnv } } : proc,
          ctx.project.projectDir,
          this.hostEnv,
        ),
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
    yield* this.logFiles.read(service, opts, signal, () => this.runEnded(service, token));
  }

  watch(project: string, onChange: (change: RuntimeChange) => void): Disposable {
    return this.feed.watch(project, onChange);
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
    // Volume data = every directory in the services' state directory except the runtime's own
    // (logs, records: there when it is the project's state directory).
    const entries = await readdir(this.servicesStateDir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isDirectory() || e.name === 'logs' || e.name === 'processes') continue;
      await rm(join(this.servicesStateDir, e.name), { recursive: true, force: true });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.feed.close();
    this.probers.close();
    this.logFiles.abortFollowers();
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
    let run: RunPlan = { cwd: proc.cwd, command: proc.command, ...(proc.init ? { init: proc.init.command } : {}) };
    delete rec.handover;
    if (runAs) {
      const prepared = await prepareForUser({
        service,
        proc,
        who: runAs,
        servicesStateDir: this.servicesStateDir,
        programPath,
        creates,
        path: env.PATH,
      });
      run = prepared.run;
      if (prepared.note) {
        rec.handover = run;
        this.logFiles.note(service, prepared.note);
      }
    }

    await this.logFiles.ensureDir();
    await this.logFiles.rotateBeforeRun(service);

    if (proc.init && !(creates && existsSync(creates))) {
      rec.status = 'initialising';
      await this.records.write(rec);
      try {
        await runInit({ service, command: run.init ?? proc.init.command, cwd: run.cwd, env, runAs }, this.logFiles);
      } finally {
        rec.status = 'created';
        await this.records.write(rec);
      }
      if (creates && !existsSync(creates)) {
        this.logFiles.note(service, `init finished but did not create ${creates}; it will run again on the next start`);
      }
    }

    // Earlier runs' lines arrived before this run: pin them, so `since` can tell the runs apart.
    const logOffset = await this.logFiles.cover(service);
    rec.status = 'starting';
    rec.logOffset = logOffset;
    delete rec.pid;
    delete rec.pgid;
    delete rec.startTime;
    delete rec.exitCode;
    delete rec.finishedAt;
    delete rec.health;
    // The record names the token before the process exists: a daemon killed right now leaves a
    // record the next one resolves by finding the token in the processes' environments.
    await this.records.write(rec);

    const spawned = spawnWrapper(this.host, {
      service,
      argv: run.command,
      cwd: run.cwd,
      env,
      logPath: this.logFiles.path(service),
      exitFile: this.records.exitFile(service, rec.token),
      runAs,
    });
    if ('error' in spawned) {
      const err = await spawned.error;
      rec.status = 'created';
      await this.records.write(rec);
      throw new RuntimeFailure('process.spawn-failed', `cannot start ${service}: ${err.message}`, {
        service,
        hint: `check \`x-devenv.process.cwd\` (${run.cwd})`,
      });
    }
    const { child, pid } = spawned;
    const exited = new Promise<number>((res) => child.once('exit', (code, sig) => res(exitStatus(code, sig))));
    this.children.set(service, { token: rec.token, child, exited });
    void exited.then((status) => this.onOwnExit(service, rec.token, pid, status));

    rec.status = 'running';
    rec.pid = pid;
    rec.pgid = pid;
    rec.startTime = spawned.startTime;
    rec.startedAt = new Date().toISOString();
    await this.records.write(rec);
    this.probers.ensure(rec);
  }

  private envFor(rec: InstanceRecord, runAs: RunAs | undefined): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.hostEnv)) if (v !== undefined) env[k] = v;
    Object.assign(env, rec.process.env);
    env.DEVENV_PROJECT = rec.project;
    env.DEVENV_SERVICE = rec.service;
    env.DEVENV_STATE_DIR = this.servicesStateDir;
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
    this.probers.stop(service);
    const signal = normaliseSignal(rec.stopSignal) ?? 'SIGTERM';
    const heard = rec.pgid === undefined || (await groupHearsSignal(this.host, rec.pgid, rec.pid ?? rec.pgid, signal));
    await signalGroup(this.host, rec, signal);
    if (!(await waitGone(this.host, rec, heard ? timeoutMs : 0))) {
      await signalGroup(this.host, rec, 'SIGKILL');
      await waitGone(this.host, rec, 5000);
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
    this.probers.stop(rec.service);
    rec.status = 'exited';
    rec.exitCode = exitCode;
    rec.finishedAt = now();
    delete rec.health;
    await this.records.write(rec);
    await killLeftovers(this.host, rec.token);
    await this.logFiles.cover(rec.service);
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
   * The instance's state from its record checked against the process table; fixes a stale
   * record on the way. `light` skips the listening sockets (a scan of every process): the poll
   * does not need them.
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
    state.health = this.probers.healthOf(rec);
    if (!light && rec.pgid !== undefined) {
      const members = await this.host.groupMembers(rec.pgid);
      const sockets = await this.host.listeningSockets(members.map((m) => m.pid));
      // A host process's port is its own: host port = "container" port.
      state.ports = sockets.map((s) => ({
        hostIp: s.address,
        hostPort: s.port,
        containerPort: s.port,
        protocol: s.protocol,
      }));
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
        if (await leaderAlive(this.host, rec)) {
          this.probers.ensure(rec);
          return 'running';
        }
        await this.finishRun(rec, await this.exitCodeAfterDeath(rec));
        return 'exited';
      }
    }
  }

  /** See interrupted-start.ts; an adopted wrapper gets its prober. */
  private async resolveInterruptedStart(rec: InstanceRecord): Promise<LiveStatus> {
    const status = await resolveInterruptedStart(this.host, this.records, rec);
    if (status === 'running') this.probers.ensure(rec);
    return status;
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
      const projects = this.feed.projects();
      const records = (await this.records.list()).filter((r) => projects.has(r.project));
      await Promise.all(
        records.map(async (rec) => {
          // A service busy starting or stopping reports its own changes.
          if (this.locks.has(rec.service)) return;
          const state = await this.locked(rec.service, () => this.inspectLocked(rec.service, rec.token, true));
          this.feed.observed(rec.project, instanceId(rec.service, rec.token), rec.service, summarise(state));
          if (state.status === 'running') await this.logFiles.tend(rec.service);
        }),
      );
    } catch {
      // A record or process vanished mid-read: the next poll sees the settled state.
    } finally {
      this.polling = false;
    }
  }

  private notify(service: string, token: string, reason: string): void {
    const id = instanceId(service, token);
    void this.records.read(service).then((rec) => this.feed.tell(rec?.project, id, service, reason));
  }

  /** Has the run a log follower follows ended (or its instance gone)? */
  private async runEnded(service: string, token: string): Promise<boolean> {
    const rec = await this.records.read(service);
    return !rec || rec.token !== token || rec.status === 'exited';
  }

  // ---- helpers ---------------------------------------------------------------------------

  private async forget(rec: InstanceRecord): Promise<void> {
    this.probers.stop(rec.service);
    this.feed.forget(instanceId(rec.service, rec.token));
    await this.records.delete(rec.service, rec.token);
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

function missingState(): InstanceState {
  return { status: 'missing', health: 'none', restartCount: 0, ports: [] };
}

function summarise(s: InstanceState): string {
  return `${s.status}/${s.health}/${s.exitCode ?? ''}`;
}
