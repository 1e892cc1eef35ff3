/** The API over HTTP(S): `POST <endpoint>` with a Bearer key (the endpoint ends in /execute). */
import { errorFromBody } from '../shared/contract';
import { MycliError } from '../shared/errors';
import { ActionClient } from './apiClient';
import { HttpAnswer, NoAnswer, NotDelivered, postJson } from './httpPost';

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

export interface HttpClientOptions {
  /** Told when the client waits: a busy backend (429), or a server it cannot reach for a moment. */
  onWait?: (message: string) => void;
  /** A server that does not accept a connection for this long is reported as gone. Default 5 s. */
  goneAfterMs?: number;
  /** How long to wait in line for a busy backend before giving up. Default 30 min. */
  busyWaitMs?: number;
  connectTimeoutMs?: number;
  /** Time for the answer to a read (status, logs, list). Default 30 s. */
  readTimeoutMs?: number;
  /** Time for the answer to exec and kill, which the server may take a while over. Default 5 min. */
  actTimeoutMs?: number;
}

/** Gateway errors and throttling: a read is tried again; exec and kill may have been acted on, so only 429 is. */
const RETRIABLE_READ = new Set([429, 502, 503, 504]);
const READ_ATTEMPTS = 4;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function retryAfterMs(answer: HttpAnswer, fallbackMs: number): number {
  const value = Number(answer.headers['retry-after']);
  return Number.isFinite(value) && value >= 0 ? Math.min(value * 1000, 60_000) : fallbackMs;
}

export class HttpClient extends ActionClient {
  readonly target: string;
  /** Each poll of a cloud backend is a Lambda call and a CloudWatch read, which are rate limited. */
  readonly pollIntervalMs: number;
  private readonly url: URL;
  private readonly o: Required<Omit<HttpClientOptions, 'onWait'>> & Pick<HttpClientOptions, 'onWait'>;

  constructor(endpoint: string, private readonly apiKey: string, options: HttpClientOptions = {}) {
    super();
    this.target = normalizeEndpoint(endpoint);
    this.url = new URL(this.target);
    this.pollIntervalMs = ['127.0.0.1', 'localhost', '[::1]'].includes(this.url.hostname) ? 100 : 1000;
    this.o = { goneAfterMs: 5000, busyWaitMs: 30 * 60_000, connectTimeoutMs: 4000, readTimeoutMs: 30_000, actTimeoutMs: 5 * 60_000, ...options };
  }

  protected async send<T>(body: Record<string, unknown>): Promise<T> {
    const acts = body.action === 'exec' || body.action === 'kill';
    const payload = JSON.stringify(body);
    const began = Date.now();
    let unreachableSince: number | undefined;
    let toldBusy = false;
    for (let attempt = 1; ; attempt++) {
      let answer: HttpAnswer;
      try {
        answer = await postJson(this.url, payload, {
          headers: { authorization: `Bearer ${this.apiKey}` },
          connectTimeoutMs: this.o.connectTimeoutMs,
          answerTimeoutMs: acts ? this.o.actTimeoutMs : this.o.readTimeoutMs,
          fresh: acts,
        });
      } catch (err) {
        if (err instanceof NotDelivered) {
          // Nothing reached the server, so trying again is safe for every action: it may be restarting.
          unreachableSince ??= Date.now();
          if (Date.now() - unreachableSince < this.o.goneAfterMs) {
            await sleep(Math.min(250 * 2 ** Math.min(attempt, 4), 1000));
            continue;
          }
          throw new MycliError('unavailable', `cannot reach the mycli API at ${this.target}: ${err.message} (is the server running? for mycli serve, start it again)`);
        }
        if (err instanceof NoAnswer && !acts && attempt < READ_ATTEMPTS) {
          await sleep(250 * 2 ** attempt);
          continue;
        }
        const what = body.action === 'exec' ? 'the run may have started: "mycli list" shows it' : body.action === 'kill' ? 'the stop may have been taken: "mycli status" tells' : '';
        throw new MycliError('unavailable', `the mycli API at ${this.target} did not answer: ${(err as Error).message}${what ? `; ${what}` : ''}`);
      }
      unreachableSince = undefined;
      let parsed: unknown;
      try {
        parsed = answer.text ? JSON.parse(answer.text) : undefined;
      } catch {
        parsed = undefined;
      }
      if (answer.status >= 200 && answer.status < 300 && parsed !== undefined) return parsed as T;
      if (answer.status === 429 && Date.now() - began < this.o.busyWaitMs) {
        // Refused, not taken: waiting in line and asking again runs nothing twice.
        if (!toldBusy) this.o.onWait?.(`the backend is busy (${errorFromBody(429, parsed).message}); waiting to ${body.action === 'exec' ? 'start' : 'ask again'}`);
        toldBusy = true;
        await sleep(retryAfterMs(answer, Math.min(500 * 2 ** Math.min(attempt, 5), 10_000)));
        continue;
      }
      if (!acts && RETRIABLE_READ.has(answer.status) && attempt < READ_ATTEMPTS) {
        await sleep(retryAfterMs(answer, 250 * 2 ** attempt));
        continue;
      }
      if (answer.status >= 200 && answer.status < 300) throw new MycliError('backend_error', `the mycli API at ${this.target} answered with a body that is not JSON`);
      throw errorFromBody(answer.status, parsed);
    }
  }
}
