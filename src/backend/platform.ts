/** The provider-neutral interface the orchestrator drives; `local` and `aws` implement it. */
import type { ExecRequest, ExecResponse, ExecutionInfo, KillResponse, ListRequest, LogsRequest, LogsResponse, ValidationPolicy } from '../shared/contract';

/** What a run gets besides its request, from an in-process caller only (it cannot travel over HTTP). */
export interface RunInput {
  /** An open descriptor whose data becomes the command's stdin (e.g. the CLI's own piped stdin). */
  stdinFd?: number;
}

export interface Platform {
  readonly name: 'local' | 'aws';
  /** What this platform accepts beyond the common contract. */
  readonly policy: ValidationPolicy;
  /** `input` is honoured by platforms that can (local); others ignore it. */
  start(executionId: string, request: ExecRequest, input?: RunInput): Promise<ExecResponse>;
  /** Throws a not_found MycliError for an unknown id. */
  status(executionId: string): Promise<ExecutionInfo>;
  logs(request: LogsRequest): Promise<LogsResponse>;
  /** Newest first. */
  list(request: ListRequest): Promise<ExecutionInfo[]>;
  stop(executionId: string): Promise<KillResponse>;
  /**
   * Resolves once the execution's log or state may have changed, at the latest after `maxMs`:
   * a follower waits on this instead of a fixed poll (platforms that can watch their state).
   * `since`: a changeMark taken before the caller read; any change after it resolves at once.
   */
  waitForChange?(executionId: string, maxMs: number, since?: number): Promise<void>;
  /** Where the execution's log and state are now, for a later waitForChange (with waitForChange). */
  changeMark?(executionId: string): number;
  /** A start is coming from this process, with this input: get ready ahead of it (local). */
  prepareStart?(stdinFd?: number): void;
}
