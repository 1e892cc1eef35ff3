// Real Git servers on 127.0.0.1 for integration tests: `git daemon`
// (git://), `git http-backend` behind a small Node HTTP server (smart HTTP,
// optional Basic auth) and OpenSSH `sshd` with a generated key (ssh://).
// Each listens on a free port, captures its stderr in memory (its tail is
// put in startup errors), and stop() kills it with all its children.
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, hermeticEnv, isExecutable, killTree, OutputTail, probePort, run, sleep } from './proc';

/** A running Git server. */
export interface GitServer {
  /** The clone URL of <baseDir>/<repoName>.git (repoName without '.git'). */
  url(repoName: string): string;
  /** Stops the server and every process it started; resolves when they are gone. Safe to call twice. */
  stop(): Promise<void>;
  /** Process id of the server's main process (undefined for the in-process HTTP server). */
  readonly pid?: number;
  /** Everything the server wrote to stderr so far (bounded), for debugging failed tests. */
  stderr(): string;
}

/** The smart HTTP server, with counters of the requests it got and the 401s it sent. */
export interface SmartHttpServer extends GitServer {
  requests: number;
  unauthorized: number;
}

/** The sshd server, with the client key that it accepts and the user to log in as. */
export interface SshdServer extends GitServer {
  /** base64 of the OpenSSH private key file (the form SSH_PRIVATE_KEY takes). */
  privateKeyBase64: string;
  /** The login user: the current user (root in CI). */
  user: string;
}

const START_TIMEOUT_MS = 10_000;

let execPathCache: string | undefined;
async function gitExecPath(): Promise<string> {
  if (execPathCache) return execPathCache;
  let res;
  try {
    res = await run('git', ['--exec-path'], { env: hermeticEnv() });
  } catch (e) {
    throw new Error(`git is not installed (apt-get install git): ${(e as Error).message}`);
  }
  execPathCache = res.stdout.trim();
  return execPathCache;
}

/** Path of a git helper program (git-daemon, git-http-backend), or an Error naming the apt package. */
async function gitProgram(name: string): Promise<string> {
  const p = path.join(await gitExecPath(), name);
  if (!(await isExecutable(p))) {
    throw new Error(`${p} is missing: install the Debian package 'git' (apt-get install git)`);
  }
  return p;
}

/** A spawned server process whose stderr (and stdout) are kept in memory. */
interface Proc {
  child: ChildProcess;
  output: OutputTail;
  exit: Promise<void>;
}

function spawnServer(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): Proc {
  // detached: the server leads its own process group, so stop() can signal it all.
  const child = spawn(cmd, args, { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = new OutputTail();
  child.stdout!.on('data', (b: Buffer) => output.push(b));
  child.stderr!.on('data', (b: Buffer) => output.push(b));
  const exit = new Promise<void>((resolve) => {
    child.on('error', (e) => { output.push(`\n[spawn error] ${e.message}\n`); resolve(); });
    child.on('exit', () => resolve());
  });
  return { child, output, exit };
}

/**
 * Waits until `ready()` holds, failing early when the process exits or the
 * timeout passes; the error carries the tail of the process's output.
 */
async function waitReady(what: string, proc: Proc, ready: () => Promise<boolean>): Promise<void> {
  let exited = false;
  void proc.exit.then(() => { exited = true; });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) {
      const c = proc.child;
      throw new Error(`${what} exited during startup (${c.exitCode ?? c.signalCode}):\n${proc.output.tail()}`);
    }
    if (await ready()) return;
    await sleep(30);
  }
  await killTree(proc.child);
  throw new Error(`${what} did not become ready in ${START_TIMEOUT_MS} ms:\n${proc.output.tail()}`);
}

/** Tries to start a port-bound server up to 3 times (another process may take the free port first). */
async function withPortRetries<T>(start: (port: number) => Promise<T>): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await start(await freePort());
    } catch (e) {
      last = e;
      if (!/address already in use|cannot bind|unable to allocate any listen sockets/i.test(String(e))) throw e;
    }
  }
  throw last;
}

function stopOnce(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}

/**
 * Starts `git daemon --export-all --base-path=<baseDir>` on 127.0.0.1 and a
 * free port, and waits until it accepts connections.
 * url(name) -> git://127.0.0.1:PORT/<name>.git
 */
