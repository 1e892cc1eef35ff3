/**
 * What an ECS task's state means for its execution: the status, exit code and reason. One mapping
 * for the three places that see tasks: status reads (DescribeTasks), the EventBridge rule's task
 * state changes, and the deadline sweep.
 */
import type { ExecutionStatus } from '../../shared/status';
import { EXECUTOR_EXIT } from '../../shared/executorExit';

/** The parts of an ECS task both DescribeTasks and the "ECS Task State Change" event carry. */
export interface TaskView {
  lastStatus?: string;
  stoppedReason?: string;
  stopCode?: string;
  startedAt?: string | Date | number;
  stoppedAt?: string | Date | number;
  containers?: { name?: string; exitCode?: number | null; reason?: string; image?: string }[];
}

export interface Outcome {
  status: ExecutionStatus;
  exit_code?: number | null;
  started_at?: string;
  stopped_at?: string;
  stopped_reason?: string | null;
}

/** StopTask reasons mycli sets, so the outcome can tell a kill and a deadline from other stops. */
export const KILL_REASON = 'mycli: stopped on request (mycli kill)';
export const DEADLINE_REASON = 'mycli: deadline passed: the run outlived its timeout';

function iso(t: string | Date | number | undefined): string | undefined {
  if (t === undefined || t === null) return undefined;
  const d = t instanceof Date ? t : new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Why a task that never ran its command stopped, said so a user knows what to change. */
export function startFailureReason(reason: string, image: string | undefined): string {
  if (/CannotPullContainer|pull image|manifest|not found: manifest unknown/i.test(reason)) {
    return `the image ${image ? `"${image}" ` : ''}could not be pulled (${reason}); check its name, that it exists for linux/arm64, and that it is public or in this account's ECR`;
  }
  if (/secret|secretsmanager|ResourceInitializationError.*(ssm|secret)/i.test(reason)) {
    return `the task could not read the Git credentials secret (${reason}); run "mycli credentials set github|gitlab|ssh" again, or check that the secret exists`;
  }
  if (/capacity|SpotInterruption|insufficient/i.test(reason)) {
    return `Fargate had no capacity for the task (${reason}); try again, or deploy with UseSpot=false`;
  }
  return `the task stopped before the command ran: ${reason}`;
}

export function outcomeOf(task: TaskView, timeoutSeconds: number, killRequested = false): Outcome {
  const started_at = iso(task.startedAt);
  const base = { ...(started_at ? { started_at } : {}) };
  switch (task.lastStatus) {
    case 'PROVISIONING':
      return { status: 'PENDING', ...base };
    case 'PENDING':
    case 'ACTIVATING':
      return { status: 'STARTING', ...base };
    case 'RUNNING':
      return { status: 'RUNNING', ...base };
    case 'STOPPED':
      break;
    default:
      // DEACTIVATING, STOPPING, DEPROVISIONING: on the way out; the final word comes with STOPPED
      return { status: started_at ? 'RUNNING' : 'STARTING', ...base };
  }
  const stopped_at = iso(task.stoppedAt) ?? new Date().toISOString();
  const reason = task.stoppedReason ?? '';
  const containers = task.containers ?? [];
  const main = containers.find((c) => c.name === 'command') ?? containers.find((c) => c.name === 'executor') ?? containers[0];
  const clone = containers.find((c) => c.name === 'clone');
  const code = typeof main?.exitCode === 'number' ? main.exitCode : undefined;
  const end = { ...base, stopped_at };
  if (killRequested || reason.startsWith(KILL_REASON)) {
    return { status: 'STOPPED', exit_code: code ?? null, stopped_reason: 'stopped on request', ...end };
  }
  if (reason.startsWith(DEADLINE_REASON)) {
    return { status: 'TIMED_OUT', exit_code: EXECUTOR_EXIT.timedOut, stopped_reason: `timed out after ${timeoutSeconds} seconds`, ...end };
  }
  if (code === undefined) {
    const cloneCode = typeof clone?.exitCode === 'number' ? clone.exitCode : undefined;
    if (cloneCode !== undefined && cloneCode !== 0) return finished(cloneCode, end, timeoutSeconds);
    const why = main?.reason || reason || 'no reason given';
    return { status: 'FAILED', exit_code: null, stopped_reason: startFailureReason(why, main?.image), ...end };
  }
  return finished(code, end, timeoutSeconds);
}

function finished(code: number, end: { started_at?: string; stopped_at: string }, timeoutSeconds: number): Outcome {
  if (code === 0) return { status: 'SUCCEEDED', exit_code: 0, stopped_reason: null, ...end };
  if (code === EXECUTOR_EXIT.timedOut && end.started_at && Date.parse(end.stopped_at) - Date.parse(end.started_at) >= timeoutSeconds * 1000) {
    // the executor's own timer fired (a command exiting 124 by itself ends before the timeout)
    return { status: 'TIMED_OUT', exit_code: code, stopped_reason: `timed out after ${timeoutSeconds} seconds`, ...end };
  }
  const why = code === EXECUTOR_EXIT.cloneFailed ? 'clone failed; the log says why'
    : code === EXECUTOR_EXIT.badConfiguration ? 'the executor refused its settings; the log says which'
    : `command exited with code ${code}`;
  return { status: 'FAILED', exit_code: code, stopped_reason: why, ...end };
}
