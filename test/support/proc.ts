// Process helpers shared by the Git server and repository fixtures:
// running commands, hermetic environments, free ports, and killing a
// process together with everything it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants, promises as fs, readdirSync, readFileSync } from 'node:fs';
import * as net from 'node:net';

/** Result of a finished command. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to the command's stdin (stdin is closed either way). */
  input?: string | Buffer;
  /** Resolve with a non-zero exit instead of throwing. */
  allowFail?: boolean;
  /** Kill the command (SIGKILL) after this many ms; default 60 s. */
  timeoutMs?: number;
}

/** Runs a command to completion; throws (with its stderr) on a non-zero exit unless allowFail. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => { /* command did not read its input */ });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const res: RunResult = { code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
      if (code !== 0 && !opts.allowFail) {
        reject(new Error(`${cmd} ${args.join(' ')} failed (${code ?? signal}):\n${tailLines(res.stderr || res.stdout, 30)}`));
      } else {
        resolve(res);
      }
    });
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * A hermetic environment for git and ssh: the current environment without
 * GIT_* variables, ssh-agent or askpass helpers, with system and global git
 * config ignored and terminal prompts off, plus `extra`.
 */
export function hermeticEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('GIT_') || k === 'SSH_AUTH_SOCK' || k === 'SSH_ASKPASS' || k === 'DISPLAY') continue;
    env[k] = v;
  }
  env.GIT_CONFIG_NOSYSTEM = '1';
  env.GIT_CONFIG_GLOBAL = '/dev/null';
  env.GIT_TERMINAL_PROMPT = '0';
  return { ...env, ...extra };
}

/** Last `n` lines of a text. */
export function tailLines(text: string, n = 40): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-n).join('\n');
}

/** Keeps the last `max` bytes of a stream's output in memory (e.g. a server's stderr). */
export class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;
  private listeners: Array<() => void> = [];
  constructor(private readonly max = 256 * 1024) {}

  push(chunk: Buffer | string): void {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.chunks.push(b);
    this.size += b.length;
    while (this.size > this.max && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length;
    }
    for (const l of this.listeners) l();
  }

  /** Everything still held. */
  text(): string {
    return Buffer.concat(this.chunks).toString();
  }

  /** The last `n` lines. */
  tail(n = 40): string {
    return tailLines(this.text(), n);
  }

  /** Calls `fn` after each chunk; returns an unsubscribe function. */
  onData(fn: () => void): () => void {
    this.listeners.push(fn);
    return () => { this.listeners = this.listeners.filter((l) => l !== fn); };
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not get a free port'))));
    });
  });
}

/**
 * Connects to 127.0.0.1:port; resolves true when connected (and, with
 * `expectPrefix`, once the peer's first bytes start with it), false otherwise.
 */
export function probePort(port: number, expectPrefix?: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let got = '';
    const done = (ok: boolean) => { clearTimeout(timer); sock.destroy(); resolve(ok); };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.on('error', () => done(false));
    sock.on('connect', () => { if (!expectPrefix) done(true); });
    sock.on('data', (b: Buffer) => {
      got += b.toString('latin1');
      if (expectPrefix && got.length >= expectPrefix.length) done(got.startsWith(expectPrefix));
    });
    sock.on('close', () => done(false));
  });
}

/** Is `pid` alive (a zombie counts as gone)? */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (not Linux): trust kill(0)
  }
}

/** Live processes whose command line (its arguments, as /proc/<pid>/cmdline holds them) passes `test`; [] where there is no /proc. */
export function processesByArgv(test: (argv: string[]) => boolean): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.filter((p) => /^\d+$/.test(p)).map(Number).filter((pid) => {
    try {
      return test(readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0'));
    } catch {
      return false; // gone meanwhile
    }
  });
}

/** All live descendants of `pid` (children, grandchildren, …), read from /proc; [] where there is no /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (rest[0] === 'Z') continue;
      const ppid = Number(rest[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(e));
      children.set(ppid, list);
    } catch {
      // process went away while reading
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const c of children.get(queue.shift()!) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function waitGone(child: ChildProcess, pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited(child) && pids.every((p) => !isAlive(p))) return true;
    await sleep(25);
  }
  return exited(child) && pids.every((p) => !isAlive(p));
}

/**
 * Stops `child` and every process it started: SIGTERM to its descendants,
 * its process group (when spawned detached) and itself, then SIGKILL after
 * `graceMs`; resolves once all of them are gone and `child` is reaped.
 */
export async function killTree(child: ChildProcess, graceMs = 3000): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || exited(child)) return;
  const pids = descendants(pid);
  const all = (sig: NodeJS.Signals) => {
    for (const p of [...pids, ...descendants(pid)]) signal(p, sig);
    signal(-pid, sig); // its process group, when spawned detached
    signal(pid, sig);
  };
  all('SIGTERM');
  if (await waitGone(child, pids, graceMs)) return;
  all('SIGKILL');
  if (!(await waitGone(child, pids, 5000))) {
    throw new Error(`process ${pid} or its children ${pids.join(',')} did not exit`);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Does an executable file exist at `p`? */
export async function isExecutable(p: string): Promise<boolean> {
  try {
    await fs.access(p, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Polls `probe` until it gives a value (not undefined), and returns it; fails the test after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
