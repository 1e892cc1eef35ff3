/**
 * `mycli serve` under load (issue 8): a real server with admission limits, real supervisors and
 * the real executor, driven by the real HTTP client over loopback and by the real CLI.
 */
import { strict as assert } from 'node:assert';
import { waitForEnd } from '../../src/client/apiClient';
import { followLogs } from '../../src/client/logFollower';
import { HttpClient } from '../../src/client/httpClient';
import { eventBytes, eventStream } from '../../src/client/logEvents';
import type { ExecutionInfo } from '../../src/shared/contract';
import { isTerminal } from '../../src/shared/status';
import { cliEnv, mycli, Serve, startServe } from '../support/cli';
import { makeBareRepo, makeTempDir, removeDir } from '../support/gitRepos';
import { freePort, sleep } from '../support/proc';

const KEY = 'load-test-key-0123456789';

interface Outcome {
  id: string;
  stdout: string;
  info: ExecutionInfo;
}

/** Starts a run and follows it to the end, as `mycli exec` does. */
async function runToEnd(client: HttpClient, repo: string, command: string): Promise<Outcome> {
  const started = await client.exec({ repo, command });
  let stdout = '';
  await followLogs(client, started.execution_id, (events) => {
    for (const e of events) if (eventStream(e) === 'stdout') stdout += eventBytes(e).toString('utf8');
  }, { follow: true });
  let info = await client.status(started.execution_id);
  while (!isTerminal(info.status)) {
    await sleep(100);
    info = await client.status(started.execution_id);
  }
  return { id: started.execution_id, stdout, info };
}

