/**
 * The main job end to end: the real CLI (dist/cli.js) runs commands from real Git servers on
 * 127.0.0.1 through the real entrypoint.sh, on the local backend in-process and behind
 * `mycli serve` over HTTP. Every scenario runs against both.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI, CLI_BACKENDS, CliBackend, CliBackendFactory, cliEnv, inProcessBackend, mycli, serveBackend } from '../support/cli';
import { git, makeBareRepo, makeTempDir, makeWorkingClone, removeDir } from '../support/gitRepos';
import { GitServer, SmartHttpServer, SshdServer, startGitDaemon, startSmartHttp, startSshd } from '../support/gitServers';
import { run, sleep, waitFor } from '../support/proc';
import { assertGone, sleepers, tag } from '../support/sleepers';

const TOKEN = 'ghp_testtoken_0123456789abcdef';

async function statusOf(env: NodeJS.ProcessEnv, id: string): Promise<Record<string, unknown>> {
  const r = await mycli(['status', id, '--json'], { env });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

async function waitForStatus(env: NodeJS.ProcessEnv, id: string, want: string, timeoutMs = 20000): Promise<Record<string, unknown>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await statusOf(env, id);
    if (s.status === want) return s;
    if (Date.now() > until) assert.fail(`execution ${id} is ${s.status}, expected ${want}`);
    await sleep(100);
  }
}

function executionIds(stateHome: string): string[] {
  const dir = join(stateHome, 'local', 'executions');
  return existsSync(dir) ? readdirSync(dir) : [];
}

for (const [label, factory] of CLI_BACKENDS) {
  describe(`mycli exec end to end: ${label}`, function () {
    this.timeout(60000);
    let root: string;
    let daemon: GitServer;
    let backend: CliBackend;
    let env: NodeJS.ProcessEnv;
    let url: string;

    before(async () => {
      root = await makeTempDir('mycli-it-');
      await makeBareRepo(root, 'app', {
        main: {
          'hello.txt': 'hello from main\n',
          'sub/dir/where.txt': 'in the sub dir\n',
          'count.sh': { content: '#!/bin/sh\ni=1\nwhile [ $i -le "$1" ]; do echo "line $i"; i=$((i+1)); sleep "${2:-0}"; done\n', mode: 0o755 },
        },
        dev: { 'hello.txt': 'hello from dev\n' },
      });
      daemon = await startGitDaemon(root);
      url = daemon.url('app');
      backend = await factory({});
      env = backend.env;
    });

    after(async () => {
      await backend?.stop();
      await daemon?.stop();
      await removeDir(root);
    });

    it('streams the output and returns the exit code of the command', async () => {
      const r = await mycli(['exec', '--repo', url, 'cat hello.txt; echo to-stderr >&2; exit 3'], { env });
      assert.equal(r.code, 3, r.stderr);
      assert.equal(r.stdout, 'hello from main\n');
      assert.match(r.stderr, /^to-stderr$/m);
      assert.match(r.stderr, /FAILED \(exit 3\)/);
    });

    it('runs a command with quotes, $(...) and several lines exactly once, exactly as typed', async () => {
      const marker = join(root, `ran-${label.replace(/\W/g, '')}`);
      const command = `echo "double \\"quoted\\"" 'single $HOME'\necho sub=$(echo inner)\nprintf '%s\\n' "x y" >> ${marker}`;
      const r = await mycli(['exec', '--repo', url, command], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'double "quoted" single $HOME\nsub=inner\n');
      assert.equal(readFileSync(marker, 'utf8'), 'x y\n');
    });

    it('clones the branch asked for, passes env and runs in the workdir', async () => {
      const r = await mycli(['exec', '--repo', url, '--branch', 'dev', '--env', 'GREETING=hi there', 'cat hello.txt; echo "$GREETING"'], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'hello from dev\nhi there\n');
      const w = await mycli(['exec', '--repo', url, '--workdir', 'sub/dir', 'cat where.txt'], { env });
      assert.equal(w.code, 0, w.stderr);
      assert.equal(w.stdout, 'in the sub dir\n');
    });

    it('fails with exit 79 and says why when the branch does not exist', async () => {
      const r = await mycli(['exec', '--repo', url, '--branch', 'no-such-branch', 'true'], { env });
      assert.equal(r.code, 79, r.stderr);
      assert.match(r.stderr, /no-such-branch/);
      const id = /(exec-\S+) FAILED/.exec(r.stderr)?.[1];
      assert.ok(id, r.stderr);
      const s = await statusOf(env, id);
      assert.equal(s.status, 'FAILED');
      assert.equal(s.exit_code, 79);
      assert.match(String(s.stopped_reason), /clone failed: ref "no-such-branch" is not a branch or tag of /);
    });

    it('fails with exit 78 when the workdir is not in the repository', async () => {
      const r = await mycli(['exec', '--repo', url, '--workdir', 'nope', 'true'], { env });
      assert.equal(r.code, 78, r.stderr);
      assert.match(r.stderr, /workdir "nope" does not exist/);
    });

    it('ends as TIMED_OUT with exit 124 when the command outlives its timeout', async () => {
      const r = await mycli(['exec', '--repo', url, '--timeout', '1', 'echo started; sleep 30'], { env });
      assert.equal(r.code, 124, r.stderr);
      assert.equal(r.stdout, 'started\n');
      assert.match(r.stderr, /TIMED_OUT/);
    });

    it('detaches, lists, follows logs from the start of a running execution, and records the result', async () => {
      // the run ends only once the test has seen it running (a short sleep races a loaded machine)
      const release = join(root, `release-${label.replace(/\W/g, '')}`);
      const d = await mycli(['exec', '--detach', '--repo', url, `./count.sh 5 0.3; while [ ! -e ${release} ]; do sleep 0.05; done`], { env });
      assert.equal(d.code, 0, d.stderr);
      const id = d.stdout.trim();
      assert.match(id, /^exec-\d{8}-\d{6}-[0-9a-f]{6}$/);
      await waitForStatus(env, id, 'RUNNING');
      const list = await mycli(['list', '--json'], { env });
      assert.equal(list.code, 0, list.stderr);
      const listed = (JSON.parse(list.stdout) as { execution_id: string; status: string }[]).find((e) => e.execution_id === id);
      assert.equal(listed?.status, 'RUNNING');
      await writeFile(release, '');
      const logs = await mycli(['logs', '-f', id], { env });
      assert.equal(logs.code, 0, logs.stderr);
      assert.equal(logs.stdout, 'line 1\nline 2\nline 3\nline 4\nline 5\n');
      const s = await statusOf(env, id);
      assert.equal(s.status, 'SUCCEEDED');
      assert.equal(s.exit_code, 0);
      assert.ok(s.started_at && s.stopped_at, 'timestamps recorded');
      const again = await mycli(['logs', id], { env });
      assert.equal(again.stdout, logs.stdout, 'the log reads the same once finished');
      const table = await mycli(['list'], { env });
      assert.match(table.stdout, new RegExp(`${id}\\s+SUCCEEDED\\s+0`));
    });

    it('kills a running execution and everything it started', async () => {
      const job = tag();
      const d = await mycli(['exec', '--detach', '--repo', url, `echo begin; (sleep ${job}; echo never) & sleep 30`], { env });
      const id = d.stdout.trim();
      await waitForStatus(env, id, 'RUNNING');
      await waitFor('the background job to start', () => (sleepers(job).length ? true : undefined));
      const k = await mycli(['kill', id], { env });
      assert.equal(k.code, 0, k.stderr);
      assert.equal(k.stdout, `${id} STOPPED\n`);
      const s = await statusOf(env, id);
      assert.equal(s.status, 'STOPPED');
      const again = await mycli(['kill', id], { env });
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already ended \(STOPPED\)/);
      await assertGone(job, 'the background job');
    });

    it('rejects invalid input before anything runs, with one line that says what to change', async () => {
      const before = executionIds(backend.stateHome).length;
      const cases: [string[], RegExp][] = [
        [['exec', '--repo', url, '--branch', 'feat;rm', 'true'], /branch "feat;rm" is not a valid Git branch name/],
        [['exec', '--repo', url, '--branch', 'a..b', 'true'], /not a valid Git branch name/],
        [['exec', '--repo', url, '--env', '1BAD=x', 'true'], /env name "1BAD" is invalid/],
        [['exec', '--repo', url, '--env', 'AWS_SECRET=x', 'true'], /reserved/],
        [['exec', '--repo', url, '   '], /"command" is empty/],
        [['exec', '--repo', url, '--timeout', '0', 'true'], /--timeout must be a whole number of seconds from 1 to 43200/],
        [['exec', '--repo', url, '--timeout', '99999', 'true'], /from 1 to 43200/],
        [['exec', '--repo', 'ftp://example.com/r.git', 'true'], /unsupported scheme "ftp:\/\/"/],
        [['exec', '--repo', 'ext::sh -c touch% /tmp/pwned', 'true'], /transport::address/],
        [['exec', '--repo', '--upload-pack=touch /tmp/x', 'true'], /repo "--upload-pack=touch \/tmp\/x" starts with "-"/],
        [['exec', '--repo', 'https://user:secret@example.com/r.git', 'true'], /contains a password or token/],
        // git's answers, asked before the arguments are read, go unused and keep nothing waiting
        [['exec', '--repo', url], /missing required argument 'command'/],
      ];
      for (const [args, message] of cases) {
        const r = await mycli(args, { env });
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, message, args.join(' '));
        assert.equal(r.stderr.trim().split('\n').filter((l) => !l.startsWith('(run with')).length, 1, `one line: ${r.stderr}`);
        assert.equal(r.stdout, '');
      }
      assert.equal(executionIds(backend.stateHome).length, before, 'nothing was started');
    });

    it('run from a working copy with a commit not pushed: runs what is pushed, and says so', async () => {
      // Its files cannot answer how many commits are unpushed, so the CLI asks git, before it has
      // loaded; those answers must keep it alive until they come (over HTTP nothing else does).
      const work = await makeWorkingClone(join(root, 'work'), url, 'main');
      await writeFile(join(work, 'hello.txt'), 'changed here only\n');
      await git(['commit', '-qam', 'local'], { cwd: work });
      const r = await mycli(['exec', 'cat hello.txt'], { env, cwd: work });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'hello from main\n');
      assert.match(r.stderr, /note: branch main has 1 commit\(s\) not pushed to its upstream; the run clones what is pushed/);
    });

    it('says so when the folder it runs in was removed', async () => {
      const gone = await makeTempDir('mycli-gone-');
      // the shell stays in the folder it removed, as a user's shell does
      const r = await run('sh', ['-c', 'cd "$1" && rmdir "$1" && exec "$2" "$3" exec --repo "$4" true', 'sh', gone, process.execPath, CLI, url], { env, allowFail: true });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^mycli: error: the folder this shell is in no longer exists \(it was removed or moved\): cd to one that does/);
      assert.equal(r.stdout, '');
    });

    it('reads .mycli.yaml and rejects a bad one with its file, line and key', async () => {
      const dir = await makeTempDir('mycli-proj-');
      try {
        await writeFile(join(dir, '.mycli.yaml'), `repo: ${url}\nbranch: dev\nenv:\n  WHO: yaml\ntimeout: 60\n`);
        const r = await mycli(['exec', 'cat hello.txt; echo "$WHO"'], { env, cwd: dir });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, 'hello from dev\nyaml\n');
        const flagWins = await mycli(['exec', '--branch', 'main', '--env', 'WHO=flag', 'cat hello.txt; echo "$WHO"'], { env, cwd: dir });
        assert.equal(flagWins.stdout, 'hello from main\nflag\n');
        await writeFile(join(dir, '.mycli.yaml'), `repo: ${url}\nbranch: main\ntimout: 60\n`);
        const bad = await mycli(['exec', 'true'], { env, cwd: dir });
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /\.mycli\.yaml:3: unknown key "timout"/);
      } finally {
        await removeDir(dir);
      }
    });

    it('auto-detects the repository and branch from the origin remote', async () => {
      const clone = await makeWorkingClone(join(root, 'work'), url, 'dev');
      const r = await mycli(['exec', 'cat hello.txt'], { env, cwd: clone });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'hello from dev\n');
      assert.match(r.stderr, /\(dev\)/);
      const none = await mycli(['exec', 'true'], { env, cwd: root });
      assert.equal(none.code, 2);
      assert.match(none.stderr, /no repository to run in: pass --repo URL/);
    });
  });
}

describe('credentials end to end', function () {
  this.timeout(60000);
  let root: string;
  let http: SmartHttpServer;
  let sshd: SshdServer;

  before(async () => {
    root = await makeTempDir('mycli-creds-');
    await makeBareRepo(root, 'private', { main: { 'secret.txt': 'private content\n', 'leak.txt': `token=${TOKEN}\n` } });
    http = await startSmartHttp(root, { password: TOKEN });
    sshd = await startSshd(root);
  });

  after(async () => {
    await http?.stop();
    await sshd?.stop();
    await removeDir(root);
  });

  for (const [label, factory] of [['in-process', inProcessBackend], ['serve', serveBackend]] as [string, CliBackendFactory][]) {
    it(`clones a private repo over HTTP with the right token and never shows it (${label})`, async () => {
      const backend = await factory({ GITHUB_TOKEN: TOKEN });
      try {
        const r = await mycli(['exec', '--repo', http.url('private'), 'cat secret.txt leak.txt; env'], { env: backend.env });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^private content\ntoken=\*\*\*\n/, 'a token the command prints is masked');
        assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN), 'the token is not in the output');
        assert.doesNotMatch(r.stdout, /GITHUB_TOKEN|SSH_PRIVATE_KEY|GIT_ASKPASS/, 'the command sees no credential');
        const id = /(exec-\S+) SUCCEEDED/.exec(r.stderr)![1]!;
        const status = await mycli(['status', id, '--json'], { env: backend.env });
        const list = await mycli(['list', '--json'], { env: backend.env });
        for (const text of [status.stdout, list.stdout]) assert.ok(!text.includes(TOKEN));
        const dir = join(backend.stateHome, 'local', 'executions', id);
        for (const f of readdirSync(dir)) {
          if (f.endsWith('.json') || f.endsWith('.log')) assert.ok(!readFileSync(join(dir, f), 'utf8').includes(TOKEN), `${f} holds no token`);
        }
      } finally {
        await backend.stop();
      }
    });

    it(`uses a token set with mycli config set after the backend started (${label})`, async () => {
      const backend = await factory({});
      try {
        const serverEnv = cliEnv({ MYCLI_HOME: backend.stateHome });
        const set = await mycli(['config', 'set', 'git.github_token', TOKEN], { env: serverEnv });
        assert.equal(set.code, 0, set.stderr);
        const r = await mycli(['exec', '--repo', http.url('private'), 'cat secret.txt'], { env: backend.env });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, 'private content\n');
      } finally {
        await backend.stop();
      }
    });

    it(`fails with exit 79 and a clear reason with a wrong token (${label})`, async () => {
      const backend = await factory({ GITHUB_TOKEN: 'ghp_wrong_token_value' });
      try {
        const r = await mycli(['exec', '--repo', http.url('private'), 'true'], { env: backend.env });
        assert.equal(r.code, 79, r.stderr);
        assert.match(r.stderr, /authentication failed/);
        assert.ok(!r.stderr.includes('ghp_wrong_token_value'));
      } finally {
        await backend.stop();
      }
    });

    it(`clones over SSH with a key (${label})`, async () => {
      const backend = await factory({ SSH_PRIVATE_KEY: sshd.privateKeyBase64 });
      try {
        const r = await mycli(['exec', '--repo', sshd.url('private'), 'cat secret.txt'], { env: backend.env });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, 'private content\n');
        assert.ok(!r.stderr.includes(sshd.privateKeyBase64.slice(0, 40)));
      } finally {
        await backend.stop();
      }
    });
  }

  it('refuses a wrong API key with exit 3 and a message that says what to send', async () => {
    const backend = await serveBackend({});
    try {
      const r = await mycli(['list'], { env: { ...backend.env, MYCLI_API_KEY: 'wrong' } });
      assert.equal(r.code, 3);
      assert.match(r.stderr, /missing or wrong API key/);
    } finally {
      await backend.stop();
    }
  });

  it('clones from a local path given as --repo on the local backend', async () => {
    const backend = await inProcessBackend({});
    try {
      const r = await mycli(['exec', '--local', '--repo', join(root, 'private.git'), 'cat secret.txt'], { env: backend.env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'private content\n');
    } finally {
      await backend.stop();
    }
  });
});
