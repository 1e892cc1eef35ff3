/** Activation: make the shared pieces, then register each command, view and item (a flat list). */
import * as vscode from 'vscode';
import { Connection } from './backend/connection';
import { registerConfigure } from './commands/configure';
import { registerDeployBackend } from './commands/deployBackend';
import { registerDestroyBackend } from './commands/destroyBackend';
import { registerRefresh } from './commands/refresh';
import { registerRerun } from './commands/rerun';
import { registerRunConfigFile } from './commands/runConfigFile';
import { registerRunRemoteCommand } from './commands/runRemoteCommand';
import { registerSetGitCredentials } from './commands/setGitCredentials';
import { registerShowLogs } from './commands/showLogs';
import { registerShowRunning } from './commands/showRunning';
import { registerStopExecution } from './commands/stopExecution';
import { ExecutionChannels } from './logs/executionChannels';
import { RunLauncher } from './runLauncher';
import type { Mycli } from './services';
import { readSettings } from './settings';
import { RunStatusBar } from './statusBar';
import { ExecutionsStore } from './treeViews/executionsStore';
import { ExecutionsTree } from './treeViews/executionsTree';
import { errorMessage } from '../shared/errors';

/** What `activate` returns: the extension-host tests read the store and the channels' text through it. */
export type MycliApi = Pick<Mycli, 'store' | 'channels' | 'connection'>;

export function activate(context: vscode.ExtensionContext): MycliApi {
  const log = vscode.window.createOutputChannel('mycli', { log: true });
  const connection = new Connection(context.secrets, log);
  const store = new ExecutionsStore({ client: () => connection.client(), pollMs: 2000 });
  const channels = new ExecutionChannels(() => connection.client(), () => readSettings().logLineCap);
  const runs = new RunLauncher(connection, store, channels);
  const m: Mycli = { context, log, connection, store, channels, runs };
  context.subscriptions.push(log, connection, { dispose: () => store.dispose() }, channels);

  registerRunRemoteCommand(m);
  registerRunConfigFile(m);
  registerShowLogs(m);
  registerShowRunning(m);
  registerStopExecution(m);
  registerRerun(m);
  registerRefresh(m);
  registerConfigure(m);
  registerDeployBackend(m);
  registerDestroyBackend(m);
  registerSetGitCredentials(m);
  context.subscriptions.push(new ExecutionsTree(store), new RunStatusBar(store));

  // Settings apply live: another backend means other executions; a new cap applies to open channels.
  context.subscriptions.push(
    connection.onDidChange(() => void store.reset()),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('mycli.logLineCap') && channels.capChanged()),
    store.onDidChangeError((message) => {
      if (!message) return;
      // A backend the settings do not fully name is for the user to set up, not a server that is down.
      const misconfigured = connection.state === 'misconfigured';
      const actions: Record<string, string> = misconfigured ? { 'Deploy Backend': 'mycli.deployBackend', Configure: 'mycli.configure' } : { Configure: 'mycli.configure' };
      const text = misconfigured ? `mycli: ${message}` : `mycli: the backend does not answer: ${message}`;
      void vscode.window.showErrorMessage(text, ...Object.keys(actions)).then((c) => c && vscode.commands.executeCommand(actions[c]!));
    }),
  );
  void store.refresh().catch((err) => log.error(errorMessage(err)));
  return { store, channels, connection };
}

export function deactivate(): void {
  // Subscriptions dispose everything; runs go on (their supervisors are detached).
}
