/** Git auto-detection: the repository a folder belongs to, a remote's URL and the current branch. */
import { execFile, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { configError } from './errors';

export interface GitInfo {
  topLevel: string;
  /** The current branch; undefined on a detached HEAD. */
  branch?: string;
}

type GitAnswer = { ok: boolean; out: string };
const GIT_TIMEOUT_MS = 15000;
const TOP_AND_BRANCH = ['rev-parse', '--show-toplevel', '--abbrev-ref', 'HEAD'];
const UNPUSHED = ['rev-list', '--count', '@{upstream}..HEAD'];

function git(cwd: string, args: string[]): Promise<GitAnswer> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: GIT_TIMEOUT_MS, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }, (err, stdout) =>
      resolve({ ok: !err, out: String(stdout).trim() }),
    );
  });
}

/**
 * Asks several git questions of the work tree at `cwd` side by side, from one `sh`: each process
 * Node starts blocks it 6-15 ms (a fork of a large process), where sh forks in about one. Each
 * question writes to a descriptor of its own, ended by a line with git's exit status. The
 * arguments reach git as sh's positional parameters, never as text of the script.
 */
function gitTogether(cwd: string, questions: string[][]): Promise<GitAnswer[]> {
  let n = 0;
  const script = questions
    .map((args, i) => `{ git ${args.map(() => `"\${${++n}}"`).join(' ')}; echo "=$?"; } >&${3 + i} 2>/dev/null &`)
    .concat('wait')
    .join('\n');
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', script, 'sh', ...questions.flat()], {
      cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
      stdio: ['ignore', 'ignore', 'ignore', ...questions.map(() => 'pipe' as const)],
    });
    const outs = questions.map(() => '');
    questions.forEach((_, i) => (child.stdio[3 + i] as Readable).on('data', (c: Buffer) => (outs[i] += c.toString())));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      for (let i = 0; i < questions.length; i++) (child.stdio[3 + i] as Readable).destroy();
    }, GIT_TIMEOUT_MS);
    const answer = (text: string): GitAnswer => {
      const m = /(?:^|\n)=(\d+)\n?$/.exec(text);
      return { ok: m?.[1] === '0', out: (m ? text.slice(0, m.index) : text).trim() };
    };
    child.on('error', () => {
      clearTimeout(timer);
      resolve(questions.map(() => ({ ok: false, out: '' })));
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolve(outs.map(answer));
    });
  });
}

export interface GitQuestions {
  /** A remote whose URL to look up, as git would fetch it (`git remote get-url`). */
  remote?: string;
  /** Whether to count the current branch's commits its upstream lacks (0 when unknown). */
  unpushed?: boolean;
}

export interface GitFacts {
  info?: GitInfo;
  remoteUrl?: string;
  unpushed: number;
}

/** What resolving a run needs of git, asked at once: the work tree (detectGit), a remote's URL, unpushed commits. */
export async function gitFacts(cwd: string, ask: GitQuestions): Promise<GitFacts> {
  const remote = ask.remote !== undefined && !ask.remote.startsWith('-') ? ask.remote : undefined;
  const questions = [TOP_AND_BRANCH, ...(remote !== undefined ? [['remote', 'get-url', remote]] : []), ...(ask.unpushed ? [UNPUSHED] : [])];
  const [top, ...rest] = await gitTogether(cwd, questions);
  const url = remote !== undefined ? rest.shift() : undefined;
  const ahead = ask.unpushed ? rest.shift() : undefined;
  return {
    info: await gitInfo(cwd, top!),
    remoteUrl: url?.ok && url.out !== '' ? url.out : undefined,
    unpushed: ahead?.ok ? Number(ahead.out) || 0 : 0,
  };
}

/** Facts about the Git work tree containing `cwd`, or undefined when it is not inside one. */
export async function detectGit(cwd: string): Promise<GitInfo | undefined> {
  return gitInfo(cwd, await git(cwd, TOP_AND_BRANCH));
}

async function gitInfo(cwd: string, r: GitAnswer): Promise<GitInfo | undefined> {
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

/**
 * The URL of a remote as gitFacts found it (as git would fetch it); when there was none, an error
 * that names the remotes there are.
 */
export async function remoteUrl(info: GitInfo, remote: string, url: string | undefined): Promise<string> {
  if (url !== undefined) return url;
  const remotes = await listRemotes(info);
  if (!remotes.includes(remote)) {
    const others = remotes.length ? `its remotes are ${remotes.join(', ')}; pick one with --remote NAME` : 'it has no remotes; add one with "git remote add origin URL" or pass --repo URL';
    throw configError(`the Git repository at ${info.topLevel} has no remote "${remote}": ${others}`, 'remote');
  }
  throw configError(`cannot read the URL of remote "${remote}" in ${info.topLevel}`, 'repo');
}

/** Whether `ref` (a branch, tag or commit) names a commit in the repository at `cwd`. */
export async function localRefExists(cwd: string, ref: string): Promise<boolean> {
  if (ref.startsWith('-')) return false;
  return (await git(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])).ok;
}
