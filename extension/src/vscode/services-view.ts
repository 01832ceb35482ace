// The services tree (view `devenv.services`): the pure tree model, rendered as TreeItems.

import * as vscode from 'vscode';
import type { EnvironmentState } from '../environment-state.js';
import { serviceNodes, type TreeNode } from '../service-tree.js';

export class ServicesView implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: { dispose(): void };

  constructor(private readonly state: EnvironmentState) {
    this.subscription = state.onChange(() => this.changed.fire(undefined));
  }

  getChildren(node?: TreeNode): TreeNode[] {
    return node ? node.children : serviceNodes(this.state.status);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return treeItemOf(node);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** A tree node of the extension's views (services, timeline) as VS Code's TreeItem. */
export function treeItemOf(node: TreeNode): vscode.TreeItem {
  const item = new vscode.TreeItem(
    node.label,
    node.children.length === 0 ? vscode.TreeItemCollapsibleState.None : vscode.TreeItemCollapsibleState.Collapsed,
  );
  item.id = node.id;
  if (node.description) item.description = node.description;
  if (node.tooltip) item.tooltip = node.tooltip;
  item.iconPath = new vscode.ThemeIcon(
    node.icon.id,
    node.icon.color ? new vscode.ThemeColor(node.icon.color) : undefined,
  );
  if (node.contextValue) item.contextValue = node.contextValue;
  if (node.url && node.contextValue === 'url') {
    item.command = { command: 'devenv.openInBrowser', title: 'Open in Browser', arguments: [node] };
  }
  return item;
}
