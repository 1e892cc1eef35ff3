// A real Docker engine for the docker tier: a private dockerd with its own data root, exec root
// and socket (it never touches a system engine), and the images the tests need, made offline:
// a busybox image that has only `sh`, a Debian base from debootstrap, and the mycli executor image
// built from docker/Dockerfile on that base. The data root lives in a cache folder outside the
// checkout so a second run reuses the images (docker/README.md, "Testing").
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './cli';
import { run, sleep } from './proc';

export const BUSYBOX_IMAGE = 'local/busybox:1';
export const DEBIAN_IMAGE = 'local/debian-git:bookworm';
/** The executor image built from docker/Dockerfile; the local platform uses it when no --image is given. */
export const EXECUTOR_IMAGE = 'mycli-executor:latest';

export interface DockerEngine {
  /** unix:///…/docker.sock: what DOCKER_HOST must be for the docker client to reach this engine. */
  host: string;
  /** Runs the docker client against this engine. */
  docker(args: string[], opts?: { allowFail?: boolean; timeoutMs?: number }): Promise<{ code: number | null; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

const CACHE = process.env.MYCLI_TEST_DOCKER_CACHE ?? '/var/cache/mycli-test/docker';

/** Why this machine cannot run the tier, or undefined when it can. */
export async function dockerTierUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'dockerd needs root, and these tests run as an unprivileged user';
  for (const tool of ['dockerd', 'docker', 'debootstrap', 'busybox']) {
    const r = await run('sh', ['-c', `command -v ${tool}`], { allowFail: true });
    if (r.code !== 0) return `${tool} is not installed (apt-get install docker.io debootstrap busybox-static)`;
  }
  return undefined;
}

export async function startDockerEngine(log: (line: string) => void): Promise<DockerEngine> {
  mkdirSync(join(CACHE, 'data'), { recursive: true, mode: 0o700 });
  // The socket and exec root live in a short private temp path: unix socket paths are limited to 108 bytes.
  const runDir = await mkdtemp(join(tmpdir(), 'mycli-dockerd-'));
  const host = `unix://${join(runDir, 'docker.sock')}`;
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: host };
  delete env.DOCKER_CONTEXT;
  const daemon: ChildProcess = spawn('dockerd', [
    '--data-root', join(CACHE, 'data'), '--exec-root', join(runDir, 'exec'), '--pidfile', join(runDir, 'dockerd.pid'),
    '-H', host, '--iptables=false', '--ip-masq=false',
  ], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let daemonLog = '';
  daemon.stderr!.on('data', (c: Buffer) => { daemonLog = (daemonLog + c.toString()).slice(-8000); });
  const docker: DockerEngine['docker'] = (args, opts = {}) =>
    run('docker', args, { env, allowFail: opts.allowFail, timeoutMs: opts.timeoutMs ?? 600_000 });

  const deadline = Date.now() + 60_000;
  while ((await docker(['info', '--format', '{{.ServerVersion}}'], { allowFail: true })).code !== 0) {
    if (daemon.exitCode !== null || Date.now() > deadline) {
      daemon.kill('SIGKILL');
      throw new Error(`dockerd did not start:\n${daemonLog}`);
    }
    await sleep(200);
  }
  const engine: DockerEngine = {
    host,
    docker,
    async stop() {
      await docker(['ps', '-aq'], { allowFail: true }).then(async (r) => {
        const ids = r.stdout.split('\n').filter(Boolean);
        if (ids.length) await docker(['rm', '-f', ...ids], { allowFail: true });
      });
      if (daemon.exitCode === null) {
        const exited = new Promise((resolve) => daemon.once('exit', resolve));
        daemon.kill('SIGTERM');
        await Promise.race([exited, sleep(15_000)]);
        if (daemon.exitCode === null) daemon.kill('SIGKILL');
      }
      // A daemon that had to be killed leaves its network namespace mounted under the exec root.
      await run('sh', ['-c', 'grep -o " $1[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l', 'sh', runDir], { allowFail: true });
      await rm(runDir, { recursive: true, force: true });
    },
  };
  try {
    await ensureImages(engine, log);
  } catch (err) {
    await engine.stop();
    throw err;
  }
  return engine;
}

const hasImage = async (engine: DockerEngine, image: string): Promise<boolean> =>
  (await engine.docker(['image', 'inspect', '--format', '{{.Id}}', image], { allowFail: true })).code === 0;

/** The first `URIs:` of Debian's apt sources: the mirror debootstrap reaches. */
function debianMirror(): string {
  const sources = '/etc/apt/sources.list.d/debian.sources';
  const found = existsSync(sources) ? /^URIs:\s*(\S+)/m.exec(readFileSync(sources, 'utf8')) : null;
  return found?.[1] ?? 'http://deb.debian.org/debian';
}

async function importFolder(engine: DockerEngine, folder: string, image: string): Promise<void> {
  await run('sh', ['-c', 'tar -C "$1" -c . | DOCKER_HOST="$2" docker import - "$3" >/dev/null', 'sh', folder, engine.host, image], { timeoutMs: 600_000 });
}

async function ensureImages(engine: DockerEngine, log: (line: string) => void): Promise<void> {
  if (!(await hasImage(engine, BUSYBOX_IMAGE))) {
    log(`making ${BUSYBOX_IMAGE} from busybox-static`);
    const dir = await mkdtemp(join(tmpdir(), 'mycli-busybox-'));
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'tmp'), { mode: 0o1777 });
    await run('cp', [(await run('sh', ['-c', 'command -v busybox'])).stdout.trim(), join(dir, 'bin', 'busybox')]);
    for (const tool of ['sh', 'echo', 'cat', 'ls', 'sleep', 'true', 'false', 'env', 'pwd', 'printf', 'id', 'kill', 'seq', 'head', 'ps']) {
      symlinkSync('busybox', join(dir, 'bin', tool));
    }
    await importFolder(engine, dir, BUSYBOX_IMAGE);
    await rm(dir, { recursive: true, force: true });
  }
  if (!(await hasImage(engine, DEBIAN_IMAGE))) {
    log(`making ${DEBIAN_IMAGE} with debootstrap (about a minute)`);
    const dir = await mkdtemp(join(tmpdir(), 'mycli-debian-'));
    await run('debootstrap', ['--variant=minbase', '--include=git,openssh-client,ca-certificates,procps', 'bookworm', dir, debianMirror()], { timeoutMs: 900_000 });
    await importFolder(engine, dir, DEBIAN_IMAGE);
    await rm(dir, { recursive: true, force: true });
  }
  // Tagged by the content of what it is built from, so a changed Dockerfile or entrypoint is rebuilt.
  const built = `mycli-executor:test-${dockerContextHash()}`;
  if (!(await hasImage(engine, built))) {
    log(`building ${built} from docker/Dockerfile on ${DEBIAN_IMAGE} (a few minutes)`);
    await engine.docker([
      'build', '--network', 'host', '--build-arg', `BASE_IMAGE=${DEBIAN_IMAGE}`, '--build-arg', 'SKIP_DOWNLOADS=1',
      '-t', built, join(ROOT, 'docker'),
    ], { timeoutMs: 1_800_000 });
  }
  await engine.docker(['tag', built, EXECUTOR_IMAGE]);
}

function dockerContextHash(): string {
  const hash = createHash('sha256');
  for (const file of ['Dockerfile', 'entrypoint.sh']) hash.update(readFileSync(join(ROOT, 'docker', file)));
  return hash.digest('hex').slice(0, 12);
}
