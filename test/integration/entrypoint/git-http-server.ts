// A tiny smart-HTTP Git server for the entrypoint tests: node http + `git http-backend`
// as CGI, with optional basic auth. It listens on 127.0.0.1 only. Because it accepts
// absolute request URLs, it also works as a plain HTTP proxy (http_proxy=...), which lets
// a test clone "http://github.example/..." without DNS.
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  host: string;
  path: string;
  username: string | null;
  authorized: boolean;
}

export interface GitHttpServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** accepted passwords; empty = no auth required */
  passwords: string[];
  /** when true, requests are accepted but never answered */
  stall: boolean;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

function parseBasic(header: string | undefined): { user: string; pass: string } | null {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? { user: decoded, pass: '' } : { user: decoded.slice(0, i), pass: decoded.slice(i + 1) };
}

export async function startGitHttpServer(projectRoot: string): Promise<GitHttpServer> {
  const requests: SeenRequest[] = [];
  const state = { passwords: [] as string[], stall: false };

  const server = http.createServer((req, res) => {
    const target = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const creds = parseBasic(req.headers.authorization);
    const authorized = state.passwords.length === 0 || (creds !== null && state.passwords.includes(creds.pass));
    requests.push({ host: target.host, path: target.pathname, username: creds?.user ?? null, authorized });
    if (state.stall) return;
    if (!authorized) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"', 'Content-Type': 'text/plain' });
      res.end('authentication required\n');
      return;
    }

    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      GATEWAY_INTERFACE: 'CGI/1.1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(target.pathname),
      QUERY_STRING: target.search.replace(/^\?/, ''),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_ADDR: '127.0.0.1',
      REMOTE_USER: creds?.user ?? '',
    };
    if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
    if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = String(req.headers['content-encoding']);
    if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);

    const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    req.pipe(cgi.stdin);
    cgi.stdin.on('error', () => undefined);

    let head = Buffer.alloc(0);
    let headersDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const name = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (name.toLowerCase() === 'status') status = parseInt(value, 10) || 500;
        else res.setHeader(name, value);
      }
      res.writeHead(status);
      res.write(head.subarray(end + 4));
    });
    cgi.on('close', () => {
      if (!headersDone) res.writeHead(500);
      res.end();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    get passwords() {
      return state.passwords;
    },
    set passwords(v: string[]) {
      state.passwords = v;
    },
    get stall() {
      return state.stall;
    },
    set stall(v: boolean) {
      state.stall = v;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
