/** Which local runtime runs an execution: a Docker container when an engine answers, else a host process. */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { configError } from '../../shared/errors';

export type LocalRuntime = 'host' | 'docker';

/** The executor image `docker/Makefile` builds (`make build`). */
export const LOCAL_EXECUTOR_IMAGE = 'mycli-executor:latest';

export interface RuntimeChoice {
  runtime: LocalRuntime;
  /** The image the command runs in (docker only). */
  image?: string;
  /** Whether the engine already has the image (docker only); if not, the run pulls it first. */
  imagePresent?: boolean;
  /** Why the run is not where the user may expect it, for the run's log. */
  note?: string;
}

/** PATH without relative entries: a program is never looked for in a cloned repository. */
export function absolutePath(env: NodeJS.ProcessEnv): string {
  const dirs = (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':').filter((d) => isAbsolute(d));
  return [...new Set(dirs)].join(':') || '/usr/bin:/bin';
}

/** The docker client, by absolute path, as found on PATH when mycli starts (never from a run's env). */
export function dockerProgram(env: NodeJS.ProcessEnv): string {
  for (const dir of absolutePath(env).split(':')) {
    const file = join(dir, 'docker');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return 'docker-not-found';
}

/** What the docker CLI needs and no more: the user's HOME (registry logins), an absolute PATH and DOCKER_* (which engine). */
export function dockerClientEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = { PATH: absolutePath(env) };
  for (const [k, v] of Object.entries(env)) if (v !== undefined && (k === 'HOME' || k.startsWith('DOCKER_'))) out[k] = v;
  return out;
}

function docker(args: string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(dockerProgram(env), args, { timeout: 5000, env: dockerClientEnv(env) }, (err, stdout) => resolve(err ? undefined : String(stdout).trim()));
  });
}

/**
 * Whether the docker CLI could reach an engine at all: one named by DOCKER_HOST or a context, or
 * the default socket. Most machines without Docker are told apart here, without starting the
 * docker CLI (tens of milliseconds on every run).
 */
export function engineMayAnswer(env: NodeJS.ProcessEnv): boolean {
  if (env.DOCKER_HOST || env.DOCKER_CONTEXT) return true;
  if (existsSync('/var/run/docker.sock') || (env.XDG_RUNTIME_DIR && existsSync(join(env.XDG_RUNTIME_DIR, 'docker.sock')))) return true;
  const configDir = env.DOCKER_CONFIG || (env.HOME ? join(env.HOME, '.docker') : undefined);
  if (!configDir) return false;
  try {
    return Boolean((JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as { currentContext?: string }).currentContext);
  } catch {
    return false;
  }
}

let engineProbe: Promise<boolean> | undefined;
const engineAnswers = (env: NodeJS.ProcessEnv): Promise<boolean> =>
  (engineProbe ??= engineMayAnswer(env)
    ? docker(['version', '--format', '{{.Server.Version}}'], env).then((v) => Boolean(v))
    : Promise.resolve(false));

/**
 * MYCLI_LOCAL_RUNTIME=host|docker|auto (default auto). With auto, a run goes into Docker when an
 * engine answers: in the image asked for, else in the mycli executor image if it is built here.
 * Otherwise it runs on the host, and its log says so.
 */
export async function chooseRuntime(image: string | undefined, env: NodeJS.ProcessEnv): Promise<RuntimeChoice> {
  const wanted = (env.MYCLI_LOCAL_RUNTIME ?? 'auto').toLowerCase();
  if (wanted !== 'host' && wanted !== 'docker' && wanted !== 'auto') {
    throw configError(`MYCLI_LOCAL_RUNTIME must be host, docker or auto, not "${wanted}"`);
  }
  if (wanted === 'host') return { runtime: 'host', ...(image ? { note: `MYCLI_LOCAL_RUNTIME=host, so this runs on the host; image ${image} is not used` } : {}) };
  if (!(await engineAnswers(env))) {
    if (wanted === 'docker') throw configError('MYCLI_LOCAL_RUNTIME=docker but no Docker engine answers "docker version"; start Docker or unset MYCLI_LOCAL_RUNTIME');
    return { runtime: 'host', ...(image ? { note: `no Docker engine answers here, so this runs on the host; image ${image} is not used` } : {}) };
  }
  const present = async (name: string): Promise<boolean> => Boolean(await docker(['image', 'inspect', '--format', '{{.Id}}', name], env));
  if (image) return { runtime: 'docker', image, imagePresent: await present(image) };
  if (await present(LOCAL_EXECUTOR_IMAGE)) return { runtime: 'docker', image: LOCAL_EXECUTOR_IMAGE, imagePresent: true };
  if (wanted === 'docker') {
    throw configError(`MYCLI_LOCAL_RUNTIME=docker but the executor image ${LOCAL_EXECUTOR_IMAGE} is not built here: run "make build" in docker/, or pass --image`);
  }
  return { runtime: 'host', note: `the executor image ${LOCAL_EXECUTOR_IMAGE} is not built here (make build in docker/), so this runs on the host` };
}
