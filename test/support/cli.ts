/** Runs the real, built CLI (dist/cli.js) as a child process, and `mycli serve` as a real server. */
import { spawn, ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { makeTempDir, removeDir } from './gitRepos';
import { hermeticEnv, run, RunResult } from './proc';

export const ROOT = resolve(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');

/** The environment every CLI run starts from: hermetic git, no mycli settings from the caller. */
export function cliEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = hermeticEnv();
  for (const k of Object.keys(env)) {
    if (k.startsWith('MYCLI_') || k === 'GITHUB_TOKEN' || k === 'GITLAB_TOKEN' || k === 'SSH_PRIVATE_KEY') delete env[k];
  }
  return { ...env, MYCLI_KILL_GRACE_SECONDS: '2', ...extra };
}

export function mycli(args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number }): Promise<RunResult> {
  return run(process.execPath, [CLI, ...args], { env: opts.env, cwd: opts.cwd ?? ROOT, allowFail: true, timeoutMs: opts.timeoutMs ?? 60000 });
}

export interface Serve {
  url: string;
  apiKey: string;
  process: ChildProcess;
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `mycli serve --port 0` and waits until it prints where it listens. */
export function startServe(env: NodeJS.ProcessEnv, apiKey = 'test-key-0123456789', args: string[] = ['--port', '0']): Promise<Serve> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', ...args], { env: { ...env, MYCLI_API_KEY: apiKey }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => reject(new Error(`mycli serve did not start:\n${err}`)), 15000);
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      const m = /serving the local backend at (\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolvePromise({
          url: m[1]!,
          apiKey,
          process: child,
          stderr: () => err,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mycli serve exited with ${code}:\n${err}`));
    });
  });
}

/** A local backend the CLI talks to: in-process, or `mycli serve` over HTTP. */
export interface CliBackend {
  /** Environment for CLI runs. */
  env: NodeJS.ProcessEnv;
  /** MYCLI_HOME where the backend keeps its state. */
  stateHome: string;
  stop(): Promise<void>;
}

export type CliBackendFactory = (serverEnv: NodeJS.ProcessEnv) => Promise<CliBackend>;

/** The in-process local backend; `serverEnv` (e.g. credentials) is the CLI's own environment. */
export async function inProcessBackend(serverEnv: NodeJS.ProcessEnv = {}): Promise<CliBackend> {
  const home = await makeTempDir('mycli-home-');
  return { env: cliEnv({ MYCLI_HOME: home, ...serverEnv }), stateHome: home, stop: () => removeDir(home) };
}

/** `mycli serve` with `serverEnv`, and a client with a MYCLI_HOME of its own. */
export async function serveBackend(serverEnv: NodeJS.ProcessEnv = {}): Promise<CliBackend> {
  const serverHome = await makeTempDir('mycli-server-home-');
  const clientHome = await makeTempDir('mycli-client-home-');
  const serve: Serve = await startServe(cliEnv({ MYCLI_HOME: serverHome, ...serverEnv }));
  return {
    env: cliEnv({ MYCLI_HOME: clientHome, MYCLI_API_ENDPOINT: serve.url, MYCLI_API_KEY: serve.apiKey }),
    stateHome: serverHome,
    stop: async () => {
      await serve.stop();
      await removeDir(serverHome);
      await removeDir(clientHome);
    },
  };
}

/** Both, for scenarios that must hold on each. */
export const CLI_BACKENDS: ReadonlyArray<[string, CliBackendFactory]> = [
  ['in-process local backend', inProcessBackend],
  ['mycli serve over HTTP', serveBackend],
];
