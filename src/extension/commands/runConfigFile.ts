import { basename } from 'node:path';
import * as vscode from 'vscode';
import { configError } from '../../shared/errors';
import { PROJECT_CONFIG_NAME } from '../../shared/projectConfig';
import type { Mycli } from '../services';
import { registerCommand } from './register';
import { runRemoteCommand } from './runRemoteCommand';

/** Run This Config: the explorer's or the editor title's menu on a `.mycli.yaml`. */
export function registerRunConfigFile(m: Mycli): void {
  registerCommand(m, 'mycli.runConfigFile', (uri?: vscode.Uri, command?: string) => {
    const file = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
    if (!file || file.scheme !== 'file' || basename(file.fsPath) !== PROJECT_CONFIG_NAME) {
      throw configError(`Run This Config works on a ${PROJECT_CONFIG_NAME} file: right-click one in the Explorer`);
    }
    return runRemoteCommand(m, { configFile: file, ...(typeof command === 'string' ? { command } : {}) });
  });
}
