/** The Executions view: one small TreeItem per execution, fed by the store. */
import * as vscode from 'vscode';
import type { ExecutionInfo } from '../../shared/contract';
import { ExecutionsStore } from './executionsStore';
import { accessibilityLabel, commandLabel, contextValue, describeExecution, statusIcon, tooltipLines } from './executionModel';

export const VIEW_ID = 'mycli.executions';

export class ExecutionNode extends vscode.TreeItem {
  constructor(readonly info: ExecutionInfo, now: number) {
    super(commandLabel(info.command), vscode.TreeItemCollapsibleState.None);
    this.id = info.execution_id;
    const icon = statusIcon(info.status);
    this.iconPath = new vscode.ThemeIcon(icon.id, new vscode.ThemeColor(icon.color));
    this.description = describeExecution(info, now);
    this.tooltip = new vscode.MarkdownString(tooltipLines(info).map((l) => escapeMarkdown(l)).join('  \n'));
    this.contextValue = contextValue(info);
    this.accessibilityInformation = { label: accessibilityLabel(info) };
    this.command = { command: 'mycli.showLogs', title: 'Show Logs', arguments: [this] };
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

export class ExecutionsTree implements vscode.TreeDataProvider<ExecutionNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<ExecutionNode>;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly store: ExecutionsStore) {
    this.view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this });
    this.subscriptions.push(
      this.view,
      this.changed,
      store.onDidChange(() => this.changed.fire()),
      store.onDidChangeError((message) => {
        this.view.message = message ? `The backend does not answer: ${message}` : undefined;
      }),
      this.view.onDidChangeVisibility((e) => store.setVisible(e.visible)),
    );
    store.setVisible(this.view.visible);
  }

  getTreeItem(node: ExecutionNode): vscode.TreeItem {
    return node;
  }

  getChildren(node?: ExecutionNode): ExecutionNode[] {
    if (node) return [];
    const now = Date.now();
    return this.store.executions.map((info) => new ExecutionNode(info, now));
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
