/**
 * Starts a run and follows it: the Output channel opens and shows the log live, the tree and
 * the status bar learn of it, and at the end the exit code is reported with Show Logs / Re-run.
 */
import * as vscode from 'vscode';
import type { ExecRequest, ExecutionInfo } from '../shared/contract';
import type { Connection } from './backend/connection';
import type { ExecutionChannels } from './logs/executionChannels';
import { endMessage } from './statusText';
import type { ExecutionsStore } from './treeViews/executionsStore';

export class RunLauncher {
  /** The requests this window started, so Re-run sends the same env too (a status does not carry env values). */
  private readonly requests = new Map<string, ExecRequest>();

  constructor(private readonly connection: Connection, private readonly store: ExecutionsStore, private readonly channels: ExecutionChannels) {}

  /** Starts the run; resolves with its id once started (following goes on in the background). */
  async start(request: ExecRequest, target: string): Promise<{ id: string; finished: Promise<ExecutionInfo | undefined> }> {
    const client = await this.connection.client();
    const started = await client.exec(request);
    const id = started.execution_id;
    this.requests.set(id, request);
    const queued = started.queue_position ? ` (queued: number ${started.queue_position} in line)` : '';
    void this.store.refresh();
    const finished = this.channels.show(id, request, `# ${target} · ${id}${queued}`).then((info) => {
      void this.store.refresh();
      if (info) void this.report(info);
      return info;
    });
    return { id, finished };
  }

  /** What to send again for a Re-run: the original request when this window started it. */
  requestFor(info: ExecutionInfo): ExecRequest {
    return (
      this.requests.get(info.execution_id) ?? {
        repo: info.repo,
        command: info.command,
        ...(info.branch ? { branch: info.branch } : {}),
        ...(info.image ? { image: info.image } : {}),
        ...(info.workdir ? { workdir: info.workdir } : {}),
        timeout_seconds: info.timeout_seconds,
      }
    );
  }

  private async report(info: ExecutionInfo): Promise<void> {
    const message = endMessage(info);
    const choice =
      info.status === 'SUCCEEDED'
        ? await vscode.window.showInformationMessage(message, 'Show Logs', 'Re-run')
        : await vscode.window.showErrorMessage(message, 'Show Logs', 'Re-run');
    if (choice === 'Show Logs') await vscode.commands.executeCommand('mycli.showLogs', info.execution_id);
    if (choice === 'Re-run') await vscode.commands.executeCommand('mycli.rerun', info.execution_id);
  }
}
