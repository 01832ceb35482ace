// devenv's command line: parses flags and calls a command; commands talk to the daemon
// (or, where that makes sense, to an in-process engine) and render the results.

import { Command, InvalidArgumentError, Option } from 'commander';
import { CLI_VERSION, type GlobalOptions } from './context.js';
import { reportError } from './errors.js';
import { configureHints } from './output/hints.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535)
    throw new InvalidArgumentError('a port number from 0 (any free port) to 65535');
  return n;
}

function count(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('a whole number');
  return Number(value);
}

export async function main(args: string[]): Promise<void> {
  // `devenv ci … -- command args`: what follows `--` is the test command, given to ci as it is.
  const dash = args.indexOf('--');
  const testCommand = dash >= 0 ? args.slice(dash + 1) : [];
  const argv = dash >= 0 ? args.slice(0, dash) : args;
  const program = new Command('devenv')
    .description('Bring a multi-service stack up with one command: live sync, debuggers, logs.')
    .version(CLI_VERSION, '-v, --version')
    .option('-f, --file <path>', 'Compose file (repeatable; later files override earlier ones)', collect)
    .option('--project-dir <dir>', 'directory that relative paths resolve against (default: the first file’s)')
    .option('-p, --project-name <name>', 'project name (default: `name:` in the file, or the directory name)')
    .option('--profile <name>', 'enable a Compose profile (repeatable)', collect)
    .addOption(
      new Option('--runtime <runtime>', 'where services run').choices([
        'auto',
        'docker',
        'process',
        'kind',
        'k3d',
        'kubernetes',
      ]),
    )
    .option('--context <name>', 'kube context of a cluster devenv did not create (--runtime kubernetes)')
    .option('--image-registry <ref>', 'registry that cluster pulls built images from (--runtime kubernetes)')
    // The daemon and the in-process engine pick these up (select-runtime.ts), as the docker CLI does DOCKER_HOST.
    .hook('preAction', (cmd) => {
      const o = cmd.opts<GlobalOptions>();
      if (o.context) process.env.DEVENV_KUBE_CONTEXT = o.context;
      if (o.imageRegistry) process.env.DEVENV_K8S_REGISTRY = o.imageRegistry;
    })
    .showHelpAfterError()
    .configureOutput({ outputError: (str, write) => write(str) })
    .exitOverride();

  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  let exitCode = 0;
  const run =
    <A extends unknown[]>(fn: (...args: A) => Promise<number>) =>
    async (...args: A) => {
      configureHints(globals());
      exitCode = await fn(...args);
    };

  program
    .command('up')
    .description('build, create and start services (and their dependencies), then follow their logs')
    .argument('[services...]', 'only these services (and what they depend on)')
    .option('-d, --detach', 'return once every service is up; the daemon keeps the environment running')
    .option('--build', 'rebuild images even when their inputs did not change')
    .option('--no-debug', 'start services without their debuggers')
    .option('--json', 'print the event stream as JSON lines')
    .option('-t, --timestamps', 'show timestamps')
    .option('--no-tui', 'plain prefixed log lines even in a terminal (the default without one)')
    .option('--hyperlinks', 'make ports and URLs clickable (OSC 8) in the TUI')
    .option('--no-hyperlinks', 'never write OSC 8 links (default: on where the terminal is known to support them)')
    .option(
      '--metrics-port <port>',
      'serve the engine’s Prometheus metrics on 127.0.0.1:PORT (0: a free port) until the daemon ends',
      portNumber,
    )
    .option('--dry-run', 'Kubernetes runtimes: print every command and manifest `up` would use, run nothing')
    .action(
      run(async (services: string[], opts: { dryRun?: boolean; debug?: boolean }) =>
        opts.dryRun
          ? (await import('./commands/kubernetes.js')).dryRunCommand({ ...globals(), debug: opts.debug !== false })
          : (await import('./commands/up.js')).upCommand(services, { ...globals(), ...opts }),
      ),
    );

  program
    .command('down')
    .description('stop and remove the services and the network (volumes with --volumes); ends the daemon')
    .option('--volumes', 'remove named volumes too (their data is lost)')
    .action(run(async (opts: object) => (await import('./commands/down.js')).downCommand({ ...globals(), ...opts })));

  program
    .command('status')
    .alias('ps')
    .description('show each service: state, health, container, ports')
    .option('--json', 'machine-readable output')
    .action(
      run(async (opts: object) => (await import('./commands/status.js')).statusCommand({ ...globals(), ...opts })),
    );

  program
    .command('ls')
    .description(
      'list your environments: project, directory, runtime and state (down/status/logs take -p NAME from anywhere)',
    )
    .option('--json', 'machine-readable output')
    .action(run(async (opts: object) => (await import('./commands/ls.js')).lsCommand({ ...globals(), ...opts })));

  program
    .command('logs')
    .description('show service logs')
    .argument('[service]', 'only this service')
    .option('-f, --follow', 'keep following new lines')
    .option('-n, --tail <lines>', 'lines of history per request', '1000')
    .option('-t, --timestamps', 'show timestamps')
    .action(
      run(async (service: string | undefined, opts: object) =>
        (await import('./commands/logs.js')).logsCommand(service, { ...globals(), ...opts }),
      ),
    );

  program
    .command('ci')
    .usage('[options] [services...] [-- command...]')
    .description(
      'CI: bring the environment up (failing at once when a service crashes), run the command (or x-devenv.ci.tests) with its URLs in DEVENV_* variables, keep logs, timeline and a JUnit report, take it down; exit with the command’s status (2: the environment failed)',
    )
    .argument('[services...]', 'only these services (and what they depend on)')
    .option(
      '--timeout <duration>',
      'how long to wait for every service to be healthy (default 10m, or x-devenv.ci.timeout)',
    )
    .option(
      '--artifacts <dir>',
      'write logs/<service>.log, timeline.json/.txt, otel-traces.json, status.json, junit.xml here',
    )
    .option('--keep', 'leave the environment running at the end (`devenv down` stops it)')
    .option('--volumes', 'remove the named volumes too when taking it down')
    .option('--json', 'JSON lines: the event stream, ci steps, and the command’s output')
    .option('--build', 'rebuild images even when their inputs did not change')
    .option('--debug', 'start services under their debuggers (off in ci)')
    .option(
      '--max-restarts <n>',
      'crashes a service may restart from (its restart policy) before the run fails (default 0)',
      count,
    )
    .option(
      '--stable-for <duration>',
      'how long a service without a healthcheck must run before it counts as ready (default 2s)',
    )
    .option('-t, --timestamps', 'show timestamps')
    .action(
      run(async (services: string[], opts: object) =>
        (await import('./commands/ci.js')).ciCommand(services, testCommand, { ...globals(), ...opts }),
      ),
    );

  program
    .command('timeline')
    .description('where the last `up`’s time went: each service’s phases on one axis, the critical path marked ★')
    .option('--json', 'the spans as JSON, with durations and the critical path')
    .option('--compact', 'one row per service instead of one per phase')
    .action(
      run(async (opts: object) => (await import('./commands/timeline.js')).timelineCommand({ ...globals(), ...opts })),
    );

  program
    .command('config')
    .description('print the resolved config (interpolated, merged, defaults applied)')
    .option('--json', 'JSON instead of YAML')
    .option('--services', 'only the service names')
    .action(
      run(async (opts: object) => (await import('./commands/config.js')).configCommand({ ...globals(), ...opts })),
    );

  program
    .command('init')
    .description('detect this repository’s services; write compose.yaml and a VS Code "Run Both" launch configuration')
    .option('--force', 'replace an existing Compose file (it is moved to <name>.bak first)')
    .option('--dry-run', 'print what would be written, write nothing')
    .option('--json', 'print the result as JSON')
    .action(run(async (opts: object) => (await import('./commands/init.js')).initCommand({ ...globals(), ...opts })));

  program
    .command('restart')
    .description('restart one service')
    .argument('<service>')
    .action(run(async (service: string) => (await import('./commands/control.js')).restartCommand(service, globals())));

  program
    .command('rebuild')
    .description('rebuild one service’s image and recreate it if it changed')
    .argument('<service>')
    .action(run(async (service: string) => (await import('./commands/control.js')).rebuildCommand(service, globals())));

  program
    .command('debug')
    .description('start one service under its debugger now (a one-shot job runs again and waits for you to attach)')
    .argument('<service>')
    .action(run(async (service: string) => (await import('./commands/control.js')).debugCommand(service, globals())));

  program
    .command('debug-info')
    .description('where each service’s debugger listens (127.0.0.1) and how local paths map to the service’s')
    .option('--vscode', 'print VS Code attach configurations (launch.json)')
    .option('--json', 'machine-readable output')
    .action(
      run(async (opts: object) =>
        (await import('./commands/debug-info.js')).debugInfoCommand({ ...globals(), ...opts }),
      ),
    );

  const argocd = program.command('argocd').description('Argo CD in the cluster (--runtime kind|k3d|kubernetes)');
  argocd
    .command('password')
    .description('print the initial admin password of the cluster’s Argo CD')
    .action(run(async () => (await import('./commands/kubernetes.js')).argocdPasswordCommand(globals())));
  argocd
    .command('ui')
    .description('forward Argo CD’s UI to 127.0.0.1 and print its address (Ctrl-C ends it)')
    .option('--port <port>', 'local port (default: a free one)')
    .action(
      run(async (opts: { port?: string }) =>
        (await import('./commands/kubernetes.js')).argocdUiCommand({ ...globals(), ...opts }),
      ),
    );
  argocd
    .command('install')
    .description(
      'install or configure the pinned Argo CD: lists every change, then asks (the only way devenv changes Argo CD on a cluster it did not create)',
    )
    .option('-y, --yes', 'do not ask (needed without a terminal)')
    .action(
      run(async (opts: { yes?: boolean }) =>
        (await import('./commands/kubernetes.js')).argocdInstallCommand({ ...globals(), ...opts }),
      ),
    );

  program
    .command('reset')
    .description('recreate the environment: Docker/processes delete the named volumes; Kubernetes --soft or --hard')
    .option('--soft', 'Kubernetes: recreate the project’s namespace and Applications (the default there)')
    .option('--hard', 'Kubernetes: delete and recreate the cluster, keeping the registry and its images')
    .option('-y, --yes', 'do not ask (needed without a terminal)')
    .action(
      run(async (opts: object) => (await import('./commands/control.js')).resetCommand({ ...globals(), ...opts })),
    );

  program
    .command('doctor')
    .description('check the engine, ports, binaries, inotify limits, disk and Kubernetes tools; say how to fix each')
    .option('--json', 'machine-readable output')
    .action(
      run(async (opts: object) => (await import('./commands/doctor.js')).doctorCommand({ ...globals(), ...opts })),
    );

  program
    .command('shutdown')
    .description('stop the daemon, leaving the environment running')
    .action(run(async () => (await import('./commands/control.js')).shutdownCommand(globals())));

  program
    .command('lsp')
    .description('language server for the VS Code extension (stdio): config diagnostics, the engine relayed')
    .option('--stdio', 'talk over stdin/stdout (the only transport; accepted for language clients that pass it)')
    .option('--clientProcessId <pid>', 'the editor’s process id (passed by language clients; the server exits with it)')
    .action(run(async () => (await import('./lsp/command.js')).lspCommand(globals())));

  program
    .command('version')
    .description('print the version (with --json, also the daemon protocol version clients must speak)')
    .option('--json', 'machine-readable output')
    .action(run(async (opts: { json?: boolean }) => (await import('./commands/version.js')).versionCommand(opts)));

  program
    .command('daemon', { hidden: true })
    .description('run the engine daemon in the foreground (started by `up`)')
    .action(run(async () => (await import('./commands/daemon.js')).daemonCommand(globals())));

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') {
      exitCode = 0;
    } else if (typeof code === 'string' && code.startsWith('commander.')) {
      exitCode = 1;
    } else {
      exitCode = reportError(err);
    }
  }
  process.exitCode = exitCode;
}
