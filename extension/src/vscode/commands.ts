// The palette and tree commands: intents sent to the engine (through the language server),
// plus the views' own actions (logs, browser, debugger, a terminal running the TUI).

import { Methods } from '@devenv/engine/protocol';
import * as vscode from 'vscode';
import { errorMessage } from '../error-text.js';
import { terminalCommandLine } from '../server-command.js';
import type { TreeNode } from '../service-tree.js';
import { UpProgress } from '../up-progress.js';
import { attachToService } from './debugging.js';
import type { DevenvClient } from './devenv-client.js';
import type { LogChannels } from './log-channels.js';

export function registerCommands(
  client: DevenvClient,
  logs: LogChannels,
  configFiles: () => string[],
): vscode.Disposable[] {
  const pickService = async (node: TreeNode | undefined, title: string, filter?: (name: string) => boolean) => {
    if (node?.service) return node.service;
    const names = (client.state.status?.services ?? []).map((s) => s.name).filter((n) => !filter || filter(n));
    if (names.length === 0) {
      void vscode.window.showInformationMessage('devenv: no services known yet; bring the environment up first');
      return undefined;
    }
    return vscode.window.showQuickPick(names, { title });
  };
  const withProgress = <T>(title: string, fn: () => Promise<T>) =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title }, async (progress) => {
      const tracker = new UpProgress();
      const events = client.onEvent((e) => {
        const message = tracker.apply(e);
        if (message) progress.report({ message });
      });
      try {
        return await fn();
      } catch (err) {
        void vscode.window.showErrorMessage(`devenv: ${errorMessage(err)}`);
        return undefined;
      } finally {
        events.dispose();
      }
    });

  const register = (id: string, fn: (node?: TreeNode) => unknown) => vscode.commands.registerCommand(id, fn);
  return [
    register('devenv.up', () =>
      withProgress('devenv: bringing the environment up', async () => {
        const result = await client.request(Methods.up, { config: {} });
        for (const f of result.failed) void vscode.window.showErrorMessage(`devenv: ${f.service}: ${f.message}`);
      }),
    ),
    register('devenv.down', () =>
      withProgress('devenv: taking the environment down', () =>
        client.request(Methods.down, { volumes: false, shutdown: true }),
      ),
    ),
    register('devenv.restartService', async (node) => {
      const service = await pickService(node, 'Restart which service?');
      if (service)
        await withProgress(`devenv: restarting ${service}`, () => client.request(Methods.restart, { service }));
    }),
    register('devenv.rebuildService', async (node) => {
      const service = await pickService(node, 'Rebuild which service?');
      if (service)
        await withProgress(`devenv: rebuilding ${service}`, () => client.request(Methods.rebuild, { service }));
    }),
    register('devenv.resetCluster', async () => {
      const pick = await vscode.window.showQuickPick(
        [
          {
            label: 'Soft reset',
            description: 'take everything down and up again; volumes are kept',
            mode: 'soft' as const,
          },
          {
            label: 'Hard reset',
            description: 'also remove volumes (Kubernetes: recreate the cluster)',
            mode: 'hard' as const,
          },
        ],
        { title: 'Reset the environment' },
      );
      if (pick)
        await withProgress(`devenv: ${pick.label.toLowerCase()}`, () =>
          client.request(Methods.reset, { mode: pick.mode }),
        );
    }),
    register('devenv.showLogs', async (node) => {
      const service = await pickService(node, 'Show the logs of which service?');
      if (service) logs.show(service);
    }),
    register('devenv.attachDebugger', async (node) => {
      const service = await pickService(node, 'Attach to which service?', (n) => !!client.state.service(n)?.debug);
      if (service) await attachToService(client, service);
    }),
    register('devenv.debugService', async (node) => {
      const service = await pickService(node, 'Run which service under its debugger now?');
      if (!service) return;
      const started = await withProgress(`devenv: starting ${service} under its debugger`, () =>
        client.request(Methods.debug, { service }),
      );
      const failed = started?.failed.find((f) => f.service === service);
      if (failed) void vscode.window.showErrorMessage(`devenv: ${failed.service}: ${failed.message}`);
      else if (started) await attachToService(client, service);
    }),
    register('devenv.openInBrowser', async (node) => {
      const service = await pickService(node, 'Open which service?', (n) => !!client.state.service(n)?.url);
      const url = node?.url ?? (service ? client.state.service(service)?.url : undefined);
      if (url) await vscode.env.openExternal(vscode.Uri.parse(url));
    }),
    register('devenv.openTui', () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      const command = client.command;
      if (!command) {
        void vscode.window.showErrorMessage('devenv: no `devenv` to run; set `devenv.path`');
        return;
      }
      const args = configFiles().flatMap((f) => ['-f', f]);
      const terminal = vscode.window.createTerminal({ name: 'devenv', ...(folder ? { cwd: folder.uri } : {}) });
      terminal.show();
      terminal.sendText(
        terminalCommandLine(command, [...args, 'up'], {
          execPath: process.execPath,
          electron: process.versions.electron !== undefined,
        }),
      );
    }),
    register('devenv.restartServer', () => client.restart()),
    register('devenv.refresh', () => client.refresh()),
  ];
}
