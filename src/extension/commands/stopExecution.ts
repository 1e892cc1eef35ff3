import * as vscode from 'vscode';
import { commandLabel, isActive } from '../treeViews/executionModel';
import type { Mycli } from '../services';
import { executionFrom, registerCommand } from './register';

export function registerStopExecution(m: Mycli): void {
  registerCommand(m, 'mycli.stopExecution', async (arg?: unknown) => {
    const info = await executionFrom(m, arg, (all) => all.filter(isActive), 'Stop which execution?');
    if (!info) return;
    const result = await (await m.connection.client()).kill(info.execution_id);
    await m.store.refresh();
    void vscode.window.showInformationMessage(`mycli: "${commandLabel(info.command, 40)}" is ${result.status === 'STOPPED' ? 'stopped' : `stopping (${result.status})`}`);
  });
}
