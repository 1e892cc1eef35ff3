import type { Mycli } from '../services';
import { repoName } from '../treeViews/executionModel';
import { executionFrom, registerCommand } from './register';

export function registerRerun(m: Mycli): void {
  registerCommand(m, 'mycli.rerun', async (arg?: unknown) => {
    const info = await executionFrom(m, arg, (all) => all, 'Run which execution again?');
    if (!info) return;
    const request = m.runs.requestFor(info);
    const target = `${repoName(request.repo)}${request.branch ? `@${request.branch}` : ''} · ${request.image ?? 'default image'} · ${await m.connection.target()}`;
    await m.runs.start(request, target);
  });
}
