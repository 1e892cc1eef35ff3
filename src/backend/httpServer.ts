/** `mycli serve`: the orchestrator over HTTP on 127.0.0.1. */
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LIMITS } from '../shared/contract';
import { MycliError } from '../shared/errors';
import type { Orchestrator } from './orchestrator';
import { lowerCaseHeaders, routeApiRequest } from './router';

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= LIMITS.bodyBytes + 1) chunks.push(c);
    });
    req.on('end', () => resolve(size > LIMITS.bodyBytes ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const CLOSE_GRACE_MS = 5000;

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startApiServer(orchestrator: Orchestrator, apiKey: string, port: number, host = '127.0.0.1'): Promise<RunningServer> {
  const server = createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const out = await routeApiRequest(
        // An oversized body is cut to one byte over the limit so the router answers 413.
        { method: req.method ?? 'GET', path: req.url ?? '/', headers: lowerCaseHeaders(req.headers), body: body ?? 'x'.repeat(LIMITS.bodyBytes + 1) },
        orchestrator,
        apiKey,
      );
      res.writeHead(out.statusCode, out.headers).end(out.body);
    } catch {
      if (!res.headersSent) res.writeHead(500).end();
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EACCES'
          ? new MycliError('unavailable', `cannot listen on ${host}:${port} (${err.code}): pick another port with --port, or 0 for any free one`)
          : err,
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host}:${actual}/execute`,
    // Requests in flight are answered (an exec the server took must reach its client); idle
    // keep-alive connections close at once, and anything still open after a few seconds is cut.
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
    }),
  };
}
