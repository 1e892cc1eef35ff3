// The user config ($MYCLI_HOME/config.yaml): loading, saving with private modes, errors with lines.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MycliError } from '../../src/shared/errors';
import { loadUserConfig, mycliHome, saveUserConfig, UserConfig, userConfigPath } from '../../src/shared/userConfig';
import { makeTempDir, removeDir } from '../support/gitRepos';

describe('user config', () => {
  let tmp: string;
  let n = 0;
  /** A fresh MYCLI_HOME that does not exist yet, inside the temp dir. */
  const freshHome = (): NodeJS.ProcessEnv => ({ MYCLI_HOME: path.join(tmp, `home${n++}`, '.mycli') });

  before(async () => {
    tmp = await makeTempDir('mycli-userconfig-');
  });
  after(async () => {
    if (tmp) await removeDir(tmp);
  });

  async function writeConfig(env: NodeJS.ProcessEnv, text: string): Promise<string> {
    const file = userConfigPath(env);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, text);
    return file;
  }

  async function loadError(env: NodeJS.ProcessEnv): Promise<MycliError> {
    try {
      await loadUserConfig(env);
    } catch (err) {
      assert.ok(err instanceof MycliError, `a MycliError, got ${String(err)}`);
      assert.equal(err.code, 'config_error');
      return err;
    }
    assert.fail('loadUserConfig did not throw');
  }

  it('MYCLI_HOME chooses the folder; ~/.mycli when unset or blank', () => {
    assert.equal(mycliHome({ MYCLI_HOME: '/x/y' }), '/x/y');
    assert.equal(userConfigPath({ MYCLI_HOME: '/x/y' }), '/x/y/config.yaml');
    assert.equal(mycliHome({}), path.join(os.homedir(), '.mycli'));
    assert.equal(mycliHome({ MYCLI_HOME: '  ' }), path.join(os.homedir(), '.mycli'));
  });

  it('loadUserConfig of a missing file is {}', async () => {
    assert.deepEqual(await loadUserConfig(freshHome()), {});
  });

  it('loadUserConfig of an empty file is {}', async () => {
    const env = freshHome();
    await writeConfig(env, '');
    assert.deepEqual(await loadUserConfig(env), {});
  });

  it('saveUserConfig writes the file 0600 in a 0700 folder, and it round-trips', async () => {
    const env = freshHome();
    const config: UserConfig = {
      backend: 'aws',
      api_endpoint: 'https://abc.execute-api.us-east-1.amazonaws.com/prod/execute',
      api_key: 'k3y: with "quotes" and # hash',
      region: 'us-east-1',
      profile: 'dev',
      git: { github_token: 'ghp_x', ssh_private_key_file: '/home/me/.ssh/id_ed25519' },
    };
    const file = await saveUserConfig(config, env);
    assert.equal(file, userConfigPath(env));
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    assert.equal((await fs.stat(mycliHome(env))).mode & 0o777, 0o700);
    assert.deepEqual(await loadUserConfig(env), config);
    assert.deepEqual(await fs.readdir(mycliHome(env)), ['config.yaml'], 'no temp files left behind');
  });

  it('saveUserConfig makes an existing, more open file 0600 again', async () => {
    const env = freshHome();
    const file = await writeConfig(env, 'backend: local\n');
    await fs.chmod(file, 0o644);
    await saveUserConfig({ backend: 'aws' }, env);
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await loadUserConfig(env), { backend: 'aws' });
  });

  it('a bad backend value names the file, its line and the allowed values', async () => {
    const env = freshHome();
    const file = await writeConfig(env, 'region: eu-west-1\nbackend: docker\n');
    const err = await loadError(env);
    assert.equal(err.message, `${file}:2: "backend" must be one of "aws", "local"`);
    assert.equal(err.field, 'backend');
  });

  for (const endpoint of ['not a url', 'ftp://example.com/execute', 'file:///etc/passwd']) {
    it(`a bad api_endpoint ${JSON.stringify(endpoint)} names the file and line`, async () => {
      const env = freshHome();
      const file = await writeConfig(env, `backend: aws\n\napi_endpoint: "${endpoint}"\n`);
      const err = await loadError(env);
      assert.equal(err.message, `${file}:3: api_endpoint "${endpoint}" must be an http(s) URL`);
      assert.equal(err.field, 'api_endpoint');
    });
  }

  it('an unknown key names the file, line and key', async () => {
    const env = freshHome();
    const file = await writeConfig(env, 'backend: aws\napi_key: x\napikey: y\n');
    const err = await loadError(env);
    assert.match(err.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: unknown key "apikey" \\(allowed keys: backend, api_endpoint, api_key`));
  });

  it('an unknown key under git: names its full path and line', async () => {
    const env = freshHome();
    const file = await writeConfig(env, 'git:\n  github_token: x\n  gihub_token: y\n');
    const err = await loadError(env);
    assert.equal(err.message, `${file}:3: unknown key "git.gihub_token"`);
  });

  it('a wrong type names the key and line', async () => {
    const env = freshHome();
    const file = await writeConfig(env, 'api_key: x\nregion: [a]\n');
    const err = await loadError(env);
    assert.equal(err.message, `${file}:2: "region" must be a string`);
  });
});
