// `.mycli.yaml`: parsing, schema checks and errors that name the file, line and key.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MycliError } from '../../src/shared/errors';
import { parseProjectConfig, readProjectConfig } from '../../src/shared/projectConfig';
import { makeTempDir, removeDir } from '../support/gitRepos';

const FILE = '/work/project/.mycli.yaml';

/** Parses text that must be refused; asserts a config_error and returns it. */
function configError(text: string): MycliError {
  let thrown: unknown;
  try {
    parseProjectConfig(FILE, text);
  } catch (err) {
    thrown = err;
  }
  assert.ok(thrown instanceof MycliError, `throws a MycliError, got ${String(thrown)}`);
  assert.equal(thrown.code, 'config_error');
  assert.equal(thrown.httpStatus, 400);
  return thrown;
}

describe('parseProjectConfig', () => {
  it('reads a full valid file', () => {
    const text = [
      '# what to run',
      'repo: https://github.com/org/repo.git',
      'branch: release/1.2',
      'image: python:3.12',
      'env:',
      '  TF_VAR_region: eu-west-1',
      '  COUNT: "3"',
      '  EMPTY: ""',
      'timeout: 900',
      'workdir: infra/prod',
      '',
    ].join('\n');
    assert.deepEqual(parseProjectConfig(FILE, text), {
      repo: 'https://github.com/org/repo.git',
      branch: 'release/1.2',
      image: 'python:3.12',
      env: { TF_VAR_region: 'eu-west-1', COUNT: '3', EMPTY: '' },
      timeout: 900,
      workdir: 'infra/prod',
    });
  });

  it('accepts a local path as repo (the backend decides later whether it can clone it)', () => {
    assert.deepEqual(parseProjectConfig(FILE, 'repo: ../other\n'), { repo: '../other' });
  });

  for (const text of ['', '\n', '# only a comment\n', '---\n']) {
    it(`reads ${JSON.stringify(text)} as {}`, () => assert.deepEqual(parseProjectConfig(FILE, text), {}));
  }

  it('refuses an unknown key, naming the file, line and key and listing the allowed keys', () => {
    const err = configError('repo: https://github.com/org/repo.git\nbranch: main\ncomand: make\n');
    assert.equal(err.message, `${FILE}:3: unknown key "comand" (allowed keys: repo, branch, image, env, timeout, workdir)`);
    assert.equal(err.field, 'comand');
  });

  it('refuses a string timeout with its line', () => {
    const err = configError('repo: https://github.com/org/repo.git\n\ntimeout: "abc"\n');
    assert.match(err.message, new RegExp(`^${FILE}:3: "timeout" must be an? integer`));
    assert.equal(err.field, 'timeout');
  });

  it('says "an integer", not "a integer"', () => {
    assert.match(configError('timeout: abc\n').message, /"timeout" must be an integer$/);
  });

  it('refuses a timeout out of range with its line', () => {
    assert.equal(configError('branch: main\ntimeout: 0\n').message, `${FILE}:2: "timeout" must be at least 1`);
    assert.equal(configError('timeout: 43201\n').message, `${FILE}:1: "timeout" must be at most 43200`);
    assert.match(configError('timeout: 1.5\n').message, new RegExp(`^${FILE}:1: "timeout" must be`));
  });

  it('refuses env given as a list, with its line', () => {
    const err = configError('repo: https://github.com/org/repo.git\nenv: [a]\n');
    assert.equal(err.message, `${FILE}:2: "env" must be a mapping of key: value`);
    assert.equal(err.field, 'env');
  });

  it('refuses an env value that is a number, with the line of that key', () => {
    const err = configError('env:\n  A: "1"\n  PORT: 8080\n');
    assert.equal(err.message, `${FILE}:3: "env.PORT" must be a string`);
    assert.equal(err.field, 'env.PORT');
  });

  it('refuses a file that is not a mapping', () => {
    assert.match(configError('- a\n- b\n').message, new RegExp(`^${FILE}:1: the file must be a mapping`));
    assert.match(configError('just text\n').message, new RegExp(`^${FILE}:1: the file must be a mapping`));
  });

  describe('invalid YAML syntax reports the line of the error', () => {
    // [text, the lines the error may be reported on (where yaml detects it)]
    const cases: Array<[string, number[]]> = [
      ['branch: main\n\tworkdir: x\n', [2]],
      ['branch: main\nbranch: dev\n', [2]],
      ['repo: https://github.com/org/repo.git\nworkdir: x: y\n', [2]],
      ['branch: main\nworkdir: a\nbad: : x\n', [3]],
      ['repo: x\nbranch: main\n- a\n', [3]],
      ['branch: main\ntimeout: 1\nenv: [a, b\nworkdir: x\n', [3, 4]],
    ];
    for (const [text, lines] of cases) {
      it(`line ${lines.join(' or ')} of ${JSON.stringify(text)}`, () => {
        assert.match(configError(text).message, new RegExp(`^${FILE}:(${lines.join('|')}): invalid YAML: `));
      });
    }

    it('an alias to an anchor that does not exist is a config error with the file', () => {
      assert.match(configError('branch: main\nworkdir: *nowhere\n').message, new RegExp(`^${FILE}:\\d+: .*alias`));
    });
  });

  describe('invalid values report the line of their key', () => {
    it('branch', () => {
      const err = configError('repo: https://github.com/org/repo.git\n\nbranch: "feat;rm"\n');
      assert.equal(err.message, `${FILE}:3: branch "feat;rm" is not a valid Git branch name: it contains a shell metacharacter (; & | < > $ \` ' " ( ) { } ! #)`);
      assert.equal(err.field, 'branch');
    });
    it('env name', () => {
      const err = configError('timeout: 5\nenv:\n  GOOD: x\n  AWS_REGION: y\n');
      assert.match(err.message, new RegExp(`^${FILE}:4: env name "AWS_REGION" is reserved`));
      assert.equal(err.field, 'env.AWS_REGION');
    });
    it('env name that is not an identifier', () => {
      const err = configError('env:\n  1BAD: x\n');
      assert.match(err.message, new RegExp(`^${FILE}:2: env name "1BAD" is invalid`));
    });
    it('workdir', () => {
      const err = configError('branch: main\nworkdir: ../outside\n');
      assert.match(err.message, new RegExp(`^${FILE}:2: workdir "../outside" must stay inside the repository`));
      assert.equal(err.field, 'workdir');
    });
    it('repo', () => {
      const err = configError('branch: main\nimage: python:3.12\nrepo: "ext::sh -c id"\n');
      assert.match(err.message, new RegExp(`^${FILE}:3: repo "ext::sh -c id" uses a "transport::address" form`));
      assert.equal(err.field, 'repo');
    });
    it('repo with a token does not echo the token', () => {
      const err = configError('repo: https://me:ghp_secret@github.com/org/repo.git\n');
      assert.match(err.message, new RegExp(`^${FILE}:1: repo .* contains a password or token`));
      assert.ok(!err.message.includes('ghp_secret'), err.message);
    });
    it('image', () => {
      const err = configError('image: "bad image"\n');
      assert.match(err.message, new RegExp(`^${FILE}:1: image "bad image" is not a valid container image reference`));
      assert.equal(err.field, 'image');
    });
  });
});

