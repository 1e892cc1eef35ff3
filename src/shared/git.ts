/** Git auto-detection: the repository a folder belongs to, a remote's URL and the current branch. */
import { execFile } from 'node:child_process';
import { configError } from './errors';

export interface GitInfo {
  topLevel: string;
  /** The current branch; undefined on a detached HEAD. */
  branch?: string;
  remotes: string[];
}

function git(cwd: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: 15000, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }, (err, stdout) =>
      resolve({ ok: !err, out: String(stdout).trim() }),
    );
  });
}

/** Facts about the Git work tree containing `cwd`, or undefined when it is not inside one. */
export async function detectGit(cwd: string): Promise<GitInfo | undefined> {
  // at once: outside a repository the other two fail as fast as the first
  const [top, branch, remotes] = await Promise.all([
    git(cwd, ['rev-parse', '--show-toplevel']),
    git(cwd, ['symbolic-ref', '--quiet', '--short', 'HEAD']),
    git(cwd, ['remote']),
  ]);
  if (!top.ok || top.out === '') return undefined;
  return {
    topLevel: top.out,
    branch: branch.ok && branch.out !== '' ? branch.out : undefined,
    remotes: remotes.out === '' ? [] : remotes.out.split('\n'),
  };
}

/** The URL of a remote; an error that names the remotes there are when it does not exist. */
export async function remoteUrl(info: GitInfo, remote: string): Promise<string> {
  if (!info.remotes.includes(remote)) {
    const others = info.remotes.length ? `its remotes are ${info.remotes.join(', ')}; pick one with --remote NAME` : 'it has no remotes; add one with "git remote add origin URL" or pass --repo URL';
    throw configError(`the Git repository at ${info.topLevel} has no remote "${remote}": ${others}`, 'repo');
  }
  const url = await git(info.topLevel, ['remote', 'get-url', remote]);
  if (!url.ok || url.out === '') throw configError(`cannot read the URL of remote "${remote}" in ${info.topLevel}`, 'repo');
  return url.out;
}

/** How many local commits of the current branch its upstream lacks (0 when unknown). */
export async function unpushedCommits(info: GitInfo): Promise<number> {
  const r = await git(info.topLevel, ['rev-list', '--count', '@{upstream}..HEAD']);
  return r.ok ? Number(r.out) || 0 : 0;
}

/** Whether `ref` (a branch, tag or commit) names a commit in the repository at `cwd`. */
export async function localRefExists(cwd: string, ref: string): Promise<boolean> {
  if (ref.startsWith('-')) return false;
  return (await git(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])).ok;
}
