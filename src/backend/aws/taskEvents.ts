/** The two scheduled/event-driven jobs of the stack's function: recording ECS task state changes, and stopping tasks past their deadline. */
import { StopTaskCommand } from '@aws-sdk/client-ecs';
import type { AwsPlatform } from './awsPlatform';
import type { OverdueItem } from './history';
import { DEADLINE_REASON, outcomeOf, TaskView } from './taskOutcome';
import { EXECUTOR_EXIT } from '../../shared/executorExit';

/** The EventBridge "ECS Task State Change" event (the fields mycli reads). */
export interface TaskStateChangeEvent {
  source: 'aws.ecs';
  'detail-type': 'ECS Task State Change';
  detail: TaskView & { taskArn?: string; startedBy?: string; clusterArn?: string };
}

export async function recordTaskStateChange(platform: AwsPlatform, event: TaskStateChangeEvent): Promise<{ recorded: boolean }> {
  const id = event.detail.startedBy;
  if (!id) return { recorded: false };
  const item = await platform.history.get(id);
  if (!item || (item.task_arn && event.detail.taskArn && item.task_arn !== event.detail.taskArn)) return { recorded: false };
  const outcome = outcomeOf(event.detail, item.timeout_seconds, item.kill_requested === true);
  return { recorded: await platform.history.update(id, outcome) };
}

/** DynamoDB: a ValidationException ("does not have the specified index", "backfilling"); moto: ResourceNotFoundException. */
const isMissingIndex = (err: unknown): boolean =>
  ['ValidationException', 'ResourceNotFoundException'].includes((err as Error).name) && /index/i.test((err as Error).message);

/** How far back a run may have started and still be running: the largest timeout (12 h) plus the grace. */
const LONGEST_RUN_MS = 13 * 3600_000;

/**
 * Stops every open execution whose deadline (timeout + grace) has passed; returns their ids. Each
 * sweep reads only the overdue runs (the sparse open_by_deadline index). Once an hour (the sweep
 * at minute 0) it also reads every run of the last 13 hours: the runs recorded by a mycli from
 * before that index have no place in it, and nothing that index might miss outlives that hour.
 */
export async function stopOverdueTasks(platform: AwsPlatform, now = Date.now()): Promise<{ stopped: string[] }> {
  const overdue = new Map<string, OverdueItem>();
  let everything = new Date(now).getUTCMinutes() === 0;
  try {
    for (const item of await platform.history.overdue(now)) overdue.set(item.execution_id, item);
  } catch (err) {
    // a table without the index yet (still building it, or an update that did not finish): the
    // sweep reads the last 13 hours, as it did before the index
    if (!isMissingIndex(err)) throw err;
    everything = true;
  }
  if (everything) {
    for (const item of await platform.history.open(new Date(now - LONGEST_RUN_MS).toISOString())) {
      if (item.deadline <= now) overdue.set(item.execution_id, item);
    }
  }
  const stopped: string[] = [];
  for (const item of overdue.values()) {
    if (item.task_arn) {
      const stoppedNow = await platform.clients.ecs.send(new StopTaskCommand({ cluster: platform.cfg.cluster, task: item.task_arn, reason: `${DEADLINE_REASON} (${item.timeout_seconds} s)` }))
        .then(() => true, (err: Error) => /not found/i.test(err.message)); // gone already: stopped as far as it goes
      // Throttled, or not allowed: still running, so not recorded as stopped; the next sweep tries again.
      if (!stoppedNow) continue;
    }
    // false when the run ended meanwhile (the index is eventually consistent): its own end stands
    const recorded = await platform.history.update(item.execution_id, {
      status: 'TIMED_OUT', exit_code: EXECUTOR_EXIT.timedOut, stopped_at: new Date(now).toISOString(), stopped_reason: `timed out after ${item.timeout_seconds} seconds (stopped at its deadline)`,
    });
    if (recorded) stopped.push(item.execution_id);
  }
  return { stopped };
}
