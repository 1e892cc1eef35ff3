/** One JSON POST over node:http(s), telling apart a request that never reached the server from one that may have. */
import type * as Http from 'node:http';
import type * as Https from 'node:https';

export interface HttpAnswer {
  status: number;
  headers: Http.IncomingHttpHeaders;
  text: string;
}

/**
 * The request never reached the server (refused, no route, name not found, connect timeout):
 * trying again cannot run anything twice.
 */
export class NotDelivered extends Error {}
/** The request went out and the answer did not come back (reset, timeout): it may have been acted on. */
export class NoAnswer extends Error {}

const NOT_DELIVERED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/** node:http(s), loaded when first needed: a CLI that talks to the local backend never does. */
let transport: { http: typeof Http; https: typeof Https; keepAlive: { http: Http.Agent; https: Https.Agent } } | undefined;
function loadTransport(): NonNullable<typeof transport> {
  if (transport) return transport;
  /* eslint-disable @typescript-eslint/no-require-imports */
  const http = require('node:http') as typeof Http;
  const https = require('node:https') as typeof Https;
  /* eslint-enable @typescript-eslint/no-require-imports */
  return (transport = { http, https, keepAlive: { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) } });
}

export interface PostOptions {
  headers: Record<string, string>;
  /** Connecting must take no longer than this. */
  connectTimeoutMs: number;
  /** Once connected, the whole answer must come within this. */
  answerTimeoutMs: number;
  /**
   * A fresh connection, for requests that must not be sent twice: a pooled keep-alive socket
   * the server has just closed fails after the request went out, and then no one knows.
   */
  fresh: boolean;
}

export function postJson(url: URL, payload: string, opts: PostOptions): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const { http, https, keepAlive } = loadTransport();
    const tls = url.protocol === 'https:';
    const agent = opts.fresh ? false : tls ? keepAlive.https : keepAlive.http;
    const req = (tls ? https : http).request(url, {
      method: 'POST',
      agent,
      headers: { ...opts.headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) },
    });
    let connected = false;
    req.on('socket', (socket) => {
      if (!socket.connecting) {
        connected = true;
        return;
      }
      const timer = setTimeout(() => req.destroy(new NotDelivered(`no connection within ${opts.connectTimeoutMs / 1000} s`)), opts.connectTimeoutMs);
      socket.once('connect', () => {
        connected = true;
        clearTimeout(timer);
      });
      socket.once('close', () => clearTimeout(timer));
    });
    req.setTimeout(opts.answerTimeoutMs, () => req.destroy(new NoAnswer(`no answer within ${opts.answerTimeoutMs / 1000} s`)));
    req.on('response', (res) => {
      // decoded as it comes: a page of the log is never also held whole as one large buffer,
      // which malloc keeps (a client following a long log would grow by it)
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', (err) => reject(new NoAnswer(err.message)));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof NotDelivered || err instanceof NoAnswer) return reject(err);
      const code = err.code ?? err.message;
      reject(!connected && NOT_DELIVERED.has(err.code ?? '') ? new NotDelivered(code) : new NoAnswer(code));
    });
    req.end(payload);
  });
}
