/**
 * The API contract (DESIGN.md §3): one endpoint, `POST /execute`, with an `action`.
 * Types for requests and responses, the limits, and the validation every backend applies.
 */
import { invalid, MycliError } from './errors';
import { branchNameProblem } from './refName';
import { classifyRepoUrl, LOCAL_ONLY_KINDS, redactRepoUrl, RepoKind } from './repoUrl';
import { ExecutionStatus, isStatus } from './status';

export const LIMITS = {
  /** Largest request body accepted, in bytes. */
  bodyBytes: 64 * 1024,
  /** ECS caps a task's container overrides at 8 KiB: command and env must fit in it together. */
  commandBytes: 4096,
  envCount: 50,
  envBytes: 3072,
  timeoutDefault: 3600,
  timeoutMax: 43200,
  workdirLength: 256,
  imageLength: 255,
  logsLimitDefault: 1000,
  logsLimitMax: 10000,
  logsWaitMaxMs: 20_000,
  listLimitDefault: 50,
  listLimitMax: 500,
} as const;

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const RESERVED_ENV_PREFIXES = ['MYCLI_', 'AWS_', 'ECS_'] as const;
/** Names the executor reads itself: letting a run override them would change what is cloned or leak credentials. */
export const RESERVED_ENV_NAMES = new Set([
  'REPO_URL', 'REPO_BRANCH', 'USER_COMMAND', 'WORKDIR', 'TIMEOUT_SECONDS', 'KILL_GRACE_SECONDS', 'GIT_DEPTH',
  'GITHUB_TOKEN', 'GITLAB_TOKEN', 'SSH_PRIVATE_KEY', 'GIT_ASKPASS', 'GIT_SSH_COMMAND', 'GIT_ALLOW_PROTOCOL',
]);

export type Action = 'exec' | 'status' | 'logs' | 'list' | 'kill';
export const ACTIONS: readonly Action[] = ['exec', 'status', 'logs', 'list', 'kill'];

export interface ExecRequest {
  repo: string;
  branch?: string;
  command: string;
  image?: string;
  env?: Record<string, string>;
  timeout_seconds?: number;
  workdir?: string;
}

export interface ExecResponse {
  execution_id: string;
  task_arn?: string;
  status: ExecutionStatus;
  log_group?: string;
  log_stream?: string;
  created_at: string;
  image?: string;
  /** Queued behind this many runs (a backend that limits how many run at once). */
  queue_position?: number;
}

export interface ExecutionInfo {
  execution_id: string;
  status: ExecutionStatus;
  exit_code: number | null;
  created_at: string;
  started_at: string | null;
  stopped_at: string | null;
  stopped_reason: string | null;
  repo: string;
  branch: string | null;
  command: string;
  image: string | null;
  timeout_seconds: number;
  workdir: string | null;
  backend: string;
}

/** Where a log event's bytes came from: the command's two streams, or mycli's own progress and diagnostics. */
export type LogStream = 'stdout' | 'stderr' | 'mycli';
export const LOG_STREAMS: readonly LogStream[] = ['stdout', 'stderr', 'mycli'];

/**
 * One chunk of an execution's output, exactly as it was written: no newline added or removed,
 * a line may span several events and an event may hold several lines. Clients turn events
 * back into bytes with `eventBytes` (src/client/logEvents.ts).
 */
export interface LogEvent {
  /** Milliseconds since the epoch, when the chunk was read from the command. */
  timestamp: number;
  stream: LogStream;
  /** The chunk's bytes as UTF-8 text, or as base64 when `encoding` is "base64". */
  message: string;
  /** Present when the chunk is not valid UTF-8 (binary output): `message` is then base64. */
  encoding?: 'base64';
}

export interface LogsResponse {
  execution_id: string;
  events: LogEvent[];
  next_token: string;
  complete: boolean;
  /** The backend held the request open as `wait_ms` asked (a backend that can watch its logs). */
  waited?: boolean;
}

export interface ListResponse {
  executions: ExecutionInfo[];
}

export interface KillResponse {
  execution_id: string;
  status: ExecutionStatus;
}

export interface LogsRequest {
  execution_id: string;
  next_token?: string;
  limit?: number;
  /**
   * When there is nothing new yet, wait up to this long for it before answering (a follower's
   * long poll). Backends that cannot watch their logs answer at once, without `waited`.
   */
  wait_ms?: number;
}

