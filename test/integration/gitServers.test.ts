// Self-test of the Git server fixtures with the plain git CLI: each server
// must serve a clone over its protocol, enforce its auth, and stop cleanly.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { git, makeBareRepo, makeTempDir, makeWorkingClone, removeDir, type MadeRepo } from '../support/gitRepos';
import { startGitDaemon, startSmartHttp, startSshd, type GitServer, type SmartHttpServer, type SshdServer } from '../support/gitServers';
import { isAlive, run } from '../support/proc';

/** Asserts that the server's process and all its children are gone (pgrep). */
async function assertNoProcessesLeft(pid: number | undefined): Promise<void> {
  assert.ok(pid, 'server has a pid');
  assert.equal(isAlive(pid), false, `server process ${pid} still running`);
  const children = await run('pgrep', ['-P', String(pid)], { allowFail: true });
  assert.equal(children.stdout.trim(), '', `children of ${pid} still running`);
}

describe('git server fixtures', function () {
  this.timeout(30_000);
  let tmp: string;
  let repos: string;
  let repo: MadeRepo;
  let sub: MadeRepo;
  const servers: GitServer[] = [];

  before(async () => {
    tmp = await makeTempDir('mycli-gitservers-');
    repos = path.join(tmp, 'repos');
    sub = await makeBareRepo(repos, 'lib', { main: { 'lib.txt': 'library\n' } });
    repo = await makeBareRepo(
      repos,
      'app',
      {
        main: { 'README.md': 'hello from main\n', 'scripts/run.sh': { content: '#!/bin/sh\necho run\n', mode: 0o755 } },
        feature: { 'README.md': 'hello from feature\n' },
      },
      { submodules: { 'vendor/lib': sub.bareDir } },
    );
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    if (tmp) await removeDir(tmp);
  });

  async function cloneDir(label: string): Promise<string> {
    const parent = path.join(tmp, 'clones');
    await fs.mkdir(parent, { recursive: true });
    return fs.mkdtemp(path.join(parent, `${label}-`));
  }

  async function readIn(dir: string, file: string): Promise<string> {
    return fs.readFile(path.join(dir, file), 'utf8');
  }

  it('makeBareRepo: default branch, branches, modes, submodule', async () => {
    assert.equal(repo.defaultBranch, 'main');
    assert.equal(path.basename(repo.bareDir), 'app.git');
    const head = await git(['symbolic-ref', 'HEAD'], { env: { GIT_DIR: repo.bareDir } });
    assert.equal(head.stdout.trim(), 'refs/heads/main');
    const tree = await git(['ls-tree', '-r', 'main'], { env: { GIT_DIR: repo.bareDir } });
    assert.match(tree.stdout, /^100755 blob \w+\tscripts\/run\.sh$/m);
    assert.match(tree.stdout, /^100644 blob \w+\tREADME\.md$/m);
    assert.match(tree.stdout, /^160000 commit \w+\tvendor\/lib$/m);
    const empty = await makeBareRepo(repos, 'nested/empty', {});
    assert.equal(empty.defaultBranch, 'main');
    assert.equal(empty.bareDir, path.join(repos, 'nested', 'empty.git'));
  });

  it('makeWorkingClone: checked out on the branch, origin set', async () => {
    const dir = await makeWorkingClone(path.join(tmp, 'work'), repo.bareDir, 'feature', {
      originUrl: 'https://github.com/example/app.git',
    });
    assert.equal(await readIn(dir, 'README.md'), 'hello from feature\n');
    const branch = await git(['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: dir });
    assert.equal(branch.stdout.trim(), 'feature');
    const origin = await git(['remote', 'get-url', 'origin'], { cwd: dir });
    assert.equal(origin.stdout.trim(), 'https://github.com/example/app.git');
  });

  describe('git daemon', () => {
    let daemon: GitServer;
    before(async () => {
      daemon = await startGitDaemon(repos);
      servers.push(daemon);
    });

    it('serves a clone over git://', async () => {
      assert.match(daemon.url('app'), /^git:\/\/127\.0\.0\.1:\d+\/app\.git$/);
      const dir = await cloneDir('daemon');
      await git(['clone', '--quiet', '--branch', 'feature', daemon.url('app'), dir]);
      assert.equal(await readIn(dir, 'README.md'), 'hello from feature\n');
    });

    it('clones with submodules', async () => {
      const dir = await cloneDir('daemon-sub');
      await git(['-c', 'protocol.file.allow=always', 'clone', '--quiet', '--recurse-submodules', daemon.url('app'), dir]);
      assert.equal(await readIn(dir, 'README.md'), 'hello from main\n');
      assert.equal(await readIn(dir, 'vendor/lib/lib.txt'), 'library\n');
      const stat = await fs.stat(path.join(dir, 'scripts/run.sh'));
      assert.ok(stat.mode & 0o100, 'run.sh is executable');
    });

    it('stops without leaving processes', async () => {
      await daemon.stop();
      await assertNoProcessesLeft(daemon.pid);
      const left = await run('pgrep', ['-f', `--base-path=${repos}`], { allowFail: true });
      assert.equal(left.stdout.trim(), '');
    });
  });

  describe('smart HTTP with basic auth', () => {
    let srv: SmartHttpServer;
    let askpass: string;
    before(async () => {
      srv = await startSmartHttp(repos, { password: 's3cret-token' });
      servers.push(srv);
      askpass = path.join(tmp, 'askpass.sh');
      await fs.writeFile(
        askpass,
        '#!/bin/sh\ncase "$1" in\n  Username*) echo x-access-token ;;\n  *) printf "%s\\n" "$TEST_GIT_PASSWORD" ;;\nesac\n',
        { mode: 0o755 },
      );
    });

    it('refuses a clone without credentials (401)', async () => {
      const before = srv.unauthorized;
      const dir = await cloneDir('http-anon');
      const res = await git(['clone', '--quiet', srv.url('app'), dir], { allowFail: true });
      assert.notEqual(res.code, 0);
      assert.ok(srv.unauthorized > before, '401 counted');
    });

    it('refuses a clone with a wrong password', async () => {
      const before = srv.unauthorized;
      const dir = await cloneDir('http-wrong');
      const res = await git(['clone', '--quiet', srv.url('app'), dir], {
        allowFail: true,
        env: { GIT_ASKPASS: askpass, TEST_GIT_PASSWORD: 'wrong' },
      });
      assert.notEqual(res.code, 0);
      assert.match(res.stderr, /Authentication failed/);
      assert.ok(srv.unauthorized >= before + 2, 'both the anonymous and the wrong-password request got 401');
    });

    it('serves a clone with the right password', async () => {
      const requestsBefore = srv.requests;
      const dir = await cloneDir('http-ok');
      await git(['clone', '--quiet', srv.url('app'), dir], {
        env: { GIT_ASKPASS: askpass, TEST_GIT_PASSWORD: 's3cret-token' },
      });
      assert.equal(await readIn(dir, 'README.md'), 'hello from main\n');
      assert.ok(srv.requests >= requestsBefore + 2);
    });

    it('serves without auth when none is configured; gzip and chunked request bodies', async () => {
      const open = await startSmartHttp(repos);
      servers.push(open);
      try {
        const dir = await cloneDir('http-open-v0');
        await git(['-c', 'protocol.version=0', 'clone', '--quiet', '--branch', 'feature', open.url('app'), dir]);
        assert.equal(await readIn(dir, 'README.md'), 'hello from feature\n');

        // 1500 branches with distinct commits: the fetch request lists 1500 wants
        // (~75 kB), which git sends gzipped (> 1 kB), or chunked when it exceeds http.postBuffer.
        const wide = path.join(repos, 'wide.git');
        await git(['init', '--quiet', '--bare', wide]);
        let stream = '';
        for (let i = 0; i < 1500; i++) {
          const data = `file ${i}\n`;
          stream += `commit refs/heads/b${i}\ncommitter t <t@t> 1700000000 +0000\ndata 1\nc\nM 644 inline f.txt\ndata ${data.length}\n${data}\n`;
        }
        await git(['fast-import', '--quiet'], { env: { GIT_DIR: wide }, input: stream });
        const trace = { GIT_TRACE_CURL: '1', GIT_TRACE_CURL_NO_DATA: '1' };
        for (const [label, config, header] of [
          ['gzip', [], /=> Send header: Content-Encoding: gzip/],
          ['chunked', ['-c', 'http.postBuffer=66000'], /=> Send header: Transfer-Encoding: chunked/],
        ] as const) {
          const mirror = await cloneDir(`wide-${label}`);
          const res = await git([...config, 'clone', '--quiet', '--mirror', open.url('wide'), mirror], { env: trace });
          assert.match(res.stderr, header, `${label} request body sent`);
          const refs = await git(['for-each-ref', '--format=%(refname)'], { env: { GIT_DIR: mirror } });
          assert.equal(refs.stdout.trim().split('\n').length, 1500, `${label} mirror has every branch`);
        }
        assert.equal(open.unauthorized, 0);
      } finally {
        await open.stop();
      }
    });

    it('stops', async () => {
      await srv.stop();
      const res = await git(['ls-remote', srv.url('app')], { allowFail: true });
      assert.notEqual(res.code, 0);
      const children = await run('pgrep', ['-P', String(process.pid), '-f', 'git-http-backend'], { allowFail: true });
      assert.equal(children.stdout.trim(), '');
    });
  });

  describe('sshd', () => {
    let sshd: SshdServer;
    let keyFile: string;
    let otherKey: string;
    let knownHosts: string;
    const sshCommand = (key: string) =>
      `ssh -F /dev/null -i ${key} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=${knownHosts}`;

    before(async () => {
      sshd = await startSshd(repos);
      servers.push(sshd);
      keyFile = path.join(tmp, 'id_test');
      await fs.writeFile(keyFile, Buffer.from(sshd.privateKeyBase64, 'base64'), { mode: 0o600 });
      otherKey = path.join(tmp, 'id_other');
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey]);
      knownHosts = path.join(tmp, 'known_hosts');
    });

    it('serves a clone over ssh:// with the generated key', async () => {
      assert.match(sshd.url('app'), new RegExp(`^ssh://${sshd.user}@127\\.0\\.0\\.1:\\d+${repos}/app\\.git$`));
      assert.match(Buffer.from(sshd.privateKeyBase64, 'base64').toString(), /BEGIN OPENSSH PRIVATE KEY/);
      const dir = await cloneDir('ssh');
      await git(['clone', '--quiet', sshd.url('app'), dir], { env: { GIT_SSH_COMMAND: sshCommand(keyFile) } });
      assert.equal(await readIn(dir, 'README.md'), 'hello from main\n');
    });

    it('refuses another key', async () => {
      const dir = await cloneDir('ssh-other');
      const res = await git(['clone', '--quiet', sshd.url('app'), dir], {
        allowFail: true,
        env: { GIT_SSH_COMMAND: sshCommand(otherKey) },
      });
      assert.notEqual(res.code, 0);
      assert.match(res.stderr, /Permission denied/);
    });

    it('stops without leaving processes', async () => {
      await sshd.stop();
      await assertNoProcessesLeft(sshd.pid);
    });
  });
});
