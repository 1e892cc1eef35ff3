/** The provider-neutral interface the orchestrator drives; `local` and `aws` implement it. */
import type { ExecRequest, ExecResponse, ExecutionInfo, KillResponse, ListRequest, LogsRequest, LogsResponse, ValidationPolicy } from '../shared/contract';

export interface Platform {
  readonly name: 'local' | 'aws';
  /** What this platform accepts beyond the common contract. */
  readonly policy: ValidationPolicy;
  start(executionId: string, request: ExecRequest): Promise<ExecResponse>;
  /** Throws a not_found MycliError for an unknown id. */
  status(executionId: string): Promise<ExecutionInfo>;
  logs(request: LogsRequest): Promise<LogsResponse>;
  /** Newest first. */
  list(request: ListRequest): Promise<ExecutionInfo[]>;
  stop(executionId: string): Promise<KillResponse>;
}
