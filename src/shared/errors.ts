/** The one error type of mycli: carries the HTTP status and a machine-readable code, so the
 * same error can be thrown by the orchestrator, sent over the API and shown by a client. */
export type ErrorCode =
  | 'invalid_request'
  | 'unauthorized'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'rate_limited'
  | 'backend_error'
  | 'config_error'
  | 'unavailable';

const httpStatusOf: Record<ErrorCode, number> = {
  invalid_request: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  backend_error: 500,
  config_error: 400,
  unavailable: 503,
};

export class MycliError extends Error {
  readonly httpStatus: number;
  /** For 429 and 503: how many seconds the client should wait before trying again (Retry-After). */
  retryAfterSeconds?: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    httpStatus?: number,
  ) {
    super(message);
    this.name = 'MycliError';
    this.httpStatus = httpStatus ?? httpStatusOf[code];
  }

  toBody(): { error: { code: string; message: string; field?: string } } {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}

export const invalid = (message: string, field?: string): MycliError =>
  new MycliError('invalid_request', message, field);

export const configError = (message: string, field?: string): MycliError =>
  new MycliError('config_error', message, field);

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Seconds a client waits before asking again after a service the backend calls rate-limited it. */
const THROTTLED_RETRY_SECONDS = 2;

/**
 * A rate limit hit by the backend in a service it calls (the AWS SDK v3 marks such errors
 * `$retryable.throttling` once its own retries are spent: ECS, CloudWatch Logs, DynamoDB), as a
 * 429 the client tries again after a pause; undefined for any other error.
 */
export function asThrottled(err: unknown): MycliError | undefined {
  const e = err as { name?: string; $retryable?: { throttling?: boolean }; $metadata?: { httpStatusCode?: number } } | null;
  if (!e || typeof e !== 'object' || (e.$retryable?.throttling !== true && e.$metadata?.httpStatusCode !== 429)) return undefined;
  const out = new MycliError('rate_limited', `the backend is being rate-limited by its cloud services (${e.name ?? 'throttled'}); mycli tries a read again by itself, or try again in a moment`);
  out.retryAfterSeconds = THROTTLED_RETRY_SECONDS;
  return out;
}
