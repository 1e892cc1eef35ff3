/**
 * The HTTP face of the orchestrator, independent of any server: the local `mycli serve`
 * server and the Lambda adapter both turn their requests into an ApiRequest and call this.
 */
import { LIMITS } from '../shared/contract';
import { asThrottled, errorMessage, MycliError } from '../shared/errors';
import type { Orchestrator } from './orchestrator';
// node:crypto loads when a key is checked: the CLI, which bundles this, starts without OpenSSL's set-up
import { loadCrypto } from '../shared/lazyCrypto';

export interface ApiRequest {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  body: string;
}

export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

function reply(statusCode: number, body: unknown): ApiResponse {
  return { statusCode, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}


function digest(value: string): Buffer {
  return loadCrypto().createHash('sha256').update(value).digest();
}

/** The expected API key, or only its SHA-256 (hex): the aws stack holds nothing but the hash. */
export type ExpectedApiKey = string | { sha256Hex: string };

/** Constant-time comparison of the presented key with the expected one. */
export function apiKeyMatches(presented: string | undefined, expected: ExpectedApiKey): boolean {
  if (presented === undefined) return false;
  const want = typeof expected === 'string' ? digest(expected) : Buffer.from(expected.sha256Hex, 'hex');
  return want.length === 32 && loadCrypto().timingSafeEqual(digest(presented), want);
}

export function presentedApiKey(headers: Record<string, string | undefined>): string | undefined {
  const auth = headers['authorization'];
  if (auth && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim();
  return headers['x-api-key'];
}

export function lowerCaseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = Array.isArray(v) ? v[0] : v;
  return out;
}

export async function routeApiRequest(req: ApiRequest, orchestrator: Orchestrator, apiKey: ExpectedApiKey): Promise<ApiResponse> {
  try {
    const path = req.path.split('?')[0]!.replace(/\/+$/, '');
    if (!path.endsWith('/execute')) throw new MycliError('not_found', `no such endpoint ${req.path}: send POST /execute`);
    if (req.method.toUpperCase() !== 'POST') throw new MycliError('invalid_request', `${req.method} is not supported: send POST /execute`, undefined, 405);
    if (!apiKeyMatches(presentedApiKey(req.headers), apiKey)) {
      throw new MycliError('unauthorized', 'missing or wrong API key: send "Authorization: Bearer <key>" with the key of this backend');
    }
    if (Buffer.byteLength(req.body) > LIMITS.bodyBytes) {
      throw new MycliError('payload_too_large', `the request body is larger than ${LIMITS.bodyBytes} bytes`);
    }
    let body: unknown;
    try {
      body = JSON.parse(req.body);
    } catch {
      throw new MycliError('invalid_request', 'the request body is not valid JSON');
    }
    return reply(200, await orchestrator.handle(body));
  } catch (caught) {
    const err = asThrottled(caught) ?? caught;
    if (err instanceof MycliError) {
      const out = reply(err.httpStatus, err.toBody());
      if (err.retryAfterSeconds !== undefined) out.headers['retry-after'] = String(err.retryAfterSeconds);
      return out;
    }
    return reply(500, { error: { code: 'backend_error', message: `internal error: ${errorMessage(err)}` } });
  }
}
