import { isActive } from '../treeViews/executionModel';
import type { Mycli } from '../services';
import { executionFrom, registerCommand } from './register';

/** The status-bar item's click: pick a running execution and show its logs. */
export function registerShowRunning(m: Mycli): void {
  registerCommand(m, 'mycli.showRunning', async () => {
    const info = await executionFrom(m, undefined, (all) => all.filter(isActive), 'Running executions: show the logs of…');
    if (info) await m.channels.show(info.execution_id, info);
  });
}
