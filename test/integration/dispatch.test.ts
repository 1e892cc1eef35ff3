/**
 * What makes a local run start fast, held to what it must never cost: a spare supervisor waits
 * for the next run and becomes its supervisor; the run step is started ahead during the clone
 * and does nothing unless the clone succeeds; a spare that is not wanted, stale or orphaned
 * never stands in the way.
 */
import { strict as assert } from 'node:assert';
import { AddressInfo, connect, createServer, Socket } from 'node:net';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { CLI, cliEnv, mycli } from '../support/cli';
import { makeBareRepo, makeTempDir, removeDir } from '../support/gitRepos';
import { GitServer, startGitDaemon } from '../support/gitServers';
import { processesByArgv, run, RunResult, waitFor } from '../support/proc';
import { isAlive } from '../../src/backend/local/processes';

/** The spares waiting under `home`: pid and socket path. */
function spares(home: string): Array<{ pid: number; socket: string }> {
  const root = join(home, 'local', 'spares');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((build) =>
    readdirSync(join(root, build))
      .filter((n) => n.endsWith('.sock'))
      .map((n) => ({ pid: Number(n.split('.')[0]), socket: join(root, build, n) })),
  );
}

/** The pids of spare supervisor processes of `home`, from /proc (booting or leaving ones included). */
const spareProcesses = (home: string): number[] => processesByArgv((argv) => argv.includes('--spare') && argv.some((a) => a.includes(home)));

/** Once the run's supervisor has exited, its steps (the command started ahead among them) are over. */
async function supervisorGone(home: string, id: string): Promise<void> {
  const { supervisor_pid: pid } = JSON.parse(readFileSync(join(home, 'local', 'executions', id, 'execution.json'), 'utf8')) as { supervisor_pid: number };
  await waitFor('the run\'s supervisor to exit', () => (isAlive(pid) ? undefined : true), 20000);
}

const runId = (stderr: string): string => /(exec-\S+) (SUCCEEDED|FAILED|STOPPED|TIMED_OUT)/.exec(stderr)![1]!;

