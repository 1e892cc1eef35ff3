/**
 * A small filesystem of its own (a tmpfs) for tests of a full disk. It is mounted in a private
 * mount namespace (root), or in a user + mount namespace (any other user, where user namespaces
 * are allowed), so no one else on the machine sees it. A holding process keeps the namespace
 * open until `stop()` (or until the test process dies: it waits on its stdin); commands run in
 * it through nsenter, and the test reads its files through /proc/<holder>/root.
 */
import { spawn, ChildProcess } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { makeTempDir, removeDir } from './gitRepos';
import { run, RunOptions, RunResult } from './proc';

export interface SmallDisk {
  /** The mount point, as commands run with `run` see it. */
  dir: string;
  /** `path` (under `dir`) as this process sees it. */
  outside(path: string): string;
  /** Runs a command inside the namespace that sees the small disk. */
  run(cmd: string, args: string[], opts?: RunOptions): Promise<RunResult>;
  stop(): Promise<void>;
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** Mounts a tmpfs of `sizeBytes`; resolves with the disk, or with why it cannot be had here. */
export async function mountSmallDisk(sizeBytes: number): Promise<SmallDisk | { unavailable: string }> {
  if (process.platform !== 'linux') return { unavailable: `${process.platform} has no mount namespaces` };
  const dir = await makeTempDir('mycli-small-disk-');
  const flags = isRoot() ? ['--mount', '--propagation', 'private'] : ['--user', '--map-root-user', '--mount', '--propagation', 'private'];
  const script = 'mount -t tmpfs -o "size=$1,mode=0755" mycli-small-disk "$2" && echo mounted && read -r _';
  let holder: ChildProcess;
  try {
    holder = spawn('unshare', [...flags, '--', 'sh', '-c', script, 'sh', String(sizeBytes), dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (err) {
    await removeDir(dir);
    return { unavailable: `cannot run unshare: ${(err as Error).message}` };
  }
  const mounted = await new Promise<string | undefined>((resolve) => {
    let out = '';
    let errText = '';
    holder.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('mounted\n')) resolve(undefined);
    });
    holder.stderr!.on('data', (c: Buffer) => (errText += c.toString()));
    holder.once('error', (err) => resolve(`cannot run unshare: ${err.message}`));
    holder.once('close', (code) => resolve(`unshare ${flags.join(' ')} + mount -t tmpfs exited with ${code}: ${errText.trim() || 'no message'}`));
  });
  if (mounted !== undefined) {
    await removeDir(dir);
    return { unavailable: mounted };
  }
  const pid = holder.pid!;
  const namespace = readlinkSync(`/proc/${pid}/ns/mnt`);
  const enter = ['--target', String(pid), ...(isRoot() ? [] : ['--user', '--preserve-credentials']), '--mount', '--'];
  return {
    dir,
    outside: (path) => `/proc/${pid}/root${path}`,
    run: (cmd, args, opts = {}) => run('nsenter', [...enter, cmd, ...args], opts),
    stop: async () => {
      // What is still running inside (a spare supervisor waits there for minutes) is stopped,
      // twice over for what was being started during the first pass.
      for (let pass = 0; pass < 2; pass++) for (const p of inNamespace(namespace)) if (p !== pid) killQuietly(p);
      if (holder.exitCode === null) {
        const exited = new Promise((resolve) => holder.once('exit', resolve));
        holder.stdin!.end('\n');
        await exited;
      }
      // here the mount point was never more than an empty folder
      await removeDir(dir);
    },
  };
}

/** The processes in the mount namespace `namespace` (as /proc/<pid>/ns/mnt reads) that this user may see. */
function inNamespace(namespace: string): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((p) => {
    try {
      return readlinkSync(`/proc/${p}/ns/mnt`) === namespace;
    } catch {
      return false; // gone, or not ours
    }
  });
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}
