import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { loadUserConfig, saveUserConfig, userConfigPath } from '../../shared/userConfig';
import { awsTarget } from '../deploy/awsTarget';
import { loadDeployer } from '../deploy/deployer';
import type { Mycli } from '../services';
import { registerCommand } from './register';

type Kind = 'github' | 'gitlab' | 'ssh';

/**
 * Set Git Credentials: for the AWS backend they go to its Secrets Manager secret (the deployer);
 * for the local backend to the user config (0600), where `mycli config set git.*` puts them too.
 */
export function registerSetGitCredentials(m: Mycli): void {
  registerCommand(m, 'mycli.setGitCredentials', async () => {
    const items: Array<vscode.QuickPickItem & { credential: Kind; remove?: boolean }> = [
      { label: 'GitHub token', credential: 'github' },
      { label: 'GitLab token', credential: 'gitlab' },
      { label: 'SSH private key (a file)', credential: 'ssh' },
      { label: 'Remove the GitHub token', credential: 'github', remove: true },
      { label: 'Remove the GitLab token', credential: 'gitlab', remove: true },
      { label: 'Remove the SSH key', credential: 'ssh', remove: true },
    ];
    const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Which credential do runs clone with?' });
    if (!picked) return;
    let value: string | null = null;
    let keyFile: string | undefined;
    if (!picked.remove) {
      if (picked.credential === 'ssh') {
        const file = await vscode.window.showOpenDialog({ title: 'SSH private key for cloning', canSelectMany: false });
        if (!file?.[0]) return;
        keyFile = file[0].fsPath;
        value = await readFile(keyFile, 'utf8');
      } else {
        const token = await vscode.window.showInputBox({ title: picked.label, password: true, ignoreFocusOut: true, prompt: 'Stored by the backend, never shown again' });
        if (!token?.trim()) return;
        value = token.trim();
      }
    }
    if (await m.connection.isLocal()) {
      const config = await loadUserConfig(process.env);
      const git = { ...(config.git ?? {}) };
      if (picked.credential === 'ssh') {
        // The local backend reads the key file when a run starts: the key itself is not copied.
        delete git.ssh_private_key;
        if (keyFile) git.ssh_private_key_file = keyFile;
        else delete git.ssh_private_key_file;
      } else {
        const key = picked.credential === 'github' ? 'github_token' : 'gitlab_token';
        if (value === null) delete git[key];
        else git[key] = value;
      }
      await saveUserConfig({ ...config, git }, process.env);
      void vscode.window.showInformationMessage(`mycli: ${value === null ? 'removed from' : 'saved in'} ${userConfigPath(process.env)} for the local backend`);
      return;
    }
    const target = await awsTarget();
    if (!target) return;
    await loadDeployer().setGitCredential({ ...target, kind: picked.credential, value });
    void vscode.window.showInformationMessage(`mycli: the backend's ${picked.credential} credential is ${value === null ? 'removed' : 'saved'}`);
  });
}
