/**
 * Deploy Backend and Destroy Backend in the real extension host, against the moto server the
 * runner started (the host's AWS SDK reaches it through AWS_ENDPOINT_URL, with dummy credentials).
 * Region and stack come from the settings, so no picker shows. Deploy ends on a message whose
 * buttons no one presses here, so its promise is never awaited: the tests wait for its outcomes.
 *
 * The API key in SecretStorage is observed through what the extension does with it: with
 * mycli.endpoint pointed for a moment at a recording server on 127.0.0.1, the extension calls it
 * with that key, whose SHA-256 must be the stack's ApiKeyHash (what the deployed function checks).
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStackResourcesCommand, DescribeStacksCommand, Stack } from '@aws-sdk/client-cloudformation';
import * as vscode from 'vscode';
import type { MycliApi } from '../../../src/extension/extension';
import { loadUserConfig, userConfigPath } from '../../../src/shared/userConfig';
import { finished, until } from './waits';

const STACK = 'mycli-vscode-test';
/** Not the environment's AWS_REGION: the setting must win, and no region picker shows. */
const REGION = 'eu-west-2';

/** Why these tests cannot run here, or undefined. They never deploy anywhere but a moto on loopback. */
function skipReason(): string | undefined {
  if (process.env.MYCLI_TEST_MOTO_MISSING) return process.env.MYCLI_TEST_MOTO_MISSING;
  const endpoint = process.env.AWS_ENDPOINT_URL ?? '';
  if (!/^http:\/\/127\.0\.0\.1:\d+\/?$/.test(endpoint)) return `no moto server on 127.0.0.1 was given to the host (AWS_ENDPOINT_URL is "${endpoint}"); npm run test:extension-host starts one`;
  return undefined;
}

