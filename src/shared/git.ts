/** Git auto-detection: the repository a folder belongs to, a remote's URL and the current branch. */
import { execFile, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { configError } from './errors';
import { factsFromFiles } from './gitFiles';

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

/** Answers on their way; `hold` makes them keep the process alive (held from the start unless asked early). */
export interface Pending<T> {
  answers: Promise<T>;
  hold(): void;
}

/**
 * Asks several git questions of the work tree at `cwd` side by side, from one `sh`: each process
 * Node starts blocks it 6-15 ms (a fork of a large process), where sh forks in about one. Each
 * question writes to a descriptor of its own, ended by a line with git's exit status. The
 * arguments reach git as sh's positional parameters, never as text of the script.
 */
function gitTogether(cwd: string, questions: string[][], held: boolean, env: NodeJS.ProcessEnv = process.env): Pending<GitAnswer[]> {
  let n = 0;
  const script = questions
    .map((args, i) => `{ git ${args.map(() => `"\${${++n}}"`).join(' ')}; echo "=$?"; } >&${3 + i} 2>/dev/null &`)
    .concat('wait')
    .join('\n');
  let handles: { ref(): unknown; unref(): unknown }[] = [];
  const answers = new Promise<GitAnswer[]>((resolve) => {
    const child = spawn('sh', ['-c', script, 'sh', ...questions.flat()], {
      cwd,
      env: { ...env, GIT_TERMINAL_PROMPT: '0' },
      stdio: ['ignore', 'ignore', 'ignore', ...questions.map(() => 'pipe' as const)],
    });
    const outs = questions.map(() => '');
    const pipes = questions.map((_, i) => child.stdio[3 + i] as Readable & { ref(): unknown; unref(): unknown });
    pipes.forEach((pipe, i) => pipe.on('data', (c: Buffer) => (outs[i] += c.toString())));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      for (const pipe of pipes) pipe.destroy();
    }, GIT_TIMEOUT_MS);
    handles = [child, timer, ...pipes];
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
  const hold = (): void => handles.forEach((h) => h.ref());
  if (!held) handles.forEach((h) => h.unref());
  return { answers, hold };
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

/** Questions asked ahead (askGitFactsEarly), for the gitFacts call that asks the same. */
let early: { cwd: string; remote?: string; unpushed: boolean; facts: Pending<GitFacts> } | undefined;

const remoteToAsk = (ask: GitQuestions): string | undefined => (ask.remote !== undefined && !ask.remote.startsWith('-') ? ask.remote : undefined);

/** gitFacts' questions: answered from the repository's files when they are plain, else by git. */
function askGitFacts(cwd: string, ask: GitQuestions, held: boolean): Pending<GitFacts> {
  const known = factsFromFiles(cwd, { ...ask, remote: remoteToAsk(ask) }, process.env);
  if (known) return { answers: Promise.resolve(known), hold: () => undefined };
  return askGitProcesses(cwd, ask, held);
}

/** What gitFacts asks, asked of git itself (what factsFromFiles must agree with). */
export function askGitProcesses(cwd: string, ask: GitQuestions, held = true, env: NodeJS.ProcessEnv = process.env): Pending<GitFacts> {
  const remote = remoteToAsk(ask);
  const questions = [TOP_AND_BRANCH, ...(remote !== undefined ? [['remote', 'get-url', remote]] : []), ...(ask.unpushed ? [UNPUSHED] : [])];
  const asked = gitTogether(cwd, questions, held, env);
  const facts = asked.answers.then(async ([top, ...rest]) => {
    const url = remote !== undefined ? rest.shift() : undefined;
    const ahead = ask.unpushed ? rest.shift() : undefined;
    return {
      info: await gitInfo(cwd, top!),
      remoteUrl: url?.ok && url.out !== '' ? url.out : undefined,
      unpushed: ahead?.ok ? Number(ahead.out) || 0 : 0,
    };
  });
  return { answers: facts, hold: asked.hold };
}

/**
 * Starts gitFacts' questions before they are needed (the CLI, before it loads the rest of itself),
 * without keeping the process alive for them. The next gitFacts call takes the answers when it
 * asks the same of the same folder (unpushed commits asked early may go unused), else asks anew.
 */
export function askGitFactsEarly(cwd: string, ask: GitQuestions): Promise<GitFacts> {
  early = { cwd, remote: remoteToAsk(ask), unpushed: ask.unpushed === true, facts: askGitFacts(cwd, ask, false) };
  return early.facts.answers;
}

/** What resolving a run needs of git, asked at once: the work tree (detectGit), a remote's URL, unpushed commits. */
export async function gitFacts(cwd: string, ask: GitQuestions): Promise<GitFacts> {
  const ahead = early;
  early = undefined;
  if (ahead && ahead.cwd === cwd && ahead.remote === remoteToAsk(ask) && (ahead.unpushed || !ask.unpushed)) {
    ahead.facts.hold();
    return ahead.facts.answers;
  }
  return askGitFacts(cwd, ask, true).answers;
}

/** Facts about the Git work tree containing `cwd`, or undefined when it is not inside one. */
export async function detectGit(cwd: string): Promise<GitInfo | undefined> {
  return (await askGitFacts(cwd, {}, true).answers).info;
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
