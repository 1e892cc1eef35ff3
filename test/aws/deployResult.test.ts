/**
 * `mycli init` and `mycli destroy` (the real CLI) against a moto server: what they leave in the
 * user config, and that after the destroy neither the CLI nor the extension's decision picks the
 * deleted endpoint (both clear through src/shared/deployedBackend.ts).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { decideCliBackend } from '../../src/cli/backendChoice';
import { selectBackend } from '../../src/extension/backend/backendSelection';
import { loadUserConfig, saveUserConfig } from '../../src/shared/userConfig';
import { REGION } from '../support/awsEnv';
import { cliEnv, mycli } from '../support/cli';
import { makeTempDir, removeDir } from '../support/gitRepos';
import { Moto, motoAvailable, startMoto } from '../support/moto';

describe('aws: mycli init and destroy keep the user config in step', function () {
  this.timeout(120_000);
  let moto: Moto;
  let tmp: string;

  before(async function () {
    const missing = motoAvailable();
    if (missing) throw new Error(missing);
    moto = await startMoto();
    tmp = await makeTempDir('mycli-deploy-result-');
  });
  after(async () => {
    await moto?.stop();
    if (tmp) await removeDir(tmp);
  });

  it('init names the backend in the user config; destroy clears it, so both faces go local again', async () => {
    const env = cliEnv({
      MYCLI_HOME: join(tmp, 'home'),
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: REGION,
      MYCLI_DEPLOY_POLL_MS: '50',
    });
    delete env.AWS_PROFILE;
    await saveUserConfig({ git: { github_token: 'ghp_kept0001' } }, env);

    const init = await mycli(['init', '--yes', '--stack-name', 'cli1', '--no-spot'], { env, timeoutMs: 110_000 });
    assert.equal(init.code, 0, init.stderr);
    const apiKey = init.stdout.trim();
    const deployed = await loadUserConfig(env);
    assert.match(deployed.api_endpoint ?? '', /^https:\/\/[a-z0-9]+\.execute-api\.us-east-1\.amazonaws\.com\/v1\/execute$/);
    assert.deepEqual(deployed, { git: { github_token: 'ghp_kept0001' }, backend: 'aws', api_endpoint: deployed.api_endpoint, region: REGION, api_key: apiKey });
    assert.deepEqual(await decideCliBackend({}, env), { kind: 'http', endpoint: deployed.api_endpoint, apiKey });

    const destroy = await mycli(['destroy', '--yes', '--stack-name', 'cli1'], { env, timeoutMs: 110_000 });
    assert.equal(destroy.code, 0, destroy.stderr);
    assert.match(destroy.stderr, /removed the endpoint and API key from your user config/);
    const after = await loadUserConfig(env);
    assert.deepEqual(after, { git: { github_token: 'ghp_kept0001' }, region: REGION });
    assert.deepEqual(await decideCliBackend({}, env), { kind: 'local', configured: false });
    assert.deepEqual(selectBackend({ backend: 'auto' }, after, undefined, env), { kind: 'local', configured: false });
    const list = await mycli(['list'], { env });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stderr, /no executions yet/);
  });
});