/** A loopback server that answers the API's `list` with no executions and records each request's headers. */
async function recordingServer(): Promise<{ server: Server; url: string; requests: IncomingHttpHeaders[] }> {
  const requests: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"executions":[]}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/execute`, requests };
}

describe('mycli extension: Deploy Backend and Destroy Backend against moto (in the extension host)', function () {
  this.timeout(180_000);
  const mycli = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('mycli');
  const globalSetting = (key: string): unknown => mycli().inspect(key)?.globalValue;
  let api: MycliApi;
  let cfn: CloudFormationClient;
  let recorder: Awaited<ReturnType<typeof recordingServer>>;
  let deployedEndpoint: string | undefined;

  before(async function () {
    const why = skipReason();
    if (why) {
      console.log(`    skipped: ${why}`);
      this.skip();
    }
    api = await vscode.extensions.getExtension<MycliApi>('mycli.mycli')!.activate();
    cfn = new CloudFormationClient({ endpoint: process.env.AWS_ENDPOINT_URL!, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    recorder = await recordingServer();
    // nothing else may supply a key: what the extension sends must come from SecretStorage
    assert.equal(process.env.MYCLI_API_KEY, undefined);
    assert.equal(globalSetting('endpoint'), undefined, 'no endpoint is set before the deploy');
    assert.deepEqual(await loadUserConfig(process.env), {}, 'the user config is empty before the deploy');
    await mycli().update('stackName', STACK, vscode.ConfigurationTarget.Global);
    await mycli().update('region', REGION, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    if (!api) return;
    for (const key of ['stackName', 'region', 'endpoint']) await mycli().update(key, undefined, vscode.ConfigurationTarget.Global);
    await rm(userConfigPath(process.env), { force: true });
    api.connection.invalidate();
    await new Promise((r) => recorder?.server.close(r));
    cfn?.destroy();
  });

  async function stack(): Promise<Stack | undefined> {
    try {
      return (await cfn.send(new DescribeStacksCommand({ StackName: STACK }))).Stacks?.[0];
    } catch (err) {
      if (/does not exist/.test((err as Error).message)) return undefined;
      throw err;
    }
  }

  /** The stack's ApiEndpoint output; moto 5.2 leaves Outputs empty, so then the template's value of it from the RestApi's id. */
  async function endpointOf(s: Stack): Promise<string> {
    const output = s.Outputs?.find((o) => o.OutputKey === 'ApiEndpoint')?.OutputValue;
    if (output) return output;
    const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: STACK }))).StackResources ?? [];
    const restApi = resources.find((r) => r.LogicalResourceId === 'RestApi')?.PhysicalResourceId;
    assert.ok(restApi, 'the stack has its RestApi');
    return `https://${restApi}.execute-api.${REGION}.amazonaws.com/v1/execute`;
  }

  /** Runs Deploy Backend; resolves with the endpoint it sets in mycli.endpoint. */
  async function deploy(): Promise<string> {
    let ended = false;
    // never awaited to its end: it waits on the final message's buttons
    void vscode.commands.executeCommand('mycli.deployBackend').then(() => (ended = true), () => (ended = true));
    return until('Deploy Backend to set mycli.endpoint', () => {
      const value = globalSetting('endpoint');
      if (typeof value === 'string' && value) return value;
      if (ended) throw new Error('Deploy Backend ended without setting mycli.endpoint (its error is in the "mycli" Output channel)');
      return undefined;
    }, 150_000);
  }

  /** With mycli.endpoint pointed at the recording server: the extension has no key to send it (none left SecretStorage). */
  async function assertNoStoredKey(): Promise<void> {
    recorder.requests.length = 0;
    await mycli().update('endpoint', recorder.url, vscode.ConfigurationTarget.Global);
    const error = await until('the store to report the missing key', async () => (await api.store.refresh(), api.store.error));
    assert.match(error, /no API key for http:\/\/127\.0\.0\.1:\d+\/execute/);
    assert.equal(api.connection.state, 'misconfigured');
    assert.equal(recorder.requests.length, 0, 'nothing was sent without a key');
    await mycli().update('endpoint', undefined, vscode.ConfigurationTarget.Global);
  }

  /** Points mycli.endpoint at the recording server and returns the headers of the first request the extension sends it. */
  async function requestToRecorder(): Promise<IncomingHttpHeaders> {
    recorder.requests.length = 0;
    await mycli().update('endpoint', recorder.url, vscode.ConfigurationTarget.Global);
    return until('the extension to call the endpoint', async () => {
      await api.store.refresh();
      return recorder.requests[0];
    });
  }

  it('Deploy Backend creates the stack, sets mycli.endpoint to its endpoint, keeps the key in SecretStorage and names the backend in the user config', async () => {
    assert.equal(await stack(), undefined, `no stack ${STACK} before the deploy`);
    const endpoint = await deploy();
    deployedEndpoint = endpoint;

    const deployed = await stack();
    assert.ok(deployed, `stack ${STACK} exists in ${REGION}`);
    assert.equal(deployed.StackStatus, 'CREATE_COMPLETE');
    assert.ok(deployed.Tags?.some((t) => t.Key === 'mycli:backend'), 'made by mycli');
    assert.equal(endpoint, await endpointOf(deployed));

    assert.deepEqual(await loadUserConfig(process.env), { backend: 'aws', api_endpoint: endpoint, region: REGION }, 'as mycli init records it, without api_key');
    assert.equal(globalSetting('region'), REGION);

    // the extension now talks to the deployed endpoint, with a key it has (none is anywhere but SecretStorage)
    await until('the connection to the deployed endpoint', async () => api.connection.state === 'ready' && (await api.connection.target()) === endpoint);
    assert.equal(await api.connection.isLocal(), false);

    const headers = await requestToRecorder();
    const key = /^Bearer (mycli_[\w-]{43})$/.exec(headers.authorization ?? '')?.[1];
    assert.ok(key, `the extension sends a mycli API key (got "${headers.authorization}")`);
    const hash = deployed.Parameters?.find((p) => p.ParameterKey === 'ApiKeyHash')?.ParameterValue;
    assert.equal(createHash('sha256').update(key).digest('hex'), hash, 'the key in SecretStorage is the one the stack accepts');
    assert.ok(!(await readFile(userConfigPath(process.env), 'utf8')).includes(key), 'the key is not in the user config');
    await mycli().update('endpoint', endpoint, vscode.ConfigurationTarget.Global);
  });

  it('Destroy Backend ({ confirmed: true }) deletes the stack, clears mycli.endpoint, the key and the user config, and runs go local again', async function () {
    if (!deployedEndpoint) this.skip(); // the deploy failed: that test says why
    await until('the connection to the deployed endpoint', async () => (await api.connection.target()) === deployedEndpoint);

    await vscode.commands.executeCommand('mycli.destroyBackend', { confirmed: true });

    const left = await stack();
    assert.ok(!left || left.StackStatus === 'DELETE_COMPLETE', `stack ${STACK} is deleted (${left?.StackStatus})`);
    assert.equal(globalSetting('endpoint'), undefined, 'mycli.endpoint is unset');
    assert.deepEqual(await loadUserConfig(process.env), { region: REGION }, 'backend, api_endpoint and api_key are gone; the region stays for the next deploy');

    await until('the connection to go local', async () => (await api.connection.isLocal()) && api.connection.state === 'unconfigured');
    assert.equal(await api.connection.target(), 'local');
    const id = await vscode.commands.executeCommand<string>('mycli.runRemoteCommand', { command: 'echo ran-after-destroy' });
    assert.ok(id, 'an execution id');
    const info = await finished(api, id);
    assert.equal(info.status, 'SUCCEEDED');
    await until('the output in its channel', () => api.channels.text(id)?.includes('ran-after-destroy'));

    // the key left SecretStorage: given an endpoint again, the extension has no key to send
    await assertNoStoredKey();
  });

  it('after Deploy Backend, `mycli destroy` in a terminal: the extension drops the endpoint it pinned and its key, and runs go local', async function () {
    if (!deployedEndpoint) this.skip(); // the deploy failed: the first test says why
    const endpoint = await deploy();
    await until('the connection to the deployed endpoint', async () => api.connection.state === 'ready' && (await api.connection.target()) === endpoint);
    // Deploy Backend records it in the user config just after it pins it
    await until('the user config to name the endpoint', async () => (await loadUserConfig(process.env)).api_endpoint === endpoint);

    // the CLI, as a user runs it in a terminal: the same AWS (moto), the same ~/.mycli
    const cli = join(vscode.extensions.getExtension('mycli.mycli')!.extensionPath, 'dist', 'cli.js');
    const destroyed = await new Promise<{ code: number | null; stderr: string }>((done) => {
      execFile(process.execPath, [cli, 'destroy', '--yes', '--stack-name', STACK, '--region', REGION], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 150_000 }, (err, _out, stderr) =>
        done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr }));
    });
    assert.equal(destroyed.code, 0, destroyed.stderr);
    const left = await stack();
    assert.ok(!left || left.StackStatus === 'DELETE_COMPLETE', `stack ${STACK} is deleted (${left?.StackStatus})`);
    assert.deepEqual(await loadUserConfig(process.env), { region: REGION }, 'mycli destroy cleared the user config');

    // no nudge: the extension sees the user config change by itself
    await until('mycli.endpoint to be unset', () => globalSetting('endpoint') === undefined);
    await until('the connection to go local', async () => (await api.connection.isLocal()) && api.connection.state === 'unconfigured');
    const id = await vscode.commands.executeCommand<string>('mycli.runRemoteCommand', { command: 'echo ran-after-cli-destroy' });
    assert.ok(id, 'an execution id');
    assert.equal((await finished(api, id)).status, 'SUCCEEDED');
    await assertNoStoredKey();
  });
});
