/**
 * The extension's executions store (what feeds its tree and status bar) against the real local
 * backend: it polls only while a run goes on and the view is visible, reports each run's end
 * once, and a failing backend once.
 */
import { strict as assert } from 'node:assert';
import type { ApiClient } from '../../src/client/apiClient';
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

  /** The client, with the answer of its next list() (read at once) held until the returned release is called. */
  function holdNextList(client: ApiClient): { client: ApiClient; read: Promise<void>; release: () => void } {
    let release!: () => void;
    let wasRead!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const read = new Promise<void>((r) => (wasRead = r));
    let held = false;
    const wrapped = Object.create(client) as ApiClient;
    wrapped.list = async (req) => {
      const answer = await client.list(req);
      if (!held) {
        held = true;
        wasRead();
        await gate;
      }
      return answer;
    };
    return { client: wrapped, read, release };
  }

  it('a refresh asked while a load is in flight resolves with a load that began after it', async () => {
    const real = await localClient(hermeticEnv({ MYCLI_HOME: `${tmp}/home3` }));
    const { client, read, release } = holdNextList(real);
    const store = new ExecutionsStore({ client: async () => client, pollMs: 100 });
    try {
      const first = store.refresh(); // in flight: its answer, read before the run starts, is held
      await read;
      const { execution_id: id } = await real.exec({ repo, branch: 'main', command: 'true' });
      const second = store.refresh();
      release();
      await second;
      assert.ok(store.find(id), 'the run started before the second refresh is shown once it resolves');
      await first;
    } finally {
      store.dispose();
    }
  });

  it("reset while the old backend's load is in flight never shows the old backend's runs", async () => {
    const oldReal = await localClient(hermeticEnv({ MYCLI_HOME: `${tmp}/home4` }));
    const newReal = await localClient(hermeticEnv({ MYCLI_HOME: `${tmp}/home5` }));
    const { execution_id: oldId } = await oldReal.exec({ repo, branch: 'main', command: 'true' });
    const { execution_id: newId } = await newReal.exec({ repo, branch: 'main', command: 'true' });
    const held = holdNextList(oldReal);
    let current = held.client;
    const store = new ExecutionsStore({ client: async () => current, pollMs: 100 });
    const shownAfterReset: string[][] = [];
    let resetDone = false;
    store.onDidChange((items) => resetDone && shownAfterReset.push(items.map((e) => e.execution_id)));
    try {
      const stale = store.refresh(); // the old backend's load, held
      current = newReal;
      const reset = store.reset();
      resetDone = true;
      held.release();
      await reset;
      await stale;
      assert.deepEqual(store.executions.map((e) => e.execution_id), [newId]);
      assert.ok(!shownAfterReset.some((ids) => ids.includes(oldId)), `the old backend's run was shown after the reset: ${JSON.stringify(shownAfterReset)}`);
    } finally {
      store.dispose();
    }
  });
});
