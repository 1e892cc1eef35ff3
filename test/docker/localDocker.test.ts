/**
 * The local platform's Docker runtime against a real engine (a private dockerd started here, with
 * images made offline; see test/support/dockerEngine.ts). The CLI is the real one; the host clones
 * from real Git servers and the command runs in the image.
 *
 * When this machine cannot run an engine the tier is skipped and says why; with
 * MYCLI_REQUIRE_DOCKER=1 (CI) that is a failure instead.
 */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { cliEnv, mycli, ROOT } from '../support/cli';
import { BUSYBOX_IMAGE, DockerEngine, dockerTierUnavailable, EXECUTOR_IMAGE, startDockerEngine } from '../support/dockerEngine';
import { makeBareRepo, makeTempDir, removeDir } from '../support/gitRepos';
import { GitServer, SmartHttpServer, startGitDaemon, startSmartHttp } from '../support/gitServers';
import { run, sleep } from '../support/proc';

const TOKEN = 'ghp_dockertiercanary_0123456789abcdef';

describe('local backend on a real Docker engine', function () {
  this.timeout(120_000);
  let engine: DockerEngine;
  let root: string;
  let home: string;
  let daemon: GitServer;
  let http: SmartHttpServer;
  let url: string;

  before(async function () {
    this.timeout(1_800_000);
    const why = await dockerTierUnavailable();
    if (why) {
      if (process.env.MYCLI_REQUIRE_DOCKER === '1') throw new Error(`the docker tier is required here but cannot run: ${why}`);
      console.log(`    docker tier SKIPPED: ${why}`);
      this.skip();
    }
    engine = await startDockerEngine((line) => console.log(`    docker tier: ${line}`));
    root = await makeTempDir('mycli-dockertier-');
    home = await makeTempDir('mycli-dockertier-home-');
    await makeBareRepo(root, 'app', { main: { 'sub/file.txt': 'in sub\n', 'README': 'top\n' } });
    daemon = await startGitDaemon(root);
    http = await startSmartHttp(root, { password: TOKEN });
    url = daemon.url('app');
  });

  after(async () => {
    await daemon?.stop();
    await http?.stop();
    await engine?.stop();
    for (const d of [root, home]) if (d) await removeDir(d);
  });

  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv =>
    cliEnv({ MYCLI_HOME: home, DOCKER_HOST: engine.host, MYCLI_LOCAL_RUNTIME: 'docker', ...extra });

  const idOf = (stderr: string): string => /(exec-\S+) (SUCCEEDED|FAILED|STOPPED|TIMED_OUT)/.exec(stderr)?.[1] ?? '';

  async function containersOf(id: string): Promise<string> {
    return (await engine.docker(['ps', '-a', '--filter', `name=mycli-${id}`, '--format', '{{.Names}} {{.Status}}'])).stdout.trim();
  }

  async function statusOf(id: string): Promise<{ status: string; exit_code: number | null; stopped_reason: string | null }> {
    return JSON.parse((await mycli(['status', '--json', id], { env: env() })).stdout);
  }

  async function waitForContainer(id: string): Promise<void> {
    for (let i = 0; i < 300; i++) {
      if ((await engine.docker(['ps', '-q', '--filter', `name=mycli-${id}`])).stdout.trim()) return;
      await sleep(100);
    }
    throw new Error(`the container of ${id} never ran`);
  }

  it('runs the command in an image that has only sh: output, exit code, env, workdir', async () => {
    const r = await mycli(['exec', '--repo', url, '--image', BUSYBOX_IMAGE, '--workdir', 'sub', '--env', 'FOO=bar baz',
      'cat file.txt; echo "$FOO"; pwd; test -x /bin/busybox && echo busybox; exit 3'], { env: env() });
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, 'in sub\nbar baz\n/workspace/repo/sub\nbusybox\n');
    const id = idOf(r.stderr);
    const s = await statusOf(id);
    assert.equal(s.status, 'FAILED');
    assert.equal(s.exit_code, 3);
    assert.equal(await containersOf(id), '', 'the container is removed when the run ends');
  });

  it('runs in the mycli executor image built from docker/Dockerfile when no image is asked for', async () => {
    const r = await mycli(['exec', '--repo', url, 'cat README; git --version >/dev/null && echo has-git; test -f /.dockerenv && echo in-docker'], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'top\nhas-git\nin-docker\n');
    const s = JSON.parse((await mycli(['status', '--json', idOf(r.stderr)], { env: env() })).stdout) as { image: string; status: string };
    assert.equal(s.image, EXECUTOR_IMAGE);
    assert.equal(s.status, 'SUCCEEDED');
  });

  it('kill stops the container with docker kill and leaves nothing running', async () => {
    const d = await mycli(['exec', '--detach', '--repo', url, '--image', BUSYBOX_IMAGE, 'echo started; sleep 300'], { env: env() });
    const id = d.stdout.trim();
    assert.match(id, /^exec-/, d.stderr);
    await waitForContainer(id);
    const k = await mycli(['kill', id], { env: env() });
    assert.equal(k.stdout, `${id} STOPPED\n`, k.stderr);
    assert.equal((await statusOf(id)).status, 'STOPPED');
    assert.equal(await containersOf(id), '', 'no container of the run is left, running or stopped');
  });

  it('a timeout ends the run TIMED_OUT with exit 124 and stops the container', async () => {
    const r = await mycli(['exec', '--repo', url, '--image', BUSYBOX_IMAGE, '--timeout', '2', 'echo begin; sleep 300'], { env: env() });
    assert.equal(r.code, 124, r.stderr);
    assert.equal(r.stdout, 'begin\n');
    const id = idOf(r.stderr);
    assert.equal((await statusOf(id)).status, 'TIMED_OUT');
    assert.equal(await containersOf(id), '');
  });

  it('an image that is not there fails with a reason that names it', async () => {
    const r = await mycli(['exec', '--repo', url, '--image', 'local/no-such-image:1', 'echo never'], { env: env() });
    assert.notEqual(r.code, 0);
    assert.equal(r.stdout, '');
    const id = idOf(r.stderr);
    const s = await statusOf(id);
    assert.equal(s.status, 'FAILED');
    assert.match(`${s.stopped_reason}\n${r.stderr}`, /local\/no-such-image:1/);
    assert.match(`${s.stopped_reason}\n${r.stderr}`, /pull|not found|No such image|Unable to find/i);
  });

  it('Git credentials are not in docker inspect of the command\'s container, nor in its environment', async () => {
    const d = await mycli(['exec', '--detach', '--repo', http.url('app'), '--image', BUSYBOX_IMAGE, '--env', 'VISIBLE=yes',
      'env; sleep 300'], { env: env({ GITHUB_TOKEN: TOKEN }) });
    const id = d.stdout.trim();
    assert.match(id, /^exec-/, d.stderr);
    await waitForContainer(id);
    const inspect = (await engine.docker(['inspect', `mycli-${id}`])).stdout;
    assert.match(inspect, /VISIBLE=yes/, 'inspect shows the run\'s own env');
    assert.ok(!inspect.includes(TOKEN), 'no token in docker inspect');
    assert.doesNotMatch(inspect, /GITHUB_TOKEN/);
    await mycli(['kill', id], { env: env() });
    const logs = await mycli(['logs', id], { env: env() });
    assert.match(logs.stdout, /VISIBLE=yes/);
    assert.ok(!logs.stdout.includes(TOKEN) && !logs.stderr.includes(TOKEN));
  });

  it('make test in docker/ runs the built executor image against a local repository', async () => {
    const r = await run('make', ['-C', join(ROOT, 'docker'), 'test', 'NO_BUILD=1'], { env: { ...process.env, DOCKER_HOST: engine.host }, allowFail: true, timeoutMs: 120_000 });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /make test: passed/);
  });
});
