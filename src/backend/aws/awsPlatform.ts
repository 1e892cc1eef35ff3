/** The aws Platform: runs executions as ECS Fargate tasks, keeps their history in DynamoDB, reads output from CloudWatch Logs. */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeTasksCommand, ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import type { ExecRequest, ExecResponse, ExecutionInfo, KillResponse, ListRequest, LogsRequest, LogsResponse, ValidationPolicy } from '../../shared/contract';
import { errorMessage, MycliError } from '../../shared/errors';
import { isTerminal } from '../../shared/status';
import type { Platform } from '../platform';
import type { AwsPlatformConfig } from './config';
import { ExecutionItem, History, publicInfo } from './history';
import { readLogPage } from './logReader';
import { KILL_REASON, outcomeOf } from './taskOutcome';
import { ImageTaskDefinitions, isGoneDefinition, logStreamsOf, runTask, runTaskInput } from './taskLauncher';

/** Besides its timeout, a run gets this long (for the clone and the image pull) before the deadline sweep stops it. */
export const DEADLINE_GRACE_MS = 5 * 60_000;
/** A stopped task whose final line never arrives (SIGKILLed, lost) is taken as complete this long after it stopped. */
const LOG_SETTLE_MS = 2 * 60_000;

export interface AwsClients {
  ecs: ECSClient;
  logs: CloudWatchLogsClient;
  db: DynamoDBClient;
}

export function defaultClients(): AwsClients {
  return { ecs: new ECSClient({}), logs: new CloudWatchLogsClient({}), db: new DynamoDBClient({}) };
}

export class AwsPlatform implements Platform {
  readonly name = 'aws' as const;
  readonly policy: ValidationPolicy = { allowLocalRepos: false };
  readonly history: History;
  private readonly imageDefinitions: ImageTaskDefinitions;

  constructor(readonly cfg: AwsPlatformConfig, readonly clients: AwsClients = defaultClients()) {
    this.history = new History(clients.db, cfg.table);
    this.imageDefinitions = new ImageTaskDefinitions(clients.ecs, cfg);
  }

  async start(executionId: string, req: ExecRequest): Promise<ExecResponse> {
    const created_at = new Date().toISOString();
    const timeout = req.timeout_seconds ?? 3600;
    const item: Omit<ExecutionItem, 'kind' | 'expires_at'> = {
      execution_id: executionId, status: 'PENDING', exit_code: null, created_at, started_at: null, stopped_at: null, stopped_reason: null,
      repo: req.repo, branch: req.branch ?? null, command: req.command, image: req.image ?? null, timeout_seconds: timeout,
      workdir: req.workdir ?? null, backend: 'aws', task_arn: null, log_streams: [], deadline: Date.now() + timeout * 1000 + DEADLINE_GRACE_MS,
    };
    // recorded before the task exists, so its first state change always finds the execution
    await this.history.put(item);
    let started: { taskArn?: string; failure?: string };
    try {
      started = await this.startTask(executionId, req);
    } catch (err) {
      started = { failure: `${(err as Error).name}: ${(err as Error).message}` };
    }
    const base = { execution_id: executionId, created_at, log_group: this.cfg.logGroup, ...(req.image ? { image: req.image } : {}) };
    // From here on a run exists: a failure to record it is never one a client may retry (a 429
    // from throttling would start the command again), so it is said as what it is.
    const recorded = (err: unknown): MycliError =>
      new MycliError('backend_error', `execution ${executionId} ${started.taskArn ? `started as task ${started.taskArn}` : 'did not start'}, but its record could not be updated (${errorMessage(err)}); "mycli status ${executionId}" shows where it is`);
    if (!started.taskArn) {
      const reason = `ECS could not start the task: ${started.failure}`;
      await this.history.update(executionId, { status: 'FAILED', stopped_at: new Date().toISOString(), stopped_reason: reason }).catch((err) => {
        throw recorded(err);
      });
      return { ...base, status: 'FAILED' };
    }
    const log_streams = logStreamsOf(started.taskArn, Boolean(req.image));
    await this.history.update(executionId, { task_arn: started.taskArn, log_streams }).catch((err) => {
      throw recorded(err);
    });
    return { ...base, task_arn: started.taskArn, status: 'PENDING', log_stream: log_streams[log_streams.length - 1]! };
  }

