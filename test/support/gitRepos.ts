// Fixtures that build Git repositories on disk for integration tests:
// bare repositories with given branches/files (served by gitServers.ts or
// used as file:// remotes) and working clones with an `origin` remote.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hermeticEnv, run, type RunOptions, type RunResult } from './proc';

export { hermeticEnv } from './proc';

/** A file in a branch: its content, or content plus a Unix mode (0o755 = executable, 0o120000 = symlink to `content`). */
export type RepoFile = string | { content: string; mode?: number };

/** A bare repository made by makeBareRepo. */
export interface MadeRepo {
  /** Absolute path of <root>/<name>.git. */
  bareDir: string;
  /** The branch HEAD points at. */
  defaultBranch: string;
}

/** Fixed identity and dates so fixture commits need no git config and are reproducible. */
const COMMIT_ENV: NodeJS.ProcessEnv = {
  GIT_AUTHOR_NAME: 'mycli test',
  GIT_AUTHOR_EMAIL: 'test@mycli.invalid',
  GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z',
  GIT_COMMITTER_NAME: 'mycli test',
  GIT_COMMITTER_EMAIL: 'test@mycli.invalid',
  GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
};

/**
 * Runs `git args…` in a hermetic environment (see hermeticEnv) plus
 * `opts.env`; throws with git's stderr on failure unless opts.allowFail.
 */
export function git(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return run('git', args, { ...opts, env: hermeticEnv(opts.env) });
}

/** Makes a fresh directory under os.tmpdir() named <prefix>XXXXXX; remove it with removeDir. */
export async function makeTempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix.replace(/[^\w.-]/g, '-')));
}

/** Removes a directory tree; no error when it is already gone. */
export async function removeDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

function gitMode(mode: number | undefined): string {
  if (mode === undefined) return '100644';
  if ((mode & 0o170000) === 0o120000) return '120000';
  return (mode & 0o111) !== 0 ? '100755' : '100644';
}

/**
 * Creates a bare repo at <root>/<name>.git whose branches hold the given
 * files, one commit per branch (each branch its own root commit). The
 * default branch (HEAD) is the first key of `branches`, or 'main' when
 * there are none (then the repo is empty). `files` maps a path like
 * 'dir/run.sh' to its content, or to {content, mode} (mode 0o755 makes it
 * executable). `opts.submodules` maps a path to a submodule URL: every
 * branch gets a gitlink at that path pinned to the URL's HEAD commit (the
 * URL must be reachable now, e.g. another made repo's bareDir) and a
 * generated .gitmodules unless the branch's files give one.
 */
export async function makeBareRepo(
  root: string,
  name: string,
  branches: Record<string, Record<string, RepoFile>>,
  opts: { submodules?: Record<string, string> } = {},
): Promise<MadeRepo> {
  const bareDir = path.resolve(root, `${name}.git`);
  const defaultBranch = Object.keys(branches)[0] ?? 'main';
  await fs.mkdir(path.dirname(bareDir), { recursive: true });
  await git(['init', '--quiet', '--bare', `--initial-branch=${defaultBranch}`, bareDir]);

  const submodules: Array<{ path: string; url: string; sha: string }> = [];
  for (const [subPath, url] of Object.entries(opts.submodules ?? {})) {
    const res = await git(['-c', 'protocol.file.allow=always', 'ls-remote', url, 'HEAD']);
    const sha = res.stdout.split(/\s/)[0];
    if (!sha) throw new Error(`submodule ${url} has no HEAD commit`);
    submodules.push({ path: subPath, url, sha });
  }

  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'mycli-index-'));
  try {
    let i = 0;
    for (const [branch, files] of Object.entries(branches)) {
      const env = { ...COMMIT_ENV, GIT_DIR: bareDir, GIT_INDEX_FILE: path.join(work, `index${i++}`) };
      const entries: string[] = [];
      const all: Record<string, RepoFile> = { ...files };
      if (submodules.length && all['.gitmodules'] === undefined) {
        all['.gitmodules'] = submodules.map((s) => `[submodule "${s.path}"]\n\tpath = ${s.path}\n\turl = ${s.url}\n`).join('');
      }
      for (const [filePath, file] of Object.entries(all)) {
        const content = typeof file === 'string' ? file : file.content;
        const mode = typeof file === 'string' ? undefined : file.mode;
        const blob = (await git(['hash-object', '-w', '--stdin'], { env, input: content })).stdout.trim();
        entries.push(`${gitMode(mode)} ${blob}\t${filePath.replace(/^\/+/, '')}`);
      }
      for (const s of submodules) entries.push(`160000 ${s.sha}\t${s.path}`);
      if (entries.length) await git(['update-index', '--add', '--index-info'], { env, input: entries.join('\n') + '\n' });
      const tree = (await git(['write-tree'], { env })).stdout.trim();
      const commit = (await git(['commit-tree', tree, '-m', `Fixture content of ${branch}`], { env })).stdout.trim();
      await git(['update-ref', `refs/heads/${branch}`, commit], { env });
    }
  } finally {
    await removeDir(work);
  }
  return { bareDir, defaultBranch };
}

/**
 * Makes a non-bare working clone of `remoteUrl` (which must be reachable)
 * in a new directory under `root`, checked out on `branch`, with `origin`
 * pointing at `remoteUrl` — or at `opts.originUrl` when given (e.g. a
 * GitHub-looking URL for remote auto-detection) — and a local user
 * identity so tests can commit in it. Returns its directory.
 */
export async function makeWorkingClone(
  root: string,
  remoteUrl: string,
  branch: string,
  opts: { originUrl?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  await fs.mkdir(root, { recursive: true });
  const base = (remoteUrl.replace(/\/+$/, '').split(/[/:]/).pop() ?? '').replace(/\.git$/, '').replace(/[^\w.-]/g, '-') || 'repo';
  const dir = await fs.mkdtemp(path.join(path.resolve(root), `${base}-`));
  await git(['-c', 'protocol.file.allow=always', 'clone', '--quiet', '--branch', branch, remoteUrl, dir], { env: opts.env });
  await git(['config', 'user.name', 'mycli test'], { cwd: dir });
  await git(['config', 'user.email', 'test@mycli.invalid'], { cwd: dir });
  if (opts.originUrl) await git(['remote', 'set-url', 'origin', opts.originUrl], { cwd: dir });
  return dir;
}
