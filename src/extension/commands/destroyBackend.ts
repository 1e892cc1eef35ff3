import * as vscode from 'vscode';
import { API_KEY_SECRET } from '../backend/connection';
import { awsTarget } from '../deploy/awsTarget';
import { loadDeployer } from '../deploy/deployer';
import type { Mycli } from '../services';
import { clearDeployedBackend } from '../../shared/deployedBackend';
import { readSettings, saveSetting } from '../settings';
import { registerCommand } from './register';

/**
 * Destroy Backend: deletes the stack (after a modal confirmation), then clears what `mycli destroy`
 * clears from the user config, `mycli.endpoint` and the API key in SecretStorage.
 *
 * Argument (optional, for callers such as another extension or the extension-host tests; the
 * palette and the view's menu pass none): `{ confirmed: true }` means the caller has already
 * asked, so the modal question is skipped. Only that exact value skips it.
 */
export interface DestroyArgs {
  confirmed?: boolean;
}

export function registerDestroyBackend(m: Mycli): void {
  registerCommand(m, 'mycli.destroyBackend', async (args?: DestroyArgs) => {
    const target = await awsTarget();
    if (!target) return;
    const confirmed = typeof args === 'object' && args !== null && args.confirmed === true;
    const sure = confirmed || (await vscode.window.showWarningMessage(
      `Destroy the mycli backend (stack ${target.stackName} in ${target.region})? Running executions stop and their history and logs are deleted.`,
      { modal: true },
      'Destroy',
    )) === 'Destroy';
    if (!sure) return;
    const deployer = loadDeployer();
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `mycli: destroying stack ${target.stackName}`, cancellable: true },
      (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return deployer.destroyBackend({ ...target, signal: abort.signal, onProgress: (message) => progress.report({ message }) });
      },
    );
    // What `mycli destroy` clears, and the extension's own endpoint and key: no face falls back to
    // the deleted endpoint. Its own first, so the connection does not take the user config's
    // change for a `mycli destroy` in a terminal.
    const endpoint = readSettings().endpoint;
    await saveSetting('endpoint', undefined);
    await m.context.secrets.delete(API_KEY_SECRET);
    await clearDeployedBackend(process.env, endpoint);
    m.connection.invalidate(); // at once, not at the user config's next poll
    void vscode.window.showInformationMessage(`mycli: stack ${target.stackName} is deleted; runs go to the local backend until you deploy again.`);
  });
}
