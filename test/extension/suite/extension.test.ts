/**
 * Inside a real VS Code extension host, with the real `vscode` API: the extension activates,
 * registers its commands, runs on the local backend into the tree and an Output channel, stops a
 * run, and applies settings live. The workspace (from the runner) has a .mycli.yaml that points at
 * a local Git repository.
 */
import { strict as assert } from 'node:assert';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { MycliApi } from '../../../src/extension/extension';
import type { ExecutionInfo } from '../../../src/shared/contract';
import { userConfigPath } from '../../../src/shared/userConfig';
import { finished as finishedRun, until } from './waits';

describe('mycli extension (in the extension host)', () => {
  let api: MycliApi;
  let ext: vscode.Extension<MycliApi>;
  const folder = (): vscode.Uri => vscode.workspace.workspaceFolders![0]!.uri;

  before(async () => {
    const found = vscode.extensions.getExtension<MycliApi>('mycli.mycli');
    assert.ok(found, 'the extension is installed');
    ext = found;
    api = await ext.activate();
  });

  const finished = (id: string): Promise<ExecutionInfo> => finishedRun(api, id);

  it('registers its commands', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const id of ['mycli.runRemoteCommand', 'mycli.runConfigFile', 'mycli.showLogs', 'mycli.stopExecution', 'mycli.rerun', 'mycli.refresh', 'mycli.configure', 'mycli.deployBackend', 'mycli.setGitCredentials', 'mycli.destroyBackend']) {
      assert.ok(all.includes(id), `${id} is registered`);
    }
  });

  it('runs a command on the local backend: it ends in the tree, its output in its channel', async () => {
    const id = await vscode.commands.executeCommand<string>('mycli.runRemoteCommand', { command: 'echo from-the-extension-host; echo oops >&2' });
    assert.ok(id, 'an execution id');
    const info = await finished(id);
    assert.equal(info.status, 'SUCCEEDED');
    assert.equal(info.exit_code, 0);
    assert.equal(api.store.executions[0]!.execution_id, id, 'newest first');
    const text = await until('the channel to show the output', () => {
      const t = api.channels.text(id);
      return t?.includes('from-the-extension-host') && t.includes('[stderr] oops') ? t : undefined;
    });
    assert.match(text, /mycli: cloning /);
  });

  it('Run This Config runs with the .mycli.yaml it is given; a failure keeps its exit code', async () => {
    const id = await vscode.commands.executeCommand<string>('mycli.runConfigFile', vscode.Uri.file(join(folder().fsPath, 'ci', '.mycli.yaml')), 'exit 7');
    const info = await finished(id);
    assert.equal(info.timeout_seconds, 1234, 'the settings of ci/.mycli.yaml, not of the folder\'s own');
    assert.equal(info.status, 'FAILED');
    assert.equal(info.exit_code, 7);
  });

  it('Stop Execution ends a running execution as STOPPED', async () => {
    const id = await vscode.commands.executeCommand<string>('mycli.runRemoteCommand', { command: 'sleep 300' });
    await until('the run to be running', async () => (await api.store.refresh(), api.store.find(id)?.status === 'RUNNING'));
    await vscode.commands.executeCommand('mycli.stopExecution', id);
    const info = await finished(id);
    assert.equal(info.status, 'STOPPED');
  });

  it('applies a settings change live: an aws backend without an endpoint is reported, and local again clears it', async () => {
    const config = vscode.workspace.getConfiguration('mycli');
    await config.update('backend', 'aws', vscode.ConfigurationTarget.Global);
    try {
      const error = await until('the store to report the missing endpoint', () => api.store.error);
      assert.match(error, /no endpoint is set/);
    } finally {
      await config.update('backend', undefined, vscode.ConfigurationTarget.Global);
    }
    await until('the error to clear', async () => (await api.store.refresh(), api.store.error === undefined && api.store.executions.length > 0));
  });

  it('a user config that says backend: aws without an endpoint, written while it runs, is reported as the CLI reports it, not run locally', async () => {
    // ~/.mycli/config.yaml as `mycli config set backend aws` leaves it; the extension is on auto
    assert.ok(process.env.MYCLI_HOME, 'the runner gives the host a MYCLI_HOME of its own');
    const file = userConfigPath(process.env);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, 'backend: aws\n');
    try {
      // no nudge: the extension sees the file change by itself, as after `mycli config set` in a terminal
      const error = await until('the store to report the missing endpoint', async () => (await api.store.refresh(), api.store.error));
      assert.match(error, /config\.yaml says backend: aws but has no api_endpoint: run "mycli: Configure Endpoint and API Key" or "mycli: Deploy Backend"/);
      assert.equal(api.connection.state, 'misconfigured');
      // that state's welcome view still offers Deploy and Configure
      const views = (ext.packageJSON as { contributes: { viewsWelcome: Array<{ when: string; contents: string }> } }).contributes.viewsWelcome;
      const welcome = views.find((v) => v.when === 'mycli.state == misconfigured');
      assert.ok(welcome, 'a welcome view for a misconfigured backend');
      assert.match(welcome.contents, /\(command:mycli\.deployBackend\)/);
      assert.match(welcome.contents, /\(command:mycli\.configure\)/);
    } finally {
      await rm(file, { force: true });
    }
    await until('the error to clear', async () => (await api.store.refresh(), api.store.error === undefined && api.store.executions.length > 0));
    assert.equal(api.connection.state, 'unconfigured', 'nothing else names a backend');
  });
});
