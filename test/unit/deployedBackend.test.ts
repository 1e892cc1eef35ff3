// What a deploy and a destroy leave in the user config (src/shared/deployedBackend.ts), and that
// after the shared clear neither face picks the destroyed endpoint.
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { decideCliBackend } from '../../src/cli/backendChoice';
import { selectBackend } from '../../src/extension/backend/backendSelection';
import { clearDeployedBackend, saveDeployedBackend } from '../../src/shared/deployedBackend';
import { loadUserConfig, saveUserConfig, userConfigPath } from '../../src/shared/userConfig';
import { makeTempDir, removeDir } from '../support/gitRepos';

const DEPLOYED = 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/execute';

describe('deploy result in the user config (CLI and extension)', () => {
  let tmp: string;
  let n = 0;
  const freshEnv = (): NodeJS.ProcessEnv => ({ MYCLI_HOME: path.join(tmp, `home${n++}`) });
  before(async () => {
    tmp = await makeTempDir('mycli-deployed-');
  });
  after(async () => {
    if (tmp) await removeDir(tmp);
  });

  it('a deploy names the AWS backend, keeps the rest, and writes the key only when given', async () => {
    const env = freshEnv();
    await saveUserConfig({ git: { github_token: 'ghp_x' } }, env);
    const cli = await saveDeployedBackend({ endpoint: DEPLOYED, region: 'eu-west-1', profile: 'work', apiKey: 'mycli_new' }, env);
    assert.equal(cli.file, userConfigPath(env));
    assert.deepEqual(await loadUserConfig(env), { git: { github_token: 'ghp_x' }, backend: 'aws', api_endpoint: DEPLOYED, region: 'eu-west-1', profile: 'work', api_key: 'mycli_new' });
    assert.equal((await fs.stat(cli.file)).mode & 0o777, 0o600);
    // the extension's deploy of the same stack: no key given, the file's key for that endpoint stays
    await saveDeployedBackend({ endpoint: DEPLOYED, region: 'eu-west-1' }, env);
    assert.equal((await loadUserConfig(env)).api_key, 'mycli_new');
    // another endpoint: the old key was made for the old one and goes
    const other = await saveDeployedBackend({ endpoint: 'https://other.example.test/prod/execute', region: 'us-east-1' }, env);
    assert.equal(other.config.api_key, undefined);
    assert.equal((await loadUserConfig(env)).api_key, undefined);
  });

  it('after the shared clear neither face picks the destroyed endpoint', async () => {
    const env = freshEnv();
    await saveDeployedBackend({ endpoint: DEPLOYED, region: 'eu-west-1', apiKey: 'mycli_k' }, env);
    // before the destroy both faces talk to it
    assert.deepEqual(await decideCliBackend({}, env), { kind: 'http', endpoint: DEPLOYED, apiKey: 'mycli_k' });
    assert.deepEqual(selectBackend({ backend: 'auto' }, await loadUserConfig(env), undefined, env), { kind: 'http', endpoint: DEPLOYED, apiKey: 'mycli_k' });

    assert.equal(await clearDeployedBackend(env), true);
    const user = await loadUserConfig(env);
    assert.deepEqual(user, { region: 'eu-west-1' });
    assert.deepEqual(await decideCliBackend({}, env), { kind: 'local', configured: false });
    // the extension after its Destroy: mycli.endpoint unset, the SecretStorage key deleted
    assert.deepEqual(selectBackend({ backend: 'auto' }, user, undefined, env), { kind: 'local', configured: false });
    assert.equal(await clearDeployedBackend(env), false, 'nothing left to clear');
  });

  it('the clear leaves an endpoint of another kind, unless it is the one destroyed', async () => {
    const env = freshEnv();
    const serve = 'http://10.0.0.7:8765/execute';
    await saveUserConfig({ api_endpoint: serve, api_key: 'team' }, env);
    assert.equal(await clearDeployedBackend(env, DEPLOYED), false);
    assert.deepEqual(await loadUserConfig(env), { api_endpoint: serve, api_key: 'team' });
    // the extension passes the endpoint it destroyed: a user config naming it (without backend: aws) is cleared too
    await saveUserConfig({ api_endpoint: DEPLOYED, api_key: 'k', backend: 'local' }, env);
    assert.equal(await clearDeployedBackend(env, DEPLOYED), true);
    assert.deepEqual(await loadUserConfig(env), { backend: 'local' });
  });
});