describe('readProjectConfig', () => {
  let dir: string;
  before(async () => {
    dir = await makeTempDir('mycli-projectconfig-');
  });
  after(async () => {
    if (dir) await removeDir(dir);
  });

  it('returns undefined for a missing file', async () => {
    assert.equal(await readProjectConfig(path.join(dir, 'nope', '.mycli.yaml')), undefined);
  });

  it('reads and checks a file, naming the real path in errors', async () => {
    const file = path.join(dir, '.mycli.yaml');
    await fs.writeFile(file, 'branch: main\ntimeout: 60\n');
    assert.deepEqual(await readProjectConfig(file), { branch: 'main', timeout: 60 });
    await fs.writeFile(file, 'branch: main\nbogus: 1\n');
    await assert.rejects(readProjectConfig(file), (err: unknown) => {
      assert.ok(err instanceof MycliError);
      assert.match(err.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: unknown key "bogus"`));
      return true;
    });
  });

  it('reports a folder in place of the file as a config error', async () => {
    const sub = path.join(dir, 'asdir');
    await fs.mkdir(path.join(sub, '.mycli.yaml'), { recursive: true });
    await assert.rejects(readProjectConfig(path.join(sub, '.mycli.yaml')), (err: unknown) => {
      assert.ok(err instanceof MycliError);
      assert.equal(err.code, 'config_error');
      assert.match(err.message, /cannot read/);
      return true;
    });
  });
});
