// FolderWatch: a run's follower waits for the next change in the run's folder; a change that
// lands between two of its waits (while it reads) must wake the next wait, not be missed.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { FolderWatch } from '../../src/backend/local/folderWatch';
import { settleAll } from '../../src/shared/settleAll';
import { makeTempDir, removeDir } from '../support/gitRepos';

// Far longer than the tests' own timeout: a wait that resolves did so because of a change.
const FOREVER_MS = 600_000;

describe('FolderWatch', function () {
  this.timeout(10_000);
  let tmp: string;
  let closed = 0;
  beforeEach(async () => {
    tmp = await makeTempDir('mycli-folderwatch-');
  });
  afterEach(async () => {
    if (tmp) await removeDir(tmp);
  });

  it('wakes a wait at the next change', async () => {
    const w = new FolderWatch(tmp, () => closed++);
    const waited = w.wait(FOREVER_MS);
    writeFileSync(path.join(tmp, 'log'), 'a');
    await waited;
  });

  it('a change between two waits wakes the second at once', async () => {
    const w = new FolderWatch(tmp, () => closed++);
    const first = w.wait(FOREVER_MS);
    writeFileSync(path.join(tmp, 'log'), 'a');
    await first;
    // the follower reads now; meanwhile the supervisor writes again
    writeFileSync(path.join(tmp, 'record'), 'b');
    await new Promise((r) => setTimeout(r, 100)); // the change is delivered while nobody waits
    await w.wait(FOREVER_MS);
  });

  it('two followers: a change while one reads and the other waits wakes the reader\'s next wait at once (its mark)', async () => {
    const w = new FolderWatch(tmp, () => closed++);
    const a = w.wait(FOREVER_MS); // follower A waits
    const markB = w.mark(); // follower B is reading
    writeFileSync(path.join(tmp, 'execution.json'), 'ended');
    await a; // the change woke A
    await w.wait(FOREVER_MS, markB); // and B, which read before it, does not sleep on it
  });

  it('a mark with no change since makes the wait wait', async () => {
    const w = new FolderWatch(tmp, () => closed++);
    const mark = w.mark();
    let woken = false;
    const waited = w.wait(FOREVER_MS, mark).then(() => (woken = true));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(woken, false);
    writeFileSync(path.join(tmp, 'output.log'), 'a');
    await waited;
  });

  it('with names given, only a change to one of them wakes', async () => {
    const w = new FolderWatch(tmp, () => closed++, new Set(['output.log']));
    let woken = false;
    const waited = w.wait(FOREVER_MS).then(() => (woken = true));
    writeFileSync(path.join(tmp, 'phase'), 'run');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(woken, false, 'woken by a file it does not follow');
    writeFileSync(path.join(tmp, 'output.log'), 'a');
    await waited;
  });

  it('a wait with no change ends at its time', async () => {
    const w = new FolderWatch(tmp, () => closed++);
    let woken = false;
    const waited = w.wait(300).then(() => (woken = true));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(woken, false, 'ended before its time with no change');
    await waited;
  });

  it('a folder that does not exist leaves the waits to their time', async () => {
    const before = closed;
    const w = new FolderWatch(path.join(tmp, 'missing'), () => closed++);
    const asked = Date.now();
    await w.wait(50);
    assert.ok(Date.now() - asked >= 45, 'the wait took its time rather than returning at once');
    assert.equal(closed, before);
  });
});

describe('settleAll', () => {
  it('gives every value in order', async () => {
    assert.deepEqual(await settleAll([Promise.resolve(1), 'two', Promise.resolve(3)]), [1, 'two', 3]);
  });

  it('rejects with the first failure only once every promise has settled', async () => {
    let slowDone = false;
    const slow = new Promise<void>((r) => setTimeout(() => { slowDone = true; r(); }, 50));
    await assert.rejects(settleAll([Promise.reject(new Error('first')), slow, Promise.reject(new Error('second'))]), /first/);
    assert.ok(slowDone, 'rejected before the slow one settled');
  });
});
