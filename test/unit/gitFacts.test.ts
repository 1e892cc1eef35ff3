// gitFacts against real Git repositories: answers asked early (the CLI asks them before it loads)
// serve the one call that asks the same of the same folder, and no other.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { askGitFactsEarly, gitFacts } from '../../src/shared/git';
import { git, makeBareRepo, makeTempDir, makeWorkingClone, removeDir } from '../support/gitRepos';

const ORIGIN = 'https://github.com/org/app.git';
const UPSTREAM = 'https://github.com/upstream/app.git';

describe('gitFacts', function () {
  this.timeout(20_000);
  let tmp: string;
  let bareDir: string;

  before(async () => {
    tmp = await makeTempDir('mycli-gitfacts-');
    ({ bareDir } = await makeBareRepo(path.join(tmp, 'repos'), 'app', { main: { 'a.txt': 'a\n' }, feature: { 'b.txt': 'b\n' } }));
  });

  after(async () => {
    if (tmp) await removeDir(tmp);
  });

  const clone = async (): Promise<string> => {
    const dir = await makeWorkingClone(path.join(tmp, 'work'), bareDir, 'feature');
    await git(['remote', 'add', 'upstream', UPSTREAM], { cwd: dir });
    await git(['remote', 'set-url', 'origin', ORIGIN], { cwd: dir });
    return dir;
  };

  it('answers the same questions asked early with those answers, once', async () => {
    const dir = await clone();
    const early = await askGitFactsEarly(dir, { remote: 'origin', unpushed: true });
    assert.equal(early.info?.branch, 'feature');
    // the work tree moves on; the call that asks the same gets what was asked early, not git again
    await git(['checkout', '-q', '-b', 'later'], { cwd: dir });
    await git(['remote', 'set-url', 'origin', 'https://github.com/org/moved.git'], { cwd: dir });
    const facts = await gitFacts(dir, { remote: 'origin' });
    assert.deepEqual({ branch: facts.info?.branch, url: facts.remoteUrl }, { branch: 'feature', url: ORIGIN });
    const again = await gitFacts(dir, { remote: 'origin' });
    assert.deepEqual({ branch: again.info?.branch, url: again.remoteUrl }, { branch: 'later', url: 'https://github.com/org/moved.git' });
  });

  it('asks git again when the questions asked early were not the same', async () => {
    const dir = await clone();
    await askGitFactsEarly(dir, { remote: 'origin' });
    assert.equal((await gitFacts(dir, { remote: 'upstream' })).remoteUrl, UPSTREAM, 'another remote');

    await git(['commit', '-q', '--allow-empty', '-m', 'local only'], { cwd: dir });
    await askGitFactsEarly(dir, { remote: 'origin', unpushed: false });
    assert.equal((await gitFacts(dir, { remote: 'origin', unpushed: true })).unpushed, 1, 'unpushed commits not asked early');

    const other = await makeWorkingClone(path.join(tmp, 'work'), bareDir, 'main');
    await askGitFactsEarly(dir, { remote: 'origin' });
    assert.equal((await gitFacts(other, { remote: 'origin' })).info?.branch, 'main', 'another folder');
  });
});
