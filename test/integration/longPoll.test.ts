/**
 * Following through `mycli serve`: a follower that has caught up asks the server to wait for
 * more (`wait_ms`), and is answered as soon as there is more, instead of polling.
 */
import { strict as assert } from 'node:assert';
import { cliEnv, mycli, startServe, Serve } from '../support/cli';
import { makeBareRepo, makeTempDir, removeDir } from '../support/gitRepos';
import { GitServer, startGitDaemon } from '../support/gitServers';

describe('logs long poll through mycli serve', function () {
  this.timeout(60000);
  let root: string;
  let home: string;
  let daemon: GitServer;
  let serve: Serve;

  before(async () => {
    root = await makeTempDir('mycli-longpoll-');
    home = await makeTempDir('mycli-longpoll-home-');
    await makeBareRepo(root, 'app', { main: { 'README.md': 'app\n' } });
    daemon = await startGitDaemon(root);
    serve = await startServe(cliEnv({ MYCLI_HOME: home }));
  });

  after(async () => {
    await serve?.stop();
    await daemon?.stop();
    await removeDir(root);
    await removeDir(home);
  });

  const call = async (body: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const res = await fetch(`${serve.url}/execute`, { method: 'POST', headers: { authorization: `Bearer ${serve.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as Record<string, unknown>;
  };

  it('a caught-up request waits for the next output and returns it, marked waited', async () => {
    const started = await call({ action: 'exec', repo: daemon.url('app'), command: 'sleep 2; echo late' });
    const id = started.execution_id as string;
    // catch up: everything there is now (the clone's lines, perhaps)
    let token: string | undefined;
    for (;;) {
      const page = await call({ action: 'logs', execution_id: id, ...(token ? { next_token: token } : {}) });
      if ((page.next_token as string) === token) break;
      token = page.next_token as string;
    }
    const asked = Date.now();
    // the most a request may wait (20 s): held to its end instead of woken by the output (at 2 s), it fails here
    const page = await call({ action: 'logs', execution_id: id, next_token: token, wait_ms: 20_000 });
    assert.ok(Date.now() - asked < 12_000, `answered when the output came, not when its wait ran out (${Date.now() - asked} ms)`);
    assert.equal(page.waited, true);
    const events = page.events as Array<{ message: string }>;
    assert.ok(events.length > 0, 'the waiting request came back with output, not empty');
    const rest = await mycli(['logs', '-f', id], { env: cliEnv({ MYCLI_HOME: home, MYCLI_API_ENDPOINT: serve.url, MYCLI_API_KEY: serve.apiKey }) });
    assert.equal(rest.code, 0, rest.stderr);
    assert.equal(rest.stdout, 'late\n', 'following through serve still gives every line once');
  });

  it('a caught-up request for a run that has ended is answered at once, complete, not held for wait_ms', async function () {
    // held for its wait_ms (20 s), the request would outlive this test's time
    this.timeout(15000);
    const env = cliEnv({ MYCLI_HOME: home, MYCLI_API_ENDPOINT: serve.url, MYCLI_API_KEY: serve.apiKey });
    const r = await mycli(['exec', '--repo', daemon.url('app'), 'echo done'], { env });
    assert.equal(r.code, 0, r.stderr);
    const id = /(exec-\S+) SUCCEEDED/.exec(r.stderr)![1]!;
    let token: string | undefined;
    let page: Record<string, unknown>;
    do {
      page = await call({ action: 'logs', execution_id: id, ...(token ? { next_token: token } : {}) });
      token = page.next_token as string;
    } while (!page.complete);
    // caught up with all there is: asking to wait for more returns at once, with nothing more
    const last = await call({ action: 'logs', execution_id: id, next_token: token, wait_ms: 20000 });
    assert.equal(last.complete, true);
    assert.deepEqual(last.events, []);
    assert.equal(last.waited, true);
  });
});
