/**
 * The local platform's Docker path. No Docker engine runs on the CI machines, so `docker` here
 * is test/support/fake-docker/docker: it runs the container's command as a host process with
 * the mounts, workdir and env it was given. What is real: the platform's choice of runtime,
 * the host clone step, the supervisor's two steps, the docker command line, stop and timeout.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliEnv, mycli, ROOT } from '../support/cli';
import { makeBareRepo, makeTempDir, removeDir } from '../support/gitRepos';
import { GitServer, SmartHttpServer, startGitDaemon, startSmartHttp } from '../support/gitServers';
import { sleep } from '../support/proc';

const TOKEN = 'ghp_dockerpathtoken_0123456789';

describe('local backend in Docker (fake docker CLI)', function () {
  this.timeout(60000);
  let root: string;
  let home: string;
  let state: string;
  let daemon: GitServer;
  let http: SmartHttpServer;
  let url: string;

  before(async () => {
    root = await makeTempDir('mycli-docker-');
    home = await makeTempDir('mycli-docker-home-');
    state = await makeTempDir('mycli-docker-state-');
    await makeBareRepo(root, 'app', { main: { 'sub/file.txt': 'in sub\n' } });
    daemon = await startGitDaemon(root);
    http = await startSmartHttp(root, { password: TOKEN });
    url = daemon.url('app');
  });

  after(async () => {
    await daemon?.stop();
    await http?.stop();
    for (const d of [root, home, state]) await removeDir(d);
  });

  let n = 0;
  function dockerEnv(extra: NodeJS.ProcessEnv = {}): { env: NodeJS.ProcessEnv; log: string } {
    const log = join(state, `calls-${n++}.log`);
    const env = cliEnv({
      MYCLI_HOME: home,
      PATH: `${join(ROOT, 'test', 'support', 'fake-docker')}:${process.env.PATH}`,
      DOCKER_FAKE_STATE: state,
      DOCKER_FAKE_LOG: log,
      // where a real client would find its engine; without one mycli does not even ask docker
      DOCKER_HOST: `unix://${join(state, 'docker.sock')}`,
      ...extra,
    });
    return { env, log };
  }

  const calls = (log: string): string => readFileSync(log, 'utf8');

  it('clones on the host and runs the command in the image, in the workdir, with the env', async () => {
    const { env, log } = dockerEnv({ GITHUB_TOKEN: TOKEN });
    const r = await mycli(['exec', '--repo', http.url('app'), '--image', 'alpine:3.20', '--workdir', 'sub', '--env', 'FOO=bar baz', 'cat file.txt; echo "$FOO"; env'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^in sub\nbar baz\n/);
    assert.doesNotMatch(r.stdout, /GITHUB_TOKEN|ghp_/, 'the container sees no credential');
    const text = calls(log);
    // -i: the test's stdin is a pipe, which becomes the command's stdin
    assert.match(text, /argv: run --rm --init -i --name mycli-exec-\S+ --user \d+:\d+ -v \S+\/workspace:\/workspace -w \/workspace\/repo\/sub --env-file \S+\/docker\.env --entrypoint sh alpine:3\.20 -c /);
    assert.match(text, /env-file: LANG TZ TERM SHELL MYCLI_EXECUTION_ID MYCLI_REPO FOO \n/);
    assert.ok(!text.includes(TOKEN), 'no credential in any docker command line');
    for (const line of text.split('\n').filter((l) => l.startsWith('env:'))) {
      assert.doesNotMatch(line, /GITHUB_TOKEN/, 'no credential in docker\'s environment');
      assert.doesNotMatch(line, /\bFOO\b/, 'the run\'s env is not the docker client\'s environment');
    }
    assert.doesNotMatch(text, /bar baz/, 'env values reach docker in a file of the run\'s, not its arguments');
    const envFile = /--env-file (\S+)/.exec(text)![1]!;
    assert.ok(!existsSync(envFile), 'the env file is removed when the run ends');
    const id = /(exec-\S+) SUCCEEDED/.exec(r.stderr)![1]!;
    const s = JSON.parse((await mycli(['status', '--json', id], { env })).stdout) as { image: string };
    assert.equal(s.image, 'alpine:3.20');
  });

  it('uses the mycli executor image when no image is asked for and it is built, else the host with a note', async () => {
    const built = dockerEnv({ DOCKER_FAKE_IMAGES: 'mycli-executor:latest' });
    const r = await mycli(['exec', '--repo', url, 'echo hi'], { env: built.env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hi\n');
    assert.match(calls(built.log), /--entrypoint sh mycli-executor:latest -c /);
    const missing = dockerEnv();
    const h = await mycli(['exec', '--repo', url, 'echo hi'], { env: missing.env });
    assert.equal(h.code, 0, h.stderr);
    assert.equal(h.stdout, 'hi\n');
    assert.match(h.stderr, /executor image mycli-executor:latest is not built here .* runs on the host/);
    assert.doesNotMatch(calls(missing.log), /argv: run/);
  });

  it("returns the command's exit code, and a command's exit 79 is not a clone failure", async () => {
    const { env } = dockerEnv();
    const r = await mycli(['exec', '--repo', url, '--image', 'alpine:3.20', 'exit 79'], { env });
    assert.equal(r.code, 79);
    assert.match(r.stderr, /FAILED \(exit 79\) .*: command exited with code 79/);
  });

  it('times out, and stops the container', async () => {
    const { env, log } = dockerEnv();
    const r = await mycli(['exec', '--repo', url, '--image', 'alpine:3.20', '--timeout', '1', 'echo begin; sleep 30'], { env });
    assert.equal(r.code, 124, r.stderr);
    assert.equal(r.stdout, 'begin\n');
    assert.match(calls(log), /argv: kill --signal TERM mycli-exec-/);
  });

  it('kill stops the container', async () => {
    const { env, log } = dockerEnv();
    const d = await mycli(['exec', '--detach', '--repo', url, '--image', 'alpine:3.20', 'sleep 30'], { env });
    const id = d.stdout.trim();
    // the stand-in writes the pid file once it has read its arguments, a moment after logging them
    const pidFile = join(state, `mycli-${id}.pid`);
    for (let i = 0; i < 300 && !(existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n')); i++) await sleep(100);
    assert.match(calls(log), /argv: run/);
    const containerPid = Number(readFileSync(pidFile, 'utf8'));
    const k = await mycli(['kill', id], { env });
    assert.equal(k.stdout, `${id} STOPPED\n`, k.stderr);
    assert.throws(() => process.kill(containerPid, 0), 'the container\'s command is gone');
  });

  it('a supervisor killed with SIGKILL: the run is reported FAILED and its container killed', async () => {
    const { env, log } = dockerEnv();
    const d = await mycli(['exec', '--detach', '--repo', url, '--image', 'alpine:3.20', 'sleep 30'], { env });
    const id = d.stdout.trim();
    for (let i = 0; i < 100 && !/argv: run/.test(calls(log)); i++) await sleep(100);
    const record = JSON.parse(readFileSync(join(home, 'local', 'executions', id, 'execution.json'), 'utf8')) as { supervisor_pid: number };
    process.kill(record.supervisor_pid, 'SIGKILL');
    let status: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) {
      const s = await mycli(['status', '--json', id], { env });
      status = JSON.parse(s.stdout) as Record<string, unknown>;
      if (status.status !== 'RUNNING') break;
      await sleep(100);
    }
    assert.equal(status.status, 'FAILED');
    assert.match(calls(log), new RegExp(`argv: kill mycli-${id}\\n`));
  });

  it('an env value docker cannot carry is refused with what to change, and the run is recorded FAILED, not left waiting', async () => {
    const { env } = dockerEnv();
    const r = await mycli(['exec', '--repo', url, '--image', 'alpine:3.20', '--env', 'MULTI=one\ntwo', 'true'], { env });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /env MULTI holds a line break, which docker's --env-file cannot carry/);
    const listed = JSON.parse((await mycli(['list', '--json'], { env })).stdout) as Array<{ status: string; stopped_reason: string | null }>;
    const run = listed.find((e) => /line break/.test(e.stopped_reason ?? ''));
    assert.equal(run?.status, 'FAILED', JSON.stringify(listed.slice(0, 3)));
  });

  it('MYCLI_LOCAL_RUNTIME=docker without an engine is a clear error and starts nothing', async () => {
    const env = cliEnv({ MYCLI_HOME: home, MYCLI_LOCAL_RUNTIME: 'docker', PATH: '/usr/bin:/bin' });
    const r = await mycli(['exec', '--repo', url, 'true'], { env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no Docker engine answers/);
  });
});
