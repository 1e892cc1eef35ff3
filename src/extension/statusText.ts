/** The status-bar item's text. Pure: no `vscode` here. */
import type { ExecutionInfo } from '../shared/contract';
import { commandLabel } from './treeViews/executionModel';

/** Shown while runs go on; undefined when idle (the item hides). */
export function runningText(running: number): string | undefined {
  return running > 0 ? `$(sync~spin) mycli: ${running} running` : undefined;
}

export function runningTooltip(active: readonly ExecutionInfo[]): string {
  return active.map((e) => `${e.status.toLowerCase()}: ${commandLabel(e.command, 50)}`).join('\n') + '\nClick to pick one and show its logs';
}

/** Shown briefly when a run ends badly. */
export function failureText(info: ExecutionInfo): string {
  const what = info.status === 'TIMED_OUT' ? 'timed out' : info.status === 'STOPPED' ? 'stopped' : `failed${info.exit_code !== null ? ` (exit ${info.exit_code})` : ''}`;
  return `$(error) mycli: ${commandLabel(info.command, 30)} ${what}`;
}

/** The message shown when a run the user started ends. */
export function endMessage(info: ExecutionInfo): string {
  const code = info.exit_code !== null ? ` with exit code ${info.exit_code}` : '';
  const reason = info.status !== 'SUCCEEDED' && info.stopped_reason ? `: ${info.stopped_reason}` : '';
  const verb = { SUCCEEDED: 'succeeded', FAILED: 'failed', STOPPED: 'was stopped', TIMED_OUT: 'timed out' }[info.status as 'SUCCEEDED'] ?? info.status;
  return `mycli: "${commandLabel(info.command, 50)}" ${verb}${code}${reason}`;
}
