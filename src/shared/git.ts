/** Git auto-detection: the repository a folder belongs to, a remote's URL and the current branch. */
import { execFile } from 'node:child_process';
import { configError } from './errors';

export interface GitInfo {
  topLevel: string;
  /** The current branch; undefined on a detached HEAD. */
  branch?: string;
}

function git(cwd: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: 15000, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }, (err, stdout) =>
      resolve({ ok: !err, out: String(stdout).trim() }),
    );
  });
}

/**
 * Facts about the Git work tree containing `cwd`, or undefined when it is not inside one. One
 * git process where it can: each costs a short run's dispatch a good ten milliseconds.
 */
export async function detectGit(cwd: string): Promise<GitInfo | undefined> {
  const r = await git(cwd, ['rev-parse', '--show-toplevel', '--abbrev-ref', 'HEAD']);
  const [topLevel, ref] = r.out.split('\n');
  if (!topLevel) return undefined;
  if (r.ok) return { topLevel, branch: ref && ref !== 'HEAD' ? ref : undefined };
  // a branch with no commit yet: HEAD names no object, but it names the branch
  const branch = await git(cwd, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  return { topLevel, branch: branch.ok && branch.out !== '' ? branch.out : undefined };
}

/** The names of the repository's remotes. */
export async function listRemotes(info: GitInfo): Promise<string[]> {
  const r = await git(info.topLevel, ['remote']);
  return r.out === '' ? [] : r.out.split('\n');
}

/** The URL of a remote of the work tree at `cwd` (as git would fetch it), or undefined when there is none. */
export async function findRemoteUrl(cwd: string, remote: string): Promise<string | undefined> {
  if (remote.startsWith('-')) return undefined;
  const url = await git(cwd, ['remote', 'get-url', remote]);
  return url.ok && url.out !== '' ? url.out : undefined;
}

/**
 * The URL of a remote (as git would fetch it; `known`: already looked up with findRemoteUrl);
 * an error that names the remotes there are when it does not exist.
 */
export async function remoteUrl(info: GitInfo, remote: string, known?: Promise<string | undefined>): Promise<string> {
  const url = await (known ?? findRemoteUrl(info.topLevel, remote));
  if (url !== undefined) return url;
  const remotes = await listRemotes(info);
  if (!remotes.includes(remote)) {
    const others = remotes.length ? `its remotes are ${remotes.join(', ')}; pick one with --remote NAME` : 'it has no remotes; add one with "git remote add origin URL" or pass --repo URL';
    throw configError(`the Git repository at ${info.topLevel} has no remote "${remote}": ${others}`, 'remote');
  }
  throw configError(`cannot read the URL of remote "${remote}" in ${info.topLevel}`, 'repo');
}

/** How many local commits of the current branch (of the work tree at `cwd`) its upstream lacks (0 when unknown). */
export async function unpushedCommits(cwd: string): Promise<number> {
  const r = await git(cwd, ['rev-list', '--count', '@{upstream}..HEAD']);
  return r.ok ? Number(r.out) || 0 : 0;
}

/** Whether `ref` (a branch, tag or commit) names a commit in the repository at `cwd`. */
export async function localRefExists(cwd: string, ref: string): Promise<boolean> {
  if (ref.startsWith('-')) return false;
  return (await git(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])).ok;
}
