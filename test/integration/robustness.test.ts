/**
 * Nothing lost: state outlives the CLI and the server, big outputs arrive whole and once,
 * Ctrl-C stops following but not the run, and a run whose supervisor died is reported.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLI, cliEnv, mycli, startServe } from '../support/cli';
import { makeBareRepo, makeTempDir, removeDir } from '../support/gitRepos';
import { GitServer, startGitDaemon } from '../support/gitServers';
import { isAlive, sleep, waitFor } from '../support/proc';

async function status(env: NodeJS.ProcessEnv, id: string): Promise<Record<string, unknown>> {
  const r = await mycli(['status', '--json', id], { env });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('nothing lost', function () {
  this.timeout(60000);
  let root: string;
  let home: string;
  let daemon: GitServer;
  let url: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    root = await makeTempDir('mycli-robust-');
    home = await makeTempDir('mycli-robust-home-');
    await makeBareRepo(root, 'app', { main: { 'README.md': 'app\n' } });
    daemon = await startGitDaemon(root);
    url = daemon.url('app');
    env = cliEnv({ MYCLI_HOME: home });
  });

  after(async () => {
    await daemon?.stop();
    await removeDir(root);
    await removeDir(home);
  });

  it('prints a large output exactly once, in order, and the log reads the same afterwards', async () => {
    const r = await mycli(['exec', '--repo', url, 'seq 1 50000; printf "no newline at the end"'], { env });
    assert.equal(r.code, 0, r.stderr);
    const expected = Array.from({ length: 50000 }, (_, i) => `${i + 1}\n`).join('') + 'no newline at the end';
    assert.equal(r.stdout, expected);
    const id = /(exec-\S+) SUCCEEDED/.exec(r.stderr)![1]!;
    const logs = await mycli(['logs', id], { env });
    assert.equal(logs.stdout, expected);
  });

  it('keeps state when the server that started a run exits, and a new server reports the result', async () => {
    const serverHome = await makeTempDir('mycli-robust-serve-');
    try {
      const serverEnv = cliEnv({ MYCLI_HOME: serverHome });
      const first = await startServe(serverEnv);
      const client = cliEnv({ MYCLI_HOME: home, MYCLI_API_ENDPOINT: first.url, MYCLI_API_KEY: first.apiKey });
      const d = await mycli(['exec', '--detach', '--repo', url, 'sleep 1; echo finished'], { env: client });
      assert.equal(d.code, 0, d.stderr);
      const id = d.stdout.trim();
      await first.stop();
      await sleep(2000);
      const second = await startServe(serverEnv);
      try {
        const again = { ...client, MYCLI_API_ENDPOINT: second.url };
        const s = await waitFor('SUCCEEDED', async () => {
          const now = await status(again, id);
          return now.status === 'SUCCEEDED' ? now : undefined;
        });
        assert.equal(s.exit_code, 0);
        const logs = await mycli(['logs', id], { env: again });
        assert.equal(logs.stdout, 'finished\n');
      } finally {
        await second.stop();
      }
    } finally {
      await removeDir(serverHome);
    }
  });

  it('Ctrl-C stops following, says how to follow or stop, and the run goes on', async () => {
    const child = spawn(process.execPath, [CLI, 'exec', '--repo', url, 'echo first; sleep 2; echo second'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c));
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    const code = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    await waitFor('the first line', async () => (stdout.includes('first') ? true : undefined));
    child.kill('SIGINT');
    assert.equal(await code, 130);
    const id = /(exec-\S+) started/.exec(stderr)![1]!;
    assert.match(stderr, new RegExp(`mycli logs -f ${id}.*mycli kill ${id}`));
    const s = await waitFor('the run to finish', async () => {
      const now = await status(env, id);
      return now.status === 'SUCCEEDED' ? now : undefined;
    });
    assert.equal(s.exit_code, 0);
    assert.equal((await mycli(['logs', id], { env })).stdout, 'first\nsecond\n');
  });

  it('reports a run whose supervisor was killed as FAILED with the reason, and stops its processes', async () => {
    const marker = join(root, 'survivor');
    const d = await mycli(['exec', '--detach', '--repo', url, `sleep 3; touch ${marker}`], { env });
    const id = d.stdout.trim();
    await waitFor('RUNNING', async () => ((await status(env, id)).status === 'RUNNING' ? true : undefined));
    const record = JSON.parse(readFileSync(join(home, 'local', 'executions', id, 'execution.json'), 'utf8')) as { supervisor_pid: number };
    process.kill(record.supervisor_pid, 'SIGKILL');
    await sleep(200);
    const s = await status(env, id);
    assert.equal(s.status, 'FAILED');
    assert.match(String(s.stopped_reason), /supervisor .* ended without recording a result/);
    await sleep(3500);
    assert.throws(() => readFileSync(marker), 'the orphaned command was stopped');
  });

  it('a run whose supervisor died and whose pid now belongs to another process is reported FAILED, not RUNNING', async () => {
    const d = await mycli(['exec', '--detach', '--repo', url, 'sleep 30'], { env });
    const id = d.stdout.trim();
    await waitFor('RUNNING', async () => ((await status(env, id)).status === 'RUNNING' ? true : undefined));
    const file = join(home, 'local', 'executions', id, 'execution.json');
    const record = JSON.parse(readFileSync(file, 'utf8')) as { supervisor_pid: number; supervisor_started: string };
    assert.match(record.supervisor_started, /^\d+$/, 'the supervisor records when it started');
    // The pid is reused: the supervisor is killed and the record names a live process of another start.
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      process.kill(record.supervisor_pid, 'SIGKILL');
      await waitFor('the supervisor to die', () => (isAlive(record.supervisor_pid) ? undefined : true));
      await writeFile(file, JSON.stringify({ ...record, supervisor_pid: other.pid }));
      const s = await status(env, id);
      assert.equal(s.status, 'FAILED');
      assert.match(String(s.stopped_reason), /supervisor .* ended without recording a result/);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('rejects a .mycli.yaml that is not valid YAML with one line naming the file and line', async () => {
    const dir = await makeTempDir('mycli-badyaml-');
    try {
      await writeFile(join(dir, '.mycli.yaml'), `repo: ${url}\nenv:\n  A: [unclosed\n`);
      const r = await mycli(['exec', 'true'], { env, cwd: dir });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^mycli: error: .*\.mycli\.yaml:\d+: invalid YAML/);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    } finally {
      await removeDir(dir);
    }
  });
});
