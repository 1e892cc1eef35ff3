/**
 * The security tier (issue 9): Git credentials reach only the clone. Each attack is tried through
 * the real CLI (in-process backend), `mycli serve` over HTTP and a `.mycli.yaml`, with a canary
 * token that the smart HTTP server below really requires. Run as root and as an unprivileged user
 * (.ci/run does both).
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { AddressInfo, createServer, Socket } from 'node:net';
import { join } from 'node:path';
import { cliEnv, mycli, Serve, startServe } from '../support/cli';
import { makeBareRepo, makeTempDir, makeWorkingClone, removeDir } from '../support/gitRepos';
import { SmartHttpServer, startSmartHttp } from '../support/gitServers';
import { processesByArgv, sleep, waitFor } from '../support/proc';

const TOKEN = 'ghp_SecurityTierCanary0123456789abcdefXYZ';
const TOKEN_B64 = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');
const API_KEY = 'security-tier-api-key-0123456789';

/** Every place a credential must never be found. */
function assertNoCanary(where: string, text: string): void {
  assert.ok(!text.includes(TOKEN), `${where} holds the token`);
  assert.ok(!text.includes(TOKEN_B64), `${where} holds the token as basic auth`);
  assert.ok(!text.includes(TOKEN.slice(4, 30)), `${where} holds part of the token`);
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

describe('security: Git credentials reach only the clone', function () {
  this.timeout(120_000);
  let root: string;
  let home: string;
  let markers: string;
  let http: SmartHttpServer;
  let repoUrl: string;
  let serve: Serve;

  before(async () => {
    root = await makeTempDir('mycli-sec-');
    home = await makeTempDir('mycli-sec-home-');
    markers = await makeTempDir('mycli-sec-markers-');
    await makeBareRepo(root, 'app', { main: { 'README': 'secure\n', 'evil-bin/git': { content: '#!/bin/sh\necho "$@" "$GITHUB_TOKEN" > /tmp/mycli-sec-evil-git\nexit 1\n', mode: 0o755 } } });
    http = await startSmartHttp(root, { password: TOKEN });
    repoUrl = http.url('app');
    serve = await startServe(cliEnv({ MYCLI_HOME: home, GITHUB_TOKEN: TOKEN, MYCLI_LOCAL_RUNTIME: 'host' }), API_KEY);
  });

  after(async () => {
    await serve?.stop();
    await http?.stop();
    for (const d of [root, home, markers]) await removeDir(d);
  });

  const localEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => cliEnv({ MYCLI_HOME: home, GITHUB_TOKEN: TOKEN, MYCLI_LOCAL_RUNTIME: 'host', ...extra });
  const serveEnv = (): NodeJS.ProcessEnv => cliEnv({ MYCLI_HOME: home, MYCLI_API_ENDPOINT: serve.url, MYCLI_API_KEY: API_KEY });

  /** A script that a shell would run from BASH_ENV or ENV: it leaves the token in a marker file if it ever runs with one. */
  function marker(name: string): string {
    const script = join(markers, `${name}.sh`);
    writeFileSync(script, `echo "ran token=\${GITHUB_TOKEN-} askpass=\${GIT_ASKPASS-}" >> ${join(markers, `${name}.out`)}\n`, { mode: 0o755 });
    return script;
  }

  /** Variables that git, ssh, bash and the dynamic loader honour for code execution, tracing or configuration. */
  function attackEnv(): Record<string, string> {
    const cfg = join(markers, 'xdg', 'git');
    writeFileSync(join(markers, 'gitconfig'), `[credential]\n\thelper = "!f() { echo \\"$*\\" >> ${markers}/helper.out; cat >> ${markers}/helper.out; }; f"\n[core]\n\tsshCommand = sh ${marker('sshcmd')}\n`);
    if (!existsSync(cfg)) require('node:fs').mkdirSync(cfg, { recursive: true });
    writeFileSync(join(cfg, 'config'), readFileSync(join(markers, 'gitconfig')));
    return {
      GIT_TRACE: '1', GIT_TRACE_CURL: '1', GIT_TRACE_REDACT: '0', GIT_TRACE_PACKET: '1', GIT_CURL_VERBOSE: '1',
      GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'credential.helper', GIT_CONFIG_VALUE_0: `!echo leaked >> ${markers}/cfgcount.out; cat >> ${markers}/cfgcount.out`,
      GIT_CONFIG_PARAMETERS: `'core.askpass'='sh ${marker('cfgparams')}'`,
      GIT_CONFIG_GLOBAL: join(markers, 'gitconfig'), GIT_CONFIG_SYSTEM: join(markers, 'gitconfig'),
      GIT_EXEC_PATH: join(markers, 'nowhere'), GIT_TEMPLATE_DIR: join(markers, 'nowhere'),
      GIT_PROXY_COMMAND: `sh ${marker('proxy')}`, GIT_SSL_NO_VERIFY: '1', GIT_TERMINAL_PROMPT: '1',
      SSH_ASKPASS: marker('sshaskpass'), SSH_AUTH_SOCK: join(markers, 'agent.sock'),
      BASH_ENV: marker('bashenv'), ENV: marker('env'), SHELLOPTS: 'xtrace', PS4: '$(sh ' + marker('ps4') + ')',
      LD_PRELOAD: join(markers, 'nope.so'), LD_LIBRARY_PATH: markers, LD_AUDIT: join(markers, 'nope.so'),
      PATH: `evil-bin:${markers}:/usr/bin:/bin`, HOME: markers, XDG_CONFIG_HOME: join(markers, 'xdg'),
      http_proxy: 'http://127.0.0.1:9', https_proxy: 'http://127.0.0.1:9', ALL_PROXY: 'http://127.0.0.1:9',
    };
  }

  /** Runs one attack and checks everything a credential must never reach. */
  async function attack(how: string, run: () => Promise<{ code: number | null; stdout: string; stderr: string }>, env: NodeJS.ProcessEnv): Promise<void> {
    const r = await run();
    const outcome = `${how}: exit ${r.code}\n${r.stderr}`;
    // None of these names is one the contract refuses: the run starts, and the clone works as if
    // the variables were not there.
    assert.equal(r.code, 0, outcome);
    assert.match(r.stdout, /^secure\n/, outcome);
    assertNoCanary(`${how}: output`, r.stdout + r.stderr);
    const id = /(exec-\S+) (SUCCEEDED|FAILED)/.exec(r.stderr)?.[1];
    if (id) {
      const logs = await mycli(['logs', id], { env });
      assertNoCanary(`${how}: logs`, logs.stdout + logs.stderr);
      assert.doesNotMatch(logs.stdout + logs.stderr, /Authorization:/i, `${how}: no HTTP auth header in the log`);
      const status = await mycli(['status', '--json', id], { env });
      assertNoCanary(`${how}: status`, status.stdout);
    }
    for (const f of filesUnder(markers).filter((f) => f.endsWith('.out'))) assertNoCanary(`${how}: ${f}`, readFileSync(f, 'utf8'));
    for (const f of filesUnder(home)) assertNoCanary(`${how}: state file ${f}`, readFileSync(f, 'latin1'));
    assert.ok(!existsSync('/tmp/mycli-sec-evil-git') || !readFileSync('/tmp/mycli-sec-evil-git', 'utf8').includes(TOKEN), `${how}: a git from the repository ran with the token`);
  }

  it('the run\'s env never reaches the clone: through the CLI (--env)', async () => {
    const flags = Object.entries(attackEnv()).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
    const env = localEnv();
    await attack('--env', () => mycli(['exec', '--repo', repoUrl, ...flags, 'cat README'], { env }), env);
  });

  it('... through a .mycli.yaml of an untrusted checkout', async () => {
    const clone = await makeWorkingClone(join(root, 'checkout'), join(root, 'app.git'), 'main');
    const yaml = ['env:', ...Object.entries(attackEnv()).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)].join('\n');
    writeFileSync(join(clone, '.mycli.yaml'), `repo: ${repoUrl}\n${yaml}\n`);
    const env = localEnv();
    await attack('.mycli.yaml', () => mycli(['exec', 'cat README'], { env, cwd: clone }), env);
  });

  it('... through the API (mycli serve)', async () => {
    const res = await fetch(serve.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'exec', repo: repoUrl, command: 'cat README', env: attackEnv() }),
    });
    const body = await res.json() as { execution_id?: string; error?: unknown };
    const env = serveEnv();
    await attack('API', async () => {
      if (!body.execution_id) return { code: 2, stdout: '', stderr: JSON.stringify(body) };
      const r = await mycli(['logs', '-f', body.execution_id], { env });
      const s = JSON.parse((await mycli(['status', '--json', body.execution_id], { env })).stdout) as { exit_code: number };
      return { code: s.exit_code, stdout: r.stdout, stderr: `${r.stderr}\n${body.execution_id} SUCCEEDED` };
    }, env);
  });

  it('a command that searches /proc, $HOME, mycli\'s home and the temp folder finds no credential', async () => {
    // the token is also in the user config, where a relative path from the workspace would reach it
    writeFileSync(join(home, 'config.yaml'), `git:\n  github_token: ${TOKEN}\n`, { mode: 0o600 });
    // Files are searched if written since this test began (older ones, such as a compiled copy of
    // this test in tsx's cache, hold the token without any run having leaked it; and a search of
    // every file in a developer's /tmp can take minutes).
    const since = join(markers, 'search-since');
    writeFileSync(since, '');
    // a little earlier than now, as file times move in the kernel's coarse ticks
    const began = new Date(Date.now() - 100);
    utimesSync(since, began, began);
    const part = TOKEN.slice(4, 30);
    const search = [
      // put together here, so that no command line and no environment holds it whole: else the
      // search would find itself (this text is the run's USER_COMMAND and sh's argument)
      `p='${part.slice(0, 8)}'; p="$p"'${part.slice(8)}'; found=''`,
      `for f in /proc/[0-9]*/environ /proc/[0-9]*/cmdline; do case "$(tr '\\000' '\\n' < "$f" 2>/dev/null)" in *"$p"*) found="$found $f" ;; esac; done`,
      `for f in $(find "$HOME" '${home}' /tmp -type f -newer '${since}' 2>/dev/null); do grep -qF -- "$p" "$f" 2>/dev/null && found="$found $f"; done`,
      'echo "found:$found"',
      `cat ../../../../config.yaml 2>/dev/null | head -3`,
      `cat '${home}/config.yaml' 2>/dev/null | head -3`,
      `echo "runs seen: $(ls '${home}/local/executions' 2>/dev/null | tr '\\n' ' ')"`,
      'echo searched',
    ].join('; ');
    // an HTTP "server" that accepts and never answers: a second run's clone hangs there, so its
    // clone step holds the token for as long as the search runs
    const sockets: Socket[] = [];
    const hang = createServer((sock) => sockets.push(sock));
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', () => r()));
    const hangUrl = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/app.git`;
    try {
      for (const env of [cliEnv({ MYCLI_HOME: home, MYCLI_LOCAL_RUNTIME: 'host' }), serveEnv()]) {
        const connected = sockets.length;
        const other = await mycli(['exec', '--detach', '--repo', hangUrl, 'true'], { env });
        assert.equal(other.code, 0, other.stderr);
        await waitFor('the other run\'s clone to connect', () => (sockets.length > connected ? true : undefined));
        const r = await mycli(['exec', '--repo', repoUrl, search], { env });
        const phase = readFileSync(join(home, 'local', 'executions', other.stdout.trim(), 'phase'), 'utf8');
        await mycli(['kill', other.stdout.trim()], { env });
        assert.equal(phase, 'clone\n', 'the other run was still cloning when the search ended');
        assertSearchFoundNothing(r);
      }
    } finally {
      for (const sock of sockets) sock.destroy();
      hang.close();
    }
    writeFileSync(join(home, 'config.yaml'), '{}\n', { mode: 0o600 });
  });

  /** What the search above printed: nothing found, the user config and other runs' folders out of sight. */
  function assertSearchFoundNothing(r: { code: number | null; stdout: string; stderr: string }): void {
    assert.equal(r.code, 0, r.stderr);
    assertNoCanary('search', r.stdout + r.stderr);
    assert.match(r.stdout, /^found:\n/m, `a process or a file written since the test began holds the token:\n${r.stdout}`);
    assert.match(r.stdout, /searched\n$/);
    assert.doesNotMatch(r.stdout, /github_token/, 'the user config is hidden from the command');
    const own = /(exec-\S+) SUCCEEDED/.exec(r.stderr)![1]!;
    assert.match(r.stdout, new RegExp(`runs seen: (${own} )?\n`), 'no other run\'s folder is visible to the command');
  }

  it('mycli serve keeps the API key and the token out of the environment of what it starts', async () => {
    const env = serveEnv();
    const r = await mycli(['exec', '--repo', repoUrl, 'env; cat /proc/1/environ | tr "\\0" "\\n"'], { env });
    assert.equal(r.code, 0, r.stderr);
    assertNoCanary('command env', r.stdout);
    assert.ok(!r.stdout.includes(API_KEY), 'the API key is not in the command\'s environment');
    // the environment of a supervisor while it supervises a run, on the host
    const d = await mycli(['exec', '--detach', '--repo', repoUrl, 'sleep 30'], { env });
    assert.equal(d.code, 0, d.stderr);
    const id = d.stdout.trim();
    try {
      const supervisor = await waitFor('the run to start', async () => {
        const s = JSON.parse((await mycli(['status', '--json', id], { env })).stdout) as { status: string };
        if (s.status !== 'RUNNING') return undefined;
        return (JSON.parse(readFileSync(join(home, 'local', 'executions', id, 'execution.json'), 'utf8')) as { supervisor_pid: number }).supervisor_pid;
      });
      const environ = readFileSync(`/proc/${supervisor}/environ`, 'latin1');
      assert.match(environ, /(^|\0)PATH=/, 'the supervisor\'s environment was read');
      assertNoCanary(`the supervisor's (${supervisor}) environ`, environ);
      assert.ok(!environ.includes(API_KEY), 'the API key is not in the supervisor\'s environment');
    } finally {
      await mycli(['kill', id], { env });
    }
    // and of every other supervisor here (the spares waiting for a run)
    for (const pid of processesByArgv((argv) => argv.some((a) => a.endsWith('supervisor.js')))) {
      let environ: string;
      try {
        environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
      } catch (err) {
        // gone meanwhile, or another user's (not one of ours)
        if (!['ENOENT', 'ESRCH', 'EACCES', 'EPERM'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
        continue;
      }
      assertNoCanary(`supervisor ${pid} environ`, environ);
      assert.ok(!environ.includes(API_KEY));
    }
  });

  it('a token in the repository URL is refused before anything starts, and not echoed', async () => {
    const env = localEnv();
    for (const url of [
      `http://${TOKEN}@127.0.0.1:${new URL(repoUrl).port}/app.git`,
      `https://x-access-token:${TOKEN}@github.com/org/repo.git`,
      `${TOKEN}@github.com:org/repo.git`,
    ]) {
      const before = readdirSync(join(home, 'local', 'executions')).length;
      const r = await mycli(['exec', '--repo', url, 'true'], { env });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /GITHUB_TOKEN/);
      assertNoCanary('refusal', r.stdout + r.stderr);
      assert.equal(readdirSync(join(home, 'local', 'executions')).length, before, 'nothing was recorded');
    }
  });

  it('a supervisor killed during the clone leaves no key on disk, and the run is reported FAILED', async () => {
    // an SSH "server" that accepts and never answers: the clone hangs while the key file exists
    const net = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const hang = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', () => r()));
    const port = (hang.address() as import('node:net').AddressInfo).port;
    const key = Buffer.from('-----BEGIN OPENSSH PRIVATE KEY-----\nSecurityTierFakeKeyMaterial0123456789\n-----END OPENSSH PRIVATE KEY-----\n').toString('base64');
    const env = cliEnv({ MYCLI_HOME: home, SSH_PRIVATE_KEY: key, MYCLI_LOCAL_RUNTIME: 'host' });
    try {
      const d = await mycli(['exec', '--detach', '--repo', `ssh://git@127.0.0.1:${port}/app.git`, 'true'], { env });
      const id = d.stdout.trim();
      assert.match(id, /^exec-/, d.stderr);
      const dir = join(home, 'local', 'executions', id);
      const keyFile = (): string | undefined => filesUnder(join(dir, 'secrets')).find((f) => f.endsWith('id_key'));
      for (let i = 0; i < 200 && !keyFile(); i++) await sleep(50);
      assert.ok(keyFile(), 'the clone wrote its key file in the run\'s own folder');
      const record = JSON.parse(readFileSync(join(dir, 'execution.json'), 'utf8')) as { supervisor_pid: number };
      process.kill(record.supervisor_pid, 'SIGKILL');
      await sleep(300);
      const s = JSON.parse((await mycli(['status', '--json', id], { env })).stdout) as { status: string; stopped_reason: string };
      assert.equal(s.status, 'FAILED');
      assert.match(s.stopped_reason, /supervisor/);
      assert.ok(!existsSync(join(dir, 'secrets')), 'the key is removed by whoever saw the run lost');
      assert.ok(!existsSync(join(dir, 'workspace')), 'and the partial workspace');
    } finally {
      for (const s of sockets) s.destroy();
      hang.close();
    }
  });

  it('a stale record never signals a process group that is no longer the run\'s', async () => {
    const stranger = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    try {
      const id = 'exec-20200101-000000-5a1e00';
      const dir = join(home, 'local', 'executions', id);
      require('node:fs').mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(join(dir, 'execution.json'), JSON.stringify({
        execution_id: id, status: 'RUNNING', exit_code: null, created_at: '2020-01-01T00:00:00.000Z', started_at: '2020-01-01T00:00:01.000Z',
        stopped_at: null, stopped_reason: null, repo: '/nowhere', branch: null, command: 'true', image: null, timeout_seconds: 60,
        workdir: null, backend: 'local', env_names: [], runtime: 'host',
        supervisor_pid: 999_999_999, pgid: stranger.pid, pgid_started: '1',
      }));
      const s = JSON.parse((await mycli(['status', '--json', id], { env: localEnv() })).stdout) as { status: string };
      assert.equal(s.status, 'FAILED');
      await sleep(200);
      assert.equal(stranger.exitCode, null, 'the stranger\'s group was not signalled');
      assert.equal(stranger.signalCode, null);
    } finally {
      stranger.kill('SIGKILL');
    }
  });

  it('the folders a run keeps are private to the user', async () => {
    const runs = join(home, 'local', 'executions');
    for (const d of [runs, ...readdirSync(runs).map((n) => join(runs, n))]) {
      assert.equal(statSync(d).mode & 0o077, 0, `${d} is open to others`);
    }
    for (const f of filesUnder(runs).filter((f) => /execution\.json|output\.log|request\.json$/.test(f))) {
      assert.equal(statSync(f).mode & 0o077, 0, `${f} is readable by others`);
    }
  });
});