describe('dispatch: spare supervisors and the run step started ahead', function () {
  this.timeout(60000);
  let root: string;
  let daemon: GitServer;
  let url: string;
  const homes: string[] = [];

  async function freshHome(): Promise<string> {
    const home = await makeTempDir('mycli-dispatch-home-');
    homes.push(home);
    return home;
  }

  before(async () => {
    root = await makeTempDir('mycli-dispatch-');
    await makeBareRepo(root, 'app', { main: { 'README.md': 'app\n' } });
    daemon = await startGitDaemon(root);
    url = daemon.url('app');
  });

  after(async () => {
    await daemon?.stop();
    await removeDir(root);
    for (const home of homes) await removeDir(home);
  });

  it('a run leaves a spare that the next run takes as its supervisor; a spare exits once its home is gone', async () => {
    const home = await freshHome();
    const env = cliEnv({ MYCLI_HOME: home });
    const first = await mycli(['exec', '--repo', url, 'echo one'], { env });
    assert.equal(first.code, 0, first.stderr);
    const [spare] = await waitFor('a spare', () => (spares(home).length ? spares(home) : undefined));
    const second = await mycli(['exec', '-n', '--repo', url, 'echo two'], { env });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, 'two\n');
    const record = JSON.parse(readFileSync(join(home, 'local', 'executions', runId(second.stderr), 'execution.json'), 'utf8')) as { supervisor_pid: number };
    assert.equal(record.supervisor_pid, spare!.pid, 'the second run was supervised by the spare the first one left');
    const next = await waitFor('the next spare', () => spares(home).find((s) => s.pid !== spare!.pid));
    rmSync(home, { recursive: true, force: true });
    await waitFor('the spare to exit', () => (isAlive(next.pid) ? undefined : true), 10000);
  });

  it('runs that end together leave one spare waiting, not one each', async () => {
    const home = await freshHome();
    const env = cliEnv({ MYCLI_HOME: home });
    const runs = await Promise.all([1, 2, 3, 4].map((i) => mycli(['exec', '--repo', url, `echo ${i}`], { env })));
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    for (const r of runs) await supervisorGone(home, runId(r.stderr));
    // each ended run started one; all but one leave within a check (2 s)
    const one = await waitFor('one spare process, and it waiting', () => {
      const live = spares(home).filter((x) => isAlive(x.pid));
      const running = spareProcesses(home);
      return running.length === 1 && live.length === 1 && live[0]!.pid === running[0] ? live : undefined;
    }, 15000);
    // and that one takes the next run
    const next = await mycli(['exec', '-n', '--repo', url, 'true'], { env });
    assert.equal(next.code, 0, next.stderr);
    const { supervisor_pid: pid } = JSON.parse(readFileSync(join(home, 'local', 'executions', runId(next.stderr), 'execution.json'), 'utf8')) as { supervisor_pid: number };
    assert.equal(pid, one[0]!.pid);
  });

  it('a run refused before it starts (a bad env name) ends at once with its reason while a spare waits, and lets the spare go', async () => {
    const home = await freshHome();
    const env = cliEnv({ MYCLI_HOME: home });
    assert.equal((await mycli(['exec', '-n', '--repo', url, 'true'], { env })).code, 0);
    const [spare] = await waitFor('a spare', () => (spares(home).length ? spares(home) : undefined));
    // the CLI claims the spare while it prepares the run; the env name is refused after that
    const r = await mycli(['exec', '-n', '--repo', url, '--env', 'bad name=1', 'true'], { env, timeoutMs: 15000 });
    assert.equal(r.signal, null, 'the CLI had to be killed: it waited on the spare it had claimed');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /env name "bad name" is invalid/);
    await waitFor('the claimed spare to exit', () => (isAlive(spare!.pid) ? undefined : true), 10000);
  });

  it('a run does not load node:crypto into the CLI (its OpenSSL set-up is some 10 ms of a start)', async () => {
    const home = await freshHome();
    const preload = join(home, 'modules.cjs');
    const list = join(home, 'modules.txt');
    // the CLI's own list: a supervisor it starts may inherit NODE_OPTIONS
    writeFileSync(preload, `if (process.argv[1].endsWith('cli.js')) process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));\n`);
    const r = await mycli(['exec', '--repo', url, 'true'], { env: cliEnv({ MYCLI_HOME: home, NODE_OPTIONS: `--require ${preload}` }) });
    assert.equal(r.code, 0, r.stderr);
    const loaded = readFileSync(list, 'utf8').split('\n');
    assert.ok(loaded.includes('NativeModule net'), `Node's list of the modules it loaded: ${loaded.join(', ')}`);
    assert.deepEqual(loaded.filter((m) => /crypto/.test(m)), []);
  });

  it('MYCLI_LOCAL_SPARE=0 leaves no spare behind', async () => {
    const home = await freshHome();
    const r = await mycli(['exec', '--repo', url, 'true'], { env: cliEnv({ MYCLI_HOME: home, MYCLI_LOCAL_SPARE: '0' }) });
    assert.equal(r.code, 0, r.stderr);
    // a spare is started before its run's supervisor exits: once it has, any spare would be running
    await supervisorGone(home, runId(r.stderr));
    assert.deepEqual(spareProcesses(home), [], 'a spare supervisor runs');
    assert.deepEqual(spares(home), []);
  });

  it('a run with piped input is taken by a waiting spare, which opens the pipe itself: every byte arrives, and its end', async () => {
    const home = await freshHome();
    const env = cliEnv({ MYCLI_HOME: home });
    assert.equal((await mycli(['exec', '-n', '--repo', url, 'true'], { env })).code, 0);
    const [spare] = await waitFor('a spare', () => (spares(home).length ? spares(home) : undefined));
    // a shell's pipe, as in `make-input | mycli exec ...` (Node's own child pipes are sockets)
    const piped = async (input: Buffer | string, command: string): Promise<RunResult> => {
      const file = join(home, `input-${Date.now()}`);
      writeFileSync(file, input);
      return run('sh', ['-c', 'cat "$1" | exec "$0" "$2" exec --repo "$3" "$4"', process.execPath, file, CLI, url, command], { env, allowFail: true, timeoutMs: 60000 });
    };
    // more than a pipe holds: the writer is still writing when the spare opens the pipe
    const big = randomBytes(200 * 1024);
    const r = await piped(big, 'sha256sum | cut -d" " -f1; echo end');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${createHash('sha256').update(big).digest('hex')}\nend\n`);
    const supervisor = (stderr: string): number =>
      (JSON.parse(readFileSync(join(home, 'local', 'executions', runId(stderr), 'execution.json'), 'utf8')) as { supervisor_pid: number }).supervisor_pid;
    assert.equal(supervisor(r.stderr), spare!.pid, 'the spare supervised the run with input');
    // less than a pipe holds: written and closed before the run starts, so the spare finds no writer
    const next = await waitFor('the next spare', () => spares(home).find((s) => s.pid !== spare!.pid));
    const small = await piped('a line\nlast, no newline', 'cat; echo end');
    assert.equal(small.code, 0, small.stderr);
    assert.equal(small.stdout, 'a line\nlast, no newlineend\n');
    assert.equal(supervisor(small.stderr), next.pid);
  });

  it('a stale spare socket (its process gone) is cleared and the run starts its own supervisor', async () => {
    const home = await freshHome();
    const env = cliEnv({ MYCLI_HOME: home });
    assert.equal((await mycli(['exec', '--repo', url, 'true'], { env })).code, 0);
    const [spare] = await waitFor('a spare', () => (spares(home).length ? spares(home) : undefined));
    process.kill(spare!.pid, 'SIGKILL');
    await waitFor('the spare to die', () => (isAlive(spare!.pid) ? undefined : true));
    assert.ok(existsSync(spare!.socket), 'a socket file left behind, as after a crash');
    const r = await mycli(['exec', '-n', '--repo', url, 'echo still'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'still\n');
    assert.ok(!existsSync(spare!.socket), 'the stale socket file is removed');
  });

  it('a spare claimed by a client that goes away without a run exits, and the next run still starts', async () => {
    const home = await freshHome();
    const env = cliEnv({ MYCLI_HOME: home });
    assert.equal((await mycli(['exec', '--repo', url, 'true'], { env })).code, 0);
    const [spare] = await waitFor('a spare', () => (spares(home).length ? spares(home) : undefined));
    await new Promise<void>((resolve, reject) => {
      const s = connect(spare!.socket);
      s.once('data', (d) => {
        assert.equal(String(d), 'ready\n');
        s.destroy();
        resolve();
      });
      s.once('error', reject);
    });
    await waitFor('the claimed spare to exit', () => (isAlive(spare!.pid) ? undefined : true), 10000);
    const r = await mycli(['exec', '-n', '--repo', url, 'echo next'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'next\n');
  });

  for (const isolation of ['on', 'off']) {
    it(`a clone that fails never runs the command started ahead (isolation ${isolation})`, async () => {
      const home = await freshHome();
      // outside mycli's home, which an isolated run's command cannot see: a marker there could not show that it ran
      const marker = join(root, `ran-${isolation}`);
      const env = cliEnv({ MYCLI_HOME: home, ...(isolation === 'off' ? { MYCLI_LOCAL_ISOLATION: 'off' } : {}) });
      const r = await mycli(['exec', '--repo', url, '--branch', 'no-such-branch', `touch ${marker}`], { env });
      assert.equal(r.code, 79, r.stderr);
      assert.match(r.stderr, /clone failed: ref "no-such-branch" is not a branch or tag/);
      assert.doesNotMatch(r.stderr, /running in/);
      await supervisorGone(home, runId(r.stderr));
      assert.ok(!existsSync(marker), 'the command did not run');
    });
  }

  it('a run stopped while it clones ends STOPPED, and the command started ahead never runs', async () => {
    const home = await freshHome();
    const marker = join(root, 'ran-stopped'); // outside mycli's home, as above
    const env = cliEnv({ MYCLI_HOME: home });
    // a Git "server" that accepts and never answers: the clone hangs until the run is stopped
    const sockets: Socket[] = [];
    const hang = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (hang.address() as AddressInfo).port;
      const d = await mycli(['exec', '--detach', '--repo', `git://127.0.0.1:${port}/app.git`, `touch ${marker}`], { env });
      assert.equal(d.code, 0, d.stderr);
      const id = d.stdout.trim();
      await waitFor('the clone to connect', () => (sockets.length ? true : undefined), 20000, 50);
      const k = await mycli(['kill', id], { env });
      assert.equal(k.code, 0, k.stderr);
      const s = await mycli(['status', '--json', id], { env });
      assert.equal((JSON.parse(s.stdout) as { status: string }).status, 'STOPPED');
      await supervisorGone(home, id);
      assert.ok(!existsSync(marker), 'the command did not run');
    } finally {
      for (const s of sockets) s.destroy();
      hang.close();
    }
  });
});
