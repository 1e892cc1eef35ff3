/** Reads an execution's log from the start (or a token) to the end, waiting for new lines while it runs. */
import type { LogEvent } from '../shared/contract';
import { type ApiClient, waitForChange } from './apiClient';

export interface FollowOptions {
  /** Keep waiting for new lines until the execution ends (false: print what there is and return). */
  follow: boolean;
  nextToken?: string;
  /** Poll interval while nothing new arrives (default: the client's). */
  idleMs?: number;
  signal?: AbortSignal;
}

export interface FollowResult {
  nextToken: string;
  complete: boolean;
}

export async function followLogs(
  client: ApiClient,
  executionId: string,
  onEvents: (events: LogEvent[]) => void | Promise<void>,
  opts: FollowOptions,
): Promise<FollowResult> {
  const idle = opts.idleMs ?? client.pollIntervalMs;
  let token = opts.nextToken;
  for (;;) {
    if (opts.signal?.aborted) return { nextToken: token ?? '', complete: false };
    const page = await client.logs({ execution_id: executionId, next_token: token, limit: 10000 });
    if (page.events.length) await onEvents(page.events);
    const moved = page.next_token !== token;
    token = page.next_token;
    if (page.complete) return { nextToken: token, complete: true };
    if (!opts.follow && !page.events.length) return { nextToken: token, complete: false };
    if (!moved || !page.events.length) await waitForChange(client, executionId, idle);
  }
}
