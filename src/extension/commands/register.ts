/** Registers a command whose errors end as one clear message, not an unhandled rejection. */
import * as vscode from 'vscode';
import type { ExecutionInfo } from '../../shared/contract';
import { errorMessage } from '../../shared/errors';
import type { Mycli } from '../services';
import { commandLabel } from '../treeViews/executionModel';

export function registerCommand(m: Mycli, id: string, handler: (...args: any[]) => unknown): void {
  m.context.subscriptions.push(
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (err) {
        m.log.error(`${id}: ${errorMessage(err)}`);
        void vscode.window.showErrorMessage(`mycli: ${errorMessage(err)}`);
        return undefined;
      }
    }),
  );
}

/**
 * The execution a tree-item command acts on: the clicked node, an id (from a message's button or
 * another command), or else one the user picks from `candidates`.
 */
export async function executionFrom(m: Mycli, arg: unknown, candidates: (all: readonly ExecutionInfo[]) => readonly ExecutionInfo[], placeHolder: string): Promise<ExecutionInfo | undefined> {
  if (arg && typeof arg === 'object' && 'info' in arg) return (arg as { info: ExecutionInfo }).info;
  if (typeof arg === 'string') return m.store.find(arg) ?? (await m.connection.client()).status(arg);
  await m.store.refresh();
  const list = candidates(m.store.executions);
  if (!list.length) {
    void vscode.window.showInformationMessage('mycli: no executions to choose from');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    list.map((info) => ({ label: commandLabel(info.command), description: `${info.status} · ${info.branch ?? ''}`, detail: info.execution_id, info })),
    { placeHolder },
  );
  return picked?.info;
}
