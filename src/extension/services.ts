/** What the commands share: made once in `activate`. */
import type * as vscode from 'vscode';
import type { Connection } from './backend/connection';
import type { ExecutionChannels } from './logs/executionChannels';
import type { RunLauncher } from './runLauncher';
import type { ExecutionsStore } from './treeViews/executionsStore';

export interface Mycli {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  connection: Connection;
  store: ExecutionsStore;
  channels: ExecutionChannels;
  runs: RunLauncher;
}