export async function startGitDaemon(baseDir: string): Promise<GitServer> {
  const daemon = await gitProgram('git-daemon');
  const base = path.resolve(baseDir);
  return withPortRetries(async (port) => {
    const proc = spawnServer(
      daemon,
      ['--verbose', '--informative-errors', '--export-all', '--reuseaddr', `--base-path=${base}`,
        '--listen=127.0.0.1', `--port=${port}`],
      hermeticEnv(),
    );
    // git daemon logs "Ready to rumble" once it listens.
    await waitReady('git daemon', proc, async () => /Ready to rumble/.test(proc.output.text()) && probePort(port));
    return {
      pid: proc.child.pid,
      url: (name: string) => `git://127.0.0.1:${port}/${name}.git`,
      stop: stopOnce(() => killTree(proc.child)),
      stderr: () => proc.output.text(),
    };
  });
}

/** The CGI environment for one request to git http-backend. */
function cgiEnv(req: http.IncomingMessage, projectRoot: string, remoteUser: string | undefined): NodeJS.ProcessEnv {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const env: NodeJS.ProcessEnv = {
    ...hermeticEnv(),
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    SERVER_SOFTWARE: 'mycli-test-git-http',
    SERVER_NAME: '127.0.0.1',
    SERVER_PORT: String(req.socket.localPort ?? ''),
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    REQUEST_METHOD: req.method ?? 'GET',
    REQUEST_URI: req.url ?? '/',
    SCRIPT_NAME: '',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    GIT_PROJECT_ROOT: projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
  };
  // Every request header as HTTP_<NAME> (this passes Content-Encoding: gzip
  // through as HTTP_CONTENT_ENCODING, which http-backend decodes itself).
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'authorization') continue;
    env[`HTTP_${name.toUpperCase().replace(/-/g, '_')}`] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (req.headers['content-type']) env.CONTENT_TYPE = req.headers['content-type'];
  if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
  if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
  if (remoteUser !== undefined) {
    env.REMOTE_USER = remoteUser;
    env.AUTH_TYPE = 'Basic';
  }
  return env;
}

/** Splits CGI output into its status, headers and where the body starts; undefined until the blank line arrived. */
function parseCgiHead(buf: Buffer): { status: number; headers: Array<[string, string]>; bodyStart: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  let end: number;
  let sep: number;
  if (crlf !== -1 && (lf === -1 || crlf < lf)) { end = crlf; sep = 4; } else if (lf !== -1) { end = lf; sep = 2; } else return undefined;
  let status = 200;
  const headers: Array<[string, string]> = [];
  for (const line of buf.subarray(0, end).toString('latin1').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    if (name.toLowerCase() === 'status') status = parseInt(value, 10) || 500;
    else headers.push([name, value]);
  }
  return { status, headers, bodyStart: end + sep };
}

/**
 * Starts a Node HTTP server on 127.0.0.1 and a free port that runs
 * `git http-backend` as a CGI for each request (smart HTTP, GIT_PROJECT_ROOT
 * = baseDir, all repos exported). With `auth`, every request needs Basic
 * auth whose password equals auth.password (any username), else 401 with
 * `WWW-Authenticate: Basic realm="git"`. `requests` counts every request,
 * `unauthorized` the 401s sent. url(name) -> http://127.0.0.1:PORT/<name>.git
 */
