/** Reads an execution's log from the start (or a token) to the end, waiting for new lines while it runs. */
import type { LogEvent } from '../shared/contract';
import { type ApiClient, waitForChange } from './apiClient';

/** How long a backend over HTTP may hold a follower's request open waiting for more output. */
export const LONG_POLL_MS = 10_000;

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
  let caughtUp = false;
  for (;;) {
    if (opts.signal?.aborted) return { nextToken: token ?? '', complete: false };
    // Caught up with a backend it cannot watch from here: the backend waits for more, if it can.
    const wait = opts.follow && caughtUp && !client.waitForChange ? LONG_POLL_MS : 0;
    const page = await client.logs({ execution_id: executionId, next_token: token, limit: 10000, ...(wait ? { wait_ms: wait } : {}) });
    if (page.events.length) await onEvents(page.events);
    const moved = page.next_token !== token;
    token = page.next_token;
    if (page.complete) return { nextToken: token, complete: true };
    if (!opts.follow && !page.events.length) return { nextToken: token, complete: false };
    caughtUp = !moved || !page.events.length;
    if (caughtUp && !page.waited) await waitForChange(client, executionId, idle);
  }
}
