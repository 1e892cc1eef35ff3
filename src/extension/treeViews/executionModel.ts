/** How an execution looks in the tree: order, icon, label, description, tooltip, menu tokens. Pure: no `vscode` here. */
import type { ExecutionInfo } from '../../shared/contract';
import { ExecutionStatus, isTerminal } from '../../shared/status';

/** A codicon id and a theme colour id, turned into a ThemeIcon by the tree. */
export interface IconSpec {
  id: string;
  color: string;
}

const ICONS: Record<ExecutionStatus, IconSpec> = {
  PENDING: { id: 'clock', color: 'charts.yellow' },
  STARTING: { id: 'sync~spin', color: 'charts.blue' },
  RUNNING: { id: 'sync~spin', color: 'charts.blue' },
  SUCCEEDED: { id: 'pass', color: 'testing.iconPassed' },
  FAILED: { id: 'error', color: 'testing.iconFailed' },
  STOPPED: { id: 'circle-slash', color: 'disabledForeground' },
  TIMED_OUT: { id: 'watch', color: 'charts.orange' },
};

export const statusIcon = (status: ExecutionStatus): IconSpec => ICONS[status];

export const isActive = (info: ExecutionInfo): boolean => !isTerminal(info.status);

/** Running (and waiting) ones on top, then newest first. */
export function sortExecutions(list: readonly ExecutionInfo[]): ExecutionInfo[] {
  return [...list].sort((a, b) => Number(isActive(b)) - Number(isActive(a)) || Date.parse(b.created_at) - Date.parse(a.created_at));
}

/** The command's first line, shortened for a one-line label. */
export function commandLabel(command: string, max = 60): string {
  const first = command.trim().split('\n')[0] ?? '';
  const more = command.trim().includes('\n') ? ' …' : '';
  return first.length > max ? `${first.slice(0, max - 1)}…` : first + more;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** From start (or creation) to stop, or to `now` while it runs. */
export function durationMs(info: ExecutionInfo, now: number): number {
  const start = Date.parse(info.started_at ?? info.created_at);
  const end = info.stopped_at ? Date.parse(info.stopped_at) : now;
  return end - start;
}

/** The short repository name: "org/repo" from a URL, the folder name from a path. */
export function repoName(repo: string): string {
  const trimmed = repo.replace(/\/+$/, '').replace(/\.git$/, '');
  const parts = trimmed.split(/[/:]/).filter(Boolean);
  return parts.slice(-2).join('/') || repo;
}

export function describeExecution(info: ExecutionInfo, now: number): string {
  const where = info.branch ? `${repoName(info.repo)}@${info.branch}` : repoName(info.repo);
  const time = info.status === 'PENDING' ? 'waiting' : formatDuration(durationMs(info, now));
  return `${where} · ${time}`;
}

/** Lines of the tooltip (rendered as Markdown by the tree). */
export function tooltipLines(info: ExecutionInfo): string[] {
  const lines = [
    `Command: ${info.command}`,
    `Status: ${info.status}${info.exit_code !== null ? ` (exit ${info.exit_code})` : ''}`,
    `Repository: ${info.repo}${info.branch ? ` @ ${info.branch}` : ''}`,
  ];
  if (info.workdir) lines.push(`Folder: ${info.workdir}`);
  lines.push(`Image: ${info.image ?? 'default'}`);
  if (info.stopped_reason && info.status !== 'SUCCEEDED') lines.push(`Reason: ${info.stopped_reason}`);
  lines.push(`Started: ${new Date(info.created_at).toLocaleString()}`, `Backend: ${info.backend}`, `Id: ${info.execution_id}`);
  return lines;
}

/** Space-separated state tokens matched by the menus' `viewItem =~ /\bTOKEN\b/`. */
export function contextValue(info: ExecutionInfo): string {
  return ['execution', isActive(info) ? 'running stoppable' : 'finished', 'rerunnable', 'logs'].join(' ');
}

/** What a screen reader (and the e2e test) hears for the item. */
export function accessibilityLabel(info: ExecutionInfo): string {
  const code = info.exit_code !== null ? ` exit ${info.exit_code}` : '';
  return `${commandLabel(info.command)} ${info.status}${code}`;
}
