/** The two scheduled/event-driven jobs of the stack's function: recording ECS task state changes, and stopping tasks past their deadline. */
import { StopTaskCommand } from '@aws-sdk/client-ecs';
import type { AwsPlatform } from './awsPlatform';
import type { History, OverdueItem } from './history';
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
 * The open runs whose deadline has passed. Each minute from the sparse open_by_deadline index,
 * which holds only the runs not yet ended. On the hour (the sweep at minute 0), and whenever the
 * table has no such index yet (still building it), from every run of the last 13 hours instead:
 * the runs recorded by a mycli from before that index have no place in it, and nothing the index
 * might miss outlives that hour.
 */
async function overdueRuns(history: History, now: number): Promise<OverdueItem[]> {
  if (new Date(now).getUTCMinutes() !== 0) {
    try {
      return await history.overdue(now);
    } catch (err) {
      if (!isMissingIndex(err)) throw err;
    }
  }
  return (await history.open(new Date(now - LONGEST_RUN_MS).toISOString())).filter((item) => item.deadline <= now);
}

/** Stops every open execution whose deadline (timeout + grace) has passed; returns their ids. */
export async function stopOverdueTasks(platform: AwsPlatform, now = Date.now()): Promise<{ stopped: string[] }> {
  const stopped: string[] = [];
  for (const item of await overdueRuns(platform.history, now)) {
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
