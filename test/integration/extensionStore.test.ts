/**
 * The extension's executions store (what feeds its tree and status bar) against the real local
 * backend: it polls only while a run goes on and the view is visible, reports each run's end
 * once, and a failing backend once.
 */
import { strict as assert } from 'node:assert';
import { localClient } from '../../src/client/localClient';
import type { ExecutionInfo } from '../../src/shared/contract';
import { MycliError } from '../../src/shared/errors';
import { ExecutionsStore } from '../../src/extension/treeViews/executionsStore';
import { hermeticEnv, makeBareRepo, makeTempDir, removeDir } from '../support/gitRepos';

describe('extension: executions store on the local backend', function () {
  let tmp: string;
  let repo: string;
  before(async () => {
    tmp = await makeTempDir('mycli-ext-store-');
    repo = (await makeBareRepo(tmp, 'r', { main: { 'a.txt': 'a\n' } })).bareDir;
  });
  after(() => removeDir(tmp));

  it('polls while a run goes on and the view is visible, then stops; the end is reported once', async () => {
    const client = await localClient(hermeticEnv({ MYCLI_HOME: `${tmp}/home` }));
    const store = new ExecutionsStore({ client: async () => client, pollMs: 100 });
    const finished: ExecutionInfo[] = [];
    store.onDidFinish((e) => finished.push(e));
    try {
      const { execution_id: id } = await client.exec({ repo, branch: 'main', command: 'sleep 1; echo done' });
      await store.refresh();
      assert.equal(store.active.length, 1);
      assert.equal(store.polling, false, 'no polling while the view is hidden');
      store.setVisible(true);
      const deadline = Date.now() + 60_000;
      while (!finished.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(finished.length, 1);
      assert.equal(finished[0]!.execution_id, id);
      assert.equal(finished[0]!.status, 'SUCCEEDED');
      assert.equal(store.executions[0]!.execution_id, id);
      await store.refresh();
      assert.equal(store.polling, false, 'nothing runs: no polling');
      assert.equal(finished.length, 1, 'reported once');
    } finally {
      store.dispose();
    }
  });

  it('reports a failing backend once, however often it is asked, and its recovery', async () => {
    let fail = true;
    const client = await localClient(hermeticEnv({ MYCLI_HOME: `${tmp}/home2` }));
    const store = new ExecutionsStore({
      client: async () => {
        if (fail) throw new MycliError('unavailable', 'cannot reach http://127.0.0.1:9/: connection refused');
        return client;
      },
      pollMs: 50,
    });
    const errors: Array<string | undefined> = [];
    store.onDidChangeError((e) => errors.push(e));
    for (let i = 0; i < 5; i++) await store.refresh();
    assert.deepEqual(errors, ['cannot reach http://127.0.0.1:9/: connection refused']);
    fail = false;
    await store.refresh();
    assert.deepEqual(errors, ['cannot reach http://127.0.0.1:9/: connection refused', undefined]);
    store.dispose();
  });
});