export interface ListRequest {
  limit?: number;
  status?: ExecutionStatus;
}

/** What a backend accepts beyond the common contract. */
export interface ValidationPolicy {
  /** The local platform also clones from local paths, file://, http:// and git://. */
  allowLocalRepos: boolean;
}

type Body = Record<string, unknown>;

function optionalString(body: Body, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(`"${field}" must be a string`, field);
  return v;
}

function requiredString(body: Body, field: string, hint: string): string {
  const v = optionalString(body, field);
  if (v === undefined || v.trim() === '') throw invalid(`"${field}" is required: ${hint}`, field);
  return v;
}

function optionalInteger(body: Body, field: string, min: number, max: number): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalid(`"${field}" must be a whole number from ${min} to ${max}, not ${JSON.stringify(v)}`, field);
  }
  return v;
}

export function checkRepo(repo: string, policy: ValidationPolicy): RepoKind {
  const result = classifyRepoUrl(repo);
  if ('problem' in result) throw invalid(`repo "${redactRepoUrl(repo)}" ${result.problem}`, 'repo');
  if (!policy.allowLocalRepos && LOCAL_ONLY_KINDS.includes(result.kind)) {
    throw invalid(
      `repo "${repo}" is a ${result.kind === 'path' || result.kind === 'file' ? 'local path' : result.kind + ':// URL'}, which only the local backend can clone; use an https:// or ssh URL`,
      'repo',
    );
  }
  return result.kind;
}

export function checkBranch(branch: string): void {
  const problem = branchNameProblem(branch);
  if (problem) throw invalid(`branch "${branch}" is not a valid Git branch name: it ${problem}`, 'branch');
}

export function checkEnvName(name: string): void {
  if (!ENV_NAME.test(name)) {
    throw invalid(`env name "${name}" is invalid: use letters, digits and _, not starting with a digit`, 'env');
  }
  const prefix = RESERVED_ENV_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) throw invalid(`env name "${name}" is reserved: names starting with ${prefix} are set by mycli or the platform`, 'env');
  if (RESERVED_ENV_NAMES.has(name)) {
    throw invalid(`env name "${name}" is reserved by the mycli executor; Git credentials are configured on the backend, not per run`, 'env');
  }
}

export function checkEnv(env: unknown): Record<string, string> {
  if (typeof env !== 'object' || env === null || Array.isArray(env)) throw invalid('"env" must be an object of NAME: value', 'env');
  const entries = Object.entries(env as Record<string, unknown>);
  if (entries.length > LIMITS.envCount) throw invalid(`"env" has ${entries.length} variables; at most ${LIMITS.envCount} are allowed`, 'env');
  let bytes = 0;
  const out: Record<string, string> = {};
  for (const [name, value] of entries) {
    checkEnvName(name);
    if (typeof value !== 'string') throw invalid(`env "${name}" must be a string (quote numbers and booleans in YAML)`, 'env');
    if (value.includes('\0')) throw invalid(`env "${name}" contains a NUL character`, 'env');
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value) + 2;
    out[name] = value;
  }
  if (bytes > LIMITS.envBytes) throw invalid(`"env" totals ${bytes} bytes; at most ${LIMITS.envBytes} are allowed`, 'env');
  return out;
}

export function checkWorkdir(workdir: string): string {
  const trimmed = workdir.replace(/(.)\/+$/, '$1');
  if (trimmed === '' || trimmed === '.') return '';
  if (trimmed.length > LIMITS.workdirLength) throw invalid(`workdir is longer than ${LIMITS.workdirLength} characters`, 'workdir');
  if (trimmed.startsWith('/')) throw invalid(`workdir "${workdir}" must be a path relative to the repository root, not absolute`, 'workdir');
  if (trimmed.split('/').some((p) => p === '..')) throw invalid(`workdir "${workdir}" must stay inside the repository (no ".." parts)`, 'workdir');
  if (/[\x00-\x1f\x7f\\]/.test(trimmed) || trimmed.startsWith('-')) throw invalid(`workdir "${workdir}" contains characters mycli does not accept`, 'workdir');
  return trimmed;
}

