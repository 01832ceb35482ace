// Entry point: builds the pieces and wires them to VS Code. Logic lives in the modules beside
// this one that never import `vscode` (tree model, status text, debug configurations, the
// Run Both adapter, path mapping, restart budget); see docs/vscode.md.

import * as vscode from 'vscode';
import { chooseConfigFiles } from './config-files.js';
import { registerCommands } from './vscode/commands.js';
import { registerDebugging } from './vscode/debugging.js';
import { DevenvClient } from './vscode/devenv-client.js';
import { LogChannels } from './vscode/log-channels.js';
import { ServicesView } from './vscode/services-view.js';
import { createStatusBar } from './vscode/status-bar.js';
import { TimelineView } from './vscode/timeline-view.js';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('devenv', { log: true });
  context.subscriptions.push(output);
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    output.info('no workspace folder open; devenv waits for one');
    return;
  }
  const settings = vscode.workspace.getConfiguration('devenv', folder);
  const configFiles = await findConfigFiles(folder, settings.get<string[]>('configFiles'));
  output.info(
    `project files: ${configFiles.length ? configFiles.join(', ') : '(none found; the CLI will look itself)'}`,
  );

  const runtime = settings.get<string>('runtime');
  const client = new DevenvClient(
    { folder, configFiles, ...(runtime && runtime !== 'auto' ? { runtime } : {}) },
    output,
  );
  const logs = new LogChannels();
  const view = new ServicesView(client.state);
  const timeline = new TimelineView(client);
  context.subscriptions.push(
    client,
    logs,
    view,
    client.onEvent((e) => logs.handle(e)),
    vscode.window.createTreeView('devenv.services', { treeDataProvider: view, showCollapseAll: true }),
    timeline,
    vscode.window.createTreeView('devenv.timeline', { treeDataProvider: timeline, showCollapseAll: true }),
    vscode.commands.registerCommand('devenv.refreshTimeline', () => timeline.load()),
    createStatusBar(client),
    ...registerCommands(client, logs, () => configFiles),
    ...registerDebugging(client, output),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration('devenv.path') && !e.affectsConfiguration('devenv.configFiles')) return;
      const pick = await vscode.window.showInformationMessage(
        'devenv: reload the window to apply the new settings',
        'Reload',
      );
      if (pick) void vscode.commands.executeCommand('workbench.action.reloadWindow');
    }),
  );
  client.start().catch((err: unknown) => output.error(`could not start the devenv language server: ${String(err)}`));
}

export function deactivate(): void {}

async function findConfigFiles(folder: vscode.WorkspaceFolder, setting: string[] | undefined): Promise<string[]> {
  if (setting?.length) return chooseConfigFiles(setting, folder.uri.fsPath, []);
  const found = await vscode.workspace.findFiles(
    new vscode.RelativePattern(folder, '**/{compose,docker-compose}.{yaml,yml}'),
    '**/node_modules/**',
    200,
  );
  return chooseConfigFiles(
    undefined,
    folder.uri.fsPath,
    found.map((u) => u.fsPath),
  );
}
