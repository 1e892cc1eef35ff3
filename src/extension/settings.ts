/** The extension's settings (package.json `contributes.configuration`), read fresh each time. */
import * as vscode from 'vscode';
import type { BackendSetting } from './backend/backendSelection';

export const SECTION = 'mycli';

export interface Settings {
  backend: BackendSetting;
  endpoint: string;
  region: string;
  profile: string;
  stackName: string;
  defaultImage: string;
  remote: string;
  logLineCap: number;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  return {
    backend: c.get<BackendSetting>('backend', 'auto'),
    endpoint: c.get<string>('endpoint', '').trim(),
    region: c.get<string>('region', '').trim(),
    profile: c.get<string>('profile', '').trim(),
    stackName: c.get<string>('stackName', 'mycli').trim() || 'mycli',
    defaultImage: c.get<string>('defaultImage', '').trim(),
    remote: c.get<string>('remote', 'origin').trim() || 'origin',
    logLineCap: Math.max(100, c.get<number>('logLineCap', 20000)),
  };
}

/** Saves a setting for the user (all workspaces): the endpoint a deploy produced, the region used. */
export async function saveSetting(key: keyof Settings, value: string | undefined): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update(key, value, vscode.ConfigurationTarget.Global);
}
