// resolveRun against real Git repositories in temp dirs: flags → .mycli.yaml → git origin
// and current branch → an error that says how to fix it.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MycliError } from '../../src/shared/errors';
import { parseEnvFlags, parseTimeoutFlag, resolveRun, ResolvedRun, RunFlags } from '../../src/shared/resolveRun';
import { git, makeBareRepo, makeTempDir, makeWorkingClone, MadeRepo, removeDir } from '../support/gitRepos';

const ORIGIN = 'https://github.com/org/app.git';

describe('resolveRun', function () {
  this.timeout(20_000);
  let tmp: string;
  let bare: MadeRepo;
  /** A clone of `bare` on branch feature whose origin is ORIGIN (a GitHub-looking URL). */
  let clone: string;
  /** A folder outside any Git repository. */
  let plain: string;

  before(async () => {
    tmp = await makeTempDir('mycli-resolverun-');
    bare = await makeBareRepo(path.join(tmp, 'repos'), 'app', {
      main: { 'README.md': 'main\n', 'infra/main.tf': '# tf\n' },
      feature: { 'README.md': 'feature\n' },
    });
    clone = await makeWorkingClone(path.join(tmp, 'work'), bare.bareDir, 'feature', { originUrl: ORIGIN });
    await fs.mkdir(path.join(clone, 'sub', 'deeper'), { recursive: true });
    plain = path.join(tmp, 'plain');
    await fs.mkdir(plain);
  });

  after(async () => {
    if (tmp) await removeDir(tmp);
  });

  /** A fresh folder under tmp. */
  async function newDir(name: string): Promise<string> {
    return fs.mkdtemp(path.join(tmp, `${name}-`));
  }

  /** A fresh working clone (for tests that change its state); originUrl null keeps the bare repo's path as origin. */
  async function freshClone(branch = 'feature', originUrl: string | null = ORIGIN): Promise<string> {
    return makeWorkingClone(path.join(tmp, 'work'), bare.bareDir, branch, originUrl ? { originUrl } : {});
  }

  const run = (cwd: string, flags: RunFlags = {}, allowLocalRepos = false, env: NodeJS.ProcessEnv = {}, command = 'make test'): Promise<ResolvedRun> =>
    resolveRun(command, flags, { cwd, allowLocalRepos, env });

  /** Asserts the promise rejects with a MycliError of `code` and `field`; returns it. */
  async function rejection(p: Promise<unknown>, code: string, field?: string): Promise<MycliError> {
    try {
      await p;
    } catch (err) {
      assert.ok(err instanceof MycliError, `a MycliError, got ${String(err)}`);
      assert.equal(err.code, code, err.message);
      if (field !== undefined) assert.equal(err.field, field, err.message);
      return err;
    }
    assert.fail('did not reject');
  }

  describe('git auto-detection', () => {
    it('takes origin and the current branch', async () => {
      const r = await run(clone);
      assert.deepEqual(r.request, { repo: ORIGIN, command: 'make test', branch: 'feature', timeout_seconds: 3600 });
      assert.equal(r.repoSource, 'git');
      assert.equal(r.configFile, undefined);
      assert.deepEqual(r.notes, []);
    });

    it('works from a sub-folder of the work tree', async () => {
      const r = await run(path.join(clone, 'sub', 'deeper'));
      assert.equal(r.request.repo, ORIGIN);
      assert.equal(r.request.branch, 'feature');
    });

    it('--remote NAME takes that remote instead of origin', async () => {
      const dir = await freshClone();
      await git(['remote', 'add', 'upstream', 'git@github.com:upstream/app.git'], { cwd: dir });
      const r = await run(dir, { remote: 'upstream' });
      assert.equal(r.request.repo, 'git@github.com:upstream/app.git');
      assert.equal(r.request.branch, 'feature');
      assert.equal(r.repoSource, 'git');
    });

    it('a remote whose name holds quotes and a dollar sign reaches git as it is, not as shell text', async () => {
      const dir = await freshClone();
      const name = `o'b"$HOME\`x`;
      await git(['remote', 'add', name, 'git@github.com:odd/app.git'], { cwd: dir });
      const r = await run(dir, { remote: name });
      assert.equal(r.request.repo, 'git@github.com:odd/app.git');
      assert.equal(r.request.branch, 'feature');
    });

    it('a missing remote is an error that lists the remotes there are', async () => {
      const dir = await freshClone();
      await git(['remote', 'add', 'upstream', 'git@github.com:upstream/app.git'], { cwd: dir });
      const err = await rejection(run(dir, { remote: 'fork' }), 'config_error', 'remote');
      assert.match(err.message, /has no remote "fork"/);
      assert.match(err.message, /its remotes are origin, upstream; pick one with --remote NAME/);
    });

    it('a repository without remotes: the error says to add one or pass --repo', async () => {
      const dir = await newDir('noremote');
      await git(['init', '--quiet', dir]);
      const err = await rejection(run(dir), 'config_error', 'remote');
      assert.match(err.message, /has no remote "origin": it has no remotes; add one with "git remote add origin URL" or pass --repo URL/);
    });

    it('a branch with no commit yet is still the current branch', async () => {
      const dir = await newDir('unborn');
      await git(['init', '--quiet', '--initial-branch', 'fresh', dir]);
      await git(['remote', 'add', 'origin', ORIGIN], { cwd: dir });
      const r = await run(dir);
      assert.equal(r.request.branch, 'fresh');
      assert.equal(r.request.repo, ORIGIN);
    });

    it('--repo naming this repository by its origin URL runs the current branch', async () => {
      const dir = await freshClone();
      const r = await run(dir, { repo: ORIGIN });
      assert.equal(r.request.branch, 'feature');
    });

    it('a detached HEAD is an error that mentions --branch', async () => {
      const dir = await freshClone();
      await git(['checkout', '--quiet', '--detach'], { cwd: dir });
      const err = await rejection(run(dir), 'config_error', 'branch');
      assert.match(err.message, /HEAD is detached/);
      assert.match(err.message, /--branch NAME/);
    });

    it('a detached HEAD with --branch runs that branch', async () => {
      const dir = await freshClone();
      await git(['checkout', '--quiet', '--detach'], { cwd: dir });
      const r = await run(dir, { branch: 'main' });
      assert.equal(r.request.branch, 'main');
      assert.equal(r.request.repo, ORIGIN);
    });

    it('a detached HEAD does not matter when the repo is another one', async () => {
      const dir = await freshClone();
      await git(['checkout', '--quiet', '--detach'], { cwd: dir });
      const r = await run(dir, { repo: 'git@github.com:org/other.git' });
      assert.equal(r.request.repo, 'git@github.com:org/other.git');
      assert.equal(r.request.branch, undefined);
    });

    it('notes commits that are not pushed to the upstream', async () => {
      const dir = await freshClone();
      await fs.writeFile(path.join(dir, 'new.txt'), 'x\n');
      await git(['add', 'new.txt'], { cwd: dir });
      await git(['commit', '--quiet', '-m', 'local only'], { cwd: dir });
      const r = await run(dir);
      assert.equal(r.notes.length, 1);
      assert.match(r.notes[0]!, /branch feature has 1 commit\(s\) not pushed/);
      // the extension asks before running what is pushed
      assert.deepEqual(r.unpushed, { branch: 'feature', commits: 1 });
    });

    it('an origin that is a local path is refused when the backend cannot clone it, and made absolute when it can', async () => {
      const dir = await freshClone('main', null); // origin = the bare repo's absolute path
      const err = await rejection(run(dir), 'invalid_request', 'repo');
      assert.match(err.message, /local path, which only the local backend can clone; use an https:\/\/ or ssh URL/);
      const r = await run(dir, {}, true);
      assert.equal(r.request.repo, bare.bareDir);
      assert.equal(r.request.branch, 'main');
    });
  });

  describe('no repository anywhere', () => {
    it('is an error that mentions --repo, .mycli.yaml and origin', async () => {
      const err = await rejection(run(plain), 'config_error', 'repo');
      assert.match(err.message, /--repo/);
      assert.match(err.message, /\.mycli\.yaml/);
      assert.match(err.message, /origin/);
    });

    it('--repo alone is enough; no branch is guessed', async () => {
      const r = await run(plain, { repo: 'git@github.com:org/x.git' });
      assert.deepEqual(r.request, { repo: 'git@github.com:org/x.git', command: 'make test', timeout_seconds: 3600 });
      assert.equal(r.repoSource, 'flag');
    });
  });

  describe('.mycli.yaml', () => {
    it('is used over git detection, and names the file', async () => {
      const dir = await freshClone();
      const file = path.join(dir, '.mycli.yaml');
      await fs.writeFile(file, 'repo: git@github.com:org/other.git\nbranch: dev\nimage: python:3.12\nenv:\n  A: "1"\ntimeout: 60\nworkdir: infra\n');
      const r = await run(dir);
      assert.deepEqual(r.request, {
        repo: 'git@github.com:org/other.git', command: 'make test', branch: 'dev', image: 'python:3.12',
        env: { A: '1' }, timeout_seconds: 60, workdir: 'infra',
      });
      assert.equal(r.repoSource, 'config');
      assert.equal(r.configFile, file);
    });

    it('is found at the top of the work tree when run from a sub-folder', async () => {
      const dir = await freshClone();
      await fs.mkdir(path.join(dir, 'a', 'b'), { recursive: true });
      await fs.writeFile(path.join(dir, '.mycli.yaml'), 'timeout: 77\n');
      const r = await run(path.join(dir, 'a', 'b'));
      assert.equal(r.request.timeout_seconds, 77);
      assert.equal(r.configFile, path.join(dir, '.mycli.yaml'));
      assert.equal(r.request.repo, ORIGIN, 'the repo still comes from git');
      assert.equal(r.request.branch, 'feature');
    });

    it('without a branch, for another repo: no branch (the remote default)', async () => {
      const dir = await freshClone();
      await fs.writeFile(path.join(dir, '.mycli.yaml'), 'repo: git@github.com:org/other.git\n');
      const r = await run(dir);
      assert.equal(r.request.repo, 'git@github.com:org/other.git');
      assert.equal(r.request.branch, undefined);
    });

    it('without a branch, for this repo (its origin URL): the current branch', async () => {
      const dir = await freshClone();
      await fs.writeFile(path.join(dir, '.mycli.yaml'), `repo: ${ORIGIN}\n`);
      const r = await run(dir);
      assert.equal(r.request.branch, 'feature');
      assert.equal(r.repoSource, 'config');
    });

    it('a relative repo path is made absolute against the file\'s folder', async () => {
      const dir = await newDir('cfgrel');
      await fs.mkdir(path.join(dir, 'proj'));
      await fs.writeFile(path.join(dir, 'proj', '.mycli.yaml'), 'repo: ../repos/app.git\n');
      const r = await run(path.join(dir, 'proj'), {}, true);
      assert.equal(r.request.repo, path.join(dir, 'repos', 'app.git'));
    });

    it('an invalid file is an error with file and line', async () => {
      const dir = await newDir('cfgbad');
      await fs.writeFile(path.join(dir, '.mycli.yaml'), 'repo: https://github.com/org/x.git\nbranch: "a..b"\n');
      const err = await rejection(run(dir), 'config_error', 'branch');
      assert.match(err.message, new RegExp(`${path.join(dir, '.mycli.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: branch "a..b"`));
    });

    it('--config reads the given file instead', async () => {
      const dir = await newDir('cfgflag');
      await fs.writeFile(path.join(dir, '.mycli.yaml'), 'timeout: 1\n');
      await fs.writeFile(path.join(dir, 'ci.yaml'), 'repo: https://github.com/org/x.git\ntimeout: 99\n');
      const r = await run(dir, { config: 'ci.yaml' });
      assert.equal(r.request.timeout_seconds, 99);
      assert.equal(r.configFile, path.join(dir, 'ci.yaml'));
    });

    it('--config pointing at a missing file is an error naming it', async () => {
      const dir = await newDir('cfgmissing');
      const err = await rejection(run(dir, { config: 'nope.yaml', repo: 'https://github.com/org/x.git' }), 'config_error');
      assert.match(err.message, new RegExp(`${path.join(dir, 'nope.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not exist`));
    });
  });

  describe('flags', () => {
    it('win over .mycli.yaml and git', async () => {
      const dir = await freshClone();
      await fs.writeFile(path.join(dir, '.mycli.yaml'), 'repo: git@github.com:org/other.git\nbranch: dev\nimage: python:3.12\ntimeout: 60\nworkdir: infra\n');
      const r = await run(dir, { repo: 'ssh://git@example.com/srv/x.git', branch: 'release/2', image: 'node:22', timeout: '120', workdir: 'web/' });
      assert.deepEqual(r.request, {
        repo: 'ssh://git@example.com/srv/x.git', command: 'make test', branch: 'release/2', image: 'node:22',
        timeout_seconds: 120, workdir: 'web',
      });
      assert.equal(r.repoSource, 'flag');
    });

    it('--repo set to this repo\'s origin URL keeps the current branch', async () => {
      const r = await run(clone, { repo: ORIGIN });
      assert.equal(r.request.branch, 'feature');
      assert.equal(r.repoSource, 'flag');
    });

    it('--repo with a relative local path is made absolute against the cwd', async () => {
      const r = await run(plain, { repo: '../repos/app.git' }, true);
      assert.equal(r.request.repo, bare.bareDir);
      const here = await run(path.join(tmp, 'repos', 'app.git'), { repo: '.' }, true);
      assert.equal(here.request.repo, bare.bareDir);
    });

    it('--repo with a local path is refused when the backend cannot clone it', async () => {
      for (const repo of [bare.bareDir, '../repos/app.git', `file://${bare.bareDir}`]) {
        const err = await rejection(run(plain, { repo }), 'invalid_request', 'repo');
        assert.match(err.message, /only the local backend can clone; use an https:\/\/ or ssh URL/);
      }
    });

    it('--repo with a token in the URL is refused without echoing the token', async () => {
      const err = await rejection(run(plain, { repo: 'https://me:ghp_secret123@github.com/org/x.git' }), 'invalid_request', 'repo');
      assert.match(err.message, /password or token/);
      assert.ok(!err.message.includes('ghp_secret123'), err.message);
    });

    it('an invalid --branch is refused', async () => {
      const err = await rejection(run(plain, { repo: ORIGIN, branch: 'feat;rm' }), 'invalid_request', 'branch');
      assert.match(err.message, /branch "feat;rm" is not a valid Git branch name/);
    });

    it('an empty command is refused', async () => {
      await rejection(run(plain, { repo: ORIGIN }, false, {}, '  '), 'invalid_request', 'command');
    });
  });

  describe('env', () => {
    it('merges .mycli.yaml then flags, later wins, and --env NAME copies from the given environment', async () => {
      const dir = await newDir('envmerge');
      await fs.writeFile(path.join(dir, '.mycli.yaml'), 'repo: https://github.com/org/x.git\nenv:\n  A: yaml-a\n  B: yaml-b\n');
      const r = await run(dir, { env: ['B=flag-b', 'C=c=d', 'FROM_ENV', 'D=1', 'D=2', 'E='] }, false, { FROM_ENV: 'from env', OTHER: 'not sent' });
      assert.deepEqual(r.request.env, { A: 'yaml-a', B: 'flag-b', C: 'c=d', FROM_ENV: 'from env', D: '2', E: '' });
    });

    it('--env NAME missing from the environment is an error that says how to fix it', async () => {
      const err = await rejection(run(plain, { repo: ORIGIN, env: ['NOPE'] }, false, { OTHER: 'x' }), 'invalid_request', 'env');
      assert.equal(err.message, '--env NOPE: no variable NOPE in your environment; use --env NOPE=value');
    });

    it('--env =value is an error', async () => {
      const err = await rejection(run(plain, { repo: ORIGIN, env: ['=x'] }), 'invalid_request', 'env');
      assert.match(err.message, /has no name/);
    });

    it('reserved or invalid names from flags are refused', async () => {
      await rejection(run(plain, { repo: ORIGIN, env: ['AWS_REGION=x'] }), 'invalid_request', 'env');
      await rejection(run(plain, { repo: ORIGIN, env: ['GITHUB_TOKEN=x'] }), 'invalid_request', 'env');
      await rejection(run(plain, { repo: ORIGIN, env: ['1X=x'] }), 'invalid_request', 'env');
    });

    it('parseEnvFlags on its own', () => {
      assert.deepEqual(parseEnvFlags([], {}), {});
      assert.deepEqual(parseEnvFlags(['A=b=c', 'H'], { H: '' }), { A: 'b=c', H: '' });
    });
  });

  describe('timeout flag', () => {
    for (const [value, out] of [['60', 60], [' 60 ', 60], ['43200', 43200], [1, 1], [120, 120]] as const) {
      it(`${JSON.stringify(value)} → ${out}`, () => assert.equal(parseTimeoutFlag(value), out));
    }
    for (const value of ['abc', '1.5', '0', '43201', '-5', '1e3', '', '60s', 0, 1.5, 43201]) {
      it(`refuses ${JSON.stringify(value)}`, () => {
        assert.throws(() => parseTimeoutFlag(value), (err: unknown) => {
          assert.ok(err instanceof MycliError);
          assert.equal(err.code, 'invalid_request');
          assert.equal(err.field, 'timeout_seconds');
          assert.equal(err.message, `--timeout must be a whole number of seconds from 1 to 43200, not "${value}"`);
          return true;
        });
      });
    }
    it('through resolveRun', async () => {
      assert.equal((await run(plain, { repo: ORIGIN, timeout: '90' })).request.timeout_seconds, 90);
      await rejection(run(plain, { repo: ORIGIN, timeout: 'abc' }), 'invalid_request', 'timeout_seconds');
    });
  });
});
