/** The deployer (src/deploy) against a moto server, with the real built template. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CloudFormationClient, DescribeStacksCommand, ListStacksCommand, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { deployBackend, destroyBackend, setGitCredential } from '../../src/deploy';
import { hashApiKey } from '../../src/deploy/stack';
import { TEMPLATE_BODY_LIMIT } from '../../src/deploy/template';
import { builtTemplate, clientConfig, pointSdkAt, repoRoot } from '../support/awsEnv';
import { Moto, motoAvailable, startMoto } from '../support/moto';

describe('aws: the built template', () => {
  it('fits CloudFormation\'s TemplateBody limit (no S3 bucket needed)', () => {
    assert.ok(Buffer.byteLength(builtTemplate()) <= TEMPLATE_BODY_LIMIT, `dist/template.yaml is ${Buffer.byteLength(builtTemplate())} bytes`);
  });

  it('is clean under cfn-lint: no errors, warnings or informational findings', function () {
    const r = spawnSync('cfn-lint', ['dist/template.yaml'], { cwd: repoRoot, encoding: 'utf8' });
    if (r.error) throw new Error(`cfn-lint is not installed (${r.error.message}); .ci/run installs it`);
    assert.equal(r.status, 0, `cfn-lint found:\n${r.stdout}${r.stderr}`);
  });
});

describe('aws: deployer against moto', function () {
  this.timeout(120_000);
  let moto: Moto;
  let cfn: CloudFormationClient;

  before(async function () {
    const missing = motoAvailable();
    if (missing) throw new Error(missing);
    moto = await startMoto();
    pointSdkAt(moto.endpoint);
    cfn = new CloudFormationClient(clientConfig(moto.endpoint));
  });
  after(async () => moto?.stop());
  beforeEach(async () => moto.reset());

  it('creates, updates a parameter, takes an unchanged deploy as success, and destroys', async () => {
    const progress: string[] = [];
    const created = await deployBackend({ stackName: 'dep1', parameters: { UseSpot: 'false' }, onProgress: (m) => progress.push(m) });
    assert.equal(created.changed, true);
    assert.match(created.endpoint, /^https:\/\/[a-z0-9]+\.execute-api\.us-east-1\.amazonaws\.com\/v1\/execute$/);
    assert.ok(created.apiKey && created.apiKey.length >= 43, 'a new key of 256 bits is returned once');
    for (const k of ['ClusterName', 'LogGroupName', 'TableName', 'FunctionName', 'ExecutorTaskDefinition']) assert.ok(created.outputs[k], `output ${k}`);
    assert.ok(progress.some((m) => /CREATE_COMPLETE/.test(m)), progress.join('\n'));
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'dep1' }))).Stacks![0]!;
    const params = Object.fromEntries(stack.Parameters!.map((p) => [p.ParameterKey, p.ParameterValue]));
    assert.equal(params.ApiKeyHash, hashApiKey(created.apiKey!), 'only the hash of the key reaches the stack');
    assert.ok(!JSON.stringify(stack).includes(created.apiKey!));

    const updated = await deployBackend({ stackName: 'dep1', parameters: { UseSpot: 'true' } });
    assert.equal(updated.changed, true);
    assert.equal(updated.apiKey, undefined, 'an update keeps the key');
    const after = (await cfn.send(new DescribeStacksCommand({ StackName: 'dep1' }))).Stacks![0]!;
    assert.equal(after.Parameters!.find((p) => p.ParameterKey === 'UseSpot')!.ParameterValue, 'true');
    assert.equal(after.Parameters!.find((p) => p.ParameterKey === 'ApiKeyHash')!.ParameterValue, params.ApiKeyHash);

    const noop: string[] = [];
    const same = await deployBackend({ stackName: 'dep1', onProgress: (m) => noop.push(m) });
    assert.equal(same.changed, false);
    assert.equal(same.endpoint, created.endpoint);
    assert.ok(noop.some((m) => /no changes/.test(m)), noop.join('\n'));

    const gone: string[] = [];
    await destroyBackend({ stackName: 'dep1', onProgress: (m) => gone.push(m) });
    const stacks = await cfn.send(new ListStacksCommand({}));
    assert.ok(!(stacks.StackSummaries ?? []).some((s) => s.StackName === 'dep1' && s.StackStatus !== 'DELETE_COMPLETE'));
    assert.ok(gone.some((m) => /deleted/.test(m)), gone.join('\n'));
  });

  it('keeps Git credentials in a secret of the stack, never in its parameters, and destroy deletes it', async () => {
    await deployBackend({ stackName: 'dep2', parameters: { UseSpot: 'false' } });
    await setGitCredential({ stackName: 'dep2', kind: 'github', value: 'ghp_TopSecretToken0001' });
    const sm = new SecretsManagerClient(clientConfig(moto.endpoint));
    const secret = await sm.send(new GetSecretValueCommand({ SecretId: 'dep2-git-credentials' }));
    assert.deepEqual(JSON.parse(secret.SecretString!), { GITHUB_TOKEN: 'ghp_TopSecretToken0001', GITLAB_TOKEN: '', SSH_PRIVATE_KEY: '' });
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'dep2' }))).Stacks![0]!;
    assert.equal(stack.Parameters!.find((p) => p.ParameterKey === 'GitCredentialsSecretArn')!.ParameterValue, secret.ARN);
    assert.ok(!JSON.stringify(stack).includes('TopSecret'));
    await setGitCredential({ stackName: 'dep2', kind: 'github', value: null });
    const cleared = await sm.send(new GetSecretValueCommand({ SecretId: 'dep2-git-credentials' }));
    assert.equal(JSON.parse(cleared.SecretString!).GITHUB_TOKEN, '');
    await destroyBackend({ stackName: 'dep2' });
    await assert.rejects(sm.send(new GetSecretValueCommand({ SecretId: 'dep2-git-credentials' })), /ResourceNotFound|can't find/i);
  });

  it('refuses a stack of the same name that mycli did not make, saying what to do', async () => {
    await cfn.send(new CreateStackCommand({ StackName: 'theirs', TemplateBody: JSON.stringify({ Resources: { T: { Type: 'AWS::Logs::LogGroup' } } }) }));
    await assert.rejects(deployBackend({ stackName: 'theirs' }), /already exists.*not made by mycli.*--stack-name/);
    await assert.rejects(destroyBackend({ stackName: 'theirs' }), /not made by mycli/);
  });

  it('gives one clear message for bad input: no region, a malformed region, a bad stack name, unknown parameters, cancellation', async () => {
    const saved = process.env.AWS_REGION;
    delete process.env.AWS_REGION;
    try {
      await assert.rejects(deployBackend({ profile: 'mycli-test-nonexistent' }), /no AWS region given: pass --region/);
    } finally {
      process.env.AWS_REGION = saved;
    }
    await assert.rejects(deployBackend({ region: 'useast1' }), /"useast1" is not an AWS region name/);
    await assert.rejects(deployBackend({ stackName: '1-bad_name' }), /stack name "1-bad_name" is not valid/);
    await assert.rejects(deployBackend({ parameters: { ApiKeyHash: 'x' } }), /unknown stack parameter "ApiKeyHash"/);
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(deployBackend({ stackName: 'dep4', signal: ac.signal }), /cancelled/);
  });

  it('says there are no AWS credentials, with what to run', async () => {
    const saved = { ...process.env };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
    process.env.AWS_CONFIG_FILE = '/nonexistent/config';
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    try {
      await assert.rejects(deployBackend({ stackName: 'dep5' }), /no AWS credentials found: run "aws configure/);
    } finally {
      Object.assign(process.env, saved);
    }
  });
});
