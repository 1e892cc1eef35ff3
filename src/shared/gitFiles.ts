/**
 * gitFacts' answers read from the repository's own files, when they are plain enough that git
 * would give the same: a `.git` folder (not a worktree's or a submodule's `.git` file) owned by
 * this user, a config without includes, URL rewriting (`insteadOf`, in any config git reads) or
 * anything that moves the work tree, values without quotes or escapes, a branch name no other
 * ref shares, and no unpushed commits to count. Anything else is undefined: git is asked, and
 * stays the authority (test/unit/gitFiles.test.ts holds the two to the same answers). On a small
 * machine the processes asking git cost a run some 10% of its start.
 */
import { lstatSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import type { GitFacts, GitQuestions } from './git';

/** Variables that change where git looks or what config it reads: with any of them set, git is asked. */
const GIT_LOCATION_VARS = [
  'GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_CEILING_DIRECTORIES', 'GIT_DISCOVERY_ACROSS_FILESYSTEM',
  'GIT_CONFIG', 'GIT_CONFIG_COUNT', 'GIT_CONFIG_PARAMETERS', 'GIT_NAMESPACE', 'GIT_OBJECT_DIRECTORY',
];
/** In a config git reads besides the repository's: what could change these answers. */
const OTHER_CONFIG_CONCERNS = /insteadof|include|\[\s*(remote|branch)\b/i;
const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

class AskGit extends Error {}
const askGit = (): never => {
  throw new AskGit();
};

export function factsFromFiles(cwd: string, ask: GitQuestions, env: NodeJS.ProcessEnv): GitFacts | undefined {
  try {
    return readFacts(cwd, ask, env);
  } catch {
    return undefined; // AskGit, or a file that could not be read as expected
  }
}

function readFacts(cwd: string, ask: GitQuestions, env: NodeJS.ProcessEnv): GitFacts {
  if (GIT_LOCATION_VARS.some((name) => env[name])) askGit();
  for (const file of otherConfigFiles(env)) {
    const text = readIfThere(file);
    if (text !== undefined && OTHER_CONFIG_CONCERNS.test(text)) askGit();
  }
  const { top, gitDir } = findWorkTree(cwd);
  const config = parseConfig(readFileSync(join(gitDir, 'config'), 'utf8'));
  if (config.has('core.worktree') || /^(true|yes|on|1)$/i.test(last(config, 'core.bare') ?? '')) askGit();
  const refs = new Refs(gitDir);

  const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
  let branch: string | undefined;
  if (head.startsWith('ref: refs/heads/')) branch = head.slice('ref: refs/heads/'.length);
  else if (!SHA.test(head)) askGit();
  // git names a branch that shares its name with another ref by a longer name (heads/x): a tag,
  // a remote, or a file of .git itself (a branch called ORIG_HEAD)
  if (branch !== undefined && [branch, `refs/${branch}`, `refs/tags/${branch}`, `refs/remotes/${branch}`, `refs/remotes/${branch}/HEAD`].some((r) => refs.exists(r))) askGit();

  let remoteUrl: string | undefined;
  if (ask.remote !== undefined) {
    const urls = config.get(`remote\0${ask.remote}.url`);
    if (urls?.length) remoteUrl = urls[0]!;
    // a remote may also be named by the older files git still reads
    else if (readIfThere(join(gitDir, 'remotes', ask.remote)) !== undefined || readIfThere(join(gitDir, 'branches', ask.remote)) !== undefined) askGit();
    if (remoteUrl === '') askGit();
  }
  return { info: { topLevel: top, branch }, remoteUrl, unpushed: ask.unpushed ? unpushedIsNone(config, refs, branch) : 0 };
}

/** 0 when git would count none (no upstream, or the branch where its upstream is); asks git for a count otherwise. */
function unpushedIsNone(config: Map<string, string[]>, refs: Refs, branch: string | undefined): 0 {
  if (branch === undefined) return 0; // detached: no upstream
  const remote = last(config, `branch\0${branch}.remote`);
  const merge = last(config, `branch\0${branch}.merge`);
  if (remote === undefined || merge === undefined) return 0;
  if (remote === '.' || !merge.startsWith('refs/heads/')) askGit();
  const fetch = config.get(`remote\0${remote}.fetch`) ?? [];
  if (fetch.length !== 1 || fetch[0] !== `+refs/heads/*:refs/remotes/${remote}/*`) askGit();
  const local = refs.sha(`refs/heads/${branch}`);
  const upstream = refs.sha(`refs/remotes/${remote}/${merge.slice('refs/heads/'.length)}`);
  if (local === undefined || upstream === undefined || local === upstream) return 0;
  return askGit();
}

/** The work tree holding `cwd` and its `.git` folder, found as git finds them. */
function findWorkTree(cwd: string): { top: string; gitDir: string } {
  if (cwd.split(sep).includes('.git')) askGit(); // inside a git folder: git's own rules
  const device = statSync(cwd).dev;
  for (let dir = cwd; ; ) {
    const dotGit = join(dir, '.git');
    const st = lstatSync(dotGit, { throwIfNoEntry: false });
    if (st) {
      if (!st.isDirectory()) askGit(); // a worktree's or a submodule's .git file, or a link
      for (const part of ['HEAD', 'config', 'objects', 'refs']) statSync(join(dotGit, part));
      // git refuses a repository another user owns (safe.directory): it decides that
      const uid = process.getuid?.();
      if (uid === undefined || st.uid !== uid || statSync(dir).uid !== uid) askGit();
      return { top: dir, gitDir: dotGit };
    }
    // a folder that is itself a git folder (a bare repository): git stops there
    if (lstatSync(join(dir, 'HEAD'), { throwIfNoEntry: false }) && lstatSync(join(dir, 'objects'), { throwIfNoEntry: false })) askGit();
    const up = dirname(dir);
    // not in a work tree (git may still find a bare repository), or past a file system git does not cross
    if (up === dir || statSync(up).dev !== device) askGit();
    dir = up;
  }
}

/** The configs git reads besides the repository's own: the system's and the user's. */
function otherConfigFiles(env: NodeJS.ProcessEnv): string[] {
  const files: string[] = [];
  const noSystem = env.GIT_CONFIG_NOSYSTEM;
  if (noSystem && !/^(true|yes|on|1|false|no|off|0)$/i.test(noSystem)) askGit();
  if (!noSystem || /^(false|no|off|0)$/i.test(noSystem)) files.push(env.GIT_CONFIG_SYSTEM || '/etc/gitconfig');
  if (env.GIT_CONFIG_GLOBAL !== undefined) {
    if (env.GIT_CONFIG_GLOBAL) files.push(env.GIT_CONFIG_GLOBAL);
  } else {
    if (!env.HOME) askGit();
    files.push(join(env.XDG_CONFIG_HOME || join(env.HOME!, '.config'), 'git', 'config'), join(env.HOME!, '.gitconfig'));
  }
  return files;
}

function readIfThere(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

const last = (config: Map<string, string[]>, key: string): string | undefined => config.get(key)?.at(-1);

/**
 * A repository's config as `section[\0subsection].key` → values, for the plain form only: a line
 * git would read another way (quotes, escapes, comments inside values, continued lines, the old
 * `[section.sub]` form, a key on its section's line), an include, URL rewriting or extensions
 * make git be asked.
 */
function parseConfig(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      const m = /^\[([A-Za-z0-9-]+)(?:\s+"([^"\\]*)")?\]$/.exec(line);
      if (!m) askGit();
      const name = m![1]!.toLowerCase();
      if (name === 'include' || name === 'includeif' || name === 'extensions') askGit();
      section = m![2] !== undefined ? `${name}\0${m![2]}` : name;
      continue;
    }
    const m = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(line);
    if (!m || section === undefined) askGit();
    const key = m![1]!.toLowerCase();
    const value = m![2] ?? 'true';
    // (git also turns a tab inside a value into a space)
    if (/["\\#;\t]/.test(value) || key.endsWith('insteadof')) askGit();
    const full = `${section}.${key}`;
    out.set(full, [...(out.get(full) ?? []), value.trim()]);
  }
  return out;
}

/** A repository's refs: loose files, else packed-refs (read once, when first needed). */
class Refs {
  private packed: Map<string, string> | undefined;

  constructor(private readonly gitDir: string) {}

  exists(name: string): boolean {
    return this.sha(name) !== undefined;
  }

  sha(name: string): string | undefined {
    const loose = readIfThere(join(this.gitDir, name))?.trim();
    if (loose !== undefined) {
      if (!SHA.test(loose)) askGit(); // a symbolic ref, or a folder's name
      return loose;
    }
    return this.packedRefs().get(name);
  }

  private packedRefs(): Map<string, string> {
    if (this.packed) return this.packed;
    this.packed = new Map();
    for (const line of (readIfThere(join(this.gitDir, 'packed-refs')) ?? '').split('\n')) {
      if (line === '' || line.startsWith('#') || line.startsWith('^')) continue;
      const [sha, name] = line.split(' ');
      if (!sha || !name || !SHA.test(sha)) askGit();
      this.packed.set(name!, sha!);
    }
    return this.packed;
  }
}
