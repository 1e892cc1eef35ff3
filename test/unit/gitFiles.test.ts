// gitFacts' answers read from the repository's files, held to git's own answers (git is the
// oracle) in real repositories: the plain cases are read, and every case git could answer another
// way is left to git.
import * as assert from 'node:assert/strict';
import { chown, mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { askGitProcesses, GitQuestions } from '../../src/shared/git';
import { factsFromFiles } from '../../src/shared/gitFiles';
import { git, hermeticEnv, makeBareRepo, makeTempDir, makeWorkingClone, removeDir } from '../support/gitRepos';

const ORIGIN = 'https://github.com/org/app.git';
const QUESTIONS: GitQuestions[] = [{ remote: 'origin', unpushed: true }, { remote: 'origin' }, {}, { remote: 'nosuch', unpushed: true }];

describe('git facts read from the repository files', function () {
  this.timeout(30_000);
  const env = hermeticEnv();
  let tmp: string;
  let bareDir: string;

  before(async () => {
    tmp = await makeTempDir('mycli-gitfiles-');
    ({ bareDir } = await makeBareRepo(path.join(tmp, 'repos'), 'app', { main: { 'a.txt': 'a\n', 'sub/b.txt': 'b\n' }, feature: { 'c.txt': 'c\n' } }));
  });

  after(async () => {
    if (tmp) await removeDir(tmp);
  });

  /** A working clone on `feature`, tracking origin/feature, whose origin is then ORIGIN. */
  const clone = async (): Promise<string> => {
    const dir = await makeWorkingClone(path.join(tmp, 'work'), bareDir, 'feature');
    await git(['remote', 'set-url', 'origin', ORIGIN], { cwd: dir });
    return dir;
  };
  const gitsAnswer = (dir: string, ask: GitQuestions, e = env) => askGitProcesses(dir, ask, true, e).answers;

  /** The files answer each question, as git does. */
  async function readAsGit(dir: string, e = env, questions = QUESTIONS): Promise<void> {
    for (const ask of questions) {
      const fromFiles = factsFromFiles(dir, ask, e);
      assert.ok(fromFiles, `read from the files: ${JSON.stringify(ask)}`);
      assert.deepEqual(fromFiles, await gitsAnswer(dir, ask, e), JSON.stringify(ask));
    }
  }

  /** The files do not answer: git is asked. */
  function leftToGit(dir: string, ask: GitQuestions = QUESTIONS[0]!, e = env): void {
    assert.equal(factsFromFiles(dir, ask, e), undefined, JSON.stringify(ask));
  }

  it('reads a plain clone as git does: top level, branch, remote URL, no unpushed commits, a remote it lacks', async () => {
    const dir = await clone();
    await readAsGit(dir);
    const facts = factsFromFiles(dir, QUESTIONS[0]!, env)!;
    assert.deepEqual(facts, { info: { topLevel: dir, branch: 'feature' }, remoteUrl: ORIGIN, unpushed: 0 });
  });

  it('reads from a sub-folder, on a detached HEAD, with packed refs, and with two URLs (the first, as git get-url)', async () => {
    const dir = await clone();
    await mkdir(path.join(dir, 'deep', 'er'), { recursive: true });
    await readAsGit(path.join(dir, 'deep', 'er'));
    await git(['pack-refs', '--all'], { cwd: dir });
    await readAsGit(dir);
    await git(['remote', 'set-url', '--add', 'origin', 'https://example.com/second.git'], { cwd: dir });
    await readAsGit(dir);
    await git(['checkout', '-q', '--detach'], { cwd: dir });
    await readAsGit(dir);
    assert.equal(factsFromFiles(dir, {}, env)!.info!.branch, undefined);
  });

  it('reads a repository whose branch has no commit yet', async () => {
    const dir = path.join(tmp, 'unborn');
    await git(['init', '-q', '-b', 'fresh', dir]);
    await git(['remote', 'add', 'origin', ORIGIN], { cwd: dir });
    await readAsGit(dir);
    assert.equal(factsFromFiles(dir, {}, env)!.info!.branch, 'fresh');
  });

  it('leaves unpushed commits for git to count, and still reads the rest', async () => {
    const dir = await clone();
    await git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'local'], { cwd: dir });
    leftToGit(dir, { remote: 'origin', unpushed: true });
    assert.equal((await gitsAnswer(dir, { remote: 'origin', unpushed: true })).unpushed, 1);
    await readAsGit(dir, env, [{ remote: 'origin' }]);
  });

  it('leaves to git what config could make it answer another way: URL rewriting, includes, quoted values, another fetch refspec', async () => {
    const rewriting = await clone();
    const globalConfig = path.join(tmp, 'global-gitconfig');
    await writeFile(globalConfig, '[url "https://github.com/"]\n\tinsteadOf = gh:\n');
    await git(['remote', 'set-url', 'origin', 'gh:org/app.git'], { cwd: rewriting });
    leftToGit(rewriting, { remote: 'origin' }, { ...env, GIT_CONFIG_GLOBAL: globalConfig });
    assert.equal((await gitsAnswer(rewriting, { remote: 'origin' }, { ...env, GIT_CONFIG_GLOBAL: globalConfig })).remoteUrl, 'https://github.com/org/app.git');

    const local = await clone();
    await git(['config', 'url.https://example.com/.insteadOf', 'https://github.com/'], { cwd: local });
    leftToGit(local);
    assert.equal((await gitsAnswer(local, { remote: 'origin' })).remoteUrl, 'https://example.com/org/app.git');

    const included = await clone();
    await git(['config', 'include.path', globalConfig], { cwd: included });
    leftToGit(included);

    const quoted = await clone();
    await git(['remote', 'set-url', 'origin', 'https://example.com/a#b.git'], { cwd: quoted });
    leftToGit(quoted);

    const refspec = await clone();
    await git(['config', 'remote.origin.fetch', '+refs/heads/feature:refs/remotes/origin/feature'], { cwd: refspec });
    leftToGit(refspec, { remote: 'origin', unpushed: true });
  });

  it('leaves to git a branch that shares its name with a tag or a file of .git (git calls it heads/NAME)', async () => {
    const dir = await clone();
    await git(['tag', 'feature'], { cwd: dir });
    leftToGit(dir, {});
    assert.equal((await gitsAnswer(dir, {})).info!.branch, 'heads/feature');

    const other = await clone();
    await git(['update-ref', 'ORIG_HEAD', 'HEAD'], { cwd: other });
    await git(['checkout', '-q', '-b', 'ORIG_HEAD'], { cwd: other });
    leftToGit(other, {});
    assert.equal((await gitsAnswer(other, {})).info!.branch, 'heads/ORIG_HEAD');
  });

  it('leaves to git a worktree, a folder outside any repository, and a repository GIT_DIR points at', async () => {
    const dir = await clone();
    const worktree = path.join(tmp, 'worktree');
    await git(['worktree', 'add', '-q', worktree, 'main'], { cwd: dir });
    leftToGit(worktree);
    const outside = path.join(tmp, 'outside');
    await mkdir(outside);
    leftToGit(outside);
    // a bare repository inside a work tree: git finds the bare one
    const bare = path.join(dir, 'inner.git');
    await git(['init', '-q', '--bare', bare]);
    leftToGit(bare);
    leftToGit(path.join(bare, 'refs'));
    leftToGit(outside, {}, { ...env, GIT_DIR: path.join(dir, '.git') });
  });

  it('leaves to git a repository another user owns (git may refuse it: safe.directory)', async function () {
    if (process.getuid?.() !== 0) this.skip(); // only root can give a folder away
    const dir = await clone();
    await chown(dir, 65534, 65534);
    leftToGit(dir);
  });
});
