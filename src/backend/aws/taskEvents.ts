/** The two scheduled/event-driven jobs of the stack's function: recording ECS task state changes, and stopping tasks past their deadline. */
import { StopTaskCommand } from '@aws-sdk/client-ecs';
import type { AwsPlatform } from './awsPlatform';
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

/** Stops every open execution whose deadline (timeout + grace) has passed; returns their ids. */
export async function stopOverdueTasks(platform: AwsPlatform, now = Date.now()): Promise<{ stopped: string[] }> {
  // nothing can run longer than the largest timeout (12 h) plus the grace: no need to look further back
  const since = new Date(now - 13 * 3600_000).toISOString();
  const stopped: string[] = [];
  for (const item of await platform.history.open(since)) {
    if (item.deadline > now) continue;
    if (item.task_arn) {
      const stoppedNow = await platform.clients.ecs.send(new StopTaskCommand({ cluster: platform.cfg.cluster, task: item.task_arn, reason: `${DEADLINE_REASON} (${item.timeout_seconds} s)` }))
        .then(() => true, (err: Error) => /not found/i.test(err.message)); // gone already: stopped as far as it goes
      // Throttled, or not allowed: still running, so not recorded as stopped; the next sweep tries again.
      if (!stoppedNow) continue;
    }
    await platform.history.update(item.execution_id, {
      status: 'TIMED_OUT', exit_code: EXECUTOR_EXIT.timedOut, stopped_at: new Date(now).toISOString(), stopped_reason: `timed out after ${item.timeout_seconds} seconds (stopped at its deadline)`,
    });
    stopped.push(item.execution_id);
  }
  return { stopped };
}
