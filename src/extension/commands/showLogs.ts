import type { Mycli } from '../services';
import { executionFrom, registerCommand } from './register';

export function registerShowLogs(m: Mycli): void {
  registerCommand(m, 'mycli.showLogs', async (arg?: unknown) => {
    const info = await executionFrom(m, arg, (all) => all, 'Show the logs of which execution?');
    if (info) void m.channels.show(info.execution_id, info, `# ${info.repo}${info.branch ? `@${info.branch}` : ''} · ${info.execution_id}`);
  });
}
