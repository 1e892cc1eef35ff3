/**
 * Builds an exec request from what the user gave, in priority order (DESIGN.md §5):
 * flags → `.mycli.yaml` → Git auto-detection → an error that says how to fix it.
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { checkCommand, checkEnv, checkRepo, ExecRequest, LIMITS, validateExecRequest } from './contract';
import { configError, invalid } from './errors';
import { gitFacts, GitInfo, remoteUrl } from './git';
import { PROJECT_CONFIG_NAME, ProjectConfig, readProjectConfig } from './projectConfig';
import { classifyRepoUrl } from './repoUrl';

export interface RunFlags {
  repo?: string;
  branch?: string;
  image?: string;
  /** `NAME=value`, or `NAME` to pass the variable from the caller's environment. */
  env?: string[];
  timeout?: string | number;
  workdir?: string;
  /** The remote to auto-detect the repo from (default origin). */
  remote?: string;
  /** A `.mycli.yaml` to read instead of looking for one. */
  config?: string;
}

export interface ResolveOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Whether the chosen backend can clone local paths (only the local backend can). */
  allowLocalRepos: boolean;
}

export type RepoSource = 'flag' | 'config' | 'git';

export interface ResolvedRun {
  request: ExecRequest;
  repoSource: RepoSource;
  configFile?: string;
  /** Things the user should know, printed as progress (e.g. unpushed commits). */
  notes: string[];
  /** Set when the run clones the current branch from its remote and the branch has commits not pushed there. */
  unpushed?: { branch: string; commits: number };
}

export function parseEnvFlags(pairs: string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq === 0) throw invalid(`--env "${pair}" has no name: use --env NAME=value`, 'env');
    if (eq < 0) {
      const value = env[pair];
      if (value === undefined) throw invalid(`--env ${pair}: no variable ${pair} in your environment; use --env ${pair}=value`, 'env');
      out[pair] = value;
    } else {
      out[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return out;
}

export function parseTimeoutFlag(value: string | number): number {
  const n = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > LIMITS.timeoutMax) {
    throw invalid(`--timeout must be a whole number of seconds from 1 to ${LIMITS.timeoutMax}, not "${value}"`, 'timeout_seconds');
  }
  return n;
}

async function findProjectConfig(flags: RunFlags, cwd: string, git: GitInfo | undefined): Promise<{ file?: string; config: ProjectConfig }> {
  if (flags.config) {
    const file = resolve(cwd, flags.config);
    const config = await readProjectConfig(file);
    if (!config) throw configError(`${file} does not exist`);
    return { file, config };
  }
  const candidates = [join(cwd, PROJECT_CONFIG_NAME)];
  if (git && resolve(git.topLevel) !== resolve(cwd)) candidates.push(join(git.topLevel, PROJECT_CONFIG_NAME));
  for (const file of candidates) {
    const config = await readProjectConfig(file);
    if (config) return { file, config };
  }
  return { config: {} };
}

/** Local paths are sent absolute, relative to where they were written. */
function absolutizeRepo(repo: string, base: string): string {
  const kind = classifyRepoUrl(repo);
  return 'kind' in kind && kind.kind === 'path' && !isAbsolute(repo) ? resolve(base, repo) : repo;
}

export async function resolveRun(command: string, flags: RunFlags, opts: ResolveOptions): Promise<ResolvedRun> {
  const env = opts.env ?? process.env;
  checkCommand(command);
  // What the run may need of git is asked at once (gitFacts), rather than one question after another.
  const remote = flags.remote ?? 'origin';
  const needsRemote = !flags.repo || !flags.branch;
  const facts = await gitFacts(opts.cwd, { remote: needsRemote ? remote : undefined, unpushed: !flags.repo && !flags.branch });
  const git = facts.info;
  const { file: configFile, config } = await findProjectConfig(flags, opts.cwd, git);
  const notes: string[] = [];
  let unpushed: ResolvedRun['unpushed'];

  let repo: string;
  let repoSource: RepoSource;
  if (flags.repo) {
    repo = absolutizeRepo(flags.repo, opts.cwd);
    repoSource = 'flag';
  } else if (config.repo) {
    repo = absolutizeRepo(config.repo, dirname(configFile!));
    repoSource = 'config';
  } else if (git) {
    repo = absolutizeRepo(await remoteUrl(git, remote, facts.remoteUrl), git.topLevel);
    repoSource = 'git';
  } else {
    throw configError(
      `no repository to run in: pass --repo URL, add "repo:" to ${PROJECT_CONFIG_NAME}, or run inside a Git repository with an "origin" remote`,
      'repo',
    );
  }
  checkRepo(repo, { allowLocalRepos: opts.allowLocalRepos });

  let branch = flags.branch || config.branch;
  if (!branch && git) {
    // (no branch given, so the remote's URL was asked)
    const sameRepo = repoSource === 'git' || resolve(git.topLevel) === repo || facts.remoteUrl === repo;
    if (sameRepo) {
      if (!git.branch) throw configError('HEAD is detached, so there is no current branch to run: pass --branch NAME', 'branch');
      branch = git.branch;
      // (a repo from git: neither --repo nor --branch was given, so the count was asked)
      if (repoSource === 'git' && facts.unpushed > 0) {
        unpushed = { branch, commits: facts.unpushed };
        notes.push(`branch ${branch} has ${facts.unpushed} commit(s) not pushed to its upstream; the run clones what is pushed`);
      }
    }
  }

  const mergedEnv = { ...(config.env ?? {}), ...parseEnvFlags(flags.env ?? [], env) };
  const body: Record<string, unknown> = {
    repo,
    command,
    branch,
    image: flags.image || config.image,
    env: Object.keys(mergedEnv).length ? checkEnv(mergedEnv) : undefined,
    timeout_seconds: flags.timeout !== undefined ? parseTimeoutFlag(flags.timeout) : config.timeout,
    workdir: flags.workdir ?? config.workdir,
  };
  const request = validateExecRequest(body, { allowLocalRepos: opts.allowLocalRepos });
  return { request, repoSource, configFile, notes, ...(unpushed ? { unpushed } : {}) };
}
