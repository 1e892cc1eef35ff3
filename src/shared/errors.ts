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
