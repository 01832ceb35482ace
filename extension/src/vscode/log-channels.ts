// One output channel per service (`devenv: backend`), fed by the relayed log events. The
// server replays recent history when it attaches, so a channel opened late is not empty.

import type { EngineEvent } from '@devenv/engine';
import * as vscode from 'vscode';
import { formatLogLine } from '../up-progress.js';

export class LogChannels implements vscode.Disposable {
  private readonly channels = new Map<string, vscode.OutputChannel>();

  handle(event: EngineEvent): void {
    if (event.kind !== 'log') return;
    this.channel(event.service).appendLine(formatLogLine(event));
  }

  show(service: string): void {
    this.channel(service).show(true);
  }

  private channel(service: string): vscode.OutputChannel {
    let channel = this.channels.get(service);
    if (!channel) {
      channel = vscode.window.createOutputChannel(`devenv: ${service}`, 'log');
      this.channels.set(service, channel);
    }
    return channel;
  }

  dispose(): void {
    for (const c of this.channels.values()) c.dispose();
    this.channels.clear();
  }
}
