/** Validates API requests and drives a Platform. The HTTP server, the Lambda and in-process clients all call this. */
import {
  ExecResponse, ExecutionInfo, KillResponse, ListResponse, LogsRequest, LogsResponse,
  parseAction, validateExecRequest, validateExecutionId, validateListRequest, validateLogsRequest,
} from '../shared/contract';
import { MycliError } from '../shared/errors';
import { randomHex } from '../shared/randomName';
import { isTerminal } from '../shared/status';
import type { Platform, RunInput } from './platform';

export function newExecutionId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `exec-${stamp}-${randomHex(3)}`;
}

export class Orchestrator {
  constructor(readonly platform: Platform) {}

  /**
   * A page of the log; with `wait_ms`, a follower that has caught up is answered as soon as
   * there is more (or the run ended), on platforms that can watch their logs.
   */
  private async logs(req: LogsRequest): Promise<LogsResponse> {
    const { wait_ms: wait, ...request } = req;
    const id = req.execution_id;
    // marked before each read: a change while this request reads wakes its wait, whoever else waits
    let mark = wait ? this.platform.changeMark?.(id) : undefined;
    let page = await this.platform.logs(request);
    if (!wait || !this.platform.waitForChange) return page;
    const until = Date.now() + wait;
    while (!page.events.length && !page.complete && Date.now() < until) {
      await this.platform.waitForChange(id, until - Date.now(), mark);
      mark = this.platform.changeMark?.(id);
      page = await this.platform.logs(request);
    }
    return { ...page, waited: true };
  }

  /**
   * Handles one `POST /execute` body; returns the response body or throws a MycliError.
   * `input` (an exec's stdin) comes only from in-process callers.
   */
  async handle(body: unknown, input?: RunInput): Promise<ExecResponse | ExecutionInfo | LogsResponse | ListResponse | KillResponse> {
    const { action, body: b } = parseAction(body);
    switch (action) {
      case 'exec':
        return this.platform.start(newExecutionId(), validateExecRequest(b, this.platform.policy), input);
      case 'status':
        return this.platform.status(validateExecutionId(b));
      case 'logs':
        return this.logs(validateLogsRequest(b));
      case 'list':
        return { executions: await this.platform.list(validateListRequest(b)) };
      case 'kill': {
        const id = validateExecutionId(b);
        const current = await this.platform.status(id);
        if (isTerminal(current.status)) {
          throw new MycliError('conflict', `execution ${id} already ended (${current.status}); there is nothing to stop`, 'execution_id');
        }
        return this.platform.stop(id);
      }
    }
  }
}
