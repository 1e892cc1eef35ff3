/** One client interface for both ways of reaching a backend: over HTTP, or in-process (local). */
import { isTerminal } from '../shared/status';
import type { ExecRequest, ExecResponse, ExecutionInfo, KillResponse, ListRequest, ListResponse, LogsRequest, LogsResponse } from '../shared/contract';

/** Input for a run that only an in-process backend can take (see ApiClient.takesInput). */
export interface ExecInput {
  /** An open descriptor (e.g. 0, a piped stdin) whose data becomes the command's stdin. */
  stdinFd?: number;
}

export interface ApiClient {
  /** Where requests go, for messages: "local" or the endpoint URL. */
  readonly target: string;
  /** How long a log follower waits before asking again when nothing new arrived. */
  readonly pollIntervalMs: number;
  /** Whether `exec` passes ExecInput (stdin) on to the command; over HTTP it cannot. */
  readonly takesInput: boolean;
  exec(req: ExecRequest, input?: ExecInput): Promise<ExecResponse>;
  status(executionId: string): Promise<ExecutionInfo>;
  logs(req: LogsRequest): Promise<LogsResponse>;
  list(req?: ListRequest): Promise<ListResponse>;
  kill(executionId: string): Promise<KillResponse>;
  /** Resolves once the execution may have changed, at the latest after `maxMs` (clients that can watch it). */
  waitForChange?(executionId: string, maxMs: number): Promise<void>;
  /** An exec with this input comes next from this process: the backend may get ready ahead of it. */
  prepareExec?(input?: ExecInput): void;
}

/** Waits for `executionId` to change as well as `client` can tell, at most `maxMs`. */
export function waitForChange(client: ApiClient, executionId: string, maxMs: number): Promise<void> {
  return client.waitForChange ? client.waitForChange(executionId, maxMs) : new Promise((r) => setTimeout(r, maxMs));
}

/**
 * The execution's status once it has ended (a log can be complete a moment before the status
 * says so), waking on the platform's changes where the client can watch them; undefined if
 * `signal` aborts first.
 */
export async function waitForEnd(client: ApiClient, executionId: string, signal?: AbortSignal): Promise<ExecutionInfo | undefined> {
  let info = await client.status(executionId);
  while (!isTerminal(info.status)) {
    if (signal?.aborted) return undefined;
    await waitForChange(client, executionId, client.pollIntervalMs);
    info = await client.status(executionId);
  }
  return info;
}

/** Shared by both clients: each action is one body sent to `POST /execute`. */
export abstract class ActionClient implements ApiClient {
  abstract readonly target: string;
  abstract readonly pollIntervalMs: number;
  readonly takesInput: boolean = false;
  protected abstract send<T>(body: Record<string, unknown>, input?: ExecInput): Promise<T>;

  exec(req: ExecRequest, input?: ExecInput): Promise<ExecResponse> {
    return this.send({ action: 'exec', ...req }, input);
  }
  status(executionId: string): Promise<ExecutionInfo> {
    return this.send({ action: 'status', execution_id: executionId });
  }
  logs(req: LogsRequest): Promise<LogsResponse> {
    return this.send({ action: 'logs', ...req });
  }
  list(req: ListRequest = {}): Promise<ListResponse> {
    return this.send({ action: 'list', ...req });
  }
  kill(executionId: string): Promise<KillResponse> {
    return this.send({ action: 'kill', execution_id: executionId });
  }
}