export async function startSmartHttp(baseDir: string, auth?: { password: string }): Promise<SmartHttpServer> {
  const backend = await gitProgram('git-http-backend');
  const root = path.resolve(baseDir);
  const output = new OutputTail();
  const children = new Set<ChildProcess>();

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    server.requests++;
    let remoteUser: string | undefined;
    if (auth) {
      const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      const decoded = m ? Buffer.from(m[1], 'base64').toString('utf8') : '';
      const colon = decoded.indexOf(':');
      if (!m || colon < 0 || decoded.slice(colon + 1) !== auth.password) {
        server.unauthorized++;
        req.resume();
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"', 'Content-Type': 'text/plain' });
        res.end('Unauthorized\n');
        return;
      }
      remoteUser = decoded.slice(0, colon) || 'git';
    }

    const child = spawn(backend, [], { env: cgiEnv(req, root, remoteUser), stdio: ['pipe', 'pipe', 'pipe'] });
    children.add(child);
    child.on('exit', () => children.delete(child));
    child.stderr.on('data', (b: Buffer) => output.push(b));
    child.stdin.on('error', () => { /* backend stopped reading */ });
    req.pipe(child.stdin);

    let head: Buffer = Buffer.alloc(0);
    let headersSent = false;
    const fail = (why: string) => {
      output.push(`[http] ${req.method} ${req.url}: ${why}\n`);
      if (!headersSent) {
        headersSent = true;
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`git http-backend failed: ${why}\n`);
      } else {
        res.destroy();
      }
    };
    child.stdout.on('data', (b: Buffer) => {
      if (headersSent) {
        if (!res.write(b)) {
          child.stdout.pause();
          res.once('drain', () => child.stdout.resume());
        }
        return;
      }
      head = Buffer.concat([head, b]);
      const parsed = parseCgiHead(head);
      if (!parsed) return;
      headersSent = true;
      const headers: http.OutgoingHttpHeaders = {};
      for (const [k, v] of parsed.headers) {
        const prev = headers[k];
        headers[k] = prev === undefined ? v : ([] as string[]).concat(prev as string | string[], v);
      }
      res.writeHead(parsed.status, headers);
      res.write(head.subarray(parsed.bodyStart));
    });
    child.stdout.on('end', () => {
      if (headersSent) res.end();
    });
    child.on('error', (e) => fail(e.message));
    child.on('close', (code, sig) => {
      if (!headersSent) fail(`exited ${code ?? sig} without a response`);
    });
    res.on('close', () => {
      if (child.exitCode === null && child.signalCode === null && !res.writableFinished) child.kill('SIGKILL');
    });
  };

  const httpServer = http.createServer(handle);
  const port = await new Promise<number>((resolve, reject) => {
    httpServer.once('error', (e) => reject(new Error(`smart HTTP server could not listen: ${e.message}`)));
    httpServer.listen(0, '127.0.0.1', () => {
      const a = httpServer.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  });

  const stop = stopOnce(async () => {
    const closed = new Promise<void>((r) => httpServer.close(() => r()));
    httpServer.closeAllConnections();
    await Promise.all([...children].map((c) => killTree(c)));
    await closed;
  });

  const server: SmartHttpServer = {
    requests: 0,
    unauthorized: 0,
    url: (name: string) => `http://127.0.0.1:${port}/${name}.git`,
    stop,
    stderr: () => output.text(),
  };
  return server;
}

/**
 * Starts OpenSSH sshd (/usr/sbin/sshd -D -e -f <generated config>) on
 * 127.0.0.1 and a free port, with a generated host key and a generated
 * ed25519 client key that it accepts for the current user (root allowed
 * by key only; no passwords, no PAM). Waits for the SSH banner.
 * url(name) -> ssh://<user>@127.0.0.1:PORT<abs baseDir>/<name>.git
 */
export async function startSshd(baseDir: string): Promise<SshdServer> {
  const sshd = '/usr/sbin/sshd';
  if (!(await isExecutable(sshd))) {
    throw new Error(`${sshd} is missing: install the Debian package 'openssh-server' (apt-get install openssh-server openssh-client)`);
  }
  try {
    await run('ssh-keygen', ['-?'], { allowFail: true });
  } catch {
    throw new Error(`ssh-keygen is missing: install the Debian package 'openssh-client' (apt-get install openssh-client)`);
  }
  const base = path.resolve(baseDir);
  const user = os.userInfo().username;
  if (process.getuid?.() === 0) {
    // sshd's privilege separation directory; missing in containers without a service manager.
    await fs.mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  }

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mycli-sshd-'));
  const hostKey = path.join(dir, 'ssh_host_ed25519_key');
  const clientKey = path.join(dir, 'client_ed25519');
  const authorizedKeys = path.join(dir, 'authorized_keys');
  const config = path.join(dir, 'sshd_config');
  try {
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'mycli-test-host', '-f', hostKey]);
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'mycli-test-client', '-f', clientKey]);
    await fs.copyFile(`${clientKey}.pub`, authorizedKeys);
    await fs.chmod(authorizedKeys, 0o600);
    const privateKeyBase64 = (await fs.readFile(clientKey)).toString('base64');

    return await withPortRetries(async (port) => {
      await fs.writeFile(config, [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey "${hostKey}"`,
        `PidFile "${path.join(dir, 'sshd.pid')}"`,
        `AuthorizedKeysFile "${authorizedKeys}"`,
        `AllowUsers ${user}`,
        'PubkeyAuthentication yes',
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'PrintMotd no',
        'PrintLastLog no',
        'X11Forwarding no',
        'AllowTcpForwarding no',
        'AllowAgentForwarding no',
        'AcceptEnv GIT_PROTOCOL',
        'LogLevel VERBOSE',
        '',
      ].join('\n'));
      const proc = spawnServer(sshd, ['-D', '-e', '-f', config], hermeticEnv(), dir);
      await waitReady('sshd', proc, () => probePort(port, 'SSH-'));
      const stop = stopOnce(async () => {
        await killTree(proc.child);
        await fs.rm(dir, { recursive: true, force: true });
      });
      const server: SshdServer = {
        pid: proc.child.pid,
        user,
        privateKeyBase64,
        url: (name: string) => `ssh://${user}@127.0.0.1:${port}${base}/${name}.git`,
        stop,
        stderr: () => proc.output.text(),
      };
      return server;
    });
  } catch (e) {
    await fs.rm(dir, { recursive: true, force: true });
    throw e;
  }
}
