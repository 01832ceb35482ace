// The status-bar item: `devenv: 5/5 healthy`; clicking it shows the services view.

import * as vscode from 'vscode';
import { statusBarText } from '../status-text.js';
import type { DevenvClient } from './devenv-client.js';

export function createStatusBar(client: DevenvClient): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('devenv.status', vscode.StatusBarAlignment.Left, 50);
  item.name = 'devenv';
  const render = () => {
    const t = statusBarText(client.state.status, client.serverState);
    item.text = t.text;
    item.tooltip = t.tooltip;
    item.backgroundColor = t.level === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    item.command =
      client.serverState === 'failed'
        ? 'devenv.restartServer'
        : t.level === 'idle'
          ? 'devenv.up'
          : 'devenv.services.focus';
  };
  render();
  item.show();
  const a = client.state.onChange(render);
  const b = client.onServerState(render);
  return new vscode.Disposable(() => {
    a.dispose();
    b.dispose();
    item.dispose();
  });
}
