/** The API over HTTP(S): `POST <endpoint>` with a Bearer key (the endpoint ends in /execute). */
import { errorFromBody } from '../shared/contract';
import { MycliError } from '../shared/errors';
import { ActionClient } from './apiClient';

export function normalizeEndpoint(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new MycliError('config_error', `API endpoint "${endpoint}" is not a URL: use e.g. https://abc.execute-api.us-east-1.amazonaws.com/prod/execute`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new MycliError('config_error', `API endpoint "${endpoint}" must start with https:// or http://`);
  if (!url.pathname.replace(/\/+$/, '').endsWith('/execute')) url.pathname = url.pathname.replace(/\/+$/, '') + '/execute';
  return url.toString();
}

const RETRIABLE = new Set([429, 502, 503, 504]);

export class HttpClient extends ActionClient {
  readonly target: string;
  /** Each poll of a cloud backend is a Lambda call and a CloudWatch read, which are rate limited. */
  readonly pollIntervalMs: number;

  constructor(endpoint: string, private readonly apiKey: string, private readonly timeoutMs = 30000) {
    super();
    this.target = normalizeEndpoint(endpoint);
    this.pollIntervalMs = ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(this.target).hostname) ? 100 : 1000;
  }

  protected async send<T>(body: Record<string, unknown>): Promise<T> {
    // Reads are retried on throttling and gateway errors; exec and kill are not, so nothing runs twice.
    const attempts = body.action === 'exec' || body.action === 'kill' ? 1 : 4;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(this.target, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${this.apiKey}` },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        if (attempt < attempts) {
          await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
          continue;
        }
        throw new MycliError('unavailable', `cannot reach the mycli API at ${this.target}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
      }
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      if (res.ok && parsed !== undefined) return parsed as T;
      if (RETRIABLE.has(res.status) && attempt < attempts) {
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
        continue;
      }
      if (res.ok) throw new MycliError('backend_error', `the mycli API at ${this.target} answered with a body that is not JSON`);
      throw errorFromBody(res.status, parsed);
    }
  }
}
