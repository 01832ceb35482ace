// Debugging, wired: the `devenv` debug type ("Run Both", an inline adapter that brings the
// environment up and starts the children), the `devenv-python` type (VS Code talks DAP
// straight to debugpy's published port: no Python extension needed), and debugpy's
// `debugpyAttach` event answered with a child session for the announced subprocess.

import { Methods } from '@devenv/engine/protocol';
import * as vscode from 'vscode';
import {
  childConfiguration,
  DEVENV_TYPE,
  PYTHON_TYPE,
  type PythonAttachConfiguration,
  RUN_BOTH,
  type RunBothConfiguration,
  resolveRunBoth,
  subprocessConfiguration,
} from '../debug-configurations.js';
import { errorMessage } from '../error-text.js';
import { RunBothAdapter, type RunBothHost } from '../run-both-adapter.js';
import { SessionTree } from '../session-tree.js';
import { UpProgress } from '../up-progress.js';
import type { DevenvClient } from './devenv-client.js';

export function registerDebugging(client: DevenvClient, output: vscode.LogOutputChannel): vscode.Disposable[] {
  const parents = new Map<string, RunBothAdapter>();
  const tree = new SessionTree();
  const sessions = new Map<string, vscode.DebugSession>();

  /** A DAP `disconnect` sent to the session itself: stopDebugging(child) would be routed to its Run Both. */
  const disconnect = async (id: string) => {
    const session = sessions.get(id);
    if (!session) return;
    try {
      await session.customRequest('disconnect', { terminateDebuggee: false });
    } catch (err) {
      if (!sessions.has(id)) return; // it ended meanwhile
      output.debug(`disconnect ${session.name}: ${String(err)}; stopping it instead`);
      await vscode.debug.stopDebugging(session);
    }
  };

  const provider: vscode.DebugConfigurationProvider = {
    provideDebugConfigurations: () => [RUN_BOTH],
    resolveDebugConfiguration: (_folder, config) => resolveRunBoth(config as Partial<RunBothConfiguration>),
  };

  const hostFor = (session: vscode.DebugSession): RunBothHost => ({
    folder: (session.workspaceFolder ?? vscode.workspace.workspaceFolders?.[0])?.uri.fsPath ?? process.cwd(),
    up: async (config, signal) =>
      await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: 'devenv: bringing the environment up',
          cancellable: true,
        },
        async (progress, token) => {
          token.onCancellationRequested(() => void vscode.debug.stopDebugging(session));
          const tracker = new UpProgress();
          const events = client.onEvent((e) => {
            const message = tracker.apply(e);
            if (message && !signal.aborted) progress.report({ message });
          });
          try {
            return await client.request(Methods.up, {
              config: {},
              ...(config.services ? { services: config.services } : {}),
              ...(config.build ? { build: true } : {}),
            });
          } catch (err) {
            throw new Error(errorMessage(err));
          } finally {
            events.dispose();
          }
        },
      ),
    startChild: async (config) => {
      // Managed by the parent: Stop or Restart on any child acts on the whole Run Both.
      const started = await vscode.debug.startDebugging(session.workspaceFolder, config, {
        parentSession: session,
        lifecycleManagedByParent: true,
        compact: false,
      });
      if (!started) output.warn(`could not start the debug session for ${config.name}`);
      return started;
    },
    stopChildren: async () => {
      const ids = tree.stopBelow(session.id);
      output.debug(`stopping ${ids.map((id) => sessions.get(id)?.name ?? id).join(', ') || 'no child sessions'}`);
      await Promise.all(ids.map(disconnect));
    },
    stopEnvironmentOnStop: (config) =>
      config.stopEnvironmentOnStop ??
      vscode.workspace
        .getConfiguration('devenv', session.workspaceFolder)
        .get<boolean>('stopEnvironmentOnDebugStop', false),
    down: async () => {
      await client.request(Methods.down, { volumes: false, shutdown: true });
    },
    log: (line) => output.info(`${session.name}: ${line}`),
  });

  return [
    vscode.debug.registerDebugConfigurationProvider(DEVENV_TYPE, provider),
    vscode.debug.registerDebugConfigurationProvider(
      DEVENV_TYPE,
      { provideDebugConfigurations: () => [RUN_BOTH] },
      vscode.DebugConfigurationProviderTriggerKind.Dynamic,
    ),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEVENV_TYPE, {
      createDebugAdapterDescriptor: (session) => {
        const adapter = new RunBothAdapter(hostFor(session));
        parents.set(session.id, adapter);
        tree.addRoot(session.id);
        return new vscode.DebugAdapterInlineImplementation(adapter as unknown as vscode.DebugAdapter);
      },
    }),
    vscode.debug.registerDebugAdapterDescriptorFactory(PYTHON_TYPE, {
      createDebugAdapterDescriptor: (session) => {
        const { connect } = session.configuration as PythonAttachConfiguration;
        return new vscode.DebugAdapterServer(connect.port, connect.host);
      },
    }),
    vscode.debug.onDidStartDebugSession((session) => {
      const parent = session.parentSession;
      output.debug(`debug session started: ${session.name} (${session.type}, parent ${parent?.name ?? '-'})`);
      const role = tree.started(session.id, parent?.id);
      if (role === 'ignore') return;
      sessions.set(session.id, session);
      if (role === 'stop') {
        output.debug(`${session.name} started after its parent stopped: stopping it`);
        void disconnect(session.id);
        return;
      }
      if (parent) parents.get(parent.id)?.childStarted(session.id);
    }),
    vscode.debug.onDidTerminateDebugSession((session) => {
      output.debug(`debug session ended: ${session.name} (${session.type})`);
      const parent = session.parentSession;
      if (parent) parents.get(parent.id)?.childEnded(session.id);
      for (const orphan of tree.endedSession(session.id)) void disconnect(orphan);
      sessions.delete(session.id);
      parents.get(session.id)?.dispose();
      parents.delete(session.id);
    }),
    vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
      if (e.session.type !== PYTHON_TYPE || e.event !== 'debugpyAttach' || tree.isStopping(e.session.id)) return;
      const config = subprocessConfiguration(e.session.configuration as PythonAttachConfiguration, e.body ?? {});
      output.info(`debugpy announced a subprocess of ${config.devenvService} (pid ${config.subProcessId}): attaching`);
      void vscode.debug.startDebugging(e.session.workspaceFolder, config, {
        parentSession: e.session,
        lifecycleManagedByParent: true,
      });
    }),
  ];
}

/** The tree's "Attach Debugger": one service, on its own (no Run Both parent). */
export async function attachToService(client: DevenvClient, service: string): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const status = client.state.service(service);
  const config = status && childConfiguration(status, folder?.uri.fsPath ?? process.cwd());
  if (!config) {
    void vscode.window.showWarningMessage(`devenv: ${service} has no debugger to attach to`);
    return;
  }
  await vscode.debug.startDebugging(folder, config);
}
