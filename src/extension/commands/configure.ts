import * as vscode from 'vscode';
import { API_KEY_SECRET } from '../backend/connection';
import type { Mycli } from '../services';
import { readSettings, saveSetting } from '../settings';
import { registerCommand } from './register';

/** Configure Endpoint and API Key: a teammate pastes what the deployer printed; or picks the local backend. */
export function registerConfigure(m: Mycli): void {
  registerCommand(m, 'mycli.configure', async () => {
    const LOCAL = 'Use the local backend (runs on this machine, no AWS)';
    const REMOTE = 'Use a deployed backend (endpoint and API key)';
    const choice = await vscode.window.showQuickPick([REMOTE, LOCAL], { placeHolder: 'Where should mycli run commands?' });
    if (choice === LOCAL) {
      await saveSetting('backend', 'local');
      return;
    }
    if (choice !== REMOTE) return;
    const endpoint = await vscode.window.showInputBox({
      title: 'mycli: API endpoint',
      prompt: 'The endpoint Deploy Backend printed, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/prod',
      value: readSettings().endpoint,
      ignoreFocusOut: true,
      validateInput: (v) => (URL.canParse(v.trim()) && /^https?:$/.test(new URL(v.trim()).protocol) ? undefined : 'an http(s) URL'),
    });
    if (endpoint === undefined) return;
    const key = await vscode.window.showInputBox({
      title: 'mycli: API key',
      prompt: 'Kept in VS Code SecretStorage, never in settings or files. Empty keeps the stored key.',
      password: true,
      ignoreFocusOut: true,
    });
    if (key === undefined) return;
    if (key.trim()) await m.context.secrets.store(API_KEY_SECRET, key.trim());
    await saveSetting('endpoint', endpoint.trim());
    if (readSettings().backend === 'local') await saveSetting('backend', 'auto');
    void vscode.window.showInformationMessage(`mycli: runs now go to ${endpoint.trim()}`);
  });
}