  /** RunTask with the stack's executor, or with the image's task definition (made once, see ImageTaskDefinitions). */
  private async startTask(executionId: string, req: ExecRequest): Promise<{ taskArn?: string; failure?: string }> {
    const image = req.image;
    if (!image) return runTask(this.clients.ecs, runTaskInput(this.cfg, executionId, req, this.cfg.taskDefinition));
    const attempt = async (): Promise<{ taskArn?: string; failure?: string }> =>
      runTask(this.clients.ecs, runTaskInput(this.cfg, executionId, req, await this.imageDefinitions.get(image)));
    try {
      return await attempt();
    } catch (err) {
      // the image's definition was deregistered since this process made or found it: made again, once
      if (!isGoneDefinition(err)) throw err;
      this.imageDefinitions.forget(image);
      return attempt();
    }
  }

  private async item(id: string): Promise<ExecutionItem> {
    const item = await this.history.get(id);
    if (!item) throw new MycliError('not_found', `no execution ${id} on this backend; "mycli list" shows the recent ones`, 'execution_id');
    return item;
  }

  /** The item, brought up to date from ECS while the task has not ended. */
  async current(id: string): Promise<ExecutionItem> {
    return this.reconcile(await this.item(id));
  }

  /** `item` as ECS sees its task now (DescribeTasks), when it has not ended. */
  private async reconcile(item: ExecutionItem): Promise<ExecutionItem> {
    const id = item.execution_id;
    if (isTerminal(item.status) || !item.task_arn) return item;
    const out = await this.clients.ecs.send(new DescribeTasksCommand({ cluster: this.cfg.cluster, tasks: [item.task_arn] }));
    const task = out.tasks?.[0];
    const outcome = task
      ? outcomeOf(task, item.timeout_seconds, item.kill_requested === true)
      : { status: 'FAILED' as const, stopped_at: new Date().toISOString(), stopped_reason: `ECS no longer knows task ${item.task_arn}` };
    if (outcome.status === item.status && !isTerminal(outcome.status)) return item;
    await this.history.update(id, outcome);
    return (await this.history.get(id)) ?? item;
  }

  async status(id: string): Promise<ExecutionInfo> {
    return publicInfo(await this.current(id));
  }

  async logs(req: LogsRequest): Promise<LogsResponse> {
    let item = await this.item(req.execution_id);
    const page = await readLogPage(this.clients.logs, this.cfg.logGroup, item.log_streams, req.next_token, req.limit ?? 1000);
    // ECS is asked (DescribeTasks, rate-limited per account) only when the answer turns on the
    // run's status: the page brings nothing new, or the executor's last line. A page of new output
    // is answered from the table, which task events keep up to date; the follower asks again.
    if (!page.events.length || page.finished) item = await this.reconcile(item);
    const ended = isTerminal(item.status);
    const neverRan = ended && !item.started_at;
    const settled = ended && page.events.length === 0 && item.stopped_at !== null && Date.now() - Date.parse(item.stopped_at) > LOG_SETTLE_MS;
    return { execution_id: item.execution_id, events: page.events, next_token: page.next_token, complete: ended && (page.finished || neverRan || settled) };
  }

  async list(req: ListRequest): Promise<ExecutionInfo[]> {
    return (await this.history.list(req.limit ?? 50, req.status)).map(publicInfo);
  }

  async stop(id: string): Promise<KillResponse> {
    const item = await this.item(id);
    await this.history.update(id, { kill_requested: true });
    if (item.task_arn) {
      await this.clients.ecs.send(new StopTaskCommand({ cluster: this.cfg.cluster, task: item.task_arn, reason: KILL_REASON }));
      // the item as it now is, without reading it again: ECS says where the task is (when it
      // answers: the stop was asked, so a throttled answer must not turn into an error)
      const now = await this.reconcile({ ...item, kill_requested: true }).catch(() => item);
      return { execution_id: id, status: now.status };
    }
    const stopped = await this.history.update(id, { status: 'STOPPED', stopped_at: new Date().toISOString(), stopped_reason: 'stopped on request before it started' });
    // not applied: the run moved on meanwhile (or had ended), so only a read says where it is
    return { execution_id: id, status: stopped ? 'STOPPED' : (await this.item(id)).status };
  }
}
