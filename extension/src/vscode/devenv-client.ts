// The connection to `devenv lsp`: a vscode-languageclient LanguageClient that serves the
// Compose diagnostics and carries the engine protocol (the `Methods` and `Notifications` of
// @devenv/engine/protocol, relayed by the server). Restarts a dead server a bounded number of
// times, then asks.

import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { EngineEvent, ProjectStatus } from '@devenv/engine';
import { Methods, Notifications, PROTOCOL_VERSION } from '@devenv/engine/protocol';
import * as vscode from 'vscode';
import {
  CloseAction,
  type CloseHandlerResult,
  ErrorAction,
  type ErrorHandlerResult,
  LanguageClient,
  type ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { EnvironmentState } from '../environment-state.js';
import { errorMessage } from '../error-text.js';
import { RestartBudget } from '../restart-budget.js';
import { chooseServer, type Lookup, type ServerCommand } from '../server-command.js';

export type ServerState = 'starting' | 'ready' | 'failed';

/** The engine protocol's request types (vscode-jsonrpc's RequestType0 / RequestType), by shape. */
interface Request0<R> {
  readonly method: string;
  readonly _: [R, unknown, unknown] | undefined;
}
interface Request1<P, R> {
  readonly method: string;
  readonly _: [P, R, unknown, unknown] | undefined;
}

export interface ClientSettings {
  folder: vscode.WorkspaceFolder;
  configFiles: string[];
  runtime?: string;
}

export class DevenvClient implements vscode.Disposable {
  readonly state = new EnvironmentState();
  private client: LanguageClient | undefined;
  private readonly budget = new RestartBudget();
  private readonly events = new vscode.EventEmitter<EngineEvent>();
  private readonly serverStates = new vscode.EventEmitter<ServerState>();
  private current: ServerState = 'starting';
  readonly onEvent = this.events.event;
  readonly onServerState = this.serverStates.event;
  command: ServerCommand | undefined;

  constructor(
    private readonly settings: ClientSettings,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  get serverState(): ServerState {
    return this.current;
  }

  async start(): Promise<void> {
    const folder = this.settings.folder.uri.fsPath;
    const setting = vscode.workspace.getConfiguration('devenv', this.settings.folder).get<string>('path');
    const choice = await chooseServer(setting, folder, lookup, { script: BUNDLED_CLI, protocol: PROTOCOL_VERSION });
    this.command = choice?.command;
    if (!choice || !this.command) {
      this.setState('failed');
      const pick = await vscode.window.showErrorMessage(
        'devenv: no `devenv` found (not in this workspace, not on PATH, and this extension carries none). Set `devenv.path` to your devenv.',
        'Open Settings',
      );
      if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', 'devenv.path');
      return;
    }
    const shown = this.command.kind === 'node' ? this.command.script : this.command.command;
    this.output.info(`running ${shown}: ${choice.why}`);
    const serverOptions: ServerOptions =
      this.command.kind === 'node'
        ? {
            module: this.command.script,
            args: this.command.args,
            transport: TransportKind.stdio,
            options: { cwd: folder },
          }
        : {
            command: this.command.command,
            args: this.command.args,
            transport: TransportKind.stdio,
            options: { cwd: folder },
          };
    const client = new LanguageClient('devenv', 'devenv language server', serverOptions, {
      documentSelector: [
        { scheme: 'file', language: 'dockercompose' },
        { scheme: 'file', pattern: '**/*compose*.{yaml,yml}' },
      ],
      workspaceFolder: this.settings.folder,
      outputChannel: this.output,
      initializationOptions: {
        configFiles: this.settings.configFiles,
        ...(this.settings.runtime ? { runtime: this.settings.runtime } : {}),
      },
      errorHandler: {
        error: (_error, _message, count): ErrorHandlerResult => ({
          action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown,
        }),
        closed: (): CloseHandlerResult => this.onServerClosed(),
      },
    });
    client.onNotification(Notifications.event.method, (event: EngineEvent) => {
      this.state.apply(event);
      this.events.fire(event);
      // The daemon went away (down, or a crash): read what still runs from the runtime.
      if (event.kind === 'project' && event.phase === 'stopped') void this.refresh();
    });
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) {
        this.setState('ready');
        void this.refresh();
      } else if (e.newState === State.Starting) this.setState('starting');
    });
    this.client = client;
    await client.start();
  }

  /** Restart by hand (the "Restart" action): a fresh restart budget. */
  async restart(): Promise<void> {
    this.budget.reset();
    if (this.client && this.client.state !== State.Stopped) {
      await this.client.restart();
      return;
    }
    await this.client?.dispose().catch(() => undefined);
    this.client = undefined;
    await this.start();
  }

  async request<R>(type: Request0<R>): Promise<R>;
  async request<P, R>(type: Request1<P, R>, params: P): Promise<R>;
  async request(type: { method: string }, params?: unknown): Promise<unknown> {
    const client = this.client;
    if (!client || this.current === 'failed') throw new Error('the devenv language server is not running');
    if (client.state !== State.Running) await client.start();
    return params === undefined ? client.sendRequest(type.method) : client.sendRequest(type.method, params);
  }

  async refresh(): Promise<ProjectStatus | undefined> {
    try {
      const status = await this.request(Methods.status);
      this.state.replace(status);
      return status;
    } catch (err) {
      this.output.warn(`status: ${errorMessage(err)}`);
      return undefined;
    }
  }

  async dispose(): Promise<void> {
    this.events.dispose();
    this.serverStates.dispose();
    await this.client?.dispose().catch(() => undefined);
  }

  private onServerClosed(): CloseHandlerResult {
    if (this.budget.tryRestart()) {
      this.output.warn(`the devenv language server stopped; restarting (${this.budget.recent} of 5 in 3 minutes)`);
      return { action: CloseAction.Restart, handled: true };
    }
    this.setState('failed');
    void vscode.window
      .showErrorMessage(
        'devenv: the language server stopped 5 times in 3 minutes and was not restarted. See the "devenv" output for why.',
        'Restart',
        'Show Output',
      )
      .then((pick) => {
        if (pick === 'Restart') void this.restart();
        else if (pick === 'Show Output') this.output.show();
      });
    return { action: CloseAction.DoNotRestart, handled: true };
  }

  private setState(state: ServerState): void {
    this.current = state;
    this.serverStates.fire(state);
  }
}

/** The CLI the .vsix carries (`npm run package -w extension` stages it beside this bundle). */
const BUNDLED_CLI = join(__dirname, 'devenv', 'bin', 'devenv.js');

const lookup: Lookup = {
  exists: existsSync,
  which,
  realpath: (path) => {
    try {
      return realpathSync(path);
    } catch {
      return path;
    }
  },
  protocolOf: (command) =>
    new Promise((resolve) => {
      const [file, args] =
        command.kind === 'node'
          ? [process.execPath, [command.script, 'version', '--json']]
          : [command.command, ['version', '--json']];
      execFile(file, args, { timeout: 5000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }, (err, stdout) => {
        try {
          const protocol = err ? undefined : (JSON.parse(stdout) as { protocol?: unknown }).protocol;
          resolve(typeof protocol === 'number' ? protocol : undefined);
        } catch {
          resolve(undefined);
        }
      });
    }),
};

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
