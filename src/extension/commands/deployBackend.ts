import * as vscode from 'vscode';
import { API_KEY_SECRET } from '../backend/connection';
import { saveDeployedBackend } from '../../shared/deployedBackend';
import { awsTarget } from '../deploy/awsTarget';
import { loadDeployer } from '../deploy/deployer';
import type { Mycli } from '../services';
import { readSettings, saveSetting } from '../settings';
import { registerCommand } from './register';

/** Deploy Backend: creates or updates the AWS stack in-process, cancellable, stack events as progress. */
export function registerDeployBackend(m: Mycli): void {
  registerCommand(m, 'mycli.deployBackend', async () => {
    const target = await awsTarget();
    if (!target) return;
    const deployer = loadDeployer();
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `mycli: deploying stack ${target.stackName} to ${target.region}`, cancellable: true },
      (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return deployer.deployBackend({
          ...target,
          signal: abort.signal,
          onProgress: (message) => {
            m.log.info(`deploy: ${message}`);
            progress.report({ message });
          },
        });
      },
    );
    if (result.apiKey) await m.context.secrets.store(API_KEY_SECRET, result.apiKey);
    // Pinned before the user config changes, so the connection (which drops a pin the user config
    // stops naming) never takes this deploy for one that replaced the endpoint it pinned before.
    await saveSetting('endpoint', result.endpoint);
    // As `mycli init` records it, so the CLI talks to it too; the key stays in SecretStorage only.
    const saved = await saveDeployedBackend({ endpoint: result.endpoint, region: result.region, ...(target.profile ? { profile: target.profile } : {}) });
    await m.connection.userConfigChanged();
    if (!readSettings().region) await saveSetting('region', result.region);
    const key = await m.context.secrets.get(API_KEY_SECRET);
    const keyNote = !key
      ? ' It has an API key from an earlier deploy: paste it with "mycli: Configure Endpoint and API Key".'
      : saved.config.api_key ? '' : ' The CLI uses it too once it has the API key: Copy API Key, then run mycli config set api_key - and paste it.';
    const RUN = 'Run Remote Command';
    const COPY = 'Copy API Key';
    const choice = await vscode.window.showInformationMessage(
      `mycli: the backend is ${result.changed ? 'deployed' : 'up to date'} at ${result.endpoint}.${keyNote}`,
      RUN,
      ...(key ? [COPY] : []),
    );
    if (choice === RUN) await vscode.commands.executeCommand('mycli.runRemoteCommand');
    if (choice === COPY && key) await vscode.env.clipboard.writeText(key);
  });
}
