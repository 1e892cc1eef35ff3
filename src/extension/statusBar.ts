/** One status-bar item: "N running" while runs go on, a failure briefly, hidden when idle. */
import * as vscode from 'vscode';
import type { ExecutionInfo } from '../shared/contract';
import { failureText, runningText, runningTooltip } from './statusText';
import type { ExecutionsStore } from './treeViews/executionsStore';

const FAILURE_SHOWN_MS = 10_000;

export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mycli.running', vscode.StatusBarAlignment.Left, 50);
  private failure: { info: ExecutionInfo; timer: NodeJS.Timeout } | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly store: ExecutionsStore) {
    this.item.name = 'mycli runs';
    this.subscriptions.push(
      store.onDidChange(() => this.update()),
      store.onDidFinish((info) => {
        if (info.status === 'SUCCEEDED' || info.status === 'STOPPED') return;
        if (this.failure) clearTimeout(this.failure.timer);
        this.failure = { info, timer: setTimeout(() => ((this.failure = undefined), this.update()), FAILURE_SHOWN_MS) };
        this.update();
      }),
    );
  }

  private update(): void {
    const active = this.store.active;
    const text = runningText(active.length);
    if (text) {
      this.item.text = text;
      this.item.tooltip = runningTooltip(active);
      this.item.backgroundColor = undefined;
      this.item.command = 'mycli.showRunning';
      this.item.show();
    } else if (this.failure) {
      this.item.text = failureText(this.failure.info);
      this.item.tooltip = `${this.failure.info.stopped_reason ?? ''}\nClick to show its logs`.trim();
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      this.item.command = { command: 'mycli.showLogs', title: 'Show Logs', arguments: [this.failure.info.execution_id] };
      this.item.show();
    } else {
      this.item.hide();
    }
  }

  dispose(): void {
    if (this.failure) clearTimeout(this.failure.timer);
    this.item.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