describe('mycli serve under load', function () {
  this.timeout(300_000);
  let root: string;
  let repo: string;
  const servers: Serve[] = [];
  const homes: string[] = [];

  before(async () => {
    root = await makeTempDir('mycli-load-');
    repo = (await makeBareRepo(root, 'app', { main: { 'README': 'load\n' } })).bareDir;
  });

  after(async () => {
    for (const s of servers) await s.stop();
    await removeDir(root);
    for (const h of homes) await removeDir(h);
  });

  async function serve(home: string, args: string[]): Promise<Serve> {
    const s = await startServe(cliEnv({ MYCLI_HOME: home, MYCLI_LOCAL_RUNTIME: 'host' }), KEY, args);
    servers.push(s);
    return s;
  }

  async function newHome(): Promise<string> {
    const h = await makeTempDir('mycli-load-home-');
    homes.push(h);
    return h;
  }

  it('100 concurrent runs: each ends with its own output and exit code, refused ones wait and then run, none lost or doubled', async () => {
    const s = await serve(await newHome(), ['--port', '0', '--max-running', '4', '--max-queued', '20']);
    const waits: string[] = [];
    const client = new HttpClient(s.url, KEY, { onWait: (m) => waits.push(m) });
    const sideCalls: Array<Promise<unknown>> = [];
    const runs = Array.from({ length: 100 }, (_, n) => runToEnd(client, repo, `echo run-${n}; seq 1000 | tail -1; exit ${n % 3}`));
    // status and list answer while the runs go on
    for (let i = 0; i < 5; i++) {
      await sleep(300);
      sideCalls.push(client.list({ limit: 200 }).then(async (l) => {
        assert.ok(Array.isArray(l.executions));
        if (l.executions[0]) assert.equal((await client.status(l.executions[0].execution_id)).execution_id, l.executions[0].execution_id);
      }));
    }
    const outcomes = await Promise.all(runs);
    await Promise.all(sideCalls);
    assert.ok(waits.length > 0, 'with 20 places in the queue, some of the 100 were refused with 429 and waited');
    assert.match(waits[0]!, /the backend is busy \(the local backend is busy: .*\); waiting to start/);
    outcomes.forEach((o, n) => {
      assert.equal(o.stdout, `run-${n}\n1000\n`, `run ${n} (${o.id}): its whole output, once`);
      assert.equal(o.info.exit_code, n % 3, `run ${n}: its own exit code (${o.info.stopped_reason})`);
      assert.equal(o.info.status, n % 3 === 0 ? 'SUCCEEDED' : 'FAILED');
    });
    assert.equal(new Set(outcomes.map((o) => o.id)).size, 100, 'unique ids');
    const listed = (await client.list({ limit: 500 })).executions;
    assert.equal(listed.length, 100, 'exactly the 100 runs exist: none doubled by a retry');
  });

  it('a restart of the server in the middle: every run is accounted for, and following resumes with no line lost or doubled', async () => {
    const home = await newHome();
    const port = await freePort();
    const args = ['--port', String(port), '--max-running', '3', '--max-queued', '50'];
    let s = await serve(home, args);
    // Followers keep asking while the server is away (it is back within the 20 s).
    const client = new HttpClient(s.url, KEY, { goneAfterMs: 20_000 });
    const runs = Array.from({ length: 12 }, (_, n) => runToEnd(client, repo, `for i in 1 2 3 4 5; do echo r${n}-$i; sleep 0.3; done`));
    // Restart once some runs are going and others still wait in the queue.
    for (let i = 0; i < 200; i++) {
      const l = (await client.list({ limit: 100 })).executions;
      if (l.length === 12 && l.some((e) => e.status === 'RUNNING') && l.some((e) => e.status === 'PENDING')) break;
      await sleep(50);
    }
    const before = (await client.list({ limit: 100 })).executions;
    assert.ok(before.some((e) => e.status === 'PENDING'), 'some runs were waiting when the server stopped');
    await s.stop();
    s = await serve(home, args);
    const outcomes = await Promise.all(runs);
    outcomes.forEach((o, n) => {
      assert.equal(o.stdout, [1, 2, 3, 4, 5].map((i) => `r${n}-${i}\n`).join(''), `run ${n} (${o.id})`);
      assert.equal(o.info.status, 'SUCCEEDED', `${o.id}: ${o.info.stopped_reason}`);
    });
    assert.equal((await client.list({ limit: 100 })).executions.length, 12);
  });

  it('the CLI waits in line when the server refuses it, says so, and then runs', async () => {
    const home = await newHome();
    const s = await serve(home, ['--port', '0', '--max-running', '1', '--max-queued', '0']);
    const env = cliEnv({ MYCLI_HOME: home, MYCLI_API_ENDPOINT: s.url, MYCLI_API_KEY: KEY });
    const first = await mycli(['exec', '--detach', '--repo', repo, 'sleep 60'], { env });
    const firstId = first.stdout.trim();
    assert.match(firstId, /^exec-/, first.stderr);
    const second = mycli(['exec', '--repo', repo, 'echo second ran'], { env });
    await sleep(1500);
    const k = await mycli(['kill', firstId], { env });
    assert.equal(k.stdout, `${firstId} STOPPED\n`, k.stderr);
    const r = await second;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'second ran\n');
    assert.match(r.stderr, /mycli: the backend is busy .*waiting to start/);
  });

  it('a queued run can be stopped before it starts, and then never runs', async () => {
    const home = await newHome();
    const s = await serve(home, ['--port', '0', '--max-running', '1', '--max-queued', '5']);
    const client = new HttpClient(s.url, KEY);
    const busy = await client.exec({ repo, command: 'sleep 60' });
    const queued = await client.exec({ repo, command: 'echo must-not-run' });
    assert.equal(queued.status, 'PENDING');
    assert.equal(queued.queue_position, 1);
    assert.deepEqual(await client.kill(queued.execution_id), { execution_id: queued.execution_id, status: 'STOPPED' });
    await client.kill(busy.execution_id);
    // the slot is free: a run started now ends only after anything the queue wrongly started in it
    const third = await client.exec({ repo, command: 'echo third' });
    assert.equal((await waitForEnd(client, third.execution_id))?.status, 'SUCCEEDED');
    const info = await client.status(queued.execution_id);
    assert.equal(info.status, 'STOPPED');
    assert.equal(info.started_at, null);
    const logs = await client.logs({ execution_id: queued.execution_id });
    assert.ok(!logs.events.some((e) => eventBytes(e).toString().includes('must-not-run')));
  });

  it('a server that is not there is reported as gone, with exit 3, and nothing is left waiting', async () => {
    const port = await freePort();
    const env = cliEnv({ MYCLI_HOME: await newHome(), MYCLI_API_ENDPOINT: `http://127.0.0.1:${port}`, MYCLI_API_KEY: KEY });
    const r = await mycli(['exec', '--repo', repo, 'true'], { env, timeoutMs: 30_000 });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /cannot reach the mycli API at http:\/\/127\.0\.0\.1:\d+\/execute: ECONNREFUSED/);
  });
});
