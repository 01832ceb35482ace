// The Up Timeline view (`devenv.timeline`): the last `up` from the daemon (through the language
// server), then live from the relayed span events; running phases tick once a second.

import { Methods } from '@devenv/engine/protocol';
import * as vscode from 'vscode';
import type { TreeNode } from '../service-tree.js';
import { TimelineState, timelineNodes } from '../timeline-tree.js';
import type { DevenvClient } from './devenv-client.js';
import { treeItemOf } from './services-view.js';

export class TimelineView implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  readonly state = new TimelineState();
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: { dispose(): void }[] = [];
  private ticking: NodeJS.Timeout | undefined;

  constructor(private readonly client: DevenvClient) {
    this.subscriptions.push(
      this.state.onChange(() => this.refresh()),
      client.onEvent((e) => this.state.apply(e)),
      client.onServerState((s) => {
        if (s === 'ready') void this.load();
      }),
    );
  }

  /** Ask for the daemon's timeline (the `up` under way, or the last one kept). */
  async load(): Promise<void> {
    try {
      this.state.replace(await this.client.request(Methods.timeline));
    } catch {
      // No server yet, or an older daemon: the span events fill the view from the next `up`.
    }
  }

  getChildren(node?: TreeNode): TreeNode[] {
    return node ? node.children : timelineNodes(this.state.timeline);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    // Services start closed (one row each, with its time and ★): a service opens on its phases.
    return treeItemOf(node);
  }

  dispose(): void {
    clearInterval(this.ticking);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }

  private refresh(): void {
    this.changed.fire(undefined);
    // While an `up` runs, its open phases grow: redraw every second until it ends.
    if (this.state.running && !this.ticking) this.ticking = setInterval(() => this.refresh(), 1000);
    else if (!this.state.running && this.ticking) {
      clearInterval(this.ticking);
      this.ticking = undefined;
    }
  }
}