export function checkImage(image: string): void {
  if (image.length > LIMITS.imageLength || !/^[a-z0-9][a-z0-9._\-/:@]*$/i.test(image)) {
    throw invalid(`image "${image}" is not a valid container image reference (e.g. python:3.12 or public.ecr.aws/org/image:tag)`, 'image');
  }
}

export function checkCommand(command: string): void {
  if (command.trim() === '') throw invalid('"command" is empty: give the shell command to run', 'command');
  if (command.includes('\0')) throw invalid('"command" contains a NUL character', 'command');
  const bytes = Buffer.byteLength(command);
  if (bytes > LIMITS.commandBytes) throw invalid(`"command" is ${bytes} bytes; at most ${LIMITS.commandBytes} are allowed (put long scripts in the repository)`, 'command');
}

export function validateExecRequest(body: Body, policy: ValidationPolicy): ExecRequest {
  const repo = requiredString(body, 'repo', 'the Git repository URL to clone');
  checkRepo(repo, policy);
  const command = optionalString(body, 'command');
  if (command === undefined) throw invalid('"command" is required: give the shell command to run', 'command');
  checkCommand(command);
  const req: ExecRequest = { repo, command };
  const branch = optionalString(body, 'branch');
  if (branch !== undefined && branch !== '') {
    checkBranch(branch);
    req.branch = branch;
  }
  const image = optionalString(body, 'image');
  if (image !== undefined && image !== '') {
    checkImage(image);
    req.image = image;
  }
  if (body.env !== undefined && body.env !== null) req.env = checkEnv(body.env);
  const timeout = optionalInteger(body, 'timeout_seconds', 1, LIMITS.timeoutMax);
  req.timeout_seconds = timeout ?? LIMITS.timeoutDefault;
  const workdir = optionalString(body, 'workdir');
  if (workdir !== undefined) {
    const w = checkWorkdir(workdir);
    if (w) req.workdir = w;
  }
  return req;
}

const EXECUTION_ID = /^[A-Za-z0-9][A-Za-z0-9:/._-]{0,255}$/;

export function validateExecutionId(body: Body): string {
  const id = requiredString(body, 'execution_id', 'the id printed by "mycli exec" or shown by "mycli list"');
  if (!EXECUTION_ID.test(id)) throw invalid(`execution_id "${id}" is not a valid execution id`, 'execution_id');
  return id;
}

export function validateLogsRequest(body: Body): LogsRequest {
  const req: LogsRequest = { execution_id: validateExecutionId(body) };
  const token = optionalString(body, 'next_token');
  if (token) req.next_token = token;
  req.limit = optionalInteger(body, 'limit', 1, LIMITS.logsLimitMax) ?? LIMITS.logsLimitDefault;
  const wait = optionalInteger(body, 'wait_ms', 0, LIMITS.logsWaitMaxMs);
  if (wait) req.wait_ms = wait;
  return req;
}

export function validateListRequest(body: Body): ListRequest {
  const req: ListRequest = { limit: optionalInteger(body, 'limit', 1, LIMITS.listLimitMax) ?? LIMITS.listLimitDefault };
  const status = body.status;
  if (status !== undefined && status !== null) {
    if (!isStatus(status)) throw invalid(`"status" must be one of PENDING, STARTING, RUNNING, SUCCEEDED, FAILED, STOPPED, TIMED_OUT`, 'status');
    req.status = status;
  }
  return req;
}

export function parseAction(body: unknown): { action: Action; body: Body } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('the request body must be a JSON object');
  const b = body as Body;
  if (typeof b.action !== 'string' || !(ACTIONS as readonly string[]).includes(b.action)) {
    throw invalid(`"action" must be one of ${ACTIONS.join(', ')}`, 'action');
  }
  return { action: b.action as Action, body: b };
}

export function isErrorBody(x: unknown): x is { error: { code: string; message: string; field?: string } } {
  return typeof x === 'object' && x !== null && typeof (x as { error?: { message?: unknown } }).error?.message === 'string';
}

export function errorFromBody(status: number, body: unknown): MycliError {
  if (isErrorBody(body)) {
    return new MycliError((body.error.code as MycliError['code']) ?? 'backend_error', body.error.message, body.error.field, status);
  }
  return new MycliError('backend_error', `the backend answered HTTP ${status} without an error message`, undefined, status);
}
