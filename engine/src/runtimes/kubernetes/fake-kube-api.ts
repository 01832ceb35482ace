// The fake beside the KubeApi interface: an in-memory cluster for unit tests of the runtime's
// logic (publishing, observing, forwards bookkeeping). Workloads, pods and Argo CD Applications
// are plain values a test sets, or scripts of successive values (a status sequence recorded from
// Argo CD) that advance on every read; every call is recorded. Streams (port-forward, exec, logs)
// are served by test/kubernetes/helpers/fake-apiserver.ts through the real client classes.

import type { Duplex, Writable } from 'node:stream';
import type { ExecIO, KubeApi, LogOptions, PodView, StreamHandle, WorkloadView } from './kube-api.js';

type Application = Record<string, unknown>;

export class FakeKubeApi implements KubeApi {
  readonly calls: string[] = [];
  readonly workloads: WorkloadView[] = [];
  readonly pods: PodView[] = [];
  /** Exec commands received, and what each answers (default: exit 0, no output). */
  readonly execs: { pod: string; container: string; command: string[] }[] = [];
  execAnswer: (command: string[]) => { exitCode: number; stdout?: string } = () => ({ exitCode: 0 });
  private readonly apps = new Map<string, Application[]>();
  private readonly appWatchers = new Set<(type: string, app: Application) => void>();

  constructor(readonly context = 'fake') {}

  /** An Application whose status is `sequence[0]`, then `sequence[1]` on the next read, …, the last one kept. */
  setApplication(sequence: Application[]): void {
    const name = (sequence[0]!.metadata as { name: string }).name;
    this.apps.set(name, [...sequence]);
    for (const w of this.appWatchers) w('MODIFIED', sequence[0]!);
  }

  /** The Application as the next read will see it, without advancing its script. */
  peekApplication(name: string): Application | undefined {
    return this.apps.get(name)?.[0];
  }

  async serverVersion(): Promise<string> {
    return 'v1.31.5+fake';
  }

  async listPods(namespace: string, labelSelector: string): Promise<PodView[]> {
    this.calls.push(`listPods ${namespace} ${labelSelector}`);
    return this.pods.filter((p) => p.namespace === namespace && matches(p.labels, labelSelector));
  }

  async listWorkloads(namespace: string, labelSelector?: string): Promise<WorkloadView[]> {
    this.calls.push(`listWorkloads ${namespace}${labelSelector ? ` ${labelSelector}` : ''}`);
    return this.workloads.filter((w) => w.namespace === namespace && matches(w.labels, labelSelector));
  }

  async getWorkload(namespace: string, kind: WorkloadView['kind'], name: string): Promise<WorkloadView | undefined> {
    this.calls.push(`getWorkload ${namespace} ${kind}/${name}`);
    return this.workloads.find((w) => w.namespace === namespace && w.kind === kind && w.name === name);
  }

  async listApplications(labelSelector: string): Promise<Application[]> {
    this.calls.push(`listApplications ${labelSelector}`);
    return [...this.apps.keys()]
      .map((name) => this.read(name)!)
      .filter((a) => matches((a.metadata as { labels?: Record<string, string> }).labels ?? {}, labelSelector));
  }

  async getApplication(name: string): Promise<Application | undefined> {
    this.calls.push(`getApplication ${name}`);
    return this.read(name);
  }

  async readSecret(): Promise<Record<string, string> | undefined> {
    return undefined;
  }

  async deletePod(namespace: string, name: string): Promise<void> {
    this.calls.push(`deletePod ${namespace} ${name}`);
    const i = this.pods.findIndex((p) => p.namespace === namespace && p.name === name);
    if (i >= 0) this.pods.splice(i, 1);
  }

  async watchPods(): Promise<StreamHandle> {
    return openHandle();
  }

  async watchApplications(
    labelSelector: string,
    onEvent: (type: string, app: Application) => void,
  ): Promise<StreamHandle> {
    const listener = (type: string, app: Application) => {
      if (matches((app.metadata as { labels?: Record<string, string> }).labels ?? {}, labelSelector))
        onEvent(type, app);
    };
    this.appWatchers.add(listener);
    const handle = openHandle();
    void handle.closed.then(() => this.appWatchers.delete(listener));
    return handle;
  }

  async logs(_ns: string, _pod: string, _c: string, _opts: LogOptions, out: Writable): Promise<StreamHandle> {
    out.end();
    return openHandle();
  }

  async portForward(_ns: string, _pod: string, _port: number, _socket: Duplex): Promise<StreamHandle> {
    throw new Error('FakeKubeApi forwards no ports: use test/kubernetes/helpers/fake-apiserver.ts');
  }

  async exec(_ns: string, pod: string, container: string, command: string[], io: ExecIO): Promise<StreamHandle> {
    this.execs.push({ pod, container, command });
    const answer = this.execAnswer(command);
    if (answer.stdout) io.stdout.write(answer.stdout);
    io.onStatus?.({ status: answer.exitCode === 0 ? 'Success' : 'Failure', exitCode: answer.exitCode });
    const handle = openHandle();
    handle.close();
    return handle;
  }

  private read(name: string): Application | undefined {
    const script = this.apps.get(name);
    if (!script) return undefined;
    return script.length > 1 ? script.shift() : script[0];
  }
}

function openHandle(): StreamHandle {
  let close!: () => void;
  const closed = new Promise<Error | undefined>((resolve) => {
    close = () => resolve(undefined);
  });
  return { closed, close };
}

function matches(labels: Record<string, string>, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return labels[k!] === v;
  });
}
