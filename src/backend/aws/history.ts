/** The execution history: one DynamoDB item per execution, newest first through the by_created index. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetItemCommand, PutItemCommand, QueryCommand, QueryCommandInput, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { ExecutionInfo } from '../../shared/contract';
import { ExecutionStatus, STATUSES, TERMINAL_STATUSES } from '../../shared/status';

export interface ExecutionItem extends ExecutionInfo {
  kind: 'execution';
  task_arn: string | null;
  /** CloudWatch streams of the run in the order they are written: executor, or clone then command. */
  log_streams: string[];
  /** ms since the epoch after which the deadline sweep stops the task. */
  deadline: number;
  kill_requested?: boolean;
  /** DynamoDB TTL (s since the epoch). */
  expires_at: number;
  /** 'execution' while the run has not ended, then removed: the key of the sparse open_by_deadline index. */
  open_kind?: 'execution';
}

/** What the open_by_deadline index holds of a run. */
export type OverdueItem = Pick<ExecutionItem, 'execution_id' | 'deadline' | 'task_arn' | 'timeout_seconds'>;

const KEEP_DAYS = 90;
const OPEN = ['PENDING', 'STARTING', 'RUNNING'] as const;

export class History {
  constructor(private readonly db: DynamoDBClient, private readonly table: string) {}

  async put(item: Omit<ExecutionItem, 'kind' | 'expires_at'>): Promise<void> {
    const full: ExecutionItem = {
      ...item, kind: 'execution', expires_at: Math.floor(Date.now() / 1000) + KEEP_DAYS * 86400,
      ...(TERMINAL_STATUSES.has(item.status) ? {} : { open_kind: 'execution' as const }),
    };
    await this.db.send(new PutItemCommand({ TableName: this.table, Item: marshall(full, { removeUndefinedValues: true }) }));
  }

  async get(id: string): Promise<ExecutionItem | undefined> {
    const out = await this.db.send(new GetItemCommand({ TableName: this.table, Key: marshall({ execution_id: id }), ConsistentRead: true }));
    return out.Item ? (unmarshall(out.Item) as ExecutionItem) : undefined;
  }

  /**
   * Sets fields unless the item already ended (a final status is never overwritten) or the new
   * status would take it back (ECS's events come in any order: a late PROVISIONING never undoes
   * RUNNING); false when it was not set.
   */
  async update(id: string, fields: Partial<ExecutionItem>): Promise<boolean> {
    const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return true;
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {};
    // STATUSES is in the order a run goes through them
    const from = fields.status ? OPEN.filter((s) => STATUSES.indexOf(s) <= STATUSES.indexOf(fields.status!)) : OPEN;
    from.forEach((s, i) => (values[`:open${i}`] = s));
    const sets = entries.map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
      return `#f${i} = :v${i}`;
    });
    // a run that ends leaves the index of open runs
    const ends = fields.status !== undefined && TERMINAL_STATUSES.has(fields.status);
    if (ends) names['#open'] = 'open_kind';
    try {
      await this.db.send(new UpdateItemCommand({
        TableName: this.table,
        Key: marshall({ execution_id: id }),
        UpdateExpression: `SET ${sets.join(', ')}${ends ? ' REMOVE #open' : ''}`,
        ConditionExpression: `#status IN (${from.map((_, i) => `:open${i}`).join(', ')})`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: marshall(values, { removeUndefinedValues: true }),
      }));
      return true;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }

  /** The items a query finds, page after page, for as long as the caller takes them. */
  private async *query<T>(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): AsyncGenerator<T> {
    let start: QueryCommandInput['ExclusiveStartKey'];
    do {
      const page = await this.db.send(new QueryCommand({ ...input, TableName: this.table, ...(start ? { ExclusiveStartKey: start } : {}) }));
      for (const raw of page.Items ?? []) yield unmarshall(raw) as T;
      start = page.LastEvaluatedKey;
    } while (start);
  }

  /** Newest first; `since` (ISO) bounds how far back to look. */
  async list(limit: number, status?: ExecutionStatus, since?: string): Promise<ExecutionItem[]> {
    const out: ExecutionItem[] = [];
    for await (const item of this.query<ExecutionItem>({
      IndexName: 'by_created',
      KeyConditionExpression: since ? '#k = :k AND created_at >= :since' : '#k = :k',
      ExpressionAttributeNames: { '#k': 'kind' },
      ExpressionAttributeValues: marshall({ ':k': 'execution', ...(since ? { ':since': since } : {}) }),
      ScanIndexForward: false,
      // pages of at most 1 MB whatever the Limit: it only keeps a short list from reading more
      Limit: Math.min(Math.max(limit, 25), 1000),
    })) {
      if (!status || item.status === status) out.push(item);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Runs not ended whose deadline is `now` or before (the index is eventually consistent: one may have ended just now). */
  async overdue(now: number): Promise<OverdueItem[]> {
    const out: OverdueItem[] = [];
    for await (const item of this.query<OverdueItem>({
      IndexName: 'open_by_deadline',
      KeyConditionExpression: 'open_kind = :k AND deadline <= :now',
      ExpressionAttributeValues: marshall({ ':k': 'execution', ':now': now }),
    })) out.push(item);
    return out;
  }

  /** Every run created since `since` (ISO) that has not ended, however many. */
  async open(since: string): Promise<ExecutionItem[]> {
    return (await this.list(Number.MAX_SAFE_INTEGER, undefined, since)).filter((i) => !TERMINAL_STATUSES.has(i.status));
  }
}

export function publicInfo(item: ExecutionItem): ExecutionInfo {
  return {
    execution_id: item.execution_id,
    status: item.status,
    exit_code: item.exit_code ?? null,
    created_at: item.created_at,
    started_at: item.started_at ?? null,
    stopped_at: item.stopped_at ?? null,
    stopped_reason: item.stopped_reason ?? null,
    repo: item.repo,
    branch: item.branch ?? null,
    command: item.command,
    image: item.image ?? null,
    timeout_seconds: item.timeout_seconds,
    workdir: item.workdir ?? null,
    backend: 'aws',
  };
}
