/**
 * Isolation of a host run's command on Linux: its own PID namespace (it cannot see mycli's
 * processes, and whatever it starts ends with it) and its own mount view (mycli's home, with
 * the user config, every run's state and the clones' credentials, hidden; see isolate.sh). Root needs nothing more; another user gets a user
 * namespace for the mounts and is then mapped back to their own uid without capabilities.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { isolatePath } from './assets';

export type IsolationCheck = { available: true } | { available: false; reason: string };

const NAMESPACE_FLAGS = ['--pid', '--fork', '--kill-child', '--mount-proc', '--mount', '--propagation', 'private'];
const isRoot = (): boolean => process.getuid?.() === 0;
const unshareFlags = (): string[] => (isRoot() ? NAMESPACE_FLAGS : ['--user', '--map-root-user', ...NAMESPACE_FLAGS]);

/** The first of `names` found in these fixed folders (never a relative PATH entry). */
export function systemProgram(name: string): string | undefined {
  for (const dir of ['/usr/bin', '/bin', '/usr/sbin', '/sbin', '/usr/local/bin']) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

let probe: Promise<IsolationCheck> | undefined;

/**
 * What decides whether the probe would still succeed: the boot, the user, and the switches that
 * turn user namespaces off. A probe that succeeded is remembered under this key.
 */
function isolationKey(): string {
  const read = (file: string): string => {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      return '-';
    }
  };
  return [
    read('/proc/sys/kernel/random/boot_id'),
    process.getuid?.(),
    read('/proc/sys/user/max_user_namespaces'),
    read('/proc/sys/kernel/unprivileged_userns_clone'),
    read('/proc/sys/kernel/apparmor_restrict_unprivileged_userns'),
  ].join(' ');
}

/**
 * Whether this machine can isolate runs (asked once per process, and once per boot when
 * `cacheFile` keeps the answer). MYCLI_LOCAL_ISOLATION=off turns it off.
 */
export function checkIsolation(env: NodeJS.ProcessEnv, cacheFile?: string): Promise<IsolationCheck> {
  if (env.MYCLI_LOCAL_ISOLATION === 'off') return Promise.resolve({ available: false, reason: 'MYCLI_LOCAL_ISOLATION=off' });
  if (process.platform !== 'linux') return Promise.resolve({ available: false, reason: `${process.platform} has no Linux namespaces` });
  return (probe ??= (async () => {
    const key = isolationKey();
    try {
      if (cacheFile && readFileSync(cacheFile, 'utf8') === key) return { available: true };
    } catch {
      // not probed yet
    }
    const result = await runProbe();
    if (result.available && cacheFile) {
      try {
        writeFileSync(cacheFile, key, { mode: 0o600 });
      } catch {
        // probed again next time
      }
    }
    return result;
  })());
}

function runProbe(): Promise<IsolationCheck> {
  return new Promise((resolve) => {
    const unshare = systemProgram('unshare');
    const tool = isRoot() ? systemProgram('setpriv') : unshare;
    if (!unshare || !tool) return resolve({ available: false, reason: `util-linux's ${unshare ? 'setpriv' : 'unshare'} is not installed` });
    execFile(unshare, [...unshareFlags(), '--', systemProgram('mount') ?? 'mount', '-t', 'tmpfs', 'mycli-probe', '/tmp'], { timeout: 5000 }, (err, _out, stderr) => {
      resolve(err ? { available: false, reason: `unshare failed: ${String(stderr).trim().split('\n')[0] || err.message} (are user namespaces turned off?)` } : { available: true });
    });
  });
}

export interface IsolatedStep {
  argv: string[];
  env: Record<string, string>;
}

/**
 * The run step inside its namespaces: `unshare … isolate.sh executor…`. `env` is the executor's
 * own (no Git credentials, none of the run's env: that comes from `commandEnvFile`).
 */
export function isolatedStep(opts: {
  executorArgv: string[];
  env: Record<string, string>;
  mycliHome: string;
  keep: string[];
  /** Where isolate.sh writes its table of mounts (in the run's folder). */
  fstab: string;
  commandEnvFile: string;
}): IsolatedStep {
  // The temp folders stay shared (a local run may read what the user put there): mycli keeps
  // nothing in them; a clone's credentials live in the run's own folder under mycli's home.
  const hide = [opts.mycliHome]
    .filter((p) => isAbsolute(p) && p !== '/' && existsSync(p))
    .sort((a, b) => a.length - b.length);
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  return {
    argv: [systemProgram('unshare')!, ...unshareFlags(), '--', systemProgram('bash') ?? 'bash', isolatePath(), ...opts.executorArgv],
    env: {
      ...opts.env,
      MYCLI_ISOLATE_HIDE: hide.join('\n'),
      MYCLI_ISOLATE_KEEP: opts.keep.join('\n'),
      MYCLI_ISOLATE_ENV: opts.commandEnvFile,
      MYCLI_ISOLATE_FSTAB: opts.fstab,
      MYCLI_ISOLATE_IDS: isRoot() || uid === undefined ? '' : `${uid}:${gid}`,
    },
  };
}
